import { createServer } from 'node:net'
import pg from 'pg'
import { loadConfig, type Config } from './config.ts'
import type { Logger } from './log.ts'
import { setup, type SetupPlan } from './setup.ts'
import { createAdmin } from './kafka.ts'
import { valueSubject } from './topics.ts'
import { createRegistryClient } from './registry.ts'

// A throwaway pipeline environment on the shared stack (the benchmark, the fault suite, the
// tests): its own topic namespace, its own database and a free port for the sample API, set up
// from the topology's plan. `dispose` deletes the topics, subjects and the database.

export interface Environment {
  namespace: string
  config: Readonly<Config>
  /** Variables that point a child process at this environment. */
  env: Record<string, string>
  dispose (): Promise<void>
}

export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise(resolve => server.close(resolve))
  return typeof address === 'object' && address !== null ? address.port : 0
}

export async function createEnvironment (name: string, log: Logger, plan: SetupPlan, extra: Record<string, string> = {}): Promise<Environment> {
  const id = `${name}_${Date.now().toString(36)}`
  const base = loadConfig()
  const database = new URL(base.databaseUrl)
  database.pathname = `/energy_${id}`
  const port = await freePort()
  const env: Record<string, string> = {
    PIPELINE_NAMESPACE: `${id}.`,
    DATABASE_URL: database.toString(),
    SAMPLE_API_PORT: String(port),
    CARBON_API_URL: `http://127.0.0.1:${port}/carbon`,
    OCTOPUS_API_URL: `http://127.0.0.1:${port}/octopus/v1`,
    // The account refresh and the dispatches poller ask this environment's sample GraphQL too.
    OCTOPUS_GRAPHQL_URL: `http://127.0.0.1:${port}/octopus/v1/graphql/`,
    LOG_LEVEL: 'warn',
    ...extra
  }
  const config = loadConfig({ ...process.env, ...env })
  await setup(config, log, plan)
  return {
    namespace: config.namespace,
    config,
    env,
    async dispose () {
      const topics = plan.topicSpecs.map(s => config.namespace + s.name)
      const admin = createAdmin(config)
      try {
        await admin.deleteTopics({ topics })
      } finally {
        await admin.close()
      }
      const registry = createRegistryClient(config)
      for (const topic of topics) await registry.deleteSubject(valueSubject(topic))
      const url = new URL(config.databaseUrl)
      url.pathname = '/postgres'
      const client = new pg.Client({ connectionString: url.toString() })
      await client.connect()
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database.pathname.slice(1))} WITH (FORCE)`)
      await client.end()
    }
  }
}
