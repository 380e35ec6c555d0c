import { isRecordError } from './sql-errors.ts'

/**
 * Writes records [0, n) with `write(lo, hi, withRows)`. When Postgres refuses a range for a
 * record's values (isRecordError: classes 21, 22, 23, 44 and 54000), the range is halved until
 * the offending record is alone; `offender(i, err)` is told, and that record's range is
 * written without rows, so its offset still moves and the records around it land. Any other
 * error is thrown at once: it is about the connection or the table, not a record.
 */
export async function writeHalving (n: number, write: (lo: number, hi: number, withRows: boolean) => Promise<void>, offender: (i: number, err: unknown) => Promise<void>): Promise<void> {
  const run = async (lo: number, hi: number): Promise<void> => {
    try {
      await write(lo, hi, true)
    } catch (err) {
      if (!isRecordError(err)) throw err
      if (hi - lo === 1) {
        await offender(lo, err)
        await write(lo, hi, false)
        return
      }
      const mid = lo + Math.ceil((hi - lo) / 2)
      await run(lo, mid)
      await run(mid, hi)
    }
  }
  if (n > 0) await run(0, n)
}
