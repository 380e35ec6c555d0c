import { randomBytes } from 'node:crypto'
import type { TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import type { Message } from '@platformatic/kafka'
import { loadConfig, type Config } from '../lib/config.ts'
import { createAdmin, createConsumer, createProducer, READ_COMMITTED } from '../lib/kafka.ts'
import { createLogger, type Logger } from '../lib/log.ts'
import { migrate } from '../lib/migrate.ts'
import { createRegistryClient, type RegistryClient } from '../lib/registry.ts'
import { valueSubject } from '../lib/topics.ts'

// Shared helpers for integration tests. Kafka, the registry and Postgres stay real; every
// test gets uniquely named topics, subjects and databases and removes them in t.after.

/** A logger that writes nothing, for factories that need one. */
export const silentLog: Logger = createLogger('silent')

let counter = 0

/**
 * A name no other test (or test run) uses: prefix, pid, time and randomness, lower case
 * [a-z0-9-] only, so it is a valid Kafka topic, registry subject and (with `-` → `_`)
 * Postgres identifier.
 */
export function uniqueName (prefix: string): string {
  counter += 1
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}-${randomBytes(3).toString('hex')}`
}

/**
 * The configuration tests run with: the environment (and `.env`) as the processes see it,
 * with DATABASE_URL pointing at `<database>_test` on the same server (energy_test by
 * default) so a test never touches the development database, then `overrides`.
 */
export function testConfig (overrides: Record<string, string> = {}): Readonly<Config> {
  // loadConfig() reads `.env` into process.env (never overriding real variables), so the
  // second call below sees the same variables the processes would.
  const base = loadConfig()
  const url = new URL(base.databaseUrl)
  const name = decodeURIComponent(url.pathname.slice(1))
  url.pathname = `/${name.endsWith('_test') ? name : `${name}_test`}`
  return loadConfig({ ...process.env, DATABASE_URL: url.toString(), ...overrides })
}

/** Deletes a topic in t.after (for topics a test's code under test creates). */
export function deleteTopicAfter (t: TestContext, topic: string, config: Pick<Config, 'kafkaBrokers'> = testConfig()): void {
  t.after(async () => {
    const admin = createAdmin(config, 'energy-test-admin')
    try {
      if ((await admin.listTopics()).includes(topic)) await admin.deleteTopics({ topics: [topic] })
    } finally {
      await admin.close()
    }
  })
}

export interface TestTopicOptions {
  partitions?: number
  configs?: Record<string, string>
  config?: Pick<Config, 'kafkaBrokers'>
  prefix?: string
}

/** Creates a uniquely named topic, waits until every partition has a leader, deletes it in t.after. */
export async function createTestTopic (t: TestContext, options: TestTopicOptions = {}): Promise<string> {
  const { partitions = 1, configs = {}, config = testConfig(), prefix = 'test' } = options
  const topic = uniqueName(prefix)
  const admin = createAdmin(config, 'energy-test-admin')
  try {
    await admin.createTopics({
      topics: [topic],
      partitions,
      replicas: 1,
      configs: Object.entries(configs).map(([name, value]) => ({ name, value }))
    })
    deleteTopicAfter(t, topic, config)
    // A new topic's partitions get leaders a moment after CreateTopics answers.
    for (let attempt = 0; ; attempt++) {
      const metadata = await admin.metadata({ topics: [topic], forceUpdate: true })
      const found = metadata.topics.get(topic)
      if (found !== undefined && found.partitionsCount === partitions && found.partitions.every(p => p.leader >= 0)) break
      if (attempt >= 50) throw new Error(`topic ${topic} has no leaders after 5 s`)
      await sleep(100)
    }
  } finally {
    await admin.close()
  }
  return topic
}

/** The registry client tests use. */
export function testRegistry (config: Pick<Config, 'schemaRegistryUrl'> = testConfig()): RegistryClient {
  return createRegistryClient(config.schemaRegistryUrl)
}

/**
 * Deletes a subject in t.after: soft delete, then permanent (Apicurio runs with deletion
 * enabled), then its compatibility level, which Apicurio keeps after the subject is gone.
 * 404s are fine: the test may never have registered it.
 */
export function deleteSubjectAfter (t: TestContext, subject: string, config: Pick<Config, 'schemaRegistryUrl'> = testConfig()): void {
  t.after(async () => {
    const base = config.schemaRegistryUrl
    const s = encodeURIComponent(subject)
    for (const path of [`/subjects/${s}`, `/subjects/${s}?permanent=true`, `/config/${s}`]) {
      const res = await fetch(base + path, { method: 'DELETE', signal: AbortSignal.timeout(10000) })
      await res.text()
      if (!res.ok && res.status !== 404) throw new Error(`DELETE ${path} answered ${res.status}`)
    }
  })
}

export interface TestSubject {
  subject: string
  id: number
}

/**
 * Registers `schema` as `<topic>-value` through lib/registry.ts (BACKWARD, set first, as
 * lib/schemas.ts does) and deletes the subject in t.after.
 */
export async function createTestSubject (t: TestContext, topic: string, schema: string | object,
  config: Pick<Config, 'schemaRegistryUrl'> = testConfig()): Promise<TestSubject> {
  const subject = valueSubject(topic)
  const text = typeof schema === 'string' ? schema : JSON.stringify(schema)
  const registry = testRegistry(config)
  deleteSubjectAfter(t, subject, config)
  await registry.setCompatibility(subject, 'BACKWARD')
  const id = await registry.register(subject, text)
  return { subject, id }
}

/** Registered versions of a subject ([] when it does not exist). */
export async function subjectVersions (subject: string, config: Pick<Config, 'schemaRegistryUrl'> = testConfig()): Promise<number[]> {
  const res = await fetch(`${config.schemaRegistryUrl}/subjects/${encodeURIComponent(subject)}/versions`, { signal: AbortSignal.timeout(10000) })
  const text = await res.text()
  if (res.status === 404) return []
  if (!res.ok) throw new Error(`GET versions of ${subject} answered ${res.status}: ${text}`)
  return JSON.parse(text) as number[]
}

/** The URL of `name` on the server of `databaseUrl`. */
function databaseUrlFor (databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl)
  url.pathname = `/${name}`
  return url.toString()
}

async function withMaintenanceClient<T> (databaseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrlFor(databaseUrl, 'postgres'), application_name: 'energy-test' })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/**
 * A unique database URL that does not exist yet (for code that creates it, like setup); the
 * database is dropped in t.after if anything created it.
 */
export function testDatabaseUrl (t: TestContext, config: Pick<Config, 'databaseUrl'> = testConfig()): string {
  const name = uniqueName('energy_test').replaceAll('-', '_')
  t.after(() => withMaintenanceClient(config.databaseUrl, async client => {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`)
  }))
  return databaseUrlFor(config.databaseUrl, name)
}

