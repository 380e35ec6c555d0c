import type { Co2Record, MixRecord, PricingRecord, SlotEnvelope, UsageRecord } from '../../../../processors/source/types.ts'
import type { FuelShare } from '../../../../clients/carbon/types.ts'
import type { SourceEvent } from '../../../../processors/join/operator.ts'
import { createJoinState } from '../../../../processors/join/state.ts'
import type { JoinState } from '../../../../processors/join/types.ts'
import { AGGREGATE_INPUTS } from '../../../../processors/join/aggregate.ts'
import { topology } from '../../../../processors/topology.ts'
import { NO_EXPORT_OR_GAS, NO_REGIONAL } from '../../../helpers.ts'

/** The sources the daily figures join. */
type Source = 'co2' | 'mix' | 'pricing' | 'usage'

/** The join's state over the electricity inputs, those and the account's meters (export, gas), or every input (regional too). */
export const newJoinState = (inputs: 'electricity' | 'meters' | 'all' = 'electricity'): JoinState =>
  createJoinState(inputs === 'all'
    ? topology.joinInputs
    : topology.joinInputs.filter(i => (AGGREGATE_INPUTS as readonly string[]).includes(i.name) || (inputs === 'meters' && (i.name === 'export' || i.name === 'gas'))))

// Hand-made days for the join's unit tests. Slot starts come from literal UTC midnights (not
// from lib/london-day.ts), so the DST days are checked against an independent statement of
// where a London day begins and how long it is.

export const SLOT_MS = 30 * 60 * 1000
/** The injected clock: computed_at of every aggregate built here. */
export const NOW = Date.parse('2024-12-01T12:00:00Z')

/** Local midnight (UTC instant) and slot count of the dates the tests use. */
export const DAYS = {
  // Clocks go forward at 01:00 GMT: local midnight is 00:00Z, the next one 23:00Z (BST).
  '2024-03-31': { startMs: Date.parse('2024-03-31T00:00:00Z'), slots: 46 },
  // BST: local midnight is 23:00Z the evening before.
  '2024-06-15': { startMs: Date.parse('2024-06-14T23:00:00Z'), slots: 48 },
  '2024-06-16': { startMs: Date.parse('2024-06-15T23:00:00Z'), slots: 48 },
  // Clocks go back at 02:00 BST: 01:00-02:00 local happens twice, 50 slots to 00:00Z next day.
  '2024-10-27': { startMs: Date.parse('2024-10-26T23:00:00Z'), slots: 50 }
} as const
export type TestDate = keyof typeof DAYS

export function slotStart (date: TestDate, i: number): number {
  return DAYS[date].startMs + i * SLOT_MS
}

/**
 * One source's batch for a date: a record for every slot i where `values(i)` is defined, each
 * carrying the envelope (batch_size = how many records the batch has).
 */
export function batchOf<V extends object> (date: TestDate, batchId: string, values: (i: number) => V | undefined): Array<SlotEnvelope & V & { slot_start: number }> {
  const records: Array<SlotEnvelope & V> = []
  for (let i = 0; i < DAYS[date].slots; i++) {
    const v = values(i)
    if (v === undefined) continue
    const start = slotStart(date, i)
    records.push({ local_date: date, slot_start: start, slot_end: start + SLOT_MS, batch_id: batchId, batch_size: 0, ...v })
  }
  for (const r of records) r.batch_size = records.length
  return records
}

export const co2Batch = (date: TestDate, id: string, f: (i: number) => { actual: number | null, forecast: number } | undefined): Co2Record[] =>
  batchOf(date, id, i => {
    const v = f(i)
    return v === undefined ? undefined : { ...v, index: 'moderate' }
  })
export const mixBatch = (date: TestDate, id: string, f: (i: number) => FuelShare[] | undefined): MixRecord[] =>
  batchOf(date, id, i => {
    const generationmix = f(i)
    return generationmix === undefined ? undefined : { generationmix }
  })
/** A slot's price (p/kWh), its standing charge (p/day, absent = unknown) and tariff (default Agile). */
export interface SlotPrice { inc: number, exc: number, standingInc?: number, standingExc?: number, tariff?: string }
export const AGILE = 'E-1R-AGILE-24-10-01-C'
export const pricingBatch = (date: TestDate, id: string, f: (i: number) => SlotPrice | undefined): PricingRecord[] =>
  batchOf(date, id, i => {
    const v = f(i)
    return v === undefined
      ? undefined
      : {
          tariff_code: v.tariff ?? AGILE,
          value_inc_vat: v.inc,
          value_exc_vat: v.exc,
          standing_charge_exc_vat: v.standingExc ?? null,
          standing_charge_inc_vat: v.standingInc ?? null
        }
  })

/**
 * The version 2 fields of an aggregate whose pricing carried no standing charge (unknown: null,
 * so the bill is null too), no export, no gas and no regional data.
 */
export const UNKNOWN_STANDING_CHARGE = {
  import_tariff_code: AGILE,
  standing_charge_inc_vat: null,
  standing_charge_exc_vat: null,
  ...NO_EXPORT_OR_GAS,
  ...NO_REGIONAL,
  bill_inc_vat: null
} as const
export const usageBatch = (date: TestDate, id: string, f: (i: number) => number | undefined): UsageRecord[] =>
  batchOf(date, id, i => {
    const consumption = f(i)
    return consumption === undefined ? undefined : { consumption, meter_serial: '21L0000001' }
  })

/** Per-slot values of a hand-made day; a function returning undefined leaves the slot out. */
export interface DaySpec {
  co2: (i: number) => { actual: number | null, forecast: number } | undefined
  mix: (i: number) => FuelShare[] | undefined
  pricing: (i: number) => SlotPrice | undefined
  usage: (i: number) => number | undefined
}

/** The batch id each source of a day gets by default: `<date>/<source>/<tag>`. */
export const batchId = (date: string, source: Source, tag = 'b1'): string => `${date}/${source}/${tag}`

/** The four sources' records of a day as join events, source after source. */
export function dayEvents (date: TestDate, spec: DaySpec, tag = 'b1'): SourceEvent[] {
  return [
    ...co2Batch(date, batchId(date, 'co2', tag), spec.co2).map(record => ({ source: 'co2' as const, record })),
    ...mixBatch(date, batchId(date, 'mix', tag), spec.mix).map(record => ({ source: 'mix' as const, record })),
    ...pricingBatch(date, batchId(date, 'pricing', tag), spec.pricing).map(record => ({ source: 'pricing' as const, record })),
    ...usageBatch(date, batchId(date, 'usage', tag), spec.usage).map(record => ({ source: 'usage' as const, record }))
  ]
}

/** The `batches` field of an aggregate whose four sources all came from batches tagged `tag`. */
export function batchesOf (date: string, tag = 'b1'): Record<Source, string> {
  return { co2: batchId(date, 'co2', tag), mix: batchId(date, 'mix', tag), pricing: batchId(date, 'pricing', tag), usage: batchId(date, 'usage', tag) }
}
