import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createRecentRecords, type CountRange, type KeptRecord } from '../../../api/record-counter.ts'
import { cutText, DEAD_LETTER_ERROR_CHARS, newestFirst, parseDeadLetter } from '../../../api/status.ts'
import type { RecentDeadLetter } from '../../../api/types.ts'
import { dlqMessage } from '../../../lib/dlq.ts'
import { EnergyError } from '../../../lib/errors.ts'

// The dead letters of GET /api/status: a record's headers made into a listed letter (the error
// cut), partitions merged newest first, the newest records of a partition kept by its end
// offset, and the dashboard's grouping by component and date (api/public/app.js).

interface Group { label: string, entries: Array<{ code: string, error: string, count: number, at: string | null }> }
// A URL rather than a literal: the dashboard is plain browser JavaScript, without types.
const dashboard = await import(new URL('../../../api/public/app.js', import.meta.url).href) as { groupDeadLetters (letters: RecentDeadLetter[]): Group[] }

const headersOf = (message: { headers?: unknown }): Map<string, string> => new Map(Object.entries(message.headers as Record<string, string>))

test('cutText keeps a message on one line and cuts it to the bound with …, never half a character', () => {
  assert.equal(cutText('usage has no data\nfor 2024-06-15\t yet', 200), 'usage has no data for 2024-06-15 yet')
  assert.equal(cutText('a\u0000b\u001b[31m', 200), 'a b [31m')
  assert.equal(cutText('x'.repeat(200), 200), 'x'.repeat(200))
  assert.equal(cutText('x'.repeat(201), 200), `${'x'.repeat(199)}…`)
  // '😀' is two UTF-16 units: cutting between them would leave a lone surrogate.
  const emoji = `${'x'.repeat(198)}😀😀`
  assert.equal(cutText(emoji, 200), `${'x'.repeat(198)}…`)
  assert.equal(cutText(`${'x'.repeat(197)}😀😀`, 200), `${'x'.repeat(197)}😀…`)
})

test('a dead letter is listed from its headers: when, what wrote it, the date, the code and the error cut', () => {
  const at = Date.parse('2024-06-16T07:30:00.000Z')
  const noData = dlqMessage({
    dlqTopic: 'energy.dlq',
    topic: 'energy_processor',
    partition: 1,
    offset: 42n,
    key: '2024-06-15',
    value: undefined,
    error: new EnergyError('ENERGY_NO_DATA', 'usage has no data for 2024-06-15 yet'),
    context: { 'dlq.processor': 'usage', 'dlq.date': '2024-06-15' }
  }, at)
  assert.deepStrictEqual(parseDeadLetter({ headers: headersOf(noData) }), {
    at: '2024-06-16T07:30:00.000Z', component: 'usage', date: '2024-06-15', code: 'ENERGY_NO_DATA', error: 'usage has no data for 2024-06-15 yet'
  })

  // A sink's dead letter has no date; a long error is cut to 200 characters.
  const long = `row refused: ${'v'.repeat(600)}`
  const sink = dlqMessage({
    dlqTopic: 'energy.dlq',
    topic: 'energy.usage',
    partition: 0,
    offset: 7n,
    key: undefined,
    value: Buffer.from('x'),
    error: new Error(long),
    context: { 'dlq.sink': 'consumption', 'dlq.error.sqlstate': '22P02' }
  }, at)
  const listed = parseDeadLetter({ headers: headersOf(sink) })
  assert.deepStrictEqual(listed, { at: '2024-06-16T07:30:00.000Z', component: 'consumption', date: null, code: 'UNKNOWN', error: `${long.slice(0, DEAD_LETTER_ERROR_CHARS - 1)}…` })
  assert.equal(listed.error.length, DEAD_LETTER_ERROR_CHARS)

  // The ingest processor writes an empty dlq.date when the request had none; a record with
  // no headers at all (not written by lib/dlq.ts) still lists; a huge date is cut.
  assert.deepStrictEqual(parseDeadLetter({ headers: new Map([['dlq.processor', 'co2'], ['dlq.date', '']]) }), { at: null, component: 'co2', date: null, code: 'UNKNOWN', error: '' })
  assert.deepStrictEqual(parseDeadLetter({ headers: new Map() }), { at: null, component: null, date: null, code: 'UNKNOWN', error: '' })
  assert.equal(parseDeadLetter({ headers: new Map([['dlq.date', '9'.repeat(10000)], ['dlq.failed_at', 'not a time']]) }).date, `${'9'.repeat(59)}…`)
})

