import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { test, type TestContext } from 'node:test'
import { ConfigResourceTypes, IncrementalAlterConfigOperationTypes } from '@platformatic/kafka'
import { loadLocalSchemas } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import { createAdmin } from '../../lib/kafka.ts'
import { SQL_DIR } from '../../lib/migrate.ts'
import { ensureTopics } from '../../lib/topic-admin.ts'
import { valueSubject, type TopicSpec } from '../../lib/topics.ts'
import { setup } from '../../lib/setup.ts'
import { topology } from '../../processors/topology.ts'
import {
  connectTestDatabase, deleteSubjectAfter, deleteTopicAfter, silentLog, testConfig, testDatabaseUrl, testRegistry, uniqueName
} from '../helpers.ts'

// Two runs of setup. One under a unique PIPELINE_NAMESPACE, so the first run really creates
// every topic and registers every schema (all deleted afterwards). One with the contract
// names: those topics are global and setup is idempotent, so running it against the shared
// broker and registry is safe, and they are not deleted. Each uses a fresh, uniquely named
// database that setup itself creates.

const ALL_VERSIONS = readdirSync(SQL_DIR).filter(f => /^\d+_.*\.sql$/.test(f)).sort().map(f => f.slice(0, -'.sql'.length))
const COMPACTED = ['energy.account', 'energy.products', 'energy.forecast', 'energy.co2', 'energy.mix', 'energy.pricing', 'energy.usage', 'energy.export', 'energy.gas', 'energy.regional', 'energy.dispatches', 'energy.dispatch_slots', 'energy.billed', 'completion']
const CONTRACT_TOPICS = ['energy_processor', ...COMPACTED, 'energy.dlq']
const LOCAL_SCHEMAS = loadLocalSchemas()

/** Asserts partitions, configs and registered schemas of every topic of `namespace`. */
async function assertAsDesigned (t: TestContext, config: Readonly<Config>, namespace: string): Promise<void> {
  // The contract's topic list, independently of the topology (processors/topology.ts).
  assert.deepStrictEqual(topology.topicSpecs.map(s => s.name).sort(), [...CONTRACT_TOPICS].sort())
  const name = (topic: string): string => namespace + topic

  const admin = createAdmin(config, 'energy-test-setup')
  t.after(() => admin.close())
  const metadata = await admin.metadata({ topics: CONTRACT_TOPICS.map(name), forceUpdate: true })
  const partitions = Object.fromEntries(CONTRACT_TOPICS.map(topic => [topic, metadata.topics.get(name(topic))?.partitionsCount]))
  assert.equal(config.topicPartitions, 4, 'TOPIC_PARTITIONS is the default 4 in the test environment')
  assert.deepStrictEqual(partitions, {
    energy_processor: 4,
    'energy.account': 1,
    'energy.products': 1,
    'energy.forecast': 1,
    'energy.co2': 4,
    'energy.mix': 4,
    'energy.pricing': 4,
    'energy.usage': 4,
    'energy.export': 4,
    'energy.gas': 4,
    'energy.regional': 4,
    'energy.dispatches': 1,
    'energy.dispatch_slots': 4,
    'energy.billed': 4,
    completion: 4,
    'energy.dlq': 1
  })

  const described = await admin.describeConfigs({
    resources: CONTRACT_TOPICS.map(topic => ({
      resourceType: ConfigResourceTypes.TOPIC, resourceName: name(topic), configurationKeys: ['cleanup.policy', 'retention.ms', 'min.compaction.lag.ms']
    }))
  })
  const configs = Object.fromEntries(described.map(d => [d.resourceName.slice(namespace.length), Object.fromEntries(d.configs.map(c => [c.name, c.value]))]))
  for (const topic of COMPACTED) {
    assert.equal(configs[topic]['cleanup.policy'], 'compact', `${name(topic)} is compacted`)
    assert.equal(configs[topic]['min.compaction.lag.ms'], '60000', `${name(topic)} min.compaction.lag.ms`)
  }
  assert.equal(configs.energy_processor['cleanup.policy'], 'delete')
  assert.equal(configs.energy_processor['retention.ms'], String(7 * 24 * 3600 * 1000))
  assert.equal(configs['energy.dlq']['cleanup.policy'], 'delete')
  assert.equal(configs['energy.dlq']['retention.ms'], String(30 * 24 * 3600 * 1000))

  // Every local schema is the latest version of <topic>-value, with BACKWARD compatibility.
  const registry = testRegistry(config)
  for (const [topic, schema] of LOCAL_SCHEMAS) {
    const subject = valueSubject(name(topic))
    const latest = await registry.latest(subject)
    assert.ok(latest !== undefined, `${subject} is registered`)
    assert.deepStrictEqual(JSON.parse(latest.schema), JSON.parse(schema), `${subject} latest is schemas/${topic}.avsc`)
    const res = await fetch(`${config.schemaRegistryUrl}/config/${encodeURIComponent(subject)}`)
    assert.deepStrictEqual(await res.json(), { compatibilityLevel: 'BACKWARD' }, `${subject} compatibility`)
  }
}

