import { filter, groupBy, map, mergeMap, pipe, type OperatorFunction } from 'rxjs'
import { aggregateDay } from './aggregate.ts'
import { applyRecord, type SourceRecord } from './state.ts'
import type { DailyAggregate, JoinState } from './types.ts'

/** A record of a join input: `source` is the input's name. */
export interface SourceEvent { source: string, record: SourceRecord }

/**
 * The join as an RxJS operator: group the source records by local date; within a date,
 * each record updates that source's batches, and a record that completes a newer whole batch
 * re-derives the day once every input is whole. Input tables grouped by date, then a
 * table-table join: every output is an upsert of the date.
 */
export function joinByDate (state: JoinState, clock: () => number = Date.now): OperatorFunction<SourceEvent, DailyAggregate> {
  return pipe(
    groupBy(event => event.record.local_date),
    mergeMap(day$ => day$.pipe(
      filter(event => applyRecord(state, event.source, event.record)),
      map(event => aggregateDay(state, state.days.get(event.record.local_date) as NonNullable<ReturnType<JoinState['days']['get']>>, clock())),
      filter((aggregate): aggregate is DailyAggregate => aggregate !== undefined)
    ))
  )
}
