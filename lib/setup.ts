import { createAdmin } from './kafka.ts'
import { ensureDatabase, migrate } from './migrate.ts'
import { ensureTopics } from './topic-admin.ts'
import { createRegistryClient } from './registry.ts'
import { registerSchemas } from './schemas.ts'
import { createPool } from './db.ts'
import type { TopicSpec } from './topics.ts'
import { redactUrl, type Config } from './config.ts'
import type { Logger } from './log.ts'

export interface SetupReport {
  databaseCreated: boolean
  migrationsApplied: string[]
  topicChanges: string[]
  schemasRegistered: string[]
}

/** What setup creates in Kafka and the registry: the topology's topics and value schemas. */
export interface SetupPlan {
  /** In contract names; the config's namespace is prefixed. */
  topicSpecs: readonly TopicSpec[]
  /** Value schema per contract topic name. */
  schemas: ReadonlyMap<string, string>
}

/** Database, migrations, topics and schemas; every step is idempotent. */
export async function setup (config: Config, log: Logger, plan: SetupPlan): Promise<SetupReport> {
  const databaseCreated = await ensureDatabase(config.databaseUrl)
  if (databaseCreated) log.info({ database: redactUrl(config.databaseUrl) }, 'database created')

  const pool = createPool(config.databaseUrl, log, 1)
  let migrationsApplied: string[]
  try {
    const client = await pool.connect()
    try {
      migrationsApplied = await migrate(client, log)
    } finally {
      client.release()
    }
  } finally {
    await pool.end()
  }

  const admin = createAdmin(config)
  let topicChanges: string[]
  try {
    const changes = await ensureTopics(admin, plan.topicSpecs.map(spec => ({ ...spec, name: config.namespace + spec.name })), config.topicPartitions)
    for (const c of changes) log.info({ topic: c.topic, detail: c.detail }, `topic ${c.action}`)
    topicChanges = changes.map(c => `${c.topic} ${c.action}`)
  } finally {
    await admin.close()
  }

  const checks = await registerSchemas(createRegistryClient(config), plan.schemas, config.namespace)
  const schemasRegistered = checks.filter(c => c.status !== 'registered').map(c => c.subject)
  for (const subject of schemasRegistered) log.info({ subject }, 'schema registered')

  return { databaseCreated, migrationsApplied, topicChanges, schemasRegistered }
}
