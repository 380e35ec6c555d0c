import assert from 'node:assert/strict'
import { test } from 'node:test'
import { graphqlStatus, rangeKey, settle, statusRanges, summariseStatus, TASK_STALE_MS, watchedGroups, type CountRange, type KafkaSnapshot, type Outcome } from '../../../api/status.ts'
import type { PipelineProgress, TaskStatusRow } from '../../../api/queries.ts'
import { loadConfig } from '../../../lib/config.ts'

// The pure half of GET /api/status: the ranges to count, and lag and DLQ figures from probe results and counts.

const config = loadConfig({})
const groups = watchedGroups(config)
const NOW = Date.parse('2024-10-28T12:00:00Z')

test('watchedGroups names every consumer of the pipeline with its topics', () => {
  assert.deepStrictEqual(groups.map(g => [g.group, g.kind, g.topics.join(',')]), [
    ['energy-co2-processor', 'processor', 'energy_processor'],
    ['energy-mix-processor', 'processor', 'energy_processor'],
    ['energy-pricing-processor', 'processor', 'energy_processor'],
    ['energy-usage-processor', 'processor', 'energy_processor'],
    ['energy-export-processor', 'processor', 'energy_processor'],
    ['energy-gas-processor', 'processor', 'energy_processor'],
    ['energy-join', 'join', 'energy.co2,energy.mix,energy.pricing,energy.usage,energy.export,energy.gas'],
    ['energy-sink-carbon_intensity', 'sink', 'energy.co2'],
    ['energy-sink-generation_mix', 'sink', 'energy.mix'],
    ['energy-sink-unit_rates', 'sink', 'energy.pricing'],
    ['energy-sink-consumption', 'sink', 'energy.usage'],
    ['energy-sink-export_readings', 'sink', 'energy.export'],
    ['energy-sink-gas_readings', 'sink', 'energy.gas'],
    ['energy-sink-regional_intensity', 'sink', 'energy.regional'],
    ['energy-sink-dispatch_slots', 'sink', 'energy.dispatch_slots'],
    ['energy-sink-billed', 'sink', 'energy.billed'],
    ['energy-sink-agreements', 'sink', 'energy.account'],
    ['energy-sink-forecast', 'sink', 'energy.forecast'],
    ['energy-sink-dispatches', 'sink', 'energy.dispatches'],
    ['energy-sink-daily_summary', 'sink', 'completion']
  ])
  // A namespace prefixes groups and topics; SOURCES narrows the processors.
  const ns = watchedGroups(loadConfig({ PIPELINE_NAMESPACE: 'bench-1.', SOURCES: 'usage' }))
  assert.deepStrictEqual(ns.map(g => g.group).slice(0, 3), ['bench-1.energy-usage-processor', 'bench-1.energy-join', 'bench-1.energy-sink-carbon_intensity'])
  assert.deepStrictEqual(ns[0].topics, ['bench-1.energy_processor'])
  assert.equal(ns.at(-1)?.topics[0], 'bench-1.completion')
})

const offsets = (earliest: bigint[], latest: bigint[]) => ({ earliest, latest })

const snapshot: KafkaSnapshot = {
  topics: new Map([
    ['energy_processor', offsets([0n, 0n], [5n, 3n])],
    ['energy.co2', offsets([0n, 0n], [10n, 20n])],
    ['energy.mix', offsets([0n, 0n], [10n, 20n])],
    ['energy.pricing', offsets([0n, 0n], [10n, 20n])],
    ['energy.usage', offsets([4n, 0n], [10n, 20n])],
    ['energy.export', offsets([0n, 0n], [10n, 20n])],
    ['energy.gas', offsets([0n, 0n], [10n, 20n])],
    // Empty: no region configured, so regional does not run; its sink waits on the empty topic.
    ['energy.regional', offsets([0n, 0n], [0n, 0n])],
    // No OCTOPUS_ACCOUNT: no dispatches.
    ['energy.dispatch_slots', offsets([0n, 0n], [0n, 0n])],
    ['energy.dispatches', offsets([0n], [0n])],
    ['energy.billed', offsets([0n, 0n], [0n, 0n])],
    ['energy.account', offsets([0n], [1n])],
    // The next 48 hours, landed.
    ['energy.forecast', offsets([0n], [96n])],
    ['completion', offsets([0n, 0n], [2n, 3n])],
    ['energy.dlq', offsets([2n], [7n])]
  ]),
  committed: new Map([
    ['energy-co2-processor', new Map([['energy_processor', [5n, 1n]]])],
    // Nothing committed on partition 1: all of it is still to read.
    ['energy-mix-processor', new Map([['energy_processor', [5n, -1n]]])],
    ['energy-pricing-processor', new Map([['energy_processor', [5n, 3n]]])],
    // energy-usage-processor has never committed at all. Export and gas are caught up.
    ['energy-export-processor', new Map([['energy_processor', [5n, 3n]]])],
    ['energy-gas-processor', new Map([['energy_processor', [5n, 3n]]])],
    ['energy-join', new Map([
      ['energy.co2', [10n, 20n]],
      ['energy.mix', [9n, 20n]],
      ['energy.pricing', [10n, 15n]],
      // Committed below the earliest offset (retention removed records): counts from earliest.
      ['energy.usage', [1n, 20n]],
      ['energy.export', [10n, 20n]],
      ['energy.gas', [10n, 20n]]
    ])]
  ])
}

