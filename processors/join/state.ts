import { EnergyError } from '../../lib/errors.ts'
import { londonDay } from '../../lib/london-day.ts'
import { slotIndex } from '../source/join-input.ts'
import type { SlotEnvelope } from '../source/types.ts'
import type { DayState, JoinInputSpec, JoinState, SourceBatch } from './types.ts'

// The join's table side: per date, per input, the latest whole batch (whole = batch_size
// distinct slots of one batch id). Counting distinct slots, not records, makes a re-delivered
// record harmless; a batch id that is already the whole one changes nothing.

/** Concurrent batches kept per date and input before the oldest is dropped. */
const MAX_PENDING = 4

export type SourceRecord = SlotEnvelope

export function createJoinState (inputs: readonly JoinInputSpec[]): JoinState {
  return { inputs, index: new Map(inputs.map((input, i) => [input.name, i])), days: new Map(), held: new Map() }
}

/** The date's day state, begun empty on first sight. */
export function openDay (state: JoinState, date: string): DayState {
  let day = state.days.get(date)
  if (day === undefined) {
    const d = londonDay(date)
    const n = state.inputs.length
    day = { date, startMs: d.startMs, slots: d.slots, whole: new Array(n).fill(undefined), pending: Array.from({ length: n }, () => []), emitted: undefined }
    state.days.set(date, day)
  }
  return day
}

/**
 * Which whole batches a day's figures are made of, one id per input ('' when not whole): the
 * day is emitted again only when this changes (a re-delivered record of a whole batch does not).
 */
export function daySignature (day: DayState): string {
  let signature = ''
  for (let i = 0; i < day.whole.length; i++) signature += (i === 0 ? '' : '\n') + (day.whole[i]?.id ?? '')
  return signature
}

/** The signature of an emitted aggregate, from its `batches` (restore reads it from completion). */
export function batchesSignature (state: JoinState, batches: Readonly<Record<string, string>>): string {
  return state.inputs.map(input => batches[input.name] ?? '').join('\n')
}

function inputIndex (state: JoinState, source: string): number {
  const i = state.index.get(source)
  if (i === undefined) throw new EnergyError('ENERGY_INVALID_RECORD', `"${source}" is not an input of the join (inputs: ${[...state.index.keys()].join(', ')})`)
  return i
}

/**
 * Rejects a record the join cannot use (the caller dead-letters it): wrong slot, impossible
 * batch, or what its input refuses (mix: fuels beyond the columns). The input's check also
 * reserves what the record needs in the state, so that applyRecord never fails on it.
 */
export function checkRecord (state: JoinState, source: string, record: SourceRecord): void {
  const input = state.inputs[inputIndex(state, source)]
  slotIndex(record)
  const slots = londonDay(record.local_date).slots
  if (!Number.isInteger(record.batch_size) || record.batch_size < 1 || record.batch_size > slots) {
    throw new EnergyError('ENERGY_INVALID_RECORD', `batch_size ${record.batch_size} is impossible for ${record.local_date} (${slots} slots)`, { date: record.local_date })
  }
  input.join.check?.(record, () => batchOf(state, source, record))
}

/**
 * The batch a record of `source` belongs to: the day's whole one when it has the record's batch
 * id, else a pending one (begun here when new). An input's check reads it (mix: the batch's
 * fuel columns).
 */
export function batchOf (state: JoinState, source: string, record: SourceRecord, day = openDay(state, record.local_date)): SourceBatch {
  const s = inputIndex(state, source)
  const current = day.whole[s]
  if (current?.id === record.batch_id) return current
  const pending = day.pending[s]
  let batch = pending.find(b => b.id === record.batch_id)
  if (batch === undefined) {
    const { join } = state.inputs[s]
    const width = join.dictionary === true ? 0 : join.width
    batch = { id: record.batch_id, size: record.batch_size, count: 0, present: new Uint8Array(day.slots), values: new Float64Array(day.slots * width), width, columnMask: 0, columns: [], label: null, labelSlot: 0 }
    pending.push(batch)
    if (pending.length > MAX_PENDING) pending.shift()
  }
  return batch
}

/**
 * Applies one source record (already accepted by checkRecord) to its day (`day`: the record's
 * date's state). Returns true when it completed a batch that replaces the input's whole batch
 * for the date, i.e. when the day's figures may have changed.
 */
export function applyRecord (state: JoinState, source: string, record: SourceRecord, day = openDay(state, record.local_date)): boolean {
  const s = inputIndex(state, source)
  const { join } = state.inputs[s]
  const slot = slotIndex(record)
  const batch = batchOf(state, source, record, day)
  if (batch === day.whole[s]) {
    join.write(record, batch, slot)
    return false
  }
  const pending = day.pending[s]
  if (batch.present[slot] === 0) {
    batch.present[slot] = 1
    batch.count++
  }
  join.write(record, batch, slot)
  if (batch.count < batch.size) return false
  day.whole[s] = batch
  pending.splice(pending.indexOf(batch), 1)
  return true
}
