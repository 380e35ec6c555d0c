import type { SlotEnvelope } from '../source/types.ts'

// An Intelligent Octopus dispatch as kept on energy.dispatches (schemas/energy.dispatches.avsc),
// and a half-hour of them as the join reads it (schemas/energy.dispatch_slots.avsc).

export interface DispatchSnapshot {
  device_id: string
  /** UTC ms. */
  start: number
  end: number
  local_date: string
  kwh: number
  status: 'planned' | 'completed'
  /** The latest label and location Octopus gave. */
  source: string | null
  location: string | null
  /** The label and location when first seen completed: what the bill follows. */
  completed_source: string | null
  completed_location: string | null
  first_seen_at: number
  last_seen_at: number
  relabelled_at: number | null
}

export interface DispatchSlotValues {
  slot_start: number
  /** A completed smart charge at home touches the half-hour (billed off-peak). */
  smart_home: boolean
  /** A completed dispatch that is not re-priced touches it (bump/boost, or away from home). */
  other: boolean
  /** false: the day ends before the first snapshot could see it, priced without dispatches. */
  known: boolean
}

export type DispatchSlotRecord = SlotEnvelope & DispatchSlotValues
