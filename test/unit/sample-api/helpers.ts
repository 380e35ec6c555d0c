import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'
import { DEFAULTS } from '../../../lib/config.ts'
import { createSampleApi } from '../../../sample-api/index.ts'
import type { SampleApi, SampleApiOptions } from '../../../sample-api/index.ts'

/** 2024-07-01 12:00 UTC: every June 2024 slot is in the past, consumption included. */
export const NOW = Date.parse('2024-07-01T12:00:00Z')

export const AUTH = { authorization: 'Basic ' + Buffer.from(`${DEFAULTS.OCTOPUS_API_KEY}:`).toString('base64') }
/** The default Agile product (launched 2022-11-25, so June 2024 has rates) and a variable one (2022-11-01). */
export const AGILE_PRODUCT = 'AGILE-FLEX-22-11-25'
export const FIXED_PRODUCT = 'VAR-22-11-01'
export const RATES = ratesPath(AGILE_PRODUCT)
export const FIXED = ratesPath(FIXED_PRODUCT)
export const CONSUMPTION = `/octopus/v1/electricity-meter-points/${DEFAULTS.OCTOPUS_MPAN}/meters/${DEFAULTS.OCTOPUS_SERIAL}/consumption/`

export interface Paged<T> {
  count: number
  next: string | null
  previous: string | null
  results: T[]
}

export interface Rate {
  value_exc_vat: number
  value_inc_vat: number
  valid_from: string
  valid_to: string | null
  payment_method: string | null
}

export interface Reading {
  consumption: number
  interval_start: string
  interval_end: string
}

export const EMPTY = { count: 0, next: null, previous: null, results: [] }

export interface Started {
  api: SampleApi
  base: string
  get: (path: string, headers?: Record<string, string>) => Promise<Response>
  json: <T>(path: string, headers?: Record<string, string>) => Promise<T>
  /** A request to /_admin{path}. */
  admin: (method: string, path: string, body?: string) => Promise<Response>
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
  const admin = (method: string, path: string, body?: string): Promise<Response> => fetch(`${base}/_admin${path}`, { method, body })
  return { api, base, get, json, admin }
}

/** A query string, `+` of UTC offsets encoded. */
export function query (params: Record<string, string | number>): string {
  return '?' + new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString()
}

/** The unit-rate (or standing-charge) list of a product's region C tariff. */
export function ratesPath (product: string, list: 'standard-unit-rates' | 'standing-charges' = 'standard-unit-rates'): string {
  return `/octopus/v1/products/${product}/electricity-tariffs/E-1R-${product}-C/${list}/`
}

/** A list of any tariff of a product: gas-tariffs for a G-… tariff, electricity-tariffs otherwise. */
export function tariffPath (product: string, tariff: string, list: string): string {
  const fuel = tariff.startsWith('G-') ? 'gas' : 'electricity'
  return `/octopus/v1/products/${product}/${fuel}-tariffs/${tariff}/${list}/`
}

/** The consumption list of a meter: gas-meter-points when `fuel` is gas. */
export function consumptionPath (point: string, serial: string, fuel: 'electricity' | 'gas' = 'electricity'): string {
  return `/octopus/v1/${fuel}-meter-points/${point}/meters/${serial}/consumption/`
}
