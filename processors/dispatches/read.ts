import type { Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import { describeError } from '../../lib/errors.ts'
import type { Logger } from '../../lib/log.ts'
import { readTopic } from '../../lib/range-reader.ts'
import type { DispatchSnapshot } from './types.ts'

/** The latest snapshot per dispatch on energy.dispatches (compacted, one partition), read committed. */
export async function readSnapshots (config: Readonly<Config>, codec: Codec, topic: string, log: Logger): Promise<Map<string, DispatchSnapshot>> {
  const latest = new Map<string, DispatchSnapshot>()
  await readTopic(config, topic, async records => {
    for (const r of records) {
      if (r.key === undefined) continue
      if (r.value === undefined) {
        latest.delete(r.key)
        continue
      }
      try {
        latest.set(r.key, await codec.decode<DispatchSnapshot>(topic, r.value))
      } catch (err) {
        // Only the poller writes the topic; a record that cannot be read keeps the one before it.
        log.error({ err: describeError(err), offset: String(r.offset), key: r.key }, 'energy.dispatches record cannot be decoded, keeping the previous one')
      }
    }
  })
  return latest
}
