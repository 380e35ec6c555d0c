import { test } from 'node:test'
import assert from 'node:assert/strict'
import { carbonRanges, MAX_RANGE_MS } from '../../../../clients/carbon/ranges.ts'
import { londonSpan, SLOT_MS } from '../../../../lib/london-day.ts'

const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 16) + 'Z'
/** Each range as the query it makes: from = its first slot's end, to = its last slot's end. */
const queries = (first: string, days: number): string[] => carbonRanges(londonSpan(first, days)).map(r => `${iso(r.startMs + SLOT_MS)}/${iso(r.endMs)}`)

test('one day is one range: from its first slot\'s end to its last\'s', () => {
  assert.deepStrictEqual(queries('2024-06-15', 1), ['2024-06-14T23:30Z/2024-06-15T23:00Z'])
  // 46- and 50-slot days.
  assert.deepStrictEqual(queries('2024-03-31', 1), ['2024-03-31T00:30Z/2024-03-31T23:00Z'])
  assert.deepStrictEqual(queries('2024-10-27', 1), ['2024-10-26T23:30Z/2024-10-28T00:00Z'])
})

test('a span is cut into ranges of at most 14 days that cover every slot once, in order', () => {
  const span = londonSpan('2024-02-01', 120)
  const ranges = carbonRanges(span)
  assert.equal(ranges[0].startMs, span.startMs)
  assert.equal(ranges.at(-1)?.endMs, span.endMs)
  for (let i = 1; i < ranges.length; i++) assert.equal(ranges[i].startMs, ranges[i - 1].endMs)
  for (const r of ranges) assert.ok(r.endMs - (r.startMs + SLOT_MS) <= MAX_RANGE_MS)
  // 120 days across the March DST change: 5758 slots, 673 a range (14 days of ends, both counted).
  assert.equal((span.endMs - span.startMs) / SLOT_MS, 5758)
  assert.equal(ranges.length, Math.ceil(5758 / 673))
})

test('no range holds slot ends of two UTC years (the API loses the second): the slot ending at New Year opens the new year\'s range', () => {
  assert.deepStrictEqual(queries('2022-12-25', 14), [
    '2022-12-25T00:30Z/2022-12-31T23:30Z',
    '2023-01-01T00:00Z/2023-01-08T00:00Z'
  ])
  // A London year: 27 ranges of its slot ends plus the one slot ending at the next New Year.
  const year = queries('2023-01-01', 365)
  assert.equal(year.length, 28)
  assert.deepStrictEqual(year.at(-1), '2024-01-01T00:00Z/2024-01-01T00:00Z')
  for (const q of year) {
    const [from, to] = q.split('/')
    assert.equal(from.slice(0, 4), to.slice(0, 4), q)
  }
})
