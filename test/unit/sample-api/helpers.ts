import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'
import { DEFAULTS } from '../../../lib/config.ts'
import { createSampleApi } from '../../../sample-api/index.ts'
import type { SampleApi, SampleApiOptions } from '../../../sample-api/index.ts'

/** 2024-07-01 12:00 UTC: every June 2024 slot is in the past, consumption included. */
export const NOW = Date.parse('2024-07-01T12:00:00Z')

export const AUTH = { authorization: 'Basic ' + Buffer.from(`${DEFAULTS.OCTOPUS_API_KEY}:`).toString('base64') }
export const RATES = '/octopus/v1/products/AGILE-24-10-01/electricity-tariffs/E-1R-AGILE-24-10-01-C/standard-unit-rates/'
export const FIXED = '/octopus/v1/products/VAR-22-11-01/electricity-tariffs/E-1R-VAR-22-11-01-C/standard-unit-rates/'
export const CONSUMPTION = `/octopus/v1/electricity-meter-points/${DEFAULTS.OCTOPUS_MPAN}/meters/${DEFAULTS.OCTOPUS_SERIAL}/consumption/`

export interface Started {
  api: SampleApi
  base: string
  get: (path: string, headers?: Record<string, string>) => Promise<Response>
  json: <T>(path: string, headers?: Record<string, string>) => Promise<T>
}

/** The sample API on an ephemeral 127.0.0.1 port, closed when the test ends. */
export async function startSampleApi (t: TestContext, options: Partial<SampleApiOptions> = {}): Promise<Started> {
  const api = createSampleApi({ seed: 42, now: () => NOW, ...options })
  const server = createServer(api.handler)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>(resolve => {
    server.close(() => resolve())
    server.closeAllConnections()
  }))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const get = (path: string, headers: Record<string, string> = {}): Promise<Response> => fetch(base + path, { headers })
  const json = async <T>(path: string, headers: Record<string, string> = {}): Promise<T> => {
    const res = await get(path, headers)
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`)
    return await res.json() as T
  }
  return { api, base, get, json }
}

/** A query string, `+` of UTC offsets encoded. */
export function query (params: Record<string, string | number>): string {
  return '?' + new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString()
}
