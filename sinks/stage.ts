import type { Codec } from '../lib/avro.ts'
import type { StagedRow } from '../lib/copy-writer.ts'
import { EnergyError } from '../lib/errors.ts'
import type { SinkTarget } from '../lib/copy-writer.ts'

/** What staging reads of a record: the sink's messages and replay's range records both have it. */
interface Incoming { key?: string, value?: Buffer }

/**
 * Decodes a batch into staging rows, in order (`seq` = position in the batch). A tombstone
 * becomes a delete of its key; a record that cannot be decoded goes to `reject` and is
 * skipped. Registry outages (retryable) are thrown: the batch must be retried, not skipped.
 */
export async function stageRecords<M extends Incoming> (codec: Codec, target: SinkTarget, topic: string, batch: M[], reject: (m: M, err: unknown) => Promise<void>): Promise<StagedRow[]> {
  const values = batch.map(m => m.value ?? EMPTY)
  const decoded = await codec.decodeMany(topic, values)
  const rejected: Array<[M, unknown]> = []
  const rows = toStagedRows(target, topic, batch, decoded, rejected)
  for (const [m, err] of rejected) await reject(m, err)
  return rows
}

const EMPTY = Buffer.alloc(0)

// Synchronous, so that its loop over a large batch is optimised on the first batch.
function toStagedRows<M extends Incoming> (target: SinkTarget, topic: string, batch: M[], decoded: unknown[], rejected: Array<[M, unknown]>): StagedRow[] {
  const rows: StagedRow[] = []
  const { columns } = target.spec
  const recordKey = target.spec.recordKey ?? target.spec.rowKey
  for (let seq = 0; seq < batch.length; seq++) {
    const m = batch[seq]
    try {
      if (m.value === undefined || m.value.length === 0) {
        if (m.key === undefined) throw new EnergyError('ENERGY_DECODE', 'tombstone without a key', { topic })
        const keyValues = target.keyValues(m.key)
        rows.push({ seq, deleted: true, values: columns.map(c => recordKey.includes(c) ? keyValues[recordKey.indexOf(c)] : null) })
        continue
      }
      const record = decoded[seq]
      if (record instanceof EnergyError) throw record
      for (const values of target.toRows(record)) rows.push({ seq, deleted: false, values })
    } catch (err) {
      rejected.push([m, err])
    }
  }
  return rows
}
