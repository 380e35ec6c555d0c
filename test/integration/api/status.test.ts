import type { Message } from '@platformatic/kafka'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { createStatusProbes, readStatus, watchedGroups } from '../../../api/status.ts'
import type { Config } from '../../../lib/config.ts'
import { dlqMessage } from '../../../lib/dlq.ts'
import { EnergyError } from '../../../lib/errors.ts'
import { createAdmin, createConsumer, createProducer, lastPerPartition } from '../../../lib/kafka.ts'
import { createTask } from '../../../lib/stream/task.ts'
import { createStatusPublisher } from '../../../lib/stream/publish.ts'
import { topicIn, topology } from '../../../processors/topology.ts'
import { createApiFixture, silentLog } from './fixtures.ts'

// GET /api/status through app.inject(): with stand-in probes (no Kafka needed) and with the
// real probes against the running broker, registry and Postgres, in a namespace of its own.

test('a probe that hangs or fails shows as ok:false within the timeout; the answer is still 200', async t => {
  const { app } = await createApiFixture(t, {
    options: { probeTimeoutMs: 300 },
    status: {
      kafka: () => new Promise(() => {}),
      registry: async () => { throw new Error('connect ECONNREFUSED 127.0.0.1:8081') },
      postgres: async () => ({ newestCompleteDate: '2024-10-27', sinkOffsets: [], unpricedRuns: [], unpricedDays: 0 })
    }
  })
  const started = Date.now()
  const res = await app.inject('/api/status')
  const took = Date.now() - started
  assert.equal(res.statusCode, 200)
  assert.ok(took < 1500, `answered in ${took} ms`)
  assert.equal(res.headers['cache-control'], 'no-store')
  const body = res.json()
  assert.deepStrictEqual(body.broker, { ok: false, error: 'Kafka did not answer within 300 ms' })
  assert.deepStrictEqual(body.registry, { ok: false, error: 'connect ECONNREFUSED 127.0.0.1:8081' })
  assert.deepStrictEqual(body.postgres, { ok: true })
  assert.equal(body.newest_complete_date, '2024-10-27')
  assert.equal(body.dlq_records, null)
  // Six ingest processors, the join, thirteen sinks (one per source topic, dispatches, agreements, forecast, daily_summary).
  assert.equal(body.groups.length, 20)
  assert.ok(body.groups.every((g: { lag: unknown }) => g.lag === null))
})

async function createTopics (t: TestContext, config: Readonly<Config>, topics: Array<[string, number]>): Promise<void> {
  const admin = createAdmin(config, 'energy-api-test')
  t.after(async () => {
    const cleanup = createAdmin(config, 'energy-api-test')
    try {
      const existing = new Set(await cleanup.listTopics())
      const mine = topics.map(([name]) => name).filter(name => existing.has(name))
      if (mine.length > 0) await cleanup.deleteTopics({ topics: mine })
    } finally {
      await cleanup.close()
    }
  })
  try {
    for (const [name, partitions] of topics) await admin.createTopics({ topics: [name], partitions, replicas: 1 })
    // A new topic's partitions get leaders a moment after CreateTopics answers.
    for (let attempt = 0; ; attempt++) {
      const metadata = await admin.metadata({ topics: topics.map(([name]) => name), forceUpdate: true })
      if (topics.every(([name, n]) => metadata.topics.get(name)?.partitions.filter(p => p.leader >= 0).length === n)) break
      if (attempt > 50) throw new Error('test topics have no leaders after 5 s')
      await sleep(100)
    }
  } finally {
    await admin.close()
  }
}

