import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MAX_SPAN_DAYS, spansOf } from '../../../../processors/ingest/spans.ts'
import { datesBetween } from '../../../../lib/london-day.ts'

test('consecutive dates make one span, a gap starts another; order and repeats do not matter', () => {
  assert.deepStrictEqual(spansOf(['2024-03-05', '2024-03-01', '2024-03-02', '2024-03-03', '2024-03-02', '2024-02-29']), [
    { date: '2024-02-29', days: 4 },
    { date: '2024-03-05', days: 1 }
  ])
  assert.deepStrictEqual(spansOf([]), [])
})

test('spans are cut at the most days a request covers (default MAX_SPAN_DAYS), across month and year ends', () => {
  const tenYears = datesBetween('2016-01-01', '2025-12-31')
  const spans = spansOf(tenYears)
  assert.deepStrictEqual(spans.map(s => s.days), [731, 731, 731, 731, 729])
  assert.equal(spans[1].date, '2018-01-01')
  assert.ok(spans.every(s => s.days <= MAX_SPAN_DAYS))
  assert.deepStrictEqual(spansOf(datesBetween('2024-12-30', '2025-01-02'), 1).map(s => s.date), ['2024-12-30', '2024-12-31', '2025-01-01', '2025-01-02'])
  assert.deepStrictEqual(spansOf(datesBetween('2024-01-30', '2024-03-02'), 30), [{ date: '2024-01-30', days: 30 }, { date: '2024-02-29', days: 3 }])
})
