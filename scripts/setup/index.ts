import { createAdmin } from '../../lib/kafka.ts'
import { ensureDatabase, migrate } from '../../lib/migrate.ts'
import { ensureTopics } from '../../lib/topic-admin.ts'
import { createRegistryClient } from '../../lib/registry.ts'
import { loadLocalSchemas } from '../../lib/avro.ts'
import { registerSchemas } from '../../lib/schemas.ts'
import { createPool } from '../../lib/db.ts'
import { topicSpecsFor } from '../../lib/topics.ts'
import { redactUrl, type Config } from '../../lib/config.ts'
import type { Logger } from '../../lib/log.ts'

export interface SetupReport {
  databaseCreated: boolean
  migrationsApplied: string[]
  topicChanges: string[]
  schemasRegistered: string[]
}

/** Database, migrations, topics and schemas; every step is idempotent. */
export async function setup (config: Config, log: Logger): Promise<SetupReport> {
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
    const changes = await ensureTopics(admin, topicSpecsFor(config.namespace), config.topicPartitions)
    for (const c of changes) log.info({ topic: c.topic, detail: c.detail }, `topic ${c.action}`)
    topicChanges = changes.map(c => `${c.topic} ${c.action}`)
  } finally {
    await admin.close()
  }

  const checks = await registerSchemas(createRegistryClient(config.schemaRegistryUrl), loadLocalSchemas(), config.namespace)
  const schemasRegistered = checks.filter(c => c.status !== 'registered').map(c => c.subject)
  for (const subject of schemasRegistered) log.info({ subject }, 'schema registered')

  return { databaseCreated, migrationsApplied, topicChanges, schemasRegistered }
}