test('the real probes report broker, registry and Postgres, lag per group and the DLQ count', async t => {
  const namespace = `apitest-${randomBytes(4).toString('hex')}.`
  const { app, config, pool } = await createApiFixture(t, { env: { PIPELINE_NAMESPACE: namespace } })
  const { topics } = config
  const co2 = topicIn(config, topology.source('co2').topic)
  // Only some of the namespace's topics exist: the groups reading the others have unknown lag.
  await createTopics(t, config, [[topics.requests, 2], [co2, 2], [topics.dlq, 1]])

  const producer = createProducer(config, { clientId: `${namespace}test` })
  try {
    const to = (topic: string, partition: number, n: number) => Array.from({ length: n }, (_, i) => ({ topic, partition, key: `k${i}`, value: Buffer.from('x') }))
    await producer.send({
      messages: [
        ...to(topics.requests, 0, 3), ...to(topics.requests, 1, 2),
        ...to(co2, 0, 4), ...to(co2, 1, 1),
        ...to(topics.dlq, 0, 2)
      ]
    })
  } finally {
    await producer.close()
  }

  const admin = createAdmin(config, 'energy-api-test')
  const co2Group = `${namespace}energy-co2-processor`
  t.after(async () => {
    const cleanup = createAdmin(config, 'energy-api-test')
    await cleanup.deleteGroups({ groups: [co2Group] }).catch(() => {})
    await cleanup.close()
  })
  try {
    await admin.alterConsumerGroupOffsets({ groupId: co2Group, topics: [{ name: topics.requests, partitionOffsets: [{ partition: 0, offset: 2n }] }] })
  } finally {
    await admin.close()
  }
  await pool.query('INSERT INTO energy_usage.sink_offsets (sink, topic, partition, next_offset) VALUES (\'carbon_intensity\', $1, 0, 3)', [co2])

  const res = await app.inject('/api/status')
  assert.equal(res.statusCode, 200)
  const body = res.json()
  assert.deepStrictEqual({ broker: body.broker, registry: body.registry, postgres: body.postgres }, { broker: { ok: true }, registry: { ok: true }, postgres: { ok: true } })
  const lag = Object.fromEntries(body.groups.map((g: { group: string, lag: number | null }) => [g.group.slice(namespace.length), g.lag]))
  assert.deepStrictEqual(lag, {
    // 3 + 2 requests: partition 0 committed at 2, partition 1 never committed.
    'energy-co2-processor': 1 + 2,
    'energy-mix-processor': 5,
    'energy-pricing-processor': 5,
    'energy-usage-processor': 5,
    'energy-export-processor': 5,
    'energy-gas-processor': 5,
    // energy.mix/pricing/usage/export/gas do not exist in this namespace.
    'energy-join': null,
    // 4 + 1 records: sink_offsets has partition 0 at 3, nothing for partition 1.
    'energy-sink-carbon_intensity': 1 + 1,
    'energy-sink-generation_mix': null,
    'energy-sink-unit_rates': null,
    'energy-sink-consumption': null,
    'energy-sink-export_readings': null,
    'energy-sink-gas_readings': null,
    'energy-sink-regional_intensity': null,
    'energy-sink-dispatch_slots': null,
    'energy-sink-billed': null,
    'energy-sink-dispatches': null,
    'energy-sink-agreements': null,
    'energy-sink-forecast': null,
    'energy-sink-daily_summary': null
  })
  assert.equal(body.dlq_records, 2)
  assert.equal(body.newest_complete_date, '2024-10-27')

  // The probes reuse one admin client between calls; close() releases it.
  const probes = createStatusProbes({ config, pool, log: silentLog, timeoutMs: 2000 })
  const first = await probes.kafka()
  const second = await probes.kafka()
  assert.deepStrictEqual(second, first)
  await probes.close?.()
})

