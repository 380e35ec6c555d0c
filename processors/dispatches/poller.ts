import { randomUUID } from 'node:crypto'
import type { MessageToProduce } from '@platformatic/kafka'
import { setTimeout as sleep } from 'node:timers/promises'
import { graphqlUnavailable } from '../../clients/octopus/graphql.ts'
import { fetchDevices, fetchDispatches } from '../../clients/octopus/kraken.ts'
import type { Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import { describeError } from '../../lib/errors.ts'
import { sendInTransaction } from '../../lib/exactly-once.ts'
import { createProducer, type EnergyProducer } from '../../lib/kafka.ts'
import type { Logger } from '../../lib/log.ts'
import { addDays } from '../../lib/london-day.ts'
import { partitionForDate } from '../../lib/partition.ts'
import { closeQuietly, supervise, type Supervised } from '../../lib/supervisor.ts'
import { createCounters } from '../../lib/stream/counters.ts'
import { topicIn } from '../names.ts'
import type { EnergyRequest } from '../source/types.ts'
import { readSnapshots } from './read.ts'
import { DISPATCHES_TOPIC } from './sink.ts'
import { datesOf, mergeSnapshots, snapshotKey } from './snapshot.ts'
import type { DispatchSnapshot } from './types.ts'

type Message = MessageToProduce<string, Buffer, string, string>

/** Kraken's device types that dispatch (flexPlannedDispatches answers for them). */
const DISPATCHING = new Set(['ELECTRIC_VEHICLES', 'CHARGE_POINTS'])

export interface DispatchPollDeps {
  config: Readonly<Config>
  codec: Codec
  log: Logger
  /** The clock (UTC ms); tests pass the sample API's. */
  now?: () => number
  /** Pause before a failed session restarts, ms (default 5000). */
  restartDelayMs?: number
}

export interface PollReport {
  /** Snapshots produced (new, completed or relabelled). */
  changed: number
  /** London dates requested again from the dispatches source. */
  dates: string[]
  /** Why the dispatches could not be checked (no GraphQL access, an error); undefined when they were. */
  unchecked?: string
}

/**
 * One poll at `nowMs`: the account's dispatching devices and their planned and completed
 * dispatches (GraphQL), merged into `known`; the changed snapshots go to energy.dispatches
 * together with a request to the dispatches source for every date they touch, in one Kafka
 * transaction (so a crash cannot keep the snapshot and lose the day's re-pricing, or the
 * reverse). A GraphQL failure changes nothing and is reported.
 */
export async function pollDispatches (deps: DispatchPollDeps & { producer: EnergyProducer, known: Map<string, DispatchSnapshot> }, nowMs: number, signal: AbortSignal): Promise<PollReport> {
  const { config, codec, log, producer, known } = deps
  const unavailable = graphqlUnavailable(config)
  if (unavailable !== undefined) return { changed: 0, dates: [], unchecked: `${unavailable}: dispatches not checked` }
  const ctx = { config, log, signal }
  const changed: DispatchSnapshot[] = []
  try {
    const devices = (await fetchDevices(ctx, config.octopusAccount)).filter(d => DISPATCHING.has(d.deviceType))
    for (const device of devices) {
      const answer = await fetchDispatches(ctx, config.octopusAccount, device.id)
      changed.push(...mergeSnapshots(known, answer, nowMs))
    }
  } catch (err) {
    if (signal.aborted) throw err
    const error = describeError(err)
    log.warn({ err: error }, 'dispatches not read over GraphQL: days keep the dispatches already kept')
    return { changed: 0, dates: [], unchecked: `dispatches not read: ${error}` }
  }
  if (changed.length === 0) return { changed: 0, dates: [] }
  const dates = [...new Set(changed.flatMap(datesOf))].sort()
  const snapshotsTopic = topicIn(config, DISPATCHES_TOPIC)
  const messages: Message[] = await Promise.all(changed.map(async s => ({ topic: snapshotsTopic, key: snapshotKey(s.device_id, s.start), partition: 0, value: await codec.encode(snapshotsTopic, s) })))
  messages.push(...await requestMessages(deps, producer, dates, nowMs))
  await sendInTransaction(producer, messages)
  for (const s of changed) known.set(snapshotKey(s.device_id, s.start), s)
  log.info({ changed: changed.length, dates }, 'dispatches changed: snapshots kept, days requested again')
  return { changed: changed.length, dates }
}

/** One request per run of consecutive dates, for the dispatches source alone. */
async function requestMessages ({ config, codec }: DispatchPollDeps, producer: EnergyProducer, dates: readonly string[], nowMs: number): Promise<Message[]> {
  const topic = config.topics.requests
  const metadata = await producer.metadata({ topics: [topic] })
  const partitions = metadata.topics.get(topic)?.partitionsCount ?? 0
  const spans: Array<{ date: string, days: number }> = []
  for (const date of dates) {
    const last = spans.at(-1)
    if (last !== undefined && addDays(last.date, last.days) === date) last.days++
    else spans.push({ date, days: 1 })
  }
  return await Promise.all(spans.map(async ({ date, days }) => {
    const value: EnergyRequest = { date, days, request_id: randomUUID(), requested_at: nowMs, sources: ['dispatches'], account_version: null }
    return { topic, key: date, partition: partitionForDate(date, partitions), value: await codec.encode(topic, value) }
  }))
}

/**
 * The dispatch poller: at start and every DISPATCH_POLL_MINUTES, pollDispatches. At start it
 * reads energy.dispatches back, so a restart merges with every snapshot kept. A GraphQL failure
 * never stops it (`unchecked()` says why the last poll could not check); a Kafka failure restarts
 * the session.
 */
export function createDispatchPoller (deps: DispatchPollDeps): Supervised & { polled (): number, unchecked (): string | undefined } {
  const { config, codec } = deps
  const now = deps.now ?? Date.now
  const log = deps.log.child({ component: 'dispatches-poller' })
  let polls = 0
  let unchecked: string | undefined
  // A producer on a timer: its counters, and what GraphQL could not check, go to /api/status.
  const counters = createCounters('dispatches-poller', 'poller', 'energy-dispatches-poller')
  const supervised = supervise({
    name: 'dispatches-poller',
    log,
    restartDelayMs: deps.restartDelayMs ?? 5000,
    async session (signal) {
      counters.add('sessions')
      const producer = createProducer(config, { clientId: 'energy-dispatches-poller', transactionalId: `${config.namespace}energy-dispatches-poller` })
      try {
        const known = await readSnapshots(config, codec, topicIn(config, DISPATCHES_TOPIC), log)
        while (!signal.aborted) {
          const report = await pollDispatches({ ...deps, log, producer, known }, now(), signal)
          if (report.unchecked !== undefined && report.unchecked !== unchecked) log.warn({ reason: report.unchecked }, 'dispatches not checked')
          unchecked = report.unchecked
          counters.setUnchecked(unchecked ?? null)
          counters.add('recordsOut', report.changed)
          if (report.changed > 0) counters.add('commits')
          polls++
          await sleep(config.dispatchPollMs, undefined, { signal }).catch(() => {})
        }
      } finally {
        await closeQuietly(() => producer.close())
      }
    }
  })
  return { ...supervised, polled: () => polls, unchecked: () => unchecked }
}
