import type { CopyValue } from '../../lib/copy-writer.ts'

/** Kafka keys of slot records are ISO-8601 UTC slot starts: a tombstone's key columns. */
export function slotKeyValues (key: string): CopyValue[] {
  return [Date.parse(key)]
}
