import { asArray, asObject, malformed } from '../../lib/answer.ts'
import type { Config } from '../../lib/config.ts'
import { getJson, httpSettings } from '../../lib/http.ts'
import type { ClientContext } from '../types.ts'

// Octopus pages its lists: `{count, next, previous, results}`, following `next` until null.
// A `next` outside the configured API origin is refused so the API key only ever goes to it.

const MAX_PAGES = 1000

export interface OctopusFetch { source: string, auth: boolean }

/** Octopus takes the API key as the Basic-auth user name, with an empty password. */
export function octopusAuthorization (config: Pick<Config, 'octopusApiKey'>): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${config.octopusApiKey}:`).toString('base64')}` }
}

export async function fetchOctopusPages (firstUrl: string, { config, log, signal }: ClientContext, { source, auth }: OctopusFetch): Promise<unknown[]> {
  const origin = new URL(config.octopusApiUrl).origin
  const headers = auth ? octopusAuthorization(config) : {}
  const results: unknown[] = []
  let url: string | null = firstUrl
  for (let page = 0; url !== null; page++) {
    if (page >= MAX_PAGES) throw malformed(source, `more than ${MAX_PAGES} pages`)
    if (new URL(url).origin !== origin) throw malformed(source, `next page ${new URL(url).origin} is outside ${origin}`)
    const body = asObject(await getJson(url, { ...httpSettings(config), log, signal, headers, authHint: 'check OCTOPUS_API_KEY' }), source, 'answer')
    results.push(...asArray(body.results, source, 'results'))
    if (body.next !== null && body.next !== undefined && typeof body.next !== 'string') throw malformed(source, 'next is not a URL')
    url = (body.next as string | null | undefined) ?? null
  }
  return results
}

export function octopusTime (ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z')
}
