import { readFile } from 'node:fs/promises'
import type { ApiApp } from '../types.ts'

// The dashboard: seven fixed files from api/public. A fixed list (rather than a directory
// handler such as @fastify/static) has no path to traverse and no dependency to keep up.

const PUBLIC_DIR = new URL('../public/', import.meta.url)

const FILES: Array<[route: string, file: string, type: string]> = [
  ['/', 'index.html', 'text/html; charset=utf-8'],
  ['/app.js', 'app.js', 'text/javascript; charset=utf-8'],
  ['/dom.js', 'dom.js', 'text/javascript; charset=utf-8'],
  ['/months.js', 'months.js', 'text/javascript; charset=utf-8'],
  ['/compare.js', 'compare.js', 'text/javascript; charset=utf-8'],
  ['/billed.js', 'billed.js', 'text/javascript; charset=utf-8'],
  ['/style.css', 'style.css', 'text/css; charset=utf-8']
]

// Everything the page loads comes from this server: no inline script or style, no CDN.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

export function staticRoutes (app: ApiApp): void {
  for (const [route, file, type] of FILES) {
    app.get(route, { schema: { hide: true } }, async (_request, reply) => {
      // Read on every request: the files are small and an edit shows without a restart.
      const body = await readFile(new URL(file, PUBLIC_DIR))
      return reply
        .type(type)
        .header('cache-control', 'no-cache')
        .header('content-security-policy', CSP)
        .send(body)
    })
  }
}
