import type { Dispatch, Dispatches } from '../../clients/octopus/kraken.ts'
import { isoUtc, localDateOf, slotStarts, SLOT_MS, type LondonDay } from '../../lib/london-day.ts'
import type { DispatchSlotValues, DispatchSnapshot } from './types.ts'

// Pure: merging a poll's answer into the kept snapshots, and a day's half-hours from them.

/** How long Octopus lists a completed dispatch ("12 hours behind", HomeAssistant-OctopusEnergy #1612). */
export const COMPLETED_LISTED_MS = 12 * 3600 * 1000

/** energy.dispatches' key: the device and the dispatch's start (ISO-8601 UTC). */
export function snapshotKey (deviceId: string, start: number): string {
  return `${deviceId}/${isoUtc(start)}`
}

/**
 * The snapshots a poll at `nowMs` changes: a dispatch not seen before, a planned one now
 * completed, a completed one relabelled (source, location) or resized. A dispatch missing from
 * the answer (Octopus forgot it) is kept as it was. `last_seen_at` alone moving is no change:
 * the topic would otherwise take a record per dispatch every poll.
 */
export function mergeSnapshots (known: ReadonlyMap<string, DispatchSnapshot>, answer: Dispatches, nowMs: number): DispatchSnapshot[] {
  const changed = new Map<string, DispatchSnapshot>()
  const seen = (d: Dispatch, status: DispatchSnapshot['status']): void => {
    const key = snapshotKey(d.deviceId, d.start)
    const before = changed.get(key) ?? known.get(key)
    // A completed dispatch is never turned back into a planned one by a stale planned list.
    if (before?.status === 'completed' && status === 'planned') return
    const firstCompleted = status === 'completed' && before?.status !== 'completed'
    const next: DispatchSnapshot = {
      device_id: d.deviceId,
      start: d.start,
      end: d.end,
      local_date: localDateOf(d.start),
      kwh: d.kwh,
      status,
      source: d.source,
      location: d.location,
      completed_source: firstCompleted ? d.source : before?.completed_source ?? null,
      completed_location: firstCompleted ? d.location : before?.completed_location ?? null,
      first_seen_at: before?.first_seen_at ?? nowMs,
      last_seen_at: nowMs,
      relabelled_at: before?.relabelled_at ?? null
    }
    if (before !== undefined && status === 'completed' && !firstCompleted && (before.source !== d.source || before.location !== d.location)) next.relabelled_at = nowMs
    if (before === undefined || before.status !== next.status || before.end !== next.end || before.kwh !== next.kwh ||
      before.source !== next.source || before.location !== next.location) changed.set(key, next)
  }
  for (const d of answer.planned) seen(d, 'planned')
  for (const d of answer.completed) seen(d, 'completed')
  return [...changed.values()]
}

/** London dates a dispatch's half-hours fall on. */
export function datesOf (s: Pick<DispatchSnapshot, 'start' | 'end'>): string[] {
  const dates = new Set<string>()
  for (let t = Math.floor(s.start / SLOT_MS) * SLOT_MS; t < s.end; t += SLOT_MS) dates.add(localDateOf(t))
  return [...dates]
}

/**
 * Since when dispatches are known: Octopus listed completed dispatches up to 12 hours back at the
 * first snapshot. undefined: no snapshot yet.
 */
export function knownFrom (snapshots: Iterable<DispatchSnapshot>): number | undefined {
  let first: number | undefined
  for (const s of snapshots) if (first === undefined || s.first_seen_at < first) first = s.first_seen_at
  return first === undefined ? undefined : first - COMPLETED_LISTED_MS
}

/** Whether Octopus bills a completed dispatch's half-hours at the off-peak rate: a smart charge at home, as labelled when completed. */
export function billedOffPeak (s: DispatchSnapshot): boolean {
  return s.status === 'completed' && s.completed_source === 'smart-charge' && s.completed_location === 'AT_HOME'
}

/**
 * Every half-hour of `day` with the completed dispatches touching it (a dispatch of 13:10-13:40
 * touches 13:00 and 13:30: Octopus bills the whole half-hour). A day ending before `from` (the
 * first snapshot's reach) is not known.
 */
export function daySlots (snapshots: readonly DispatchSnapshot[], day: LondonDay, from: number | undefined): DispatchSlotValues[] {
  const completed = snapshots.filter(s => s.status === 'completed' && s.end > day.startMs && s.start < day.endMs)
  const known = from !== undefined && day.endMs > from
  return slotStarts(day).map(slot => {
    const touching = completed.filter(s => s.start < slot + SLOT_MS && s.end > slot)
    return { slot_start: slot, smart_home: touching.some(billedOffPeak), other: touching.some(s => !billedOffPeak(s)), known }
  })
}
