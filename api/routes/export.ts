import type { Pool } from '../../lib/db.ts'
import { EXPORT_FORMATS, EXPORT_WHATS, exportRange, exportStream } from '../export.ts'
import type { ApiApp } from '../types.ts'

// GET /api/{days,halfhours,months}.{csv,jsonl}?from&to: the rows streamed from Postgres, as a
// download. Ranges default to everything daily_summary has (api/export.ts exportRange).

const CONTENT_TYPE = { csv: 'text/csv; charset=utf-8; header=present', jsonl: 'application/jsonl; charset=utf-8' } as const

export function exportRoutes (app: ApiApp, { pool }: { pool: Pool }): void {
  for (const what of EXPORT_WHATS) {
    for (const format of EXPORT_FORMATS) {
      app.get<{ Querystring: { from?: string, to?: string } }>(`/api/${what}.${format}`, {
        schema: {
          summary: `${what === 'halfhours' ? 'Half-hours' : what === 'days' ? 'Days' : 'Months'} as ${format === 'csv' ? 'CSV (RFC 4180, header row)' : 'JSON lines'}`,
          description: 'Streamed from Postgres; from/to default to everything daily_summary has (months: YYYY-MM). A download (content-disposition: attachment).',
          tags: ['data out'],
          querystring: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' } } }
        }
      }, async (request, reply) => {
        const { from, to } = await exportRange(pool, what, request.query.from, request.query.to)
        const name = `${what}-${from.slice(0, what === 'months' ? 7 : 10)}-${to.slice(0, what === 'months' ? 7 : 10)}.${format}`
        const stream = await exportStream(pool, what, format, from, to)
        return await reply.type(CONTENT_TYPE[format]).header('content-disposition', `attachment; filename="${name}"`).send(stream)
      })
    }
  }
}