test('lag and the DLQ count are records: transaction markers and aborted records do not count', { timeout: 60000 }, async t => {
  const namespace = `apitest-${randomBytes(4).toString('hex')}.`
  const { app, config, pool } = await createApiFixture(t, { env: { PIPELINE_NAMESPACE: namespace } })
  const { topics } = config
  await createTopics(t, config, [[topics.requests, 2], [topics.completion, 1], [topics.dlq, 1]])

  // Written in transactions, as the processors and the join write. Offsets:
  //   requests[0]:  r r C r C        3 records, end 5
  //   requests[1]:  r C x A          1 record (x aborted), end 4
  //   completion[0]: r r C r C       3 records, end 5
  //   dlq[0]:       x A r r C x A    2 records, end 7
  const producer = createProducer(config, { clientId: `${namespace}test`, transactionalId: `${namespace}test-status-tx` })
  try {
    const message = (topic: string, partition: number, key: string) => ({ topic, partition, key, value: Buffer.from(key) })
    const transaction = async (commit: boolean, messages: Array<ReturnType<typeof message>>): Promise<void> => {
      const tx = await producer.beginTransaction()
      await tx.send({ messages })
      if (commit) await tx.commit()
      else await tx.abort()
    }
    await transaction(false, [message(topics.dlq, 0, 'dead-aborted-1')])
    await transaction(true, [message(topics.requests, 0, 'a'), message(topics.requests, 0, 'b'), message(topics.requests, 1, 'c'),
      message(topics.completion, 0, '2024-10-26'), message(topics.completion, 0, '2024-10-27')])
    await transaction(false, [message(topics.requests, 1, 'aborted')])
    await transaction(true, [message(topics.requests, 0, 'd'), message(topics.completion, 0, '2024-10-28'),
      message(topics.dlq, 0, 'dead-1'), message(topics.dlq, 0, 'dead-2')])
    await transaction(false, [message(topics.dlq, 0, 'dead-aborted-2')])
  } finally {
    await producer.close()
  }

  type Lag = { group: string, kind: string, topics: string[], lag: number | null, lag_exact: boolean }
  const status = async (): Promise<{ groups: Lag[], dlq_records: number | null, dlq_exact: boolean, checked_at: string }> => (await app.inject('/api/status')).json()
  const processorOf = (body: { groups: Lag[] }): Lag[] => body.groups.filter(g => g.kind === 'processor')
  const completionSink = (body: { groups: Lag[] }): Lag | undefined => body.groups.find(g => g.kind === 'sink' && g.topics[0] === topics.completion)

  const before = await status()
  // 4 records on requests (9 offsets), 3 on completion (5 offsets), 2 dead letters (7 offsets).
  assert.ok(processorOf(before).length > 0)
  for (const g of processorOf(before)) assert.deepStrictEqual([g.lag, g.lag_exact], [4, true], g.group)
  assert.deepStrictEqual([completionSink(before)?.lag, completionSink(before)?.lag_exact], [3, true])
  assert.deepStrictEqual([before.dlq_records, before.dlq_exact], [2, true])

  // One processor group consumes everything (read_committed) and commits, as the processors
  // do: the last record's offset + 1, short of each partition's commit marker.
  const [consumed, ...others] = processorOf(before)
  const consumer = createConsumer(config, { clientId: `${namespace}test`, groupId: consumed.group })
  t.after(async () => {
    const cleanup = createAdmin(config, 'energy-api-test')
    await cleanup.deleteGroups({ groups: [consumed.group] }).catch(() => {})
    await cleanup.close()
  })
  try {
    const stream = await consumer.consume({ topics: [topics.requests], mode: 'earliest', autocommit: false })
    const seen: Array<Message<string, Buffer, string, string>> = []
    for await (const m of stream) {
      seen.push(m)
      if (seen.length === 4) break
    }
    for (const m of lastPerPartition(seen)) await m.commit()
    assert.deepStrictEqual(seen.map(m => m.key).sort(), ['a', 'b', 'c', 'd'])
    await stream.close()
  } finally {
    await consumer.close(true)
  }
  // The completion sink landed every record: its next offset is after the last one (3).
  await pool.query('INSERT INTO energy_usage.sink_offsets (sink, topic, partition, next_offset) VALUES (\'daily_summary\', $1, 0, 4)', [topics.completion])

  const started = performance.now()
  const after = await status()
  const took = performance.now() - started
  // Offsets would say 1 + 1 (the commit markers) and 1 (completion's marker); records say 0.
  assert.deepStrictEqual(after.groups.find(g => g.group === consumed.group), { ...consumed, lag: 0, lag_exact: true })
  for (const g of others) assert.deepStrictEqual([g.lag, g.lag_exact], [4, true], g.group)
  assert.deepStrictEqual([completionSink(after)?.lag, completionSink(after)?.lag_exact], [0, true])
  assert.deepStrictEqual([after.dlq_records, after.dlq_exact], [2, true])

  // At rest the counts are kept: a status reads no records, and answers as fast as before.
  const again = performance.now()
  const atRest = await status()
  t.diagnostic(`status after consuming: ${took.toFixed(1)} ms; at rest: ${(performance.now() - again).toFixed(1)} ms`)
  assert.deepStrictEqual({ ...atRest, checked_at: after.checked_at }, after)

  // Past the bound the figure is the offsets, an upper bound, marked inexact.
  const probes = createStatusProbes({ config, pool, log: silentLog, timeoutMs: 2000, maxCountedOffsets: 5 })
  t.after(() => probes.close?.())
  const bounded = await readStatus(probes, watchedGroups(config), topics.dlq, 2000, silentLog)
  // The smaller ranges fit: the consumed group (nothing), the completion sink (1 marker).
  assert.deepStrictEqual(bounded.groups.find(g => g.group === consumed.group)?.lag, 0)
  assert.deepStrictEqual(bounded.groups.filter(g => g.kind === 'processor' && g.group !== consumed.group).map(g => [g.lag, g.lag_exact]), others.map(() => [5 + 4, false]))
  assert.deepStrictEqual([bounded.dlq_records, bounded.dlq_exact], [7, false])
})

