import { randomUUID } from 'node:crypto'
import { graphqlUnavailable } from '../../clients/octopus/graphql.ts'
import { fetchDevices, fetchDispatches } from '../../clients/octopus/kraken.ts'
import type { Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import { describeError } from '../../lib/errors.ts'
import type { Publisher } from '../../lib/exactly-once.ts'
import { applyToTable } from '../../lib/global-table.ts'
import type { Logger } from '../../lib/log.ts'
import { addDays } from '../../lib/london-day.ts'
import { partitionForDate } from '../../lib/partition.ts'
import type { RangeRecord } from '../../lib/range-reader.ts'
import { createChangelog, createChangelogTask } from '../../lib/stream/changelog.ts'
import { createCommitPublisher } from '../../lib/stream/kafka-commit.ts'
import { type StreamProcessor, type Task, type TaskContext } from '../../lib/stream/task.ts'
import type { Outgoing } from '../../lib/stream/types.ts'
import { topicIn, transactionalId } from '../names.ts'
import type { EnergyRequest } from '../source/types.ts'
import { DISPATCHES_TOPIC } from './sink.ts'
import { datesOf, mergeSnapshots, snapshotKey } from './snapshot.ts'
import type { DispatchSnapshot } from './types.ts'

/** Kraken's device types that dispatch (flexPlannedDispatches answers for them). */
const DISPATCHING = new Set(['ELECTRIC_VEHICLES', 'CHARGE_POINTS'])

/** The task whose polls say whether GraphQL could be used (api/status.ts GRAPHQL_TASK). */
export const DISPATCHES_POLLER_TASK = 'dispatches-poller'

/** The dispatches poller's consumer group and transactional id prefix. */
export function dispatchesPollerGroup (namespace = ''): string {
  return `${namespace}energy-dispatches-poller`
}

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
 * reverse), then into `known`. A GraphQL failure changes nothing and is reported; a Kafka
 * failure is thrown.
 */
export async function pollDispatches (deps: Omit<DispatchPollDeps, 'now' | 'restartDelayMs'> & { publisher: Publisher, known: Map<string, DispatchSnapshot> }, nowMs: number, signal: AbortSignal): Promise<PollReport> {
  const { config, codec, log, publisher, known } = deps
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
  const messages: Outgoing[] = await Promise.all(changed.map(async s => ({ topic: snapshotsTopic, key: snapshotKey(s.device_id, s.start), partition: 0, value: await codec.encode(snapshotsTopic, s) })))
  messages.push(...await requestMessages(deps, publisher, dates, nowMs))
  await publisher.publish(messages)
  for (const s of changed) known.set(snapshotKey(s.device_id, s.start), s)
  log.info({ changed: changed.length, dates }, 'dispatches changed: snapshots kept, days requested again')
  return { changed: changed.length, dates }
}

/** One request per run of consecutive dates, for the dispatches source alone. */
async function requestMessages ({ config, codec }: Pick<DispatchPollDeps, 'config' | 'codec'>, { producer }: Publisher, dates: readonly string[], nowMs: number): Promise<Outgoing[]> {
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
 * The dispatch poller, a task on the runtime (lib/stream) with a store and a wall-clock
 * punctuator, as the forecast and the account refresher: its store is the latest snapshot per
 * dispatch, restored from energy.dispatches (compacted, one partition, its own changelog) before
 * the first poll and kept up to date as its output is read back, so a restart merges with every
 * snapshot kept (Octopus lists a completed dispatch for about 12 hours only). At start and every
 * DISPATCH_POLL_MINUTES it punctuates: pollDispatches, its snapshots and re-requests sent in one
 * transaction of the task's own producer. A GraphQL failure never stops it (`unchecked()`, and
 * the counters /api/status reads, say why the last poll could not check); a Kafka failure
 * restarts the session.
 */
export function createDispatchPoller (deps: DispatchPollDeps): Task & { polled (): number, unchecked (): string | undefined } {
  const { config, codec } = deps
  const now = deps.now ?? Date.now
  const log = deps.log.child({ component: DISPATCHES_POLLER_TASK })
  const topic = topicIn(config, DISPATCHES_TOPIC)
  const changelog = createChangelog(topic)
  const group = dispatchesPollerGroup(config.namespace)
  let polls = 0
  let unchecked: string | undefined
  let known = new Map<string, DispatchSnapshot>()

  const apply = async (records: ReadonlyArray<Pick<RangeRecord, 'key' | 'value' | 'offset'>>, context: TaskContext): Promise<void> => {
    await applyToTable(known, records, codec, topic, log)
    context.counters.store(known.size)
  }

  async function poll (context: TaskContext): Promise<void> {
    const kafka = context.kafka as NonNullable<TaskContext['kafka']>
    const report = await pollDispatches({ config, codec, log, publisher: createCommitPublisher(kafka), known }, now(), context.signal)
    if (report.unchecked !== undefined && report.unchecked !== unchecked) log.warn({ reason: report.unchecked }, 'dispatches not checked')
    unchecked = report.unchecked
    context.counters.setUnchecked(unchecked ?? null)
    context.counters.store(known.size)
    polls++
  }

  const processor: StreamProcessor = {
    async init (context) {
      known = new Map()
      await changelog.restore(context, async records => { await apply(records, context) })
    },
    // Its own output read back.
    process: apply,
    punctuate: poll
  }

  const task = createChangelogTask({
    name: DISPATCHES_POLLER_TASK,
    kind: 'poller',
    config,
    log,
    group,
    changelog,
    transactionalId: transactionalId(group, '1'),
    restartDelayMs: deps.restartDelayMs ?? 5000,
    punctuateMs: config.dispatchPollMs,
    processor
  })
  return { ...task, polled: () => polls, unchecked: () => unchecked }
}
