import type { Pool } from '../../lib/db.ts'
import { addDays, londonDay, londonToday, slotStarts } from '../../lib/london-day.ts'
import { jsonSchemaOf, storedFields, type FieldSpec } from '../../processors/source/fields.ts'
import type { Topology } from '../../processors/topology.ts'
import type { ApiOptions } from '../options.ts'
import { badRange, DATE_SCHEMA, dateParam } from '../params.ts'
import { newestDate, slotCounts, slottedSources, sourcesOf, summariesBetween, summaryColumns, summaryOf, type DaySources } from '../queries.ts'
import type { ApiApp, DayResponse, DaysResponse, Slot, SourceSlots } from '../types.ts'

// GET /api/days and GET /api/days/:date. The JSON schemas validate the parameters' shape and
// serialise the responses (fast-json-stringify writes numbers as JSON.stringify does: the
// shortest text that reads back as the same double, so figures keep full precision).

const DAY_MS = 24 * 60 * 60 * 1000
const NULLABLE_NUMBER = { type: ['number', 'null'] } as const
const MIX = { type: 'object', additionalProperties: { type: 'number' } } as const

/**
 * A daily_summary row in the answers: a property per column of the field table
 * (processors/source/fields.ts: nullable fields, and doubles, may be null), then updated_at.
 */
function summarySchema (fields: readonly FieldSpec[]): Record<string, unknown> {
  const stored = storedFields(fields)
  return {
    type: 'object',
    required: [...stored.map(f => f.name), 'updated_at'],
    properties: { ...Object.fromEntries(stored.map(f => [f.name, jsonSchemaOf(f)])), updated_at: { type: 'string' } }
  }
}

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

/** The tables a day's slots are read from, as DaySources names them (the columns of Slot). */
const SLOT_TABLES = ['usage', 'price', 'intensity', 'mix', 'export', 'gas', 'regional'] as const

/** source_slots' names of two sources, as the API named them first. */
const SLOT_NAMES: Readonly<Record<string, string>> = { pricing: 'price', co2: 'intensity' }
const slotName = (source: string): string => SLOT_NAMES[source] ?? source

function daysSchema (summary: Record<string, unknown>): Record<string, unknown> {
  return {
    summary: 'Daily summaries in a range, newest first',
    description: 'Every figure of each London day from daily_summary at full precision: kWh, cost, standing charges, export, gas, the bill, carbon national and regional, completeness. At most maxRangeDays (366) days; default the 30 up to the newest.',
    tags: ['days'],
    querystring: { type: 'object', properties: { from: DATE_SCHEMA, to: DATE_SCHEMA } },
    response: {
      200: {
        type: 'object',
        required: ['from', 'to', 'days'],
        properties: { from: { type: 'string' }, to: { type: 'string' }, days: { type: 'array', items: summary } }
      },
      400: ERROR
    }
  }
}

function daySchema (summary: Record<string, unknown>, sources: readonly string[]): Record<string, unknown> {
  return {
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
          summary: { anyOf: [summary, { type: 'null' }] },
          slots: { type: 'array', items: SLOT },
          missing: { type: 'array', items: { type: 'string' } },
          source_slots: { type: 'object', required: sources, properties: Object.fromEntries(sources.map(name => [name, { type: 'integer' }])) }
        }
      },
      400: ERROR,
      404: ERROR
    }
  }
}

export interface DaysRouteDeps {
  pool: Pool
  options: ApiOptions
  /** Its sources and daily_summary's fields (processors/topology.ts). */
  topology: Pick<Topology, 'sources' | 'summaryFields'>
}

export function daysRoutes (app: ApiApp, deps: DaysRouteDeps): void {
  const { pool, options, topology } = deps
  const columns = summaryColumns(topology.summaryFields)
  const summary = summarySchema(topology.summaryFields)
  const counted = slottedSources(topology.sources)

  app.get<{ Querystring: { from?: string, to?: string } }>('/api/days', { schema: daysSchema(summary) }, async (request): Promise<DaysResponse> => {
    const { query } = request
    // Check both parameters before anything reaches Postgres.
    const fromParam = query.from === undefined ? undefined : dateParam('from', query.from)
    const toParam = query.to === undefined ? undefined : dateParam('to', query.to)
    const to = toParam ?? (await newestDate(pool)) ?? londonToday()
    const from = fromParam ?? addDays(to, -(options.defaultRangeDays - 1))
    if (from > to) throw badRange(`from ${from} is after to ${to}`)
    const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1
    if (days > options.maxRangeDays) throw badRange(`from ${from} to ${to} is ${days} days; at most ${options.maxRangeDays} per request`)
    return { from, to, days: await summariesBetween(pool, columns, from, to) }
  })

  app.get<{ Params: { date: string } }>('/api/days/:date', { schema: daySchema(summary, counted.map(s => slotName(s.name))) }, async (request, reply): Promise<DayResponse | undefined> => {
    const date = dateParam('date', request.params.date)
    const day = londonDay(date)
    const starts = slotStarts(day)
    const [summary, sources, counts] = await Promise.all([summaryOf(pool, columns, date), sourcesOf(pool, date), slotCounts(pool, counted, date, starts)])
    if (summary === null && SLOT_TABLES.every(name => sources[name].size === 0) && [...counts.values()].every(n => n === 0)) {
      return reply.code(404).send({ error: `no data for ${date}` })
    }
    const slots = starts.map(ms => slotOf(ms, sources))
    // `missing` stays the electricity join's four sources (a day before the export and gas
    // meters landed lacks them in every slot); source_slots counts every source.
    const missing = slots.filter(s => s.usage_kwh === null || s.price_inc_vat === null || s.intensity === null || Object.keys(s.mix).length === 0).map(s => s.start)
    const sourceSlots = Object.fromEntries(counted.map(s => [slotName(s.name), counts.get(s.name) ?? 0])) as SourceSlots
    return { date, slots_expected: day.slots, summary, slots, missing, source_slots: sourceSlots }
  })
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