const progress: PipelineProgress = {
  newestCompleteDate: '2024-10-27',
  sinkOffsets: [
    { sink: 'carbon_intensity', topic: 'energy.co2', partition: 0, nextOffset: 10n },
    { sink: 'carbon_intensity', topic: 'energy.co2', partition: 1, nextOffset: 20n },
    { sink: 'generation_mix', topic: 'energy.mix', partition: 0, nextOffset: 7n },
    // Another namespace's rows for the same sink do not count.
    { sink: 'generation_mix', topic: 'other.energy.mix', partition: 1, nextOffset: 20n },
    { sink: 'export_readings', topic: 'energy.export', partition: 0, nextOffset: 10n },
    { sink: 'export_readings', topic: 'energy.export', partition: 1, nextOffset: 20n },
    { sink: 'gas_readings', topic: 'energy.gas', partition: 0, nextOffset: 10n },
    { sink: 'gas_readings', topic: 'energy.gas', partition: 1, nextOffset: 20n },
    { sink: 'agreements', topic: 'energy.account', partition: 0, nextOffset: 1n },
    { sink: 'forecast', topic: 'energy.forecast', partition: 0, nextOffset: 96n },
    { sink: 'daily_summary', topic: 'completion', partition: 0, nextOffset: 2n },
    { sink: 'daily_summary', topic: 'completion', partition: 1, nextOffset: 3n }
  ],
  unpricedRuns: [],
  unpricedDays: 0
}

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value })

test('the ranges behind each group run from its position to the end; sinks are measured from sink_offsets', () => {
  const range = (topic: string, partition: number, from: bigint, until: bigint): CountRange => ({ topic, partition, from, until })
  assert.deepStrictEqual(statusRanges({ kafka: ok(snapshot), postgres: ok(progress) }, groups, 'energy.dlq'), [
    range('energy_processor', 1, 1n, 3n),
    // Nothing committed on a partition, or no group at all: from the earliest offset.
    range('energy_processor', 1, 0n, 3n),
    range('energy_processor', 0, 0n, 5n), range('energy_processor', 1, 0n, 3n),
    range('energy.mix', 0, 9n, 10n),
    range('energy.pricing', 1, 15n, 20n),
    // Committed below the earliest offset: from the earliest offset.
    range('energy.usage', 0, 4n, 10n),
    range('energy.mix', 0, 7n, 10n), range('energy.mix', 1, 0n, 20n),
    range('energy.pricing', 0, 0n, 10n), range('energy.pricing', 1, 0n, 20n),
    range('energy.usage', 0, 4n, 10n), range('energy.usage', 1, 0n, 20n),
    // The whole DLQ.
    range('energy.dlq', 0, 2n, 7n)
  ])
})

