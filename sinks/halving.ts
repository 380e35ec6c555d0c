/** True for a Postgres integrity violation (SQLSTATE class 23: check, not-null, unique, …). */
export function isConstraintViolation (err: unknown): boolean {
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' && code.startsWith('23')
}

/**
 * Writes records [0, n) with `write(lo, hi, withRows)`. When Postgres refuses a range for a
 * constraint, the range is halved until the offending record is alone; `offender(i, err)`
 * is told, and that record's range is written without rows, so its offset still moves and
 * the records around it land.
 */
export async function writeHalving (n: number, write: (lo: number, hi: number, withRows: boolean) => Promise<void>, offender: (i: number, err: unknown) => Promise<void>): Promise<void> {
  const run = async (lo: number, hi: number): Promise<void> => {
    try {
      await write(lo, hi, true)
    } catch (err) {
      if (!isConstraintViolation(err)) throw err
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
