import type { Config } from '../config.ts'
import { readRanges, type OffsetRange, type RangeRecord } from '../range-reader.ts'
import type { Counters } from './counters.ts'

// Restore from compacted inputs (lib/range-reader.ts), with its progress in the task's
// counters: the offsets it has to read, the records read so far, and whether it ended.

export type Restore = (ranges: OffsetRange[], onRecords: (records: RangeRecord[]) => Promise<void>) => Promise<number>

export function createRestore (config: Pick<Config, 'kafkaBrokers' | 'namespace'>, counters: Counters): Restore {
  return async (ranges, onRecords) => {
    const offsets = ranges.reduce((n, r) => n + Math.max(0, Number(r.until - (r.from ?? 0n))), 0)
    const progress = { records: 0, offsets, done: false }
    counters.restore(progress)
    const read = await readRanges(config, ranges, async records => {
      await onRecords(records)
      progress.records += records.length
      counters.restore(progress)
    })
    counters.restore({ ...progress, records: read, done: true })
    return read
  }
}