test('without record counts, lag and the DLQ count are offsets, marked inexact', () => {
  const status = summariseStatus({ kafka: ok(snapshot), registry: ok(undefined), postgres: ok(progress) }, groups, 'energy.dlq', NOW)
  // Nothing left to read is exactly 0 records.
  const offsets = (lag: number) => ({ lag, lag_exact: lag === 0, lag_source: 'broker' })
  assert.deepStrictEqual(status, {
    broker: { ok: true },
    registry: { ok: true },
    postgres: { ok: true },
    groups: [
      { group: 'energy-co2-processor', kind: 'processor', topics: ['energy_processor'], ...offsets(2) },
      { group: 'energy-mix-processor', kind: 'processor', topics: ['energy_processor'], ...offsets(3) },
      { group: 'energy-pricing-processor', kind: 'processor', topics: ['energy_processor'], ...offsets(0) },
      { group: 'energy-usage-processor', kind: 'processor', topics: ['energy_processor'], ...offsets(8) },
      { group: 'energy-export-processor', kind: 'processor', topics: ['energy_processor'], ...offsets(0) },
      { group: 'energy-gas-processor', kind: 'processor', topics: ['energy_processor'], ...offsets(0) },
      { group: 'energy-join', kind: 'join', topics: ['energy.co2', 'energy.mix', 'energy.pricing', 'energy.usage', 'energy.export', 'energy.gas'], ...offsets(1 + 5 + 6) },
      { group: 'energy-sink-carbon_intensity', kind: 'sink', topics: ['energy.co2'], ...offsets(0) },
      { group: 'energy-sink-generation_mix', kind: 'sink', topics: ['energy.mix'], ...offsets(3 + 20) },
      { group: 'energy-sink-unit_rates', kind: 'sink', topics: ['energy.pricing'], ...offsets(30) },
      { group: 'energy-sink-consumption', kind: 'sink', topics: ['energy.usage'], ...offsets(6 + 20) },
      { group: 'energy-sink-export_readings', kind: 'sink', topics: ['energy.export'], ...offsets(0) },
      { group: 'energy-sink-gas_readings', kind: 'sink', topics: ['energy.gas'], ...offsets(0) },
      { group: 'energy-sink-regional_intensity', kind: 'sink', topics: ['energy.regional'], ...offsets(0) },
      { group: 'energy-sink-dispatch_slots', kind: 'sink', topics: ['energy.dispatch_slots'], ...offsets(0) },
      { group: 'energy-sink-billed', kind: 'sink', topics: ['energy.billed'], ...offsets(0) },
      { group: 'energy-sink-agreements', kind: 'sink', topics: ['energy.account'], ...offsets(0) },
      { group: 'energy-sink-forecast', kind: 'sink', topics: ['energy.forecast'], ...offsets(0) },
      { group: 'energy-sink-dispatches', kind: 'sink', topics: ['energy.dispatches'], ...offsets(0) },
      { group: 'energy-sink-daily_summary', kind: 'sink', topics: ['completion'], ...offsets(0) }
    ],
    newest_complete_date: '2024-10-27',
    dlq_records: 5,
    dlq_exact: false,
    // No dead letters were read (no probe for them): unknown, not none.
    dead_letters: null,
    unpriced: { days: 0, runs: [] },
    tasks: [],
    // No dispatches poller has published: GraphQL not checked.
    graphql: { ok: false, unchecked: 'not checked: no dispatches-poller is running (npm start runs it on instance 1 when OCTOPUS_ACCOUNT is set)', facts: null },
    checked_at: '2024-10-28T12:00:00.000Z'
  })
})

test('counted ranges give records; a range left uncounted adds its offsets and makes the figure inexact', () => {
  const ranges = statusRanges({ kafka: ok(snapshot), postgres: ok(progress) }, groups, 'energy.dlq')
  // At rest on transactional topics every range is markers only: 0 records each.
  const atRest = new Map(ranges.map(r => [rangeKey(r), 0]))
  const rest = summariseStatus({ kafka: ok(snapshot), registry: ok(undefined), postgres: ok(progress), records: atRest }, groups, 'energy.dlq', NOW)
  assert.deepStrictEqual(rest.groups.map(g => [g.lag, g.lag_exact]), groups.map(() => [0, true]))
  assert.deepStrictEqual([rest.dlq_records, rest.dlq_exact], [0, true])

  // The DLQ holds 2 committed records; the join's energy.usage partition 0 was not counted.
  const some = new Map(ranges.map(r => [rangeKey(r), 1]))
  some.set(rangeKey({ topic: 'energy.dlq', partition: 0, from: 2n }), 2)
  some.delete(rangeKey({ topic: 'energy.usage', partition: 0, from: 4n }))
  const status = summariseStatus({ kafka: ok(snapshot), registry: ok(undefined), postgres: ok(progress), records: some }, groups, 'energy.dlq', NOW)
  const lag = Object.fromEntries(status.groups.map(g => [g.group, [g.lag, g.lag_exact]]))
  assert.deepStrictEqual(lag['energy-co2-processor'], [1, true])
  assert.deepStrictEqual(lag['energy-usage-processor'], [2, true])
  assert.deepStrictEqual(lag['energy-pricing-processor'], [0, true])
  // 1 + 1 counted, 6 offsets uncounted.
  assert.deepStrictEqual(lag['energy-join'], [1 + 1 + 6, false])
  assert.deepStrictEqual(lag['energy-sink-consumption'], [1 + 6, false])
  assert.deepStrictEqual([status.dlq_records, status.dlq_exact], [2, true])
})