test('partitions merge newest first by time, each keeping its own (offset) order, to the limit', () => {
  const letter = (at: string, error: string): RecentDeadLetter => ({ at, component: 'join', date: null, code: 'ENERGY_DECODE', error })
  const p0 = [letter('2024-06-16T10:00:00.000Z', 'p0 c'), letter('2024-06-16T08:00:00.000Z', 'p0 b'), letter('2024-06-16T09:30:00.000Z', 'p0 a')]
  const p1 = [letter('2024-06-16T09:00:00.000Z', 'p1 b'), letter('2024-06-16T07:00:00.000Z', 'p1 a')]
  assert.deepStrictEqual(newestFirst([p0, p1], 50).map(l => l.error), ['p0 c', 'p1 b', 'p0 b', 'p0 a', 'p1 a'])
  assert.deepStrictEqual(newestFirst([p0, p1], 2).map(l => l.error), ['p0 c', 'p1 b'])
  assert.deepStrictEqual(newestFirst([[], []], 50), [])
})

test('the dashboard groups dead letters by component and date, newest group first, repeats counted', () => {
  const letter = (component: string | null, date: string | null, code: string, error: string, at: string): RecentDeadLetter => ({ at, component, date, code, error })
  const groups = dashboard.groupDeadLetters([
    letter('usage', '2024-06-15', 'ENERGY_NO_DATA', 'usage has no data for 2024-06-15 yet', '2024-06-16T10:00:00.000Z'),
    letter('join', null, 'ENERGY_DECODE', 'not Confluent-framed', '2024-06-16T09:00:00.000Z'),
    letter('usage', '2024-06-15', 'ENERGY_NO_DATA', 'usage has no data for 2024-06-15 yet', '2024-06-16T08:00:00.000Z'),
    letter('usage', '2024-06-15', 'ENERGY_RATE_LIMITED', 'usage stayed rate limited', '2024-06-16T07:00:00.000Z'),
    letter('pricing', '2024-06-15', 'ENERGY_MALFORMED', 'pricing answer is malformed: results[0] is not an object', '2024-06-16T06:00:00.000Z'),
    letter(null, null, 'UNKNOWN', '', null as unknown as string)
  ])
  assert.deepStrictEqual(groups, [
    {
      label: 'usage 2024-06-15',
      entries: [
        { code: 'ENERGY_NO_DATA', error: 'usage has no data for 2024-06-15 yet', count: 2, at: '2024-06-16T10:00:00.000Z' },
        { code: 'ENERGY_RATE_LIMITED', error: 'usage stayed rate limited', count: 1, at: '2024-06-16T07:00:00.000Z' }
      ]
    },
    { label: 'join', entries: [{ code: 'ENERGY_DECODE', error: 'not Confluent-framed', count: 1, at: '2024-06-16T09:00:00.000Z' }] },
    { label: 'pricing 2024-06-15', entries: [{ code: 'ENERGY_MALFORMED', error: 'pricing answer is malformed: results[0] is not an object', count: 1, at: '2024-06-16T06:00:00.000Z' }] },
    { label: 'unknown component', entries: [{ code: 'UNKNOWN', error: '', count: 1, at: null }] }
  ])
  assert.deepStrictEqual(dashboard.groupDeadLetters([]), [])
})

// A stand-in log for the recent-records reader: offsets that are records, the rest markers
// or aborted records (a read_committed reader never sees them).
function fakeLog (recordOffsets: (offset: bigint) => boolean) {
  const reads: CountRange[][] = []
  const read = async (ranges: CountRange[]): Promise<Array<KeptRecord<string>>> => {
    reads.push(ranges.map(r => ({ ...r })))
    const out: Array<KeptRecord<string>> = []
    for (const r of ranges) for (let o = r.from; o < r.until; o++) if (recordOffsets(o)) out.push({ topic: r.topic, partition: r.partition, offset: o, item: `${r.partition}@${o}` })
    return out
  }
  return { read, reads }
}

