import { connect, filter, groupBy, map, merge, mergeMap, scan, share, type OperatorFunction } from 'rxjs'
import { aggregateDay } from './aggregate.ts'
import { applyRecord, daySignature, openDay, type SourceRecord } from './state.ts'
import type { DailyAggregate, DayState, JoinState } from './types.ts'

/** A record of a join input: `source` is the input's name. */
export interface SourceEvent { source: string, record: SourceRecord }

/**
 * Whether `input` has nothing pending for `date` (a day held since `heldSince`, ms): the day may
 * then go out without it. The caller knows the topics (processors/join/settled.ts).
 */
export type Settled = (input: string, date: string, heldSince: number) => boolean

/** The end of a consumed batch: what is decided there, and what the caller commits with it. */
export interface Boundary<C> {
  boundary: true
  now: number
  settled: Settled
  /** Passed through to the output (the consumed records and dead letters of the batch). */
  context: C
}

export type JoinStep<C> = SourceEvent | Boundary<C>

/** A batch's emissions: at most one aggregate per date, and how many dates still wait. */
export interface JoinOutput<C> { aggregates: DailyAggregate[], waiting: number, context: C }

const isBoundary = <C>(step: JoinStep<C>): step is Boundary<C> => 'boundary' in step
const isEvent = <C>(step: JoinStep<C>): step is SourceEvent => !('boundary' in step)

/** Days touched since the last boundary, or the output decided at a boundary. */
interface Pass<C> { touched: Set<DayState>, output?: JoinOutput<C> }

/**
 * The join as an RxJS operator: input records grouped by local date, each folded with `scan`
 * into its day's state; at each batch boundary the days that changed are emitted when whole, or
 * when each input they lack has nothing pending (`settled`), else held until a later boundary
 * finds it so. Input tables grouped by date, then a table-table join: every output is an upsert
 * of the date, one per batch at most. A date's group lasts until the boundary: the day's state
 * lives in the store (state.days), which the scan of a later batch's group starts from, so ten
 * years of days hold no subscriptions, and days a rebalance drops from the store between two
 * batches are begun afresh by the next group of their date.
 */
export function joinDays<C> (state: JoinState): OperatorFunction<JoinStep<C>, JoinOutput<C>> {
  return connect(steps$ => {
    // Shared: every open group's duration listens to one filter, not a filter of its own per step.
    const boundaries$ = steps$.pipe(filter(isBoundary), share())
    return merge(
      steps$.pipe(
        filter(isEvent),
        groupBy(event => event.record.local_date, { duration: () => boundaries$ }),
        mergeMap(day$ => day$.pipe(scan((day, event) => foldDay(state, day, event), openDay(state, day$.key))))
      ),
      boundaries$
    ).pipe(
      scan((pass: Pass<C>, item: DayState | Boundary<C>): Pass<C> => {
        if ('boundary' in item) return { touched: new Set(), output: decide(state, pass.touched, item) }
        if (pass.output === undefined) return { touched: pass.touched.add(item) }
        return { touched: new Set([item]) }
      }, { touched: new Set<DayState>() }),
      filter(pass => pass.output !== undefined),
      map(pass => pass.output as JoinOutput<C>)
    )
  })
}

/** One record into its day (the scan's accumulator, which the day's group owns). */
export function foldDay (state: JoinState, day: DayState, event: SourceEvent): DayState {
  applyRecord(state, event.source, event.record, day)
  return day
}

/**
 * At a boundary: every touched or held day whose whole batches changed since it was last
 * emitted goes out if its pricing is whole and every input it lacks is settled; otherwise it
 * stays held (with when it was first held, for `settled`'s bound).
 */
export function decide<C> (state: JoinState, touched: Iterable<DayState>, { now, settled, context }: Boundary<C>): JoinOutput<C> {
  for (const day of touched) if (!state.held.has(day.date)) state.held.set(day.date, now)
  const pricing = state.index.get('pricing') ?? -1
  const aggregates: DailyAggregate[] = []
  for (const [date, since] of state.held) {
    const day = state.days.get(date)
    // Not emittable before pricing is whole: its pricing batch completing touches it again.
    if (day === undefined || day.whole[pricing] === undefined) {
      state.held.delete(date)
      continue
    }
    const signature = daySignature(day)
    if (signature === day.emitted) {
      state.held.delete(date)
      continue
    }
    if (!state.inputs.every((input, i) => day.whole[i] !== undefined || settled(input.name, date, since))) continue
    aggregates.push(aggregateDay(state, day, now) as DailyAggregate)
    day.emitted = signature
    state.held.delete(date)
  }
  return { aggregates, waiting: state.held.size, context }
}