export interface TestDatabaseOptions {
  /** Apply sql/ migrations too. */
  migrate?: boolean
  config?: Pick<Config, 'databaseUrl'>
}

/** Creates a fresh, uniquely named database (migrated if asked); returns its URL; drops it in t.after. */
export async function createTestDatabase (t: TestContext, options: TestDatabaseOptions = {}): Promise<string> {
  const url = testDatabaseUrl(t, options.config)
  const name = decodeURIComponent(new URL(url).pathname.slice(1))
  await withMaintenanceClient(url, client => client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`))
  if (options.migrate === true) {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      await migrate(client, silentLog)
    } finally {
      await client.end()
    }
  }
  return url
}

/**
 * A client of a test database, ended in t.after. t.after hooks run in the order they were
 * registered, so a database from createTestDatabase is dropped (WITH (FORCE), terminating
 * connections) before hooks registered later run. The client's 'error' event (which only
 * reports a connection dying between queries; queries reject on their own) is therefore
 * ignored instead of crashing the test as an unhandled 'error'.
 */
export async function connectTestDatabase (t: TestContext, url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'energy-test' })
  client.on('error', () => {})
  await client.connect()
  t.after(() => client.end().catch(() => {}))
  return client
}

export interface TestMessage {
  key: string
  value: Buffer
  headers?: Record<string, string>
  partition?: number
}

/** Produces messages (not transactionally) and waits for the acks. */
export async function produceMessages (topic: string, messages: TestMessage[], config: Pick<Config, 'kafkaBrokers'> = testConfig()): Promise<void> {
  const producer = createProducer(config, { clientId: uniqueName('test-producer') })
  try {
    await producer.send({ messages: messages.map(m => ({ topic, ...m })) })
  } finally {
    await producer.close()
  }
}

export type ConsumedMessage = Message<string, Buffer, string, string>

export interface ConsumeAllOptions {
  /** read_committed (the default, as the pipeline consumes) or read_uncommitted. */
  isolation?: 'read_committed' | 'read_uncommitted'
  timeoutMs?: number
  config?: Pick<Config, 'kafkaBrokers'>
}

/**
 * Every message of a topic from the earliest offsets up to the end offsets as they are when
 * called: the last stable offset for read_committed, the high watermark for
 * read_uncommitted. In partition, then offset, order.
 */
export async function consumeAll (topic: string, options: ConsumeAllOptions = {}): Promise<ConsumedMessage[]> {
  const { isolation = 'read_committed', timeoutMs = 15000, config = testConfig() } = options
  // Kafka's FetchIsolationLevel: 0 = READ_UNCOMMITTED, 1 = READ_COMMITTED.
  const isolationLevel = isolation === 'read_committed' ? READ_COMMITTED : 0
  const group = uniqueName('test-consume-all')
  const consumer = createConsumer(config, { clientId: group, groupId: group })
  try {
    const ends = (await consumer.listOffsets({ topics: [topic], isolationLevel })).get(topic)
    const starts = (await consumer.listOffsets({ topics: [topic], isolationLevel, timestamp: -2n })).get(topic)
    if (ends === undefined || starts === undefined) throw new Error(`topic ${topic} has no partitions`)
    if (ends.every((end, p) => end <= starts[p])) return []

    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false, isolationLevel })
    const messages: ConsumedMessage[] = []
    try {
      await new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + timeoutMs
        const timer = setInterval(() => {
          // The stream's next fetch offset moves past transaction markers too, so it reaches
          // the end offset even when the last offset is a commit marker, not a message.
          const done = stream.readableLength === 0 && ends.every((end, p) => (stream.offsetsToFetch.get(`${topic}:${p}`) ?? -1n) >= end)
          if (done) {
            clearInterval(timer)
            resolve()
          } else if (Date.now() > deadline) {
            clearInterval(timer)
            const at = ends.map((end, p) => `${p}: ${stream.offsetsToFetch.get(`${topic}:${p}`)}/${end}`).join(', ')
            reject(new Error(`consumeAll(${topic}) timed out after ${timeoutMs} ms at offsets ${at}`))
          }
        }, 20)
        stream.on('data', (message: ConsumedMessage) => {
          if (message.offset < ends[message.partition]) messages.push(message)
        })
        stream.once('error', err => {
          clearInterval(timer)
          reject(err)
        })
      })
    } finally {
      await stream.close()
    }
    return messages.sort((a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0))
  } finally {
    await consumer.close(true)
    // An empty group would otherwise linger in the broker until offsets retention expires it.
    const admin = createAdmin(config, 'energy-test-admin')
    await admin.deleteGroups({ groups: [group] }).catch(() => {})
    await admin.close()
  }
}

/**
 * The same value with every object made a plain object: avsc decodes records into instances
 * of generated classes, and deepStrictEqual compares prototypes. Buffers, bigints and other
 * leaves are kept as they are.
 */
export function plain<T> (value: T): T {
  if (Array.isArray(value)) return value.map(plain) as T
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || value instanceof Date) return value
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)])) as T
}

/** The daily figures of meters a household does not have (no export, no gas meter): zeros. */
export const NO_EXPORT_OR_GAS = {
  export_kwh: 0,
  export_value: 0,
  gas_kwh: 0,
  gas_cost_inc_vat: 0,
  gas_cost_exc_vat: 0,
  gas_standing_charge_inc_vat: 0,
  gas_standing_charge_exc_vat: 0,
  gas_carbon_g: 0
} as const

/** The regional figures of a day without regional data (no region configured): null. */
export const NO_REGIONAL = { carbon_g_regional: null, avg_intensity_regional: null } as const
/** daily_summary's dispatch fields of a day without Intelligent Octopus dispatches (their defaults). */
export const NO_DISPATCHES = { dispatch_kwh: 0, dispatch_saving: 0, dispatch_note: null } as const
/** daily_summary's billed fields of a day without Octopus's own figures (their defaults). */
export const NO_BILLED = { billed_inc_vat: null, billed_difference: null, billed_other_statistics: 0 } as const