const dlq = (until: bigint, from = 0n, partition = 0): CountRange => ({ topic: 'energy.dlq', partition, from, until })
const items = (lists: Array<Array<KeptRecord<string>>>): string[][] => lists.map(list => list.map(r => r.item))
const span = (from: number, until: number, partition = 0): string[] => Array.from({ length: until - from }, (_, i) => `${partition}@${until - 1 - i}`)

test('the newest records are read back from the end only as far as needed, then kept by the end offset', async () => {
  // Every third offset a record (2, 5, 8, …): 2 of 3 offsets are markers or aborted.
  const log = fakeLog(o => o % 3n === 2n)
  const recent = createRecentRecords({ read: log.read, keep: 3, maxOffsets: 1000, ttlMs: 60000 })
  assert.deepStrictEqual(items(await recent.recent([dlq(300n)], 0)), [['0@299', '0@296', '0@293']])
  // The first look back is 4 offsets per record wanted: [288, 300) holds 4 records.
  assert.deepStrictEqual(log.reads, [[dlq(300n, 288n)]])

  // At rest nothing is read.
  assert.deepStrictEqual(items(await recent.recent([dlq(300n)], 1000)), [['0@299', '0@296', '0@293']])
  assert.equal(log.reads.length, 1)

  // New dead letters: only the offsets added are read.
  assert.deepStrictEqual(items(await recent.recent([dlq(306n)], 2000)), [['0@305', '0@302', '0@299']])
  assert.deepStrictEqual(log.reads[1], [dlq(306n, 300n)])

  // After the TTL, read afresh.
  await recent.recent([dlq(306n)], 61000)
  assert.deepStrictEqual(log.reads[2], [dlq(306n, 294n)])
})

test('a long run without records is read back in growing windows, bounded per call, and resumed', async () => {
  // Records only at 0..4 and 500: a long aborted run in between.
  const log = fakeLog(o => o < 5n || o === 500n)
  const recent = createRecentRecords({ read: log.read, keep: 3, maxOffsets: 100, ttlMs: 60000 })
  // 12, 24, 48 and then what is left of the 100 offsets: [400, 501) is not enough.
  assert.deepStrictEqual(items(await recent.recent([dlq(501n)], 0)), [['0@500']])
  assert.deepStrictEqual(log.reads.map(r => [r[0].from, r[0].until]), [[489n, 501n], [465n, 489n], [417n, 465n], [401n, 417n]])
  // The next call reads on from where it stopped, to the log start.
  assert.deepStrictEqual(items(await recent.recent([dlq(501n)], 1000)), [['0@500']])
  assert.deepStrictEqual(log.reads.slice(4).map(r => [r[0].from, r[0].until]), [[389n, 401n], [365n, 389n], [317n, 365n], [301n, 317n]])
  for (let i = 0; i < 3; i++) await recent.recent([dlq(501n)], 2000 + i)
  assert.deepStrictEqual(items(await recent.recent([dlq(501n)], 9000)), [['0@500', '0@4', '0@3']])
  const reads = log.reads.length
  assert.deepStrictEqual(items(await recent.recent([dlq(501n)], 9500)), [['0@500', '0@4', '0@3']])
  assert.equal(log.reads.length, reads)
})

test('a backlog over the bound keeps only the newest offsets; retention and a recreated topic are followed', async () => {
  const log = fakeLog(() => true)
  const recent = createRecentRecords({ read: log.read, keep: 3, maxOffsets: 10, ttlMs: 60000 })
  assert.deepStrictEqual(items(await recent.recent([dlq(5n), dlq(2n, 0n, 1)], 0)), [span(2, 5), span(0, 2, 1)])
  // 1000 new offsets on partition 0: the newest 10 are read, nothing in between.
  assert.deepStrictEqual(items(await recent.recent([dlq(1005n), dlq(2n, 0n, 1)], 1)), [span(1002, 1005), span(0, 2, 1)])
  assert.deepStrictEqual(log.reads.at(-1), [dlq(1005n, 995n)])
  // Retention removed partition 1's first record: it is no longer listed.
  assert.deepStrictEqual(items(await recent.recent([dlq(1005n), dlq(2n, 1n, 1)], 2)), [span(1002, 1005), ['1@1']])
  // Recreated (the end went back): read afresh.
  assert.deepStrictEqual(items(await recent.recent([dlq(2n)], 3)), [span(0, 2)])
})
