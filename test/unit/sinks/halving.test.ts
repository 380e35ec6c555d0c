import assert from 'node:assert/strict'
import { test } from 'node:test'
import pg from 'pg'
import { writeHalving } from '../../../sinks/halving.ts'

function pgError (code: string, message: string): pg.DatabaseError {
  const err = new pg.DatabaseError(message, message.length, 'error')
  err.severity = 'ERROR'
  err.code = code
  return err
}

/** A fake writer: a range fails with `fail(i)` while it holds a bad record's rows. */
function fakeWriter (bad: Map<number, () => Error>) {
  const landed: number[] = []
  const writes: string[] = []
  const write = async (lo: number, hi: number, withRows: boolean): Promise<void> => {
    writes.push(`${lo}-${hi}${withRows ? '' : ' (offsets only)'}`)
    if (withRows) {
      for (let i = lo; i < hi; i++) {
        const fail = bad.get(i)
        if (fail !== undefined) throw fail()
      }
      for (let i = lo; i < hi; i++) landed.push(i)
    }
  }
  return { landed, writes, write }
}

test('halving narrows a data exception (22021, a NUL byte) to its record; the others land', async () => {
  const w = fakeWriter(new Map([[5, () => pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00')]]))
  const offenders: Array<[number, string | undefined]> = []
  await writeHalving(8, w.write, async (i, err) => { offenders.push([i, (err as pg.DatabaseError).code]) })
  assert.deepStrictEqual(offenders, [[5, '22021']])
  assert.deepStrictEqual(w.landed.sort((a, b) => a - b), [0, 1, 2, 3, 4, 6, 7])
  assert.ok(w.writes.includes('5-6 (offsets only)'), 'the offender\'s offset still moves')
})

test('halving narrows every record error in a batch: a constraint, \\u0000 in jsonb, a duplicate key', async () => {
  const w = fakeWriter(new Map([
    [0, () => pgError('23514', 'new row violates check constraint "consumption_kwh_check"')],
    [3, () => pgError('22P05', 'unsupported Unicode escape sequence')],
    [6, () => pgError('21000', 'ON CONFLICT DO UPDATE command cannot affect row a second time')]
  ]))
  const offenders: Array<[number, string | undefined]> = []
  await writeHalving(7, w.write, async (i, err) => { offenders.push([i, (err as pg.DatabaseError).code]) })
  assert.deepStrictEqual(offenders, [[0, '23514'], [3, '22P05'], [6, '21000']])
  assert.deepStrictEqual(w.landed.sort((a, b) => a - b), [1, 2, 4, 5])
})

test('halving throws a table error (42P01) at once: no record is dead-lettered', async () => {
  const w = fakeWriter(new Map([[0, () => pgError('42P01', 'relation "energy_usage.generation_mix" does not exist')]]))
  const offenders: number[] = []
  await assert.rejects(writeHalving(4, w.write, async i => { offenders.push(i) }), { code: '42P01', message: 'relation "energy_usage.generation_mix" does not exist' })
  assert.deepStrictEqual({ offenders, writes: w.writes }, { offenders: [], writes: ['0-4'] })
})

test('halving throws a transient error (ECONNRESET, 40P01) at once, for the retry around it', async () => {
  for (const err of [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), pgError('40P01', 'deadlock detected')]) {
    const w = fakeWriter(new Map([[2, () => err]]))
    const offenders: number[] = []
    await assert.rejects(writeHalving(4, w.write, async i => { offenders.push(i) }), err)
    assert.deepStrictEqual({ offenders, writes: w.writes }, { offenders: [], writes: ['0-4'] })
  }
})