test('a failed probe shows as ok:false and blanks only what depends on it', () => {
  const down = summariseStatus({
    kafka: { ok: false, error: 'Kafka did not answer within 2000 ms' },
    registry: { ok: false, error: 'fetch failed' },
    postgres: ok(progress)
  }, groups, 'energy.dlq', NOW)
  assert.deepStrictEqual(down.broker, { ok: false, error: 'Kafka did not answer within 2000 ms' })
  assert.deepStrictEqual(down.registry, { ok: false, error: 'fetch failed' })
  assert.deepStrictEqual(down.postgres, { ok: true })
  assert.ok(down.groups.every(g => g.lag === null && !g.lag_exact))
  assert.equal(down.dlq_records, null)
  assert.equal(down.dlq_exact, false)
  assert.equal(down.newest_complete_date, '2024-10-27')

  const noPostgres = summariseStatus({ kafka: ok(snapshot), registry: ok(undefined), postgres: { ok: false, error: 'ECONNREFUSED' } }, groups, 'energy.dlq', NOW)
  assert.deepStrictEqual(noPostgres.postgres, { ok: false, error: 'ECONNREFUSED' })
  assert.deepStrictEqual(noPostgres.groups.map(g => g.lag), [2, 3, 0, 8, 0, 0, 12, null, null, null, null, null, null, null, null, null, null, null, null, null])
  assert.equal(noPostgres.newest_complete_date, null)
  assert.equal(noPostgres.dlq_records, 5)
})

test('a group whose topic does not exist has unknown lag, and no DLQ topic means no count', () => {
  const topics = new Map(snapshot.topics)
  topics.delete('energy.mix')
  topics.delete('energy.dlq')
  const status = summariseStatus({ kafka: ok({ ...snapshot, topics }), registry: ok(undefined), postgres: ok(progress) }, groups, 'energy.dlq', NOW)
  assert.equal(status.groups.find(g => g.group === 'energy-join')?.lag, null)
  assert.equal(status.groups.find(g => g.group === 'energy-sink-generation_mix')?.lag, null)
  assert.equal(status.groups.find(g => g.group === 'energy-sink-carbon_intensity')?.lag, 0)
  assert.equal(status.dlq_records, null)
  assert.equal(status.dead_letters, null)
})

test('dead letters read are listed, at most 50; an empty DLQ lists none without reading', () => {
  const letter = (i: number) => ({ at: new Date(NOW - i * 1000).toISOString(), component: 'usage', date: '2024-06-15', code: 'ENERGY_NO_DATA', error: `no data ${i}` })
  const letters = Array.from({ length: 60 }, (_, i) => letter(i))
  const listed = summariseStatus({ kafka: ok(snapshot), registry: ok(undefined), postgres: ok(progress), deadLetters: letters }, groups, 'energy.dlq', NOW)
  assert.deepStrictEqual(listed.dead_letters, letters.slice(0, 50))
  const topics = new Map(snapshot.topics)
  topics.set('energy.dlq', offsets([3n], [3n]))
  const empty = summariseStatus({ kafka: ok({ ...snapshot, topics }), registry: ok(undefined), postgres: ok(progress) }, groups, 'energy.dlq', NOW)
  assert.deepStrictEqual([empty.dlq_records, empty.dead_letters], [0, []])
})

