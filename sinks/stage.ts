import type { Message } from '@platformatic/kafka'
import type { Codec } from '../lib/avro.ts'
import type { StagedRow } from '../lib/copy-writer.ts'
import { EnergyError, isEnergyError } from '../lib/errors.ts'
import type { SinkTarget } from './tables.ts'

type Incoming = Message<string, Buffer, string, string>

/**
 * Decodes a batch into staging rows, in order (`seq` = position in the batch). A tombstone
 * becomes a delete of its key; a record that cannot be decoded goes to `reject` and is
 * skipped. Registry outages (retryable) are thrown: the batch must be retried, not skipped.
 */
export async function stageRecords (codec: Codec, target: SinkTarget, topic: string, batch: Incoming[], reject: (m: Incoming, err: unknown) => Promise<void>): Promise<StagedRow[]> {
  const rows: StagedRow[] = []
  const recordKey = target.spec.recordKey ?? target.spec.rowKey
  for (let seq = 0; seq < batch.length; seq++) {
    const m = batch[seq]
    try {
      if (m.value === undefined || m.value.length === 0) {
        if (m.key === undefined) throw new EnergyError('ENERGY_DECODE', 'tombstone without a key', { topic })
        const keyValues = target.keyValues(m.key)
        rows.push({ seq, deleted: true, values: target.spec.columns.map(c => recordKey.includes(c) ? keyValues[recordKey.indexOf(c)] : null) })
        continue
      }
      const record = await codec.decode(topic, m.value)
      for (const values of target.toRows(record)) rows.push({ seq, deleted: false, values })
    } catch (err) {
      if (isEnergyError(err) && err.retryable) throw err
      await reject(m, err)
    }
  }
  return rows
}
