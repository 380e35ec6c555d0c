import type { Config } from '../../lib/config.ts'
import type { Pool } from '../../lib/db.ts'
import { addDays, londonToday } from '../../lib/london-day.ts'
import { billedReasons, DIFFERENCE_PENCE } from '../billed.ts'
import type { ApiOptions } from '../options.ts'
import { badRange, DATE_SCHEMA, dateParam } from '../params.ts'
import { billedDays, billedLanded, billedTotals, newestBilledDate, newestDate } from '../queries.ts'
import type { ApiApp, BilledResponse, BilledSourceState } from '../types.ts'

// GET /api/billed: computed vs billed per day (issue 23). The days of a range whose bill as
// Octopus billed it (daily_summary.billed_inc_vat, the opt-in `billed` source) differs from the
// pipeline's by more than 1p, each with its likely reasons (api/billed.ts). Full precision.

const DAY_MS = 24 * 60 * 60 * 1000
const ERROR = { type: 'object', properties: { error: { type: 'string' } } } as const
const NULLABLE_STRING = { type: ['string', 'null'] } as const

const REASON = {
  type: 'object',
  required: ['code', 'text', 'pence'],
  properties: { code: { type: 'string' }, text: { type: 'string' }, pence: { type: ['number', 'null'] } }
} as const

const OTHER_STATISTIC = {
  type: 'object',
  required: ['type', 'label', 'slots', 'cost_pence'],
  properties: { type: NULLABLE_STRING, label: NULLABLE_STRING, slots: { type: 'integer' }, cost_pence: { type: ['number', 'null'] } }
} as const

const DAY = {
  type: 'object',
  required: ['date', 'slots_expected', 'computed_inc_vat', 'billed_inc_vat', 'difference', 'usage_slots', 'billed_slots', 'dispatch_kwh', 'tariffs', 'other_statistics', 'reasons'],
  properties: {
    date: { type: 'string' },
    slots_expected: { type: 'integer' },
    computed_inc_vat: { type: 'number' },
    billed_inc_vat: { type: 'number' },
    difference: { type: 'number' },
    usage_slots: { type: 'integer' },
    billed_slots: { type: 'integer' },
    dispatch_kwh: { type: 'number' },
    tariffs: { type: 'array', items: { type: 'string' } },
    other_statistics: { type: 'array', items: OTHER_STATISTIC },
    reasons: { type: 'array', items: REASON }
  }
} as const

const BILLED_SCHEMA = {
  summary: 'Computed vs billed: the days that differ, with the likely reasons',
  description: 'Days whose bill as Octopus billed the import meter point (GraphQL measurements, the opt-in billed source) differs by more than 1p from the pipeline\'s unit cost + standing charge, newest first, each with reason codes and sentences; with the range\'s totals. At most maxRangeDays (366) days; default the 30 up to the newest billed day.',
  tags: ['billed'],
  querystring: { type: 'object', properties: { from: DATE_SCHEMA, to: DATE_SCHEMA } },
  response: {
    200: {
      type: 'object',
      required: ['from', 'to', 'tolerance_pence', 'source', 'days_billed', 'days_compared', 'days_differing', 'billed_inc_vat', 'computed_inc_vat', 'difference', 'days'],
      properties: {
        from: { type: 'string' },
        to: { type: 'string' },
        tolerance_pence: { type: 'number' },
        source: {
          type: 'object',
          required: ['running', 'in_sources', 'note'],
          properties: { running: { type: 'boolean' }, in_sources: { type: 'boolean' }, note: NULLABLE_STRING }
        },
        days_billed: { type: 'integer' },
        days_compared: { type: 'integer' },
        days_differing: { type: 'integer' },
        billed_inc_vat: { type: 'number' },
        computed_inc_vat: { type: 'number' },
        difference: { type: 'number' },
        days: { type: 'array', items: DAY }
      }
    },
    400: ERROR
  }
} as const

export interface BilledRouteDeps {
  pool: Pool
  config: Readonly<Config>
  options: ApiOptions
}

/** The billed source's state, said plainly when there is nothing to compare. */
export function billedSourceState (running: boolean, sources: readonly string[]): BilledSourceState {
  const inSources = sources.includes('billed')
  const note = running
    ? null
    : inSources
      ? 'billed is in SOURCES but nothing has landed yet: it needs OCTOPUS_ACCOUNT and OCTOPUS_API_KEY (see /api/status graphql) and a seed of the days'
      : 'billed source not running: add billed to SOURCES'
  return { running, in_sources: inSources, note }
}

export function billedRoutes (app: ApiApp, { pool, config, options }: BilledRouteDeps): void {
  app.get<{ Querystring: { from?: string, to?: string } }>('/api/billed', { schema: BILLED_SCHEMA }, async (request): Promise<BilledResponse> => {
    const { query } = request
    // Both parameters checked before anything reaches Postgres.
    const fromParam = query.from === undefined ? undefined : dateParam('from', query.from)
    const toParam = query.to === undefined ? undefined : dateParam('to', query.to)
    const to = toParam ?? (await newestBilledDate(pool)) ?? (await newestDate(pool)) ?? londonToday()
    const from = fromParam ?? addDays(to, -(options.defaultRangeDays - 1))
    if (from > to) throw badRange(`from ${from} is after to ${to}`)
    const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1
    if (days > options.maxRangeDays) throw badRange(`from ${from} to ${to} is ${days} days; at most ${options.maxRangeDays} per request`)
    const [landed, totals, facts] = await Promise.all([billedLanded(pool), billedTotals(pool, from, to, DIFFERENCE_PENCE), billedDays(pool, from, to, DIFFERENCE_PENCE)])
    return {
      from,
      to,
      tolerance_pence: DIFFERENCE_PENCE,
      source: billedSourceState(landed, config.sources),
      ...totals,
      days: facts.map(f => ({
        date: f.date,
        slots_expected: f.slots_expected,
        computed_inc_vat: f.cost_inc_vat + f.standing_charge_inc_vat,
        billed_inc_vat: f.billed_inc_vat,
        difference: f.billed_difference,
        usage_slots: f.usage_slots,
        billed_slots: f.billed_slots,
        dispatch_kwh: f.dispatch_kwh,
        tariffs: f.tariffs,
        other_statistics: f.other_statistics,
        reasons: billedReasons(f)
      }))
    }
  })
}