test('unpriced runs carry the reason of the newest ENERGY_UNPRICED dead letter dated inside them; none read, none given; Postgres down, unknown', () => {
  const runs = [{ from: '2015-12-01', to: '2015-12-31', days: 31 }, { from: '2015-06-01', to: '2015-06-02', days: 2 }]
  const letters = [
    { at: null, component: 'usage', date: '2015-12-10', code: 'ENERGY_NO_DATA', error: 'usage has no data for 2015-12-10 yet' },
    { at: null, component: 'pricing', date: '2016-01-01', code: 'ENERGY_UNPRICED', error: 'outside both runs' },
    { at: null, component: 'pricing', date: '2015-12-31', code: 'ENERGY_UNPRICED', error: '2015-12-31: no import agreement of account A-1234ABCD is in force on this day' },
    { at: null, component: 'pricing', date: '2015-12-30', code: 'ENERGY_UNPRICED', error: 'older' }
  ]
  const status = summariseStatus({ kafka: ok(snapshot), registry: ok(undefined), postgres: ok({ ...progress, unpricedRuns: runs, unpricedDays: 40 }), deadLetters: letters }, groups, 'energy.dlq', NOW)
  assert.deepStrictEqual(status.unpriced, {
    days: 40,
    runs: [{ ...runs[0], reason: '2015-12-31: no import agreement of account A-1234ABCD is in force on this day' }, { ...runs[1], reason: null }]
  })
  const down = summariseStatus({ kafka: ok(snapshot), registry: ok(undefined), postgres: { ok: false, error: 'connection refused' } }, groups, 'energy.dlq', NOW)
  assert.equal(down.unpriced, null)
})

test('settle() turns a hanging probe into a timeout and a failure into its message', async () => {
  const started = Date.now()
  assert.deepStrictEqual(await settle(() => new Promise<never>(() => {}), 50, 'Kafka'), { ok: false, error: 'Kafka did not answer within 50 ms' })
  assert.ok(Date.now() - started < 1000)
  assert.deepStrictEqual(await settle(async () => { throw new Error('connection refused') }, 50, 'Postgres'), { ok: false, error: 'connection refused' })
  assert.deepStrictEqual(await settle(async () => 42, 50, 'x'), { ok: true, value: 42 })
})

test('task counters show as published, lag summed over partitions, stale after a minute without a publish', () => {
  const counters = (task: string) => ({ task, kind: 'sink' as const, group: `energy-${task}`, recordsIn: 120, recordsOut: 118, commits: 3, deadLetters: 2, lag: { 'energy.usage:0': 4, 'energy.usage:1': 6 }, lagExact: true, restore: null, sessions: 1, storeEntries: null, updatedAt: NOW })
  const rows = [
    { instance: '1', counters: counters('sink consumption'), publishedAt: new Date(NOW - 5000) },
    { instance: '2', counters: counters('sink consumption'), publishedAt: new Date(NOW - TASK_STALE_MS - 1) }
  ]
  const status = summariseStatus({ kafka: ok(snapshot), registry: ok(undefined), postgres: ok({ ...progress, tasks: rows }) }, groups, 'energy.dlq', NOW)
  const shown = { task: 'sink consumption', kind: 'sink', group: 'energy-sink consumption', records_in: 120, records_out: 118, commits: 3, dead_letters: 2, lag: 10, lag_exact: true, restore: null, sessions: 1 }
  assert.deepStrictEqual(status.tasks, [
    { ...shown, instance: '1', published_at: new Date(NOW - 5000).toISOString(), stale: false },
    { ...shown, instance: '2', published_at: new Date(NOW - TASK_STALE_MS - 1).toISOString(), stale: true }
  ])
  // Postgres down: not known.
  assert.strictEqual(summariseStatus({ kafka: ok(snapshot), registry: ok(undefined), postgres: { ok: false, error: 'down' } }, groups, 'energy.dlq', NOW).tasks, null)
})