async function assertMigrated (t: TestContext, databaseUrl: string): Promise<void> {
  const client = await connectTestDatabase(t, databaseUrl)
  const { rows } = await client.query<{ version: string }>('SELECT version FROM energy_usage.schema_migrations ORDER BY version')
  assert.deepStrictEqual(rows.map(r => r.version), ALL_VERSIONS)
}

const NOTHING_CHANGED = { databaseCreated: false, migrationsApplied: [], topicChanges: [], schemasRegistered: [] }

test('setup in a fresh namespace creates database, topics and schemas as designed; a second run changes nothing', async t => {
  const namespace = `${uniqueName('test-setup')}.`
  const config = testConfig({ DATABASE_URL: testDatabaseUrl(t), PIPELINE_NAMESPACE: namespace })
  assert.equal(config.namespace, namespace)
  for (const topic of CONTRACT_TOPICS) deleteTopicAfter(t, namespace + topic, config)
  for (const topic of LOCAL_SCHEMAS.keys()) deleteSubjectAfter(t, valueSubject(namespace + topic), config)

  const first = await setup(config, silentLog, topology)
  assert.deepStrictEqual({ ...first, topicChanges: [...first.topicChanges].sort(), schemasRegistered: [...first.schemasRegistered].sort() }, {
    databaseCreated: true,
    migrationsApplied: ALL_VERSIONS,
    topicChanges: CONTRACT_TOPICS.map(topic => `${namespace}${topic} created`).sort(),
    schemasRegistered: [...LOCAL_SCHEMAS.keys()].map(topic => valueSubject(namespace + topic)).sort()
  })
  await assertMigrated(t, config.databaseUrl)
  await assertAsDesigned(t, config, namespace)

  assert.deepStrictEqual(await setup(config, silentLog, topology), NOTHING_CHANGED)
})

test('setup with the contract names leaves every global topic and schema as designed; a second run changes nothing', async t => {
  const config = testConfig({ DATABASE_URL: testDatabaseUrl(t), PIPELINE_NAMESPACE: '' })
  const first = await setup(config, silentLog, topology)
  assert.equal(first.databaseCreated, true)
  assert.deepStrictEqual(first.migrationsApplied, ALL_VERSIONS)
  await assertMigrated(t, config.databaseUrl)
  await assertAsDesigned(t, config, '')

  assert.deepStrictEqual(await setup(config, silentLog, topology), NOTHING_CHANGED)
})

test('ensureTopics creates a missing topic, repairs config drift, and refuses a partition count it cannot change', async t => {
  const config = testConfig()
  const name = uniqueName('test-ensure')
  deleteTopicAfter(t, name, config)
  const spec: TopicSpec = { name, copartitioned: true, configs: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '60000' } }
  const admin = createAdmin(config, 'energy-test-setup')
  t.after(() => admin.close())

  assert.deepStrictEqual(await ensureTopics(admin, [spec], 3), [
    { topic: name, action: 'created', detail: '3 partitions, cleanup.policy=compact, min.compaction.lag.ms=60000' }
  ])
  assert.deepStrictEqual(await ensureTopics(admin, [spec], 3), [])

  await admin.incrementalAlterConfigs({
    resources: [{
      resourceType: ConfigResourceTypes.TOPIC,
      resourceName: name,
      configs: [{ name: 'cleanup.policy', value: 'delete', configOperation: IncrementalAlterConfigOperationTypes.SET }]
    }]
  })
  assert.deepStrictEqual(await ensureTopics(admin, [spec], 3), [{ topic: name, action: 'reconfigured', detail: 'cleanup.policy=compact' }])
  const [described] = await admin.describeConfigs({
    resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: name, configurationKeys: ['cleanup.policy'] }]
  })
  assert.deepStrictEqual(described.configs.map(c => [c.name, c.value]), [['cleanup.policy', 'compact']])

  await assert.rejects(ensureTopics(admin, [spec], 4), {
    code: 'ENERGY_CONFIG',
    topic: name,
    message: `topic ${name} has 3 partitions, the pipeline needs 4 (TOPIC_PARTITIONS); ` +
      'recreate it (npm run stack -- reset) rather than repartitioning a co-partitioned topic'
  })
})