test('a group whose task runs shows the task\'s own lag; a stopped or stale one, the count from outside', { timeout: 60000 }, async t => {
  const namespace = `apitest-${randomBytes(4).toString('hex')}.`
  const { app, config, pool } = await createApiFixture(t, { env: { PIPELINE_NAMESPACE: namespace } })
  const { topics } = config
  await createTopics(t, config, [[topics.requests, 2], [topics.dlq, 1]])
  // In transactions, as the seed writes requests: requests[0] r r C r C, requests[1] r C x A.
  const producer = createProducer(config, { clientId: `${namespace}test`, transactionalId: `${namespace}test-task-lag-tx` })
  try {
    const transaction = async (commit: boolean, messages: Array<[number, string]>): Promise<void> => {
      const tx = await producer.beginTransaction()
      await tx.send({ messages: messages.map(([partition, key]) => ({ topic: topics.requests, partition, key, value: Buffer.from(key) })) })
      if (commit) await tx.commit()
      else await tx.abort()
    }
    await transaction(true, [[0, 'a'], [0, 'b'], [1, 'c']])
    await transaction(false, [[1, 'aborted']])
    await transaction(true, [[0, 'd']])
  } finally {
    await producer.close()
  }

  // The co2 processor's group, run by the task runtime with a step that only commits.
  const group = `${namespace}energy-co2-processor`
  t.after(async () => {
    const cleanup = createAdmin(config, 'energy-api-test')
    await cleanup.deleteGroups({ groups: [group] }).catch(() => {})
    await cleanup.close()
  })
  const running = createTask({
    name: `${namespace}processor co2`,
    kind: 'processor',
    config,
    log: silentLog,
    group,
    topics: [topics.requests],
    start: { kind: 'committed' },
    commit: { kind: 'kafka', transactionalId: `${group}-1` },
    batchSize: 100,
    batchWaitMs: 50,
    restartDelayMs: 200,
    lagIntervalMs: 100,
    processor: { async process (batch, context) { await context.kafka?.transact(batch, async () => {}) } }
  })
  const publisher = createStatusPublisher({ pool, instance: '1', log: silentLog, read: () => [running.counters.value] })
  await running.start()
  t.after(() => running.stop())
  const deadline = Date.now() + 30000
  const lag = (): Record<string, number> => running.counters.value.lag
  while (!(running.counters.value.recordsIn === 4 && Object.keys(lag()).length === 2 && Object.values(lag()).every(l => l === 0))) {
    if (Date.now() > deadline) throw new Error(`timed out: ${running.counters.value.recordsIn} records in, lag ${JSON.stringify(lag())}`)
    await sleep(50)
  }
  await publisher.publish()

  type Lag = { group: string, lag: number | null, lag_exact: boolean, lag_source: string | null }
  const groupsNow = async (): Promise<Record<string, [number | null, boolean, string | null]>> => {
    const body: { groups: Lag[] } = (await app.inject('/api/status')).json()
    return Object.fromEntries(body.groups.filter(g => g.group.endsWith('-processor')).map(g => [g.group.slice(namespace.length), [g.lag, g.lag_exact, g.lag_source]]))
  }
  // Idle: its committed offsets stop short of the commit markers (1 offset each); 0 records.
  const others = { 'energy-mix-processor': [4, true, 'broker'], 'energy-pricing-processor': [4, true, 'broker'], 'energy-usage-processor': [4, true, 'broker'], 'energy-export-processor': [4, true, 'broker'], 'energy-gas-processor': [4, true, 'broker'] }
  assert.deepStrictEqual(await groupsNow(), { 'energy-co2-processor': [0, true, 'task'], ...others })

  // Stopped: its last row gives no partitions, so the group is counted from outside at once.
  await running.stop()
  await publisher.stop()
  assert.deepStrictEqual(await groupsNow(), { 'energy-co2-processor': [0, true, 'broker'], ...others })
  // A stale row (its process gone without a last publish) counts for nothing either.
  await pool.query("UPDATE energy_usage.task_status SET counters = jsonb_set(counters, '{lag}', $1::jsonb), published_at = now() - interval '2 minutes'", [JSON.stringify({ [`${topics.requests}:0`]: 7, [`${topics.requests}:1`]: 7 })])
  assert.deepStrictEqual(await groupsNow(), { 'energy-co2-processor': [0, true, 'broker'], ...others })
})

