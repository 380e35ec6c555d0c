import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bestWindows, parseHours, type AheadSlot } from '../../../api/ahead.ts'
import { localDateOf, londonDay, SLOT_MS } from '../../../lib/london-day.ts'

// The window arithmetic of GET /api/ahead, by hand-computed answers. Slots are UTC instants 30
// minutes apart: the runs never count slots per London day.

/** Consecutive slots from `first` (ISO), one per price/intensity pair. */
function slotsFrom (first: string, prices: Array<number | null>, intensities: Array<number | null>): AheadSlot[] {
  assert.equal(prices.length, intensities.length)
  return prices.map((price, i) => ({ start: Date.parse(first) + i * SLOT_MS, price, intensity: intensities[i] }))
}

test('a known forecast: the cheapest, greenest and balanced hour, ties to the earliest, unknown values outside every window', () => {
  // 10:00Z on. 14:00Z has no price, so no hour reaches 14:00Z or 14:30Z, and its intensity (5)
  // is not part of the balanced scales; 14:30Z (1 p, 10 g) is.
  const slots = slotsFrom('2024-06-15T10:00:00.000Z',
    [10, 20, 5, 5, 30, 8, 8, 2, null, 1],
    [100, 50, 200, 180, 40, 60, 70, 300, 5, 10])
  // Windows of 2 slots (by first slot): mean price 15, 12.5, 5, 17.5, 19, 8, 5; mean intensity
  // 75, 125, 190, 110, 50, 65, 185. Scales over the slots with both: price 1..30 (29),
  // intensity 10..300 (290); balanced = ½(p−1)/29 + ½(i−10)/290: 0.3534, 0.3966, 0.3793,
  // 0.4569, 0.3793, 0.2155, 0.3707.
  assert.deepStrictEqual(bestWindows(slots, 1), {
    // 5 p twice (11:00Z and 13:00Z): the earlier.
    cheapest: { start: '2024-06-15T11:00:00.000Z', end: '2024-06-15T12:00:00.000Z', avg_price_inc_vat: 5, avg_intensity: 190 },
    greenest: { start: '2024-06-15T12:00:00.000Z', end: '2024-06-15T13:00:00.000Z', avg_price_inc_vat: 19, avg_intensity: 50 },
    balanced: { start: '2024-06-15T12:30:00.000Z', end: '2024-06-15T13:30:00.000Z', avg_price_inc_vat: 8, avg_intensity: 65 },
    reason: null
  })
  // Half an hour: single slots, so 14:30Z counts.
  assert.deepStrictEqual(bestWindows(slots, 0.5).cheapest, { start: '2024-06-15T14:30:00.000Z', end: '2024-06-15T15:00:00.000Z', avg_price_inc_vat: 1, avg_intensity: 10 })
  // The whole known run (8 slots, 4 h) is the only 4-hour window.
  const four = bestWindows(slots, 4)
  assert.deepStrictEqual([four.cheapest, four.greenest, four.balanced].map(w => [w?.start, w?.end]), Array(3).fill(['2024-06-15T10:00:00.000Z', '2024-06-15T14:00:00.000Z']))
  assert.equal(four.cheapest?.avg_price_inc_vat, 88 / 8)
  assert.equal(four.cheapest?.avg_intensity, 1000 / 8)
})

test('a missing half-hour breaks a run; a run longer than any known stretch has no window, and says why', () => {
  const slots = slotsFrom('2024-06-15T10:00:00.000Z', [10, 1, 1, 10], [100, 100, 100, 100])
  // 11:00Z missing: 10:30 and 11:30 are not consecutive, so no cheap hour across the gap.
  const gapped = [slots[0], slots[1], slots[3]]
  assert.deepStrictEqual(bestWindows(gapped, 1).cheapest, { start: '2024-06-15T10:00:00.000Z', end: '2024-06-15T11:00:00.000Z', avg_price_inc_vat: 5.5, avg_intensity: 100 })
  assert.deepStrictEqual(bestWindows(slots, 3), {
    cheapest: null,
    greenest: null,
    balanced: null,
    reason: 'no run of 3 h (6 consecutive half-hours) with both a price and a carbon intensity in the forecast: 4 of its 4 half-hours have both'
  })
})

test('an empty forecast: no window, and the reason', () => {
  assert.deepStrictEqual(bestWindows([], 2), {
    cheapest: null,
    greenest: null,
    balanced: null,
    reason: 'no forecast from the current half-hour on: energy_usage.forecast is empty (is the forecast component running? npm start runs it)'
  })
})

