import type { Pool } from '../../lib/db.ts'
import { addDays, londonDay, londonToday, slotStarts } from '../../lib/london-day.ts'
import type { ApiOptions } from '../options.ts'
import { badRange, DATE_SCHEMA, dateParam } from '../params.ts'
import { newestDate, sourcesOf, summariesBetween, summaryOf, type DaySources } from '../queries.ts'
import type { ApiApp, DayResponse, DaysResponse, Slot, SourceSlots } from '../types.ts'

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
    'gas_cost_exc_vat', 'gas_standing_charge_inc_vat', 'gas_standing_charge_exc_vat', 'gas_carbon_g', 'bill_inc_vat',
    'carbon_g_regional', 'avg_intensity_regional', 'bill_complete', 'carbon_slots', 'missing_readings', 'updated_at'
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
    // By the regional forecast; null when the day has no regional data (no region configured).
    carbon_g_regional: NULLABLE_NUMBER,
    avg_intensity_regional: NULLABLE_NUMBER,
    // Money never waits for carbon: the bill is final once bill_complete; carbon_slots of the
    // priced slots have carbon (0 before the Carbon Intensity history, null before version 4).
    bill_complete: { type: 'boolean' },
    carbon_slots: { type: ['integer', 'null'] },
    missing_readings: { type: 'array', items: { type: 'string' } },
    updated_at: { type: 'string' }
  }
} as const

const ERROR = { type: 'object', properties: { error: { type: 'string' } } } as const

const SLOT = {
  type: 'object',
  required: ['start', 'usage_kwh', 'price_inc_vat', 'intensity', 'intensity_is_forecast', 'mix',
    'export_kwh', 'export_rate', 'gas_kwh', 'gas_rate_inc_vat', 'gas_carbon_g', 'regional_intensity'],
  properties: {
    start: { type: 'string' },
    usage_kwh: NULLABLE_NUMBER,
    price_inc_vat: NULLABLE_NUMBER,
    intensity: NULLABLE_NUMBER,
    intensity_is_forecast: { type: ['boolean', 'null'] },
    mix: MIX,
    export_kwh: NULLABLE_NUMBER,
    export_rate: NULLABLE_NUMBER,
    gas_kwh: NULLABLE_NUMBER,
    gas_rate_inc_vat: NULLABLE_NUMBER,
    gas_carbon_g: NULLABLE_NUMBER,
    regional_intensity: NULLABLE_NUMBER
  }
} as const

/** The source tables a day's slots are read from, as DaySources names them. */
const SOURCE_NAMES = ['usage', 'price', 'intensity', 'mix', 'export', 'gas', 'regional'] as const

const SOURCE_SLOTS = {
  type: 'object',
  required: SOURCE_NAMES,
  properties: Object.fromEntries(SOURCE_NAMES.map(name => [name, { type: 'integer' }]))
} as const

const DAYS_SCHEMA = {
  summary: 'Daily summaries in a range, newest first',
  description: 'Every figure of each London day from daily_summary at full precision: kWh, cost, standing charges, export, gas, the bill, carbon national and regional, completeness. At most maxRangeDays (366) days; default the 30 up to the newest.',
  tags: ['days'],
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
  summary: 'One day, half-hour by half-hour',
  description: "The day's summary and every half-hour (46, 48 or 50) with what each source table has for it; 404 when no source has the date.",
  tags: ['days'],
  params: { type: 'object', required: ['date'], properties: { date: DATE_SCHEMA } },
  response: {
    200: {
      type: 'object',
      required: ['date', 'slots_expected', 'summary', 'slots', 'missing', 'source_slots'],
      properties: {
        date: { type: 'string' },
        slots_expected: { type: 'integer' },
        summary: { anyOf: [SUMMARY, { type: 'null' }] },
        slots: { type: 'array', items: SLOT },
        missing: { type: 'array', items: { type: 'string' } },
        source_slots: SOURCE_SLOTS
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
    if (summary === null && SOURCE_NAMES.every(name => sources[name].size === 0)) {
      return reply.code(404).send({ error: `no data for ${date}` })
    }
    const day = londonDay(date)
    const starts = slotStarts(day)
    const slots = starts.map(ms => slotOf(ms, sources))
    // `missing` stays the electricity join's four sources (a day before the export and gas
    // meters landed lacks them in every slot); source_slots counts all seven.
    const missing = slots.filter(s => s.usage_kwh === null || s.price_inc_vat === null || s.intensity === null || Object.keys(s.mix).length === 0).map(s => s.start)
    return { date, slots_expected: day.slots, summary, slots, missing, source_slots: sourceSlots(starts, sources) }
  })
}

/** Per source table, how many of the day's slots it has a row for. */
function sourceSlots (starts: number[], sources: DaySources): SourceSlots {
  const count = (rows: Map<number, unknown>): number => starts.reduce((n, ms) => rows.has(ms) ? n + 1 : n, 0)
  return {
    usage: count(sources.usage),
    price: count(sources.price),
    intensity: count(sources.intensity),
    mix: count(sources.mix),
    export: count(sources.export),
    gas: count(sources.gas),
    regional: count(sources.regional)
  }
}

function slotOf (ms: number, sources: DaySources): Slot {
  const co2 = sources.intensity.get(ms)
  const exported = sources.export.get(ms)
  const gas = sources.gas.get(ms)
  return {
    start: new Date(ms).toISOString(),
    usage_kwh: sources.usage.get(ms) ?? null,
    price_inc_vat: sources.price.get(ms) ?? null,
    intensity: co2 === undefined ? null : co2.actual ?? co2.forecast,
    intensity_is_forecast: co2 === undefined ? null : co2.actual === null,
    mix: sources.mix.get(ms) ?? {},
    export_kwh: exported?.kwh ?? null,
    export_rate: exported?.rate ?? null,
    gas_kwh: gas?.kwh ?? null,
    gas_rate_inc_vat: gas?.rate_inc_vat ?? null,
    gas_carbon_g: gas?.carbon_g ?? null,
    regional_intensity: sources.regional.get(ms) ?? null
  }
}