test('a group\'s lag is what its fresh tasks give, partition by partition; the partitions none gives are counted from outside', () => {
  const row = (task: string, group: string, lag: Record<string, number>, ago: number, lagExact = true, instance = '1'): TaskStatusRow => ({
    instance,
    counters: { task, kind: 'processor', group, recordsIn: 0, recordsOut: 0, commits: 0, deadLetters: 0, lag, lagExact, restore: null, sessions: 1, storeEntries: null, updatedAt: NOW },
    publishedAt: new Date(NOW - ago)
  })
  // A row of an older runtime: no lagExact, its lag was offsets.
  const { lagExact: _older, ...older } = row('processor mix', 'energy-mix-processor', { 'energy_processor:0': 0, 'energy_processor:1': 2 }, 1000).counters
  const tasks: TaskStatusRow[] = [
    // Idle on a transactional input: its committed offset is 1 short of partition 1's end (the
    // commit marker, 2 offsets from outside); the task's own count is 0.
    row('processor co2', 'energy-co2-processor', { 'energy_processor:0': 0, 'energy_processor:1': 0 }, 1000),
    { instance: '1', counters: older as TaskStatusRow['counters'], publishedAt: new Date(NOW - 1000) },
    // Two instances: the newer row gives partition 0, inexact (a backlog past its bound).
    row('processor usage', 'energy-usage-processor', { 'energy_processor:0': 4, 'energy_processor:1': 3 }, 8000),
    row('processor usage', 'energy-usage-processor', { 'energy_processor:0': 1 }, 2000, false, '2'),
    // The join's task owns partition 0 of its inputs; partition 1 has no fresh task.
    row('join', 'energy-join', { 'energy.co2:0': 0, 'energy.mix:0': 0, 'energy.pricing:0': 2, 'energy.usage:0': 3, 'energy.export:0': 0, 'energy.gas:0': 0 }, 1000),
    // Stale: its process stopped; the outside count stands.
    row('sink consumption', 'energy-sink-consumption', { 'energy.usage:0': 0, 'energy.usage:1': 0 }, TASK_STALE_MS + 1)
  ]
  const outcomes = { kafka: ok(snapshot), registry: ok(undefined), postgres: ok({ ...progress, tasks }) }
  const ranges = statusRanges(outcomes, groups, 'energy.dlq', NOW)
  const range = (topic: string, partition: number, from: bigint, until: bigint): CountRange => ({ topic, partition, from, until })
  // Only what no fresh task gives is read: of the join, pricing's partition 1.
  assert.deepStrictEqual(ranges.filter(r => r.topic !== 'energy.dlq').slice(0, 3), [
    range('energy.pricing', 1, 15n, 20n),
    range('energy.mix', 0, 7n, 10n), range('energy.mix', 1, 0n, 20n)
  ])
  const lagOf = (status: ReturnType<typeof summariseStatus>, group: string) => {
    const g = status.groups.find(g => g.group === group)
    return [g?.lag, g?.lag_exact, g?.lag_source]
  }
  const uncounted = summariseStatus(outcomes, groups, 'energy.dlq', NOW)
  assert.deepStrictEqual(lagOf(uncounted, 'energy-co2-processor'), [0, true, 'task'])
  assert.deepStrictEqual(lagOf(uncounted, 'energy-mix-processor'), [2, false, 'task'])
  assert.deepStrictEqual(lagOf(uncounted, 'energy-usage-processor'), [1 + 3, false, 'task'])
  // 0 + 0 + 2 + 3 + 0 + 0 from the task, pricing's partition 1 by its offsets (not counted).
  assert.deepStrictEqual(lagOf(uncounted, 'energy-join'), [5 + 5, false, 'mixed'])
  assert.deepStrictEqual(lagOf(uncounted, 'energy-sink-consumption'), [6 + 20, false, 'broker'])
  // The outside range counted: 4 records.
  const counted = summariseStatus({ ...outcomes, records: new Map(ranges.map(r => [rangeKey(r), r.topic === 'energy.pricing' ? 4 : 0])) }, groups, 'energy.dlq', NOW)
  assert.deepStrictEqual(lagOf(counted, 'energy-join'), [5 + 4, true, 'mixed'])
  // Without the task rows, the co2 processor's figure is the outside one.
  const outside = summariseStatus({ ...outcomes, postgres: ok(progress) }, groups, 'energy.dlq', NOW)
  assert.deepStrictEqual(lagOf(outside, 'energy-co2-processor'), [2, false, 'broker'])
  // The broker down: the partitions are not known, nor the lag.
  const down = summariseStatus({ ...outcomes, kafka: { ok: false, error: 'down' } }, groups, 'energy.dlq', NOW)
  assert.deepStrictEqual(lagOf(down, 'energy-co2-processor'), [null, false, null])
})