test('a fixed tariff: every window costs the same, so cheapest is the earliest and balanced the greenest', () => {
  const slots = slotsFrom('2024-06-15T10:00:00.000Z', Array(6).fill(24.5), [300, 200, 100, 150, 100, 250])
  // Mean intensities by first slot: 250, 150, 125, 125, 175; 125 twice: the earlier.
  const greenest = { start: '2024-06-15T11:00:00.000Z', end: '2024-06-15T12:00:00.000Z', avg_price_inc_vat: 24.5, avg_intensity: 125 }
  assert.deepStrictEqual(bestWindows(slots, 1), {
    cheapest: { start: '2024-06-15T10:00:00.000Z', end: '2024-06-15T11:00:00.000Z', avg_price_inc_vat: 24.5, avg_intensity: 250 },
    greenest,
    balanced: greenest,
    reason: null
  })
  // A price like 0.1 summed in different windows still ties exactly or within the tolerance.
  const dime = slotsFrom('2024-06-15T10:00:00.000Z', Array(8).fill(0.1), Array(8).fill(100))
  assert.equal(bestWindows(dime, 1.5).cheapest?.start, '2024-06-15T10:00:00.000Z')
})

test('a window across London midnight is one run: 23:30 BST to 01:30 BST', () => {
  // 22:00 BST (21:00Z) to 02:00 BST; cheap from 23:30 BST (22:30Z) for two hours.
  const slots = slotsFrom('2024-06-15T21:00:00.000Z', [30, 30, 30, 3, 2, 1, 4, 30], [200, 200, 200, 200, 200, 200, 200, 200])
  const { cheapest } = bestWindows(slots, 2)
  assert.deepStrictEqual(cheapest, { start: '2024-06-15T22:30:00.000Z', end: '2024-06-16T00:30:00.000Z', avg_price_inc_vat: 2.5, avg_intensity: 200 })
  assert.deepStrictEqual([localDateOf(Date.parse(cheapest?.start ?? '')), localDateOf(Date.parse(cheapest?.end ?? '') - 1)], ['2024-06-15', '2024-06-16'])
})

test('a window across the autumn change (2024-10-27, 02:00 BST → 01:00 GMT): 2 hours are 4 half-hours, 01:00 BST to 02:00 GMT', () => {
  assert.equal(londonDay('2024-10-27').slots, 50)
  // 00:00 BST (23:00Z) to 03:00 GMT (03:00Z): 8 slots. The clock reads 01:00 to 02:00 over the
  // cheap window, which lasts two real hours: 00:00Z-02:00Z.
  const slots = slotsFrom('2024-10-26T23:00:00.000Z', [20, 20, 4, 3, 2, 1, 20, 20], [150, 150, 150, 150, 150, 150, 150, 150])
  const { cheapest } = bestWindows(slots, 2)
  assert.deepStrictEqual(cheapest, { start: '2024-10-27T00:00:00.000Z', end: '2024-10-27T02:00:00.000Z', avg_price_inc_vat: 2.5, avg_intensity: 150 })
  assert.equal(Date.parse(cheapest?.end ?? '') - Date.parse(cheapest?.start ?? ''), 2 * 3600 * 1000)
  // And the spring change (2024-03-31, 01:00 GMT → 02:00 BST): an hour from 00:30 GMT ends at 02:30 BST.
  const spring = slotsFrom('2024-03-31T00:00:00.000Z', [9, 1, 1, 9], [100, 100, 100, 100])
  assert.deepStrictEqual(bestWindows(spring, 1).cheapest, { start: '2024-03-31T00:30:00.000Z', end: '2024-03-31T01:30:00.000Z', avg_price_inc_vat: 1, avg_intensity: 100 })
})

test('hours: half-hour steps from 0.5 to 24, default 2; anything else is refused with what it takes', () => {
  assert.equal(parseHours(undefined), 2)
  assert.deepStrictEqual(['0.5', '1', '1.5', '3', '24', '2.50', '02'].map(parseHours), [0.5, 1, 1.5, 3, 24, 2.5, 2])
  for (const bad of ['0', '0.25', '24.5', '25', 'abc', '', '-1', '1e1', ' 2', '2h', 'NaN', 'Infinity', '1.', '.5']) {
    assert.throws(() => parseHours(bad), {
      code: 'ENERGY_USAGE',
      message: `hours "${bad}" is not a run length: give hours from 0.5 to 24 in half-hour steps (e.g. 2 or 1.5)`
    }, bad)
  }
  assert.throws(() => parseHours('9'.repeat(100)), { message: `hours "${'9'.repeat(60)}…" is not a run length: give hours from 0.5 to 24 in half-hour steps (e.g. 2 or 1.5)` })
})

test('the dashboard labels a window in London time: the end\'s weekday across midnight, GMT/BST across a change', async () => {
  const { windowLabel } = await import(new URL('../../../api/public/app.js', import.meta.url).href) as { windowLabel (start: string, end: string): string }
  assert.equal(windowLabel('2024-06-15T13:00:00.000Z', '2024-06-15T15:00:00.000Z'), 'Sat 14:00–16:00')
  assert.equal(windowLabel('2024-06-15T22:30:00.000Z', '2024-06-16T00:30:00.000Z'), 'Sat 23:30–Sun 01:30')
  assert.equal(windowLabel('2024-10-27T00:00:00.000Z', '2024-10-27T02:00:00.000Z'), 'Sun 01:00 BST–02:00 GMT')
  assert.equal(windowLabel('2024-03-31T00:30:00.000Z', '2024-03-31T01:30:00.000Z'), 'Sun 00:30 GMT–02:30 BST')
})
