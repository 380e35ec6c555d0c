import assert from 'node:assert/strict'
import { test } from 'node:test'
import { graphqlStatus } from '../../../api/status.ts'
import { pipelineProgress } from '../../../api/queries.ts'
import { addDays, localDateOf } from '../../../lib/london-day.ts'
import { createDispatchPoller, DISPATCHES_TOPIC, readSnapshots, snapshotKey, type DispatchSnapshot } from '../../../processors/dispatches/index.ts'
import { topicIn } from '../../../processors/names.ts'
import type { EnergyRequest } from '../../../processors/source/types.ts'
import { completedAt, plannedAt, REAL_DEVICE_ID } from '../../../sample-api/dispatches.ts'
import { REAL_ACCOUNT } from '../../../sample-api/index.ts'
import { silentLog } from '../../helpers.ts'
import { captureLog, createTestEnvironment, defer, readTopic, SAMPLE_SEED, startPipelineChild, startSampleServer, testPool, waitFor } from '../../pipeline.ts'

// `npm start --only dispatches-poller` (scripts/start.ts, instance 1): with OCTOPUS_ACCOUNT it
// polls GraphQL at start, keeps what the sample lists on energy.dispatches, requests the dates
// from the dispatches source and says in /api/status (task_status) that GraphQL could be used;
// with a key Octopus refuses it says why not, never the key; without an account it does not start.
// In-process, a restarted poller restores what it knows from energy.dispatches (its changelog)
// before its first poll.

const NOW = Date.parse('2026-01-16T14:30:00Z')

test('npm start --only dispatches-poller: every dispatch GraphQL lists lands on energy.dispatches, its dates requested, graphql ok in the status', async t => {
  const sample = await startSampleServer(t, { now: () => NOW })
  const env = await createTestEnvironment(t, 'dispatches_poller', sample, { OCTOPUS_ACCOUNT: REAL_ACCOUNT, OCTOPUS_GRAPHQL_URL: `${sample.base}/octopus/v1/graphql/`, SOURCES: 'co2,mix,pricing,usage,export,gas,regional,dispatches,billed' })
  const pool = testPool(t, env)
  const out = captureLog()
  startPipelineChild(t, env, 'dispatches-poller', out.stream)
  const topic = topicIn(env.config, DISPATCHES_TOPIC)

  // What GraphQL lists at 14:30, from the sample's own lists: the completed ones and the planned ones ahead.
  const listed = [...completedAt(SAMPLE_SEED, REAL_ACCOUNT, NOW), ...plannedAt(SAMPLE_SEED, NOW)]
  const keys = listed.map(d => snapshotKey(REAL_DEVICE_ID, d.start)).sort()
  assert.ok(listed.length > 0)
  let kept = new Map<string, { status: string }>()
  await waitFor('every listed dispatch on energy.dispatches', async () => {
    kept = await readSnapshots(env.config, env.codec, topic, silentLog)
    return keys.every(k => kept.has(k))
  }, 60000, 500)
  assert.deepStrictEqual([...kept.keys()].sort(), keys)
  const completed = new Set(completedAt(SAMPLE_SEED, REAL_ACCOUNT, NOW).map(d => snapshotKey(REAL_DEVICE_ID, d.start)))
  for (const [key, s] of kept) assert.equal(s.status, completed.has(key) ? 'completed' : 'planned', key)

  // The dates they touch are requested from the dispatches source alone.
  const requests = (await readTopic<EnergyRequest>(env, env.config.topics.requests)).map(m => m.value).filter(r => r !== null)
  assert.ok(requests.length > 0 && requests.every(r => r.sources.length === 1 && r.sources[0] === 'dispatches'))
  const requested = new Set(requests.flatMap(r => Array.from({ length: r.days }, (_, i) => addDays(r.date, i))))
  for (const d of completedAt(SAMPLE_SEED, REAL_ACCOUNT, NOW)) assert.ok(requested.has(localDateOf(d.start)), `${localDateOf(d.start)} requested`)

  // The process publishes the poller's row: GraphQL could be used.
  await waitFor('graphql ok in the status', async () => graphqlStatus((await pipelineProgress(pool)).tasks ?? [], Date.now()).ok, 30000, 500)
  assert.ok(out.lines().some(l => Array.isArray(l.components) && l.components.includes('dispatches-poller')), 'the poller runs')
})