test('graphql: what the newest fresh dispatches-poller row says (ok, or why not); not polled yet or no fresh poller row: not checked', () => {
  const poller = (unchecked: string | null | undefined, ago: number) => ({
    instance: '1',
    counters: { task: 'dispatches-poller', kind: 'poller' as const, group: 'energy-dispatches-poller', recordsIn: 0, recordsOut: 0, commits: 0, deadLetters: 0, lag: {}, lagExact: true, restore: null, sessions: 1, storeEntries: null, updatedAt: NOW, ...(unchecked === undefined ? {} : { unchecked }) },
    publishedAt: new Date(NOW - ago)
  })
  const auth = 'dispatches not read: ENERGY_AUTH: octopus graphql: Authentication failed. (check OCTOPUS_API_KEY)'
  assert.deepStrictEqual(graphqlStatus([poller(null, 1000)], NOW), { ok: true, unchecked: null, facts: null })
  assert.deepStrictEqual(graphqlStatus([poller(null, 9000), poller(auth, 1000)], NOW), { ok: false, unchecked: auth, facts: null })
  assert.deepStrictEqual(graphqlStatus([poller('no OCTOPUS_API_KEY: dispatches not checked', 1000)], NOW), { ok: false, unchecked: 'no OCTOPUS_API_KEY: dispatches not checked', facts: null })
  assert.deepStrictEqual(graphqlStatus([poller(undefined, 1000)], NOW), { ok: false, unchecked: 'not checked yet: the dispatches poller has not polled', facts: null })
  assert.deepStrictEqual(graphqlStatus([poller(null, TASK_STALE_MS + 1)], NOW).ok, false)
  assert.strictEqual(summariseStatus({ kafka: ok(snapshot), registry: ok(undefined), postgres: { ok: false, error: 'down' } }, groups, 'energy.dlq', NOW).graphql, null)
})

test('graphql: the account refresher\'s facts: which it could not check and why, alone or with the dispatches poller', () => {
  const row = (task: string, fields: { unchecked?: string | null, uncheckedFacts?: string[] }, ago = 1000) => ({
    instance: '1',
    counters: { task, kind: 'poller' as const, group: `energy-${task}`, recordsIn: 0, recordsOut: 0, commits: 0, deadLetters: 0, lag: {}, lagExact: true, restore: null, sessions: 1, storeEntries: null, updatedAt: NOW, ...fields },
    publishedAt: new Date(NOW - ago)
  })
  const all = ['gas meter units', 'payment method', 'devices']
  // Every fact checked, no poller running (dispatches are opt-in): ok.
  assert.deepStrictEqual(graphqlStatus([row('account-refresher', { unchecked: null, uncheckedFacts: [] })], NOW), { ok: true, unchecked: null, facts: { unchecked: [], reason: null } })
  // No key: nothing checked, and why; the poller's own reason comes first.
  assert.deepStrictEqual(graphqlStatus([row('account-refresher', { unchecked: 'no OCTOPUS_API_KEY', uncheckedFacts: all }), row('dispatches-poller', { unchecked: 'no OCTOPUS_API_KEY: dispatches not checked' })], NOW), {
    ok: false,
    unchecked: 'no OCTOPUS_API_KEY: dispatches not checked; account facts (gas meter units, payment method, devices): no OCTOPUS_API_KEY',
    facts: { unchecked: all, reason: 'no OCTOPUS_API_KEY' }
  })
  // One fact refused, the poller fine: not ok, the fact named.
  const refused = 'payment method: ENERGY_MALFORMED: octopus graphql refused payment method of A-1 (no code: Cannot query field)'
  assert.deepStrictEqual(graphqlStatus([row('account-refresher', { unchecked: refused, uncheckedFacts: ['payment method'] }), row('dispatches-poller', { unchecked: null })], NOW),
    { ok: false, unchecked: `account facts (payment method): ${refused}`, facts: { unchecked: ['payment method'], reason: refused } })
  // Not refreshed yet; a stale row is no row.
  assert.deepStrictEqual(graphqlStatus([row('account-refresher', {})], NOW).facts, { unchecked: all, reason: 'not checked yet: the account has not been refreshed' })
  assert.strictEqual(graphqlStatus([row('account-refresher', { unchecked: null, uncheckedFacts: [] }, TASK_STALE_MS + 1)], NOW).facts, null)
})
