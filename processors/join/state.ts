import { EnergyError } from '../../lib/errors.ts'
import { localDateOf, londonDay, SLOT_MS, type LondonDay } from '../../lib/london-day.ts'
import type { Source } from '../../lib/topics.ts'
import type { Co2Record, MixRecord, PricingRecord, SlotEnvelope, UsageRecord } from '../ingest/types.ts'
import { SOURCE_INDEX, type DayState, type JoinState, type SourceBatch } from './types.ts'

// The join's table side: per date, per source, the latest whole batch (whole = batch_size
// distinct slots of one batch id). Counting distinct slots, not records, makes a re-delivered
// record harmless; a batch id that is already the whole one changes nothing.

/** Columns per slot: co2 [intensity, forecast used]; mix one per fuel; pricing [inc, exc]; usage [kWh]. */
export const MAX_FUELS = 16
const WIDTH: Record<Source, number> = { co2: 2, mix: MAX_FUELS, pricing: 2, usage: 1 }
/** Concurrent batches kept per date and source before the oldest is dropped. */
const MAX_PENDING = 4

export type SourceRecord = Co2Record | MixRecord | PricingRecord | UsageRecord

export function createJoinState (): JoinState {
  return { days: new Map(), fuels: [] }
}

function dayState (state: JoinState, date: string): DayState {
  let day = state.days.get(date)
  if (day === undefined) {
    const d = londonDay(date)
    day = { date, startMs: d.startMs, slots: d.slots, whole: [undefined, undefined, undefined, undefined], pending: [[], [], [], []] }
    state.days.set(date, day)
  }
  return day
}

/** Checks that a record's slot lies in its local date and returns the slot's index. */
export function slotIndex (record: SlotEnvelope): number {
  const slot = record.slot_start
  if (!Number.isInteger(slot) || slot % SLOT_MS !== 0) {
    throw new EnergyError('ENERGY_DECODE', `slot_start ${slot} is not on a half-hour`, { date: record.local_date })
  }
  let day: Readonly<LondonDay>
  try {
    day = londonDay(record.local_date)
  } catch {
    throw new EnergyError('ENERGY_DECODE', `local_date "${record.local_date}" is not a date`, { date: record.local_date })
  }
  if (slot < day.startMs || slot >= day.endMs) {
    throw new EnergyError('ENERGY_DECODE', `slot ${new Date(slot).toISOString()} belongs to ${localDateOf(slot)}, not to local_date ${record.local_date}`, { date: record.local_date })
  }
  return (slot - day.startMs) / SLOT_MS
}

function fuelColumn (state: JoinState, fuel: string): number {
  let i = state.fuels.indexOf(fuel)
  if (i === -1) {
    if (state.fuels.length >= MAX_FUELS) throw new EnergyError('ENERGY_DECODE', `more than ${MAX_FUELS} distinct fuels; "${fuel}" has no column`)
    i = state.fuels.push(fuel) - 1
  }
  return i
}

function writeValues (state: JoinState, source: Source, record: SourceRecord, batch: SourceBatch, slot: number): void {
  const base = slot * WIDTH[source]
  const v = batch.values
  switch (source) {
    case 'co2': {
      const r = record as Co2Record
      v[base] = r.actual ?? r.forecast
      v[base + 1] = r.actual === null ? 1 : 0
      break
    }
    case 'mix': {
      v.fill(0, base, base + MAX_FUELS)
      for (const { fuel, perc } of (record as MixRecord).generationmix) {
        const f = fuelColumn(state, fuel)
        v[base + f] = perc
        batch.fuelMask |= 1 << f
      }
      break
    }
    case 'pricing': {
      const r = record as PricingRecord
      v[base] = r.value_inc_vat
      v[base + 1] = r.value_exc_vat
      break
    }
    case 'usage':
      v[base] = (record as UsageRecord).consumption
  }
}

/**
 * Rejects a record the join cannot use (the caller dead-letters it): wrong slot, impossible
 * batch, fuels beyond the mix columns. Given the state, it also reserves the columns of the
 * record's new fuel names, so that applyRecord never fails on a record it admitted.
 */
export function checkRecord (source: Source, record: SourceRecord, state?: JoinState): void {
  const slot = slotIndex(record)
  const slots = londonDay(record.local_date).slots
  if (!Number.isInteger(record.batch_size) || record.batch_size < 1 || record.batch_size > slots) {
    throw new EnergyError('ENERGY_DECODE', `batch_size ${record.batch_size} is impossible for ${record.local_date} (${slots} slots)`, { date: record.local_date })
  }
  if (source === 'mix') {
    const fuels = (record as MixRecord).generationmix.map(f => f.fuel)
    if (fuels.length > MAX_FUELS) throw new EnergyError('ENERGY_DECODE', `slot ${slot} lists more than ${MAX_FUELS} fuels`, { date: record.local_date })
    if (state !== undefined) {
      const added = [...new Set(fuels.filter(f => !state.fuels.includes(f)))]
      if (state.fuels.length + added.length > MAX_FUELS) {
        throw new EnergyError('ENERGY_DECODE', `fuels ${added.join(', ')} would exceed the ${MAX_FUELS} fuel columns (known: ${state.fuels.join(', ')})`, { date: record.local_date })
      }
      state.fuels.push(...added)
    }
  }
}

/**
 * Applies one source record (already accepted by checkRecord). Returns true when it completed a batch that replaces the
 * source's whole batch for the date, i.e. when the day's figures may have changed.
 */
export function applyRecord (state: JoinState, source: Source, record: SourceRecord): boolean {
  const slot = slotIndex(record)
  const day = dayState(state, record.local_date)
  const s = SOURCE_INDEX[source]
  const current = day.whole[s]
  if (current?.id === record.batch_id) {
    writeValues(state, source, record, current, slot)
    return false
  }
  const pending = day.pending[s]
  let batch = pending.find(b => b.id === record.batch_id)
  if (batch === undefined) {
    batch = { id: record.batch_id, size: record.batch_size, count: 0, present: new Uint8Array(day.slots), values: new Float64Array(day.slots * WIDTH[source]), fuelMask: 0 }
    pending.push(batch)
    if (pending.length > MAX_PENDING) pending.shift()
  }
  if (batch.present[slot] === 0) {
    batch.present[slot] = 1
    batch.count++
  }
  writeValues(state, source, record, batch, slot)
  if (batch.count < batch.size) return false
  day.whole[s] = batch
  pending.splice(pending.indexOf(batch), 1)
  return true
}

export function allWhole (day: DayState): boolean {
  return day.whole.every(b => b !== undefined)
}
