import type { Pool } from '../../lib/db.ts'
import { addDays, londonDay, londonToday, slotStarts } from '../../lib/london-day.ts'
import type { ApiOptions } from '../options.ts'
import { badRange, DATE_SCHEMA, dateParam } from '../params.ts'
import { newestDate, sourcesOf, summariesBetween, summaryOf, type DaySources } from '../queries.ts'
import type { ApiApp, DayResponse, DaysResponse, Slot } from '../types.ts'

// GET /api/days and GET /api/days/:date. The JSON schemas validate the parameters' shape and
// serialise the responses (fast-json-stringify writes numbers as JSON.stringify does: the
// shortest text that reads back as the same double, so figures keep full precision).

const DAY_MS = 24 * 60 * 60 * 1000
const NULLABLE_NUMBER = { type: ['number', 'null'] } as const
const MIX = { type: 'object', additionalProperties: { type: 'number' } } as const

const SUMMARY = {
  type: 'object',
  required: [
    'date', 'kwh', 'cost_inc_vat', 'cost_exc_vat', 'carbon_g', 'avg_intensity', 'mix', 'slots_expected', 'slots_joined', 'complete', 'forecast_slots',
    'import_tariff_code', 'standing_charge_inc_vat', 'standing_charge_exc_vat', 'export_kwh', 'export_value', 'gas_kwh', 'gas_cost_inc_vat',
    'gas_cost_exc_vat', 'gas_standing_charge_inc_vat', 'gas_standing_charge_exc_vat', 'gas_carbon_g', 'bill_inc_vat', 'updated_at'
  ],
  properties: {
    date: { type: 'string' },
    kwh: NULLABLE_NUMBER,
    cost_inc_vat: NULLABLE_NUMBER,
    cost_exc_vat: NULLABLE_NUMBER,
    carbon_g: NULLABLE_NUMBER,
    avg_intensity: NULLABLE_NUMBER,
    mix: MIX,
    slots_expected: { type: 'integer' },
    slots_joined: { type: 'integer' },
    complete: { type: 'boolean' },
    forecast_slots: { type: 'integer' },
    // DESIGN.md "The account": null = unknown (a day joined before standing charges), 0 = no such meter.
    import_tariff_code: { type: ['string', 'null'] },
    standing_charge_inc_vat: NULLABLE_NUMBER,
    standing_charge_exc_vat: NULLABLE_NUMBER,
    export_kwh: NULLABLE_NUMBER,
    export_value: NULLABLE_NUMBER,
    gas_kwh: NULLABLE_NUMBER,
    gas_cost_inc_vat: NULLABLE_NUMBER,
    gas_cost_exc_vat: NULLABLE_NUMBER,
    gas_standing_charge_inc_vat: NULLABLE_NUMBER,
    gas_standing_charge_exc_vat: NULLABLE_NUMBER,
    gas_carbon_g: NULLABLE_NUMBER,
    bill_inc_vat: NULLABLE_NUMBER,
    updated_at: { type: 'string' }
  }
} as const

const ERROR = { type: 'object', properties: { error: { type: 'string' } } } as const

const SLOT = {
  type: 'object',
  required: ['start', 'usage_kwh', 'price_inc_vat', 'intensity', 'intensity_is_forecast', 'mix'],
  properties: {
    start: { type: 'string' },
    usage_kwh: NULLABLE_NUMBER,
    price_inc_vat: NULLABLE_NUMBER,
    intensity: NULLABLE_NUMBER,
    intensity_is_forecast: { type: ['boolean', 'null'] },
    mix: MIX
  }
} as const

const DAYS_SCHEMA = {
  querystring: { type: 'object', properties: { from: DATE_SCHEMA, to: DATE_SCHEMA } },
  response: {
    200: {
      type: 'object',
      required: ['from', 'to', 'days'],
      properties: { from: { type: 'string' }, to: { type: 'string' }, days: { type: 'array', items: SUMMARY } }
    },
    400: ERROR
  }
} as const

const DAY_SCHEMA = {
  params: { type: 'object', required: ['date'], properties: { date: DATE_SCHEMA } },
  response: {
    200: {
      type: 'object',
      required: ['date', 'slots_expected', 'summary', 'slots', 'missing'],
      properties: {
        date: { type: 'string' },
        slots_expected: { type: 'integer' },
        summary: { anyOf: [SUMMARY, { type: 'null' }] },
        slots: { type: 'array', items: SLOT },
        missing: { type: 'array', items: { type: 'string' } }
      }
    },
    400: ERROR,
    404: ERROR
  }
} as const

export interface DaysRouteDeps {
  pool: Pool
  options: ApiOptions
}

export function daysRoutes (app: ApiApp, deps: DaysRouteDeps): void {
  const { pool, options } = deps

  app.get<{ Querystring: { from?: string, to?: string } }>('/api/days', { schema: DAYS_SCHEMA }, async (request): Promise<DaysResponse> => {
    const { query } = request
    // Check both parameters before anything reaches Postgres.
    const fromParam = query.from === undefined ? undefined : dateParam('from', query.from)
    const toParam = query.to === undefined ? undefined : dateParam('to', query.to)
    const to = toParam ?? (await newestDate(pool)) ?? londonToday()
    const from = fromParam ?? addDays(to, -(options.defaultRangeDays - 1))
    if (from > to) throw badRange(`from ${from} is after to ${to}`)
    const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1
    if (days > options.maxRangeDays) throw badRange(`from ${from} to ${to} is ${days} days; at most ${options.maxRangeDays} per request`)
    return { from, to, days: await summariesBetween(pool, from, to) }
  })

  app.get<{ Params: { date: string } }>('/api/days/:date', { schema: DAY_SCHEMA }, async (request, reply): Promise<DayResponse | undefined> => {
    const date = dateParam('date', request.params.date)
    const [summary, sources] = await Promise.all([summaryOf(pool, date), sourcesOf(pool, date)])
    if (summary === null && sourceRows(sources) === 0) {
      return reply.code(404).send({ error: `no data for ${date}` })
    }
    const day = londonDay(date)
    const slots = slotStarts(day).map(ms => slotOf(ms, sources))
    const missing = slots.filter(s => s.usage_kwh === null || s.price_inc_vat === null || s.intensity === null || Object.keys(s.mix).length === 0).map(s => s.start)
    return { date, slots_expected: day.slots, summary, slots, missing }
  })
}

function sourceRows (s: DaySources): number {
  return s.usage.size + s.price.size + s.intensity.size + s.mix.size
}

function slotOf (ms: number, sources: DaySources): Slot {
  const co2 = sources.intensity.get(ms)
  return {
    start: new Date(ms).toISOString(),
    usage_kwh: sources.usage.get(ms) ?? null,
    price_inc_vat: sources.price.get(ms) ?? null,
    intensity: co2 === undefined ? null : co2.actual ?? co2.forecast,
    intensity_is_forecast: co2 === undefined ? null : co2.actual === null,
    mix: sources.mix.get(ms) ?? {}
  }
}