test('npm start --only dispatches-poller: a refused key is said in a log line and in the status (never the key); without OCTOPUS_ACCOUNT it does not start', async t => {
  const sample = await startSampleServer(t, { now: () => NOW })
  const key = 'sk_live_refused_by_octopus_1234'
  const env = await createTestEnvironment(t, 'dispatches_refused', sample, { OCTOPUS_ACCOUNT: REAL_ACCOUNT, OCTOPUS_API_KEY: key, OCTOPUS_GRAPHQL_URL: `${sample.base}/octopus/v1/graphql/`, SOURCES: 'co2,mix,pricing,usage,export,gas,regional,dispatches,billed' })
  const pool = testPool(t, env)
  const out = captureLog()
  startPipelineChild(t, env, 'dispatches-poller', out.stream)
  let status = graphqlStatus([], Date.now())
  await waitFor('graphql refused in the status', async () => {
    status = graphqlStatus((await pipelineProgress(pool)).tasks ?? [], Date.now())
    return status.unchecked?.includes('ENERGY_AUTH') === true
  }, 30000, 500)
  assert.equal(status.ok, false)
  assert.match(status.unchecked ?? '', /^dispatches not read: ENERGY_AUTH: .*OCTOPUS_API_KEY/)
  const warning = out.lines().find(l => l.msg === 'dispatches not checked')
  assert.equal(warning?.reason, status.unchecked)
  assert.ok(!out.text().includes(key) && !JSON.stringify(await pipelineProgress(pool)).includes(key), 'the key in no output')

  const none = captureLog()
  const child = startPipelineChild(t, env, 'dispatches-poller', none.stream, { OCTOPUS_ACCOUNT: '' })
  await waitFor('the line saying why the poller did not start', async () => none.lines().some(l => l.msg === 'pipeline running'), 30000, 200)
  assert.ok(none.lines().some(l => typeof l.msg === 'string' && l.msg.startsWith('dispatches poller not started: no OCTOPUS_ACCOUNT')))
  assert.deepStrictEqual(none.lines().find(l => l.msg === 'pipeline running')?.components, [])
  await child.stop()
})

test('a restarted poller restores its snapshots from energy.dispatches: an unchanged poll produces nothing, a relabelling after the restart keeps what was first seen', async t => {
  let now = NOW
  const sample = await startSampleServer(t, { now: () => now })
  const env = await createTestEnvironment(t, 'dispatches_restore', sample, { OCTOPUS_ACCOUNT: REAL_ACCOUNT, OCTOPUS_GRAPHQL_URL: `${sample.base}/octopus/v1/graphql/`, SOURCES: 'dispatches' })
  const topic = topicIn(env.config, DISPATCHES_TOPIC)
  // One poll per session (the next is DISPATCH_POLL_MINUTES away), then stopped: a restart.
  const session = async (): Promise<ReturnType<typeof createDispatchPoller>> => {
    const poller = createDispatchPoller({ config: env.config, codec: env.codec, log: silentLog, now: () => now })
    defer(t, () => poller.stop())
    await poller.start()
    await waitFor('the poller polled', async () => poller.polled() === 1, 60000, 100)
    await poller.stop()
    return poller
  }
  const listed = [...completedAt(SAMPLE_SEED, REAL_ACCOUNT, NOW), ...plannedAt(SAMPLE_SEED, NOW)]

  const first = await session()
  const records = (await readTopic<DispatchSnapshot>(env, topic)).length
  assert.deepStrictEqual([records, first.counters.value.storeEntries, first.unchecked()], [listed.length, listed.length, undefined])

  // Same time, same answer: every snapshot restored, so nothing changed and nothing is sent.
  const second = await session()
  assert.deepStrictEqual([second.counters.value.restore?.records, second.counters.value.storeEntries, second.counters.value.recordsOut, second.counters.value.commits],
    [listed.length, listed.length, 0, 0])
  assert.equal((await readTopic<DispatchSnapshot>(env, topic)).length, records)

  // 21:00: the 13:00 smart charge relabelled a bump charge. The restored snapshot keeps when it
  // was first seen and the label it had when completed (a poller starting empty would lose both).
  now = Date.parse('2026-01-16T21:00:00Z')
  const third = await session()
  assert.equal(third.unchecked(), undefined)
  const key = snapshotKey(REAL_DEVICE_ID, Date.parse('2026-01-16T13:00:00Z'))
  const relabelled = (await readSnapshots(env.config, env.codec, topic, silentLog)).get(key)
  assert.deepStrictEqual([relabelled?.source, relabelled?.completed_source, relabelled?.first_seen_at, relabelled?.relabelled_at],
    ['bump-charge', 'smart-charge', NOW, now])
})
