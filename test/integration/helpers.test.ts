import assert from 'node:assert/strict'
import { test } from 'node:test'
import pg from 'pg'
import { ConfigResourceTypes } from '@platformatic/kafka'
import { createAdmin, createProducer } from '../../lib/kafka.ts'
import {
  consumeAll, createTestDatabase, createTestSubject, createTestTopic, produceMessages, subjectVersions, testConfig, uniqueName
} from '../helpers.ts'

// The helpers every integration test relies on: consumeAll must stop exactly at the end
// offsets (also when the last offset is a transaction marker), and every create* helper
// must leave nothing behind.

test('consumeAll reads committed records only (read_committed), everything with read_uncommitted, and stops at markers', async t => {
  const config = testConfig()
  const topic = await createTestTopic(t, { partitions: 3 })
  assert.deepStrictEqual(await consumeAll(topic, { config }), [])

  const producer = createProducer(config, { clientId: 'energy-test-helpers', transactionalId: uniqueName('test-helpers-tx') })
  try {
    const committed = await producer.beginTransaction()
    await committed.send({
      messages: [
        { topic, key: 'a', value: Buffer.from('committed-a'), partition: 0, headers: { source: 'test' } },
        { topic, key: 'b', value: Buffer.from('committed-b'), partition: 2 }
      ]
    })
    await committed.commit()
    const aborted = await producer.beginTransaction()
    await aborted.send({ messages: [{ topic, key: 'c', value: Buffer.from('aborted-c'), partition: 0 }] })
    await aborted.abort()
  } finally {
    await producer.close()
  }

  const summary = (m: Awaited<ReturnType<typeof consumeAll>>[number]): unknown[] =>
    [m.partition, m.offset, m.key, m.value.toString(), Object.fromEntries(m.headers)]
  // Offsets: partition 0 holds a (0), commit marker (1), c (2), abort marker (3).
  assert.deepStrictEqual((await consumeAll(topic, { config })).map(summary), [
    [0, 0n, 'a', 'committed-a', { source: 'test' }],
    [2, 0n, 'b', 'committed-b', {}]
  ])
  assert.deepStrictEqual((await consumeAll(topic, { config, isolation: 'read_uncommitted' })).map(summary), [
    [0, 0n, 'a', 'committed-a', { source: 'test' }],
    [0, 2n, 'c', 'aborted-c', {}],
    [2, 0n, 'b', 'committed-b', {}]
  ])

  await produceMessages(topic, [{ key: 'd', value: Buffer.from('plain-d'), partition: 1 }], config)
  assert.deepStrictEqual((await consumeAll(topic, { config })).map(m => m.key), ['a', 'd', 'b'])
})

test('createTestTopic makes the topic as asked and deletes it afterwards', async t => {
  const config = testConfig()
  const admin = createAdmin(config, 'energy-test-helpers')
  t.after(() => admin.close())
  let topic = ''
  await t.test('inner', async st => {
    topic = await createTestTopic(st, { partitions: 2, configs: { 'cleanup.policy': 'compact' }, config })
    const metadata = await admin.metadata({ topics: [topic], forceUpdate: true })
    assert.equal(metadata.topics.get(topic)?.partitionsCount, 2)
    const [described] = await admin.describeConfigs({
      resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: ['cleanup.policy'] }]
    })
    assert.deepStrictEqual(described.configs.map(c => [c.name, c.value]), [['cleanup.policy', 'compact']])
  })
  assert.match(topic, /^test-\d+-[a-z0-9]+-\d+-[0-9a-f]{6}$/)
  assert.equal((await admin.listTopics()).includes(topic), false)
})

test('createTestSubject registers with BACKWARD and deletes subject and level afterwards', async t => {
  const config = testConfig()
  const topic = uniqueName('test-helpers-subject')
  const subject = `${topic}-value`
  await t.test('inner', async st => {
    const { subject: registered, id } = await createTestSubject(st, topic, { type: 'record', name: 'H', fields: [{ name: 'a', type: 'int' }] }, config)
    assert.equal(registered, subject)
    assert.ok(Number.isInteger(id) && id > 0)
    assert.deepStrictEqual(await subjectVersions(subject, config), [1])
    const level = await fetch(`${config.schemaRegistryUrl}/config/${subject}`)
    assert.deepStrictEqual(await level.json(), { compatibilityLevel: 'BACKWARD' })
  })
  assert.deepStrictEqual(await subjectVersions(subject, config), [])
  const res = await fetch(`${config.schemaRegistryUrl}/subjects?deleted=true`)
  assert.equal((await res.json() as string[]).includes(subject), false)
  assert.equal((await fetch(`${config.schemaRegistryUrl}/config/${subject}`)).status, 404)
})

test('createTestDatabase makes an empty database and drops it afterwards, even with a connection left open', async t => {
  const config = testConfig()
  let name = ''
  await t.test('inner', async st => {
    const url = await createTestDatabase(st, { config })
    name = new URL(url).pathname.slice(1)
    const leaked = new pg.Client({ connectionString: url })
    leaked.on('error', () => {})
    await leaked.connect()
    const { rows } = await leaked.query<{ db: string }>('SELECT current_database() AS db')
    assert.deepStrictEqual(rows, [{ db: name }])
  })
  const admin = new pg.Client({ connectionString: config.databaseUrl.replace(/\/[^/]*$/, '/postgres') })
  await admin.connect()
  t.after(() => admin.end())
  const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
  assert.equal(rowCount, 0)
})
