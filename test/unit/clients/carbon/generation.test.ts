import assert from 'node:assert/strict'
import { test } from 'node:test'
import { londonDay, SLOT_MS, slotStarts } from '../../../../lib/london-day.ts'
import { parseMixSlots } from '../../../../clients/carbon/generation.ts'

// Carbon Intensity `GET /generation/{from}/{to}` returns every slot whose END lies in
// [from, to]: local midnight to local midnight gives one slot too many, starting 30 minutes
// before the day. The normaliser keeps the day's own half-hours.

const JUNE = londonDay('2024-06-15')
const at = (iso: string): number => Date.parse(iso)
const carbonTime = (ms: number): string => new Date(ms).toISOString().slice(0, 16) + 'Z'
const FUELS = ['biomass', 'coal', 'imports', 'gas', 'nuclear', 'other', 'hydro', 'solar', 'wind']
/** Nine fuels with shares derived from `n`, summing to 100. */
const mixOf = (n: number): Array<{ fuel: string, perc: number }> =>
  FUELS.map((fuel, i) => ({ fuel, perc: i === 0 ? 100 - 8 * (n % 10) : n % 10 }))
const entry = (startMs: number, n: number): object =>
  ({ from: carbonTime(startMs), to: carbonTime(startMs + SLOT_MS), generationmix: mixOf(n) })

/** The answer of the range endpoint for a whole day: slots ending in [start, end]. */
function rangeAnswer (startMs: number, endMs: number): { data: object[] } {
  const data = []
  for (let end = startMs; end <= endMs; end += SLOT_MS) data.push(entry(end - SLOT_MS, end / SLOT_MS))
  return { data }
}

test('a small answer: the slot ending at local midnight (the 49th) is dropped, the mix kept as served', () => {
  const body = {
    data: [
      { from: '2024-06-14T22:30Z', to: '2024-06-14T23:00Z', generationmix: [{ fuel: 'gas', perc: 100 }] },
      { from: '2024-06-14T23:00Z', to: '2024-06-14T23:30Z', generationmix: [{ fuel: 'gas', perc: 40.5 }, { fuel: 'wind', perc: 59.5 }] },
      { from: '2024-06-14T23:30Z', to: '2024-06-15T00:00Z', generationmix: [{ fuel: 'wind', perc: 100 }] },
      { from: '2024-06-14T23:30Z', to: '2024-06-15T00:00Z', generationmix: [{ fuel: 'solar', perc: 100 }] }
    ]
  }
  assert.deepStrictEqual(parseMixSlots(JUNE, body), [
    { slot_start: at('2024-06-14T23:00Z'), generationmix: [{ fuel: 'gas', perc: 40.5 }, { fuel: 'wind', perc: 59.5 }] },
    { slot_start: at('2024-06-14T23:30Z'), generationmix: [{ fuel: 'wind', perc: 100 }] }
  ])
})

for (const [date, slots] of [['2024-06-15', 48], ['2024-03-31', 46], ['2024-10-27', 50]] as const) {
  test(`${date}: the day query answers ${slots + 1} slots and gives the day's ${slots}`, () => {
    const day = londonDay(date)
    const body = rangeAnswer(day.startMs, day.endMs)
    assert.equal(body.data.length, slots + 1)
    const expected = slotStarts(day).map(start => ({ slot_start: start, generationmix: mixOf((start + SLOT_MS) / SLOT_MS) }))
    assert.equal(expected.length, slots)
    assert.deepStrictEqual(parseMixSlots(day, body), expected)
  })
}

test('overlapping answers (two range queries concatenated) give each slot once', () => {
  const a = rangeAnswer(JUNE.startMs, JUNE.startMs + 24 * SLOT_MS)
  const b = rangeAnswer(JUNE.startMs + 20 * SLOT_MS, JUNE.endMs)
  const values = parseMixSlots(JUNE, { data: [...a.data, ...b.data] })
  assert.deepStrictEqual(values.map(v => v.slot_start), slotStarts(JUNE))
})

const MALFORMED: Array<[string, unknown, string]> = [
  ['the answer is a string', 'Bad gateway', 'mix answer is malformed: answer is not an object'],
  ['data is an object', { data: {} }, 'mix answer is malformed: data is not a list'],
  ['an entry is null', { data: [null] }, 'mix answer is malformed: data[0] is not an object'],
  ['generationmix is missing', { data: [{ from: '2024-06-14T23:00Z' }] }, 'mix answer is malformed: data[0].generationmix is not a list'],
  ['a share is not an object', { data: [{ from: '2024-06-14T23:00Z', generationmix: ['gas'] }] }, 'mix answer is malformed: data[0].generationmix[0] is not an object'],
  ['a fuel is not a string', { data: [{ from: '2024-06-14T23:00Z', generationmix: [{ fuel: 7, perc: 1 }] }] }, 'mix answer is malformed: data[0].generationmix[0].fuel is not a string'],
  ['a perc is null', { data: [{ from: '2024-06-14T23:00Z', generationmix: [{ fuel: 'gas', perc: 50 }, { fuel: 'wind', perc: null }] }] },
    'mix answer is malformed: data[0].generationmix[1].perc is not a number (null)'],
  ['from is missing', { data: [{ generationmix: [] }] }, 'mix answer is malformed: data[0].from is not a timestamp (undefined)']
]

for (const [what, body, message] of MALFORMED) {
  test(`malformed: ${what} → ENERGY_MALFORMED`, () => {
    assert.throws(() => parseMixSlots(JUNE, body), { name: 'EnergyError', code: 'ENERGY_MALFORMED', source: 'mix', message })
  })
}
