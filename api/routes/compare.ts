import type { Pool } from '../../lib/db.ts'
import type { Config } from '../../lib/config.ts'
import { addDays, londonToday } from '../../lib/london-day.ts'
import type { Logger } from '../../lib/log.ts'
import { createTariffCatalogue } from '../../clients/octopus/catalogue.ts'
import { compareTariffs, type CompareResult } from '../compare/index.ts'
import { FAMILIES, regionOfTariff } from '../compare/families.ts'
import { badRange, dateParam } from '../params.ts'
import { newestDate } from '../queries.ts'
import type { ApiApp } from '../types.ts'
import { EnergyError } from '../../lib/errors.ts'

// GET /api/compare?from&to&tariffs=agile,go,…: what the household's half-hours would have cost
// on other tariffs (api/compare/). The only route that asks an upstream: bounded in days and
// candidates, and each tariff's days are asked once and kept.

/** The longest period compared in one request: three years. */
export const MAX_COMPARE_DAYS = 1100
/** The most candidates in one request. */
export const MAX_CANDIDATES = 20
/** Default period: the quarter up to the newest day. */
const DEFAULT_DAYS = 91
/** A request's upstream work may take this long before it is abandoned. */
const COMPARE_TIMEOUT_MS = 5 * 60 * 1000

const PRODUCT_CODE = /^[A-Z0-9][A-Z0-9-]{2,60}$/

/** The candidates `tariffs` names: families or product codes, at most MAX_CANDIDATES. */
export function candidateNames (tariffs: string | undefined): string[] {
  if (tariffs === undefined || tariffs.trim() === '') return FAMILIES.map(f => f.name)
  const names = [...new Set(tariffs.split(',').map(t => t.trim()).filter(Boolean))]
  if (names.length > MAX_CANDIDATES) throw new EnergyError('ENERGY_USAGE', `tariffs names ${names.length} candidates; at most ${MAX_CANDIDATES} per request`)
  for (const name of names) {
    if (FAMILIES.some(f => f.name === name) || PRODUCT_CODE.test(name)) continue
    const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name
    throw new EnergyError('ENERGY_USAGE', `tariffs: "${shown}" is neither a family (${FAMILIES.map(f => f.name).join(', ')}) nor a product code such as AGILE-24-10-01`)
  }
  return names
}

const CANDIDATE = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    label: { type: 'string' },
    fuel: { type: 'string' },
    direction: { type: 'string' },
    product: { type: ['string', 'null'] },
    tariff_code: { type: ['string', 'null'] },
    days_with_readings: { type: 'integer' },
    days_compared: { type: 'integer' },
    first_compared: { type: ['string', 'null'] },
    last_compared: { type: ['string', 'null'] },
    value_inc_vat: { type: 'number' },
    actual_inc_vat: { type: 'number' },
    better_by: { type: 'number' },
    note: { type: 'string' }
  }
} as const

const COMPARE_SCHEMA = {
  summary: 'Would another tariff have been cheaper?',
  description: "The household's own half-hours priced on other tariffs (families or product codes), over the days each has prices for, beside what was paid. At most 1,100 days and 20 candidates.",
  tags: ['compare'],
  querystring: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' }, tariffs: { type: 'string' } } },
  response: {
    200: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' }, region: { type: 'string' }, candidates: { type: 'array', items: CANDIDATE } } },
    400: { type: 'object', properties: { error: { type: 'string' } } }
  }
} as const

export interface CompareRouteDeps {
  pool: Pool
  config: Readonly<Config>
  log: Logger
  signal: AbortSignal
}

export function compareRoutes (app: ApiApp, { pool, config, log, signal }: CompareRouteDeps): void {
  // Kept for the app's life: a product's links are asked once, like the processors' catalogue.
  const tariffs = createTariffCatalogue()
  const region = regionOfTariff(config.octopusTariff)
  app.get<{ Querystring: { from?: string, to?: string, tariffs?: string } }>('/api/compare', { schema: COMPARE_SCHEMA }, async (request): Promise<CompareResult> => {
    const { query } = request
    const fromParam = query.from === undefined ? undefined : dateParam('from', query.from)
    const toParam = query.to === undefined ? undefined : dateParam('to', query.to)
    const names = candidateNames(query.tariffs)
    const to = toParam ?? (await newestDate(pool)) ?? addDays(londonToday(), -2)
    const from = fromParam ?? addDays(to, -(DEFAULT_DAYS - 1))
    if (from > to) throw badRange(`from ${from} is after to ${to}`)
    const days = (Date.parse(to) - Date.parse(from)) / 86400000 + 1
    if (days > MAX_COMPARE_DAYS) throw badRange(`from ${from} to ${to} is ${days} days; at most ${MAX_COMPARE_DAYS} per comparison`)
    const context = { config, log: log.child({ route: 'compare' }), signal: AbortSignal.any([signal, AbortSignal.timeout(COMPARE_TIMEOUT_MS)]), tariffs }
    return await compareTariffs({ pool, context, region, postcode: config.carbonPostcode ?? undefined }, from, to, names)
  })
}
