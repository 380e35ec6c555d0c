import type { CoreAggregate } from '../source/fields.ts'
import type { JoinInputSpec, SourceBatch } from '../source/types.ts'

// The join's input types are the sources' contract (processors/source/types.ts).
export type { JoinDay, JoinInput, JoinInputSpec, SourceBatch } from '../source/types.ts'

/**
 * The `completion` value (schemas/completion.avsc): one field per entry of CORE_FIELDS
 * (source/fields.ts), where each field is declared once. A topology whose sources declare fields
 * of their own carries those too (topology.summaryFields).
 */
export type DailyAggregate = CoreAggregate

export interface DayState {
  date: string
  startMs: number
  slots: number
  /** Latest whole batch per input, indexed like JoinState.inputs. */
  whole: Array<SourceBatch | undefined>
  /** Batches still arriving, per input; a handful at most. */
  pending: SourceBatch[][]
  /** daySignature of the last aggregate emitted (or found on completion at restore); undefined: none. */
  emitted: string | undefined
}

export interface JoinState {
  inputs: readonly JoinInputSpec[]
  /** Input name → its index in `inputs`, DayState.whole and DayState.pending. */
  index: ReadonlyMap<string, number>
  days: Map<string, DayState>
  /**
   * Dates whose figures changed since their last emission but lack an input that may still
   * come, with when they were first held (ms): checked again at each batch boundary.
   */
  held: Map<string, number>
}
