import type { Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import { applyToTable } from '../../lib/global-table.ts'
import type { Logger } from '../../lib/log.ts'
import { readTopic } from '../../lib/range-reader.ts'
import type { DispatchSnapshot } from './types.ts'

/**
 * The latest snapshot per dispatch on energy.dispatches (compacted, one partition), read
 * committed: what the dispatches source reads at each fetch (the poller keeps it as its store).
 */
export async function readSnapshots (config: Readonly<Config>, codec: Codec, topic: string, log: Logger): Promise<Map<string, DispatchSnapshot>> {
  const latest = new Map<string, DispatchSnapshot>()
  await readTopic(config, topic, async records => { await applyToTable(latest, records, codec, topic, log) })
  return latest
}
