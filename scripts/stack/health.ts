import { createAdmin } from '../../lib/kafka.ts'
import type { Config } from '../../lib/config.ts'

export async function kafkaHealthy (config: Pick<Config, 'kafkaBrokers'>): Promise<boolean> {
  const admin = createAdmin(config, 'energy-stack-health')
  try {
    await admin.listTopics()
    return true
  } catch {
    return false
  } finally {
    await admin.close().catch(() => {})
  }
}

export async function registryHealthy (config: Pick<Config, 'schemaRegistryUrl'>): Promise<boolean> {
  try {
    const res = await fetch(`${config.schemaRegistryUrl}/subjects`, { signal: AbortSignal.timeout(2000) })
    return res.ok
  } catch {
    return false
  }
}