test('the newest dead letters are listed newest first, committed only, and kept at rest', { timeout: 60000 }, async t => {
  const namespace = `apitest-${randomBytes(4).toString('hex')}.`
  const { app, config } = await createApiFixture(t, { env: { PIPELINE_NAMESPACE: namespace } })
  const { topics } = config
  await createTopics(t, config, [[topics.dlq, 1]])

  // Dead letters as the processors, the join and the sinks write them (lib/dlq.ts), in
  // transactions; one transaction is aborted, so its dead letter must not be listed.
  const base = Date.parse('2024-06-16T07:00:00.000Z')
  const letter = (i: number, error: unknown, context: Record<string, string>) => dlqMessage({
    dlqTopic: topics.dlq, topic: topics.requests, partition: 0, offset: BigInt(i), key: `k${i}`, value: Buffer.from(`v${i}`), error, context
  }, base + i * 1000)
  const producer = createProducer(config, { clientId: `${namespace}test`, transactionalId: `${namespace}test-dead-letters-tx` })
  t.after(() => producer.close())
  const transaction = async (commit: boolean, messages: Array<ReturnType<typeof letter>>): Promise<void> => {
    const tx = await producer.beginTransaction()
    await tx.send({ messages })
    if (commit) await tx.commit()
    else await tx.abort()
  }
  await transaction(true, [
    letter(1, new EnergyError('ENERGY_NO_DATA', 'usage has no data for 2024-06-15 yet'), { 'dlq.processor': 'usage', 'dlq.date': '2024-06-15' }),
    letter(2, new EnergyError('ENERGY_RATE_LIMITED', 'pricing stayed rate limited for 2024-06-15'), { 'dlq.processor': 'pricing', 'dlq.date': '2024-06-15' })
  ])
  await transaction(false, [letter(3, new EnergyError('ENERGY_MALFORMED', 'aborted: must not be listed'), { 'dlq.processor': 'co2', 'dlq.date': '2024-06-14' })])
  const long = `value too long for type character varying(10): ${'x'.repeat(500)}`
  await transaction(true, [
    letter(4, new EnergyError('ENERGY_DECODE', 'not Confluent-framed (magic byte 120)'), { 'dlq.processor': 'join' }),
    letter(5, new Error(long), { 'dlq.sink': 'consumption', 'dlq.error.sqlstate': '22001' })
  ])

  type Body = { dlq_records: number | null, dlq_exact: boolean, dead_letters: Array<Record<string, unknown>> | null, checked_at: string }
  const status = async (): Promise<Body> => {
    const res = await app.inject('/api/status')
    assert.equal(res.statusCode, 200)
    return res.json()
  }
  const at = (i: number): string => new Date(base + i * 1000).toISOString()
  const first = await status()
  assert.deepStrictEqual([first.dlq_records, first.dlq_exact], [4, true])
  assert.deepStrictEqual(first.dead_letters, [
    { at: at(5), component: 'consumption', date: null, code: 'UNKNOWN', error: `${long.slice(0, 199)}…` },
    { at: at(4), component: 'join', date: null, code: 'ENERGY_DECODE', error: 'not Confluent-framed (magic byte 120)' },
    { at: at(2), component: 'pricing', date: '2024-06-15', code: 'ENERGY_RATE_LIMITED', error: 'pricing stayed rate limited for 2024-06-15' },
    { at: at(1), component: 'usage', date: '2024-06-15', code: 'ENERGY_NO_DATA', error: 'usage has no data for 2024-06-15 yet' }
  ])

  // At rest: the same list (kept by the DLQ's end offset).
  const again = await status()
  assert.deepStrictEqual({ ...again, checked_at: first.checked_at }, first)

  // 60 more committed, then an aborted one at the end: the newest 50 committed, newest first.
  await transaction(true, Array.from({ length: 60 }, (_, i) => letter(100 + i, new EnergyError('ENERGY_NO_DATA', `usage has no data for day ${i}`), { 'dlq.processor': 'usage', 'dlq.date': '2024-07-01' })))
  await transaction(false, [letter(999, new EnergyError('ENERGY_MALFORMED', 'aborted: must not be listed'), { 'dlq.processor': 'co2' })])
  const many = await status()
  assert.deepStrictEqual([many.dlq_records, many.dlq_exact], [64, true])
  assert.equal(many.dead_letters?.length, 50)
  assert.deepStrictEqual(many.dead_letters?.map(l => l.error), Array.from({ length: 50 }, (_, i) => `usage has no data for day ${59 - i}`))
  assert.deepStrictEqual(many.dead_letters?.[0], { at: at(159), component: 'usage', date: '2024-07-01', code: 'ENERGY_NO_DATA', error: 'usage has no data for day 59' })
})

test('a broker that is not there shows as ok:false within the probe timeout', async t => {
  // Nothing listens on port 1; the registry URL points at a closed port too.
  const { app } = await createApiFixture(t, {
    env: { KAFKA_BROKERS: '127.0.0.1:1', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1/apis/ccompat/v7' },
    options: { probeTimeoutMs: 500 }
  })
  const started = Date.now()
  const body = (await app.inject('/api/status')).json()
  assert.ok(Date.now() - started < 2000)
  assert.equal(body.broker.ok, false)
  assert.equal(typeof body.broker.error, 'string')
  assert.equal(body.registry.ok, false)
  assert.deepStrictEqual(body.postgres, { ok: true })
  assert.equal(body.newest_complete_date, '2024-10-27')
})
