import type { Config } from '../config.ts'
import { readRanges, type OffsetRange, type RangeRecord } from '../range-reader.ts'
import type { Counters } from './counters.ts'

// Restore from compacted inputs (lib/range-reader.ts), with its progress in the task's
// counters: the offsets it has to read, the records read so far, and whether it ended.

/** A later read of the same restore: its ranges are asked for once the reads before it ended. */
export interface RestoreStage {
  ranges: () => Promise<OffsetRange[]>
  onRecords: (records: RangeRecord[]) => Promise<void>
}

/** Reads `ranges`, then each stage in turn (the join reads its output last); returns the records read in all. */
export type Restore = (ranges: OffsetRange[], onRecords: (records: RangeRecord[]) => Promise<void>, ...then: RestoreStage[]) => Promise<number>

const offsetsIn = (ranges: OffsetRange[]): number => ranges.reduce((n, r) => n + Math.max(0, Number(r.until - (r.from ?? 0n))), 0)

export function createRestore (config: Pick<Config, 'kafkaBrokers' | 'namespace'>, counters: Counters): Restore {
  return async (ranges, onRecords, ...then) => {
    const progress = { records: 0, offsets: offsetsIn(ranges), done: false }
    counters.restore(progress)
    const stages: RestoreStage[] = [{ ranges: async () => ranges, onRecords }, ...then]
    for (const [i, stage] of stages.entries()) {
      const stageRanges = await stage.ranges()
      if (i > 0) {
        progress.offsets += offsetsIn(stageRanges)
        counters.restore(progress)
      }
      await readRanges(config, stageRanges, async records => {
        await stage.onRecords(records)
        progress.records += records.length
        counters.restore(progress)
      })
    }
    counters.restore({ ...progress, done: true })
    return progress.records
  }
}
