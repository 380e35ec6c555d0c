import assert from 'node:assert/strict'
import { test } from 'node:test'
import { londonDay, SLOT_MS, slotStarts } from '../../../../lib/london-day.ts'
import { parseRegionalSlots } from '../../../../clients/carbon/regional.ts'

// Carbon Intensity `GET /regional/intensity/{from}/{to}/postcode/{outcode}` (and `…/regionid/{id}`):
// the slots nest inside the region, `{"data": {regionid, shortname, …, "data": [...]}}` (the API's
// docs show `data` as a list of that one region); a forecast and no actual; like the national
// ranges, every slot whose END lies in [from, to].

const JUNE = londonDay('2024-06-15')
const at = (iso: string): number => Date.parse(iso)
const carbonTime = (ms: number): string => new Date(ms).toISOString().slice(0, 16) + 'Z'
const FUELS = ['biomass', 'coal', 'imports', 'gas', 'nuclear', 'other', 'hydro', 'solar', 'wind']
const mixOf = (n: number): Array<{ fuel: string, perc: number }> => FUELS.map((fuel, i) => ({ fuel, perc: i === 0 ? 100 - 8 * (n % 10) : n % 10 }))
const slot = (startMs: number, n: number): Record<string, unknown> =>
  ({ from: carbonTime(startMs), to: carbonTime(startMs + SLOT_MS), intensity: { forecast: 100 + (n % 200), index: 'moderate' }, generationmix: mixOf(n) })
const LONDON = { regionid: 13, dnoregion: 'UKPN London', shortname: 'London', postcode: 'SW1A' }

/** The range endpoint's answer for [startMs, endMs]: slots ending in it. */
function rangeSlots (startMs: number, endMs: number): Array<Record<string, unknown>> {
  const data = []
  for (let end = startMs; end <= endMs; end += SLOT_MS) data.push(slot(end - SLOT_MS, end / SLOT_MS))
  return data
}
const expectedOf = (day: ReturnType<typeof londonDay>, region = { region_id: 13, region: 'London' }): unknown[] =>
  slotStarts(day).map(start => {
    const n = (start + SLOT_MS) / SLOT_MS
    return { slot_start: start, ...region, forecast: 100 + (n % 200), index: 'moderate', generationmix: mixOf(n) }
  })

test('the object shape: the region\'s slots of the day, the slot ending at local midnight dropped, region id and name on every slot', () => {
  const body = {
    data: {
      ...LONDON,
      data: [
        { from: '2024-06-14T22:30Z', to: '2024-06-14T23:00Z', intensity: { forecast: 300, index: 'high' }, generationmix: [{ fuel: 'gas', perc: 100 }] },
        { from: '2024-06-14T23:00Z', to: '2024-06-14T23:30Z', intensity: { forecast: 266.4, index: 'moderate' }, generationmix: [{ fuel: 'gas', perc: 40.5 }, { fuel: 'wind', perc: 59.5 }] },
        // Regional data has no actual: one served anyway is ignored.
        { from: '2024-06-14T23:30Z', to: '2024-06-15T00:00Z', intensity: { forecast: 12, actual: 999, index: 'very low' }, generationmix: [{ fuel: 'wind', perc: 100 }] },
        { from: '2024-06-14T23:30Z', to: '2024-06-15T00:00Z', intensity: { forecast: 13, index: 'very low' }, generationmix: [{ fuel: 'solar', perc: 100 }] }
      ]
    }
  }
  assert.deepStrictEqual(parseRegionalSlots(JUNE, body), [
    { slot_start: at('2024-06-14T23:00Z'), region_id: 13, region: 'London', forecast: 266, index: 'moderate', generationmix: [{ fuel: 'gas', perc: 40.5 }, { fuel: 'wind', perc: 59.5 }] },
    { slot_start: at('2024-06-14T23:30Z'), region_id: 13, region: 'London', forecast: 12, index: 'very low', generationmix: [{ fuel: 'wind', perc: 100 }] }
  ])
})

test('the list shape of the API docs (a list of exactly one region) gives the same values as the object shape', () => {
  const data = rangeSlots(JUNE.startMs, JUNE.endMs)
  const object = parseRegionalSlots(JUNE, { data: { ...LONDON, data } })
  assert.deepStrictEqual(parseRegionalSlots(JUNE, { data: [{ ...LONDON, data }] }), object)
  assert.deepStrictEqual(object, expectedOf(JUNE))
})

for (const [date, slots] of [['2024-03-31', 46], ['2024-06-15', 48], ['2024-10-27', 50]] as const) {
  test(`${date}: the day's range answers ${slots + 1} slots and gives the day's ${slots}`, () => {
    const day = londonDay(date)
    const data = rangeSlots(day.startMs, day.endMs)
    assert.equal(data.length, slots + 1)
    const values = parseRegionalSlots(day, { data: { regionid: 1, dnoregion: 'Scottish Hydro Electric Power Distribution', shortname: 'North Scotland', data } }, { kind: 'regionid', id: 1 })
    assert.equal(values.length, slots)
    assert.deepStrictEqual(values, expectedOf(day, { region_id: 1, region: 'North Scotland' }))
  })
}

const good = rangeSlots(JUNE.startMs, JUNE.startMs + 2 * SLOT_MS)
const withSlot = (change: Record<string, unknown>): unknown => ({ data: { ...LONDON, data: [{ ...good[1], ...change }] } })
const MALFORMED: Array<[string, unknown, string]> = [
  ['the answer is a string', 'Bad gateway', 'answer is not an object'],
  ['data is missing', {}, 'data is not an object'],
  ['data is null', { data: null }, 'data is not an object'],
  ['data is an empty list', { data: [] }, 'data is a list of 0 regions, not one'],
  ['data lists two regions', { data: [{ ...LONDON, data: good }, { ...LONDON, regionid: 12, data: good }] }, 'data is a list of 2 regions, not one'],
  ['the one region of the list is not an object', { data: ['London'] }, 'data[0] is not an object'],
  ['the slots are missing', { data: { ...LONDON } }, 'data.data is not a list'],
  ['the slots are the national shape (a list at the top)', { data: good }, 'data is a list of 3 regions, not one'],
  ['regionid is missing', { data: { shortname: 'London', data: good } }, 'data.regionid is not a number (undefined)'],
  ['regionid is a string', { data: { ...LONDON, regionid: '13', data: good } }, 'data.regionid is not a number ("13")'],
  ['regionid is 18', { data: { ...LONDON, regionid: 18, data: good } }, 'data.regionid is 18, outside 1..17'],
  ['regionid is 1.5', { data: [{ ...LONDON, regionid: 1.5, data: good }] }, 'data[0].regionid is 1.5, not a region id'],
  ['shortname is missing', { data: { regionid: 13, data: good } }, 'data.shortname is not a string'],
  ['shortname is 100 KB', { data: { ...LONDON, shortname: 'x'.repeat(100000), data: good } }, 'data.shortname is 100000 characters long, more than 64'],
  ['shortname holds a NUL', { data: { ...LONDON, shortname: 'Lon\u0000don', data: good } }, 'data.shortname holds the control character U+0000'],
  ['a slot is null', { data: { ...LONDON, data: [null] } }, 'data.data[0] is not an object'],
  ['intensity is missing', withSlot({ intensity: undefined }), 'data.data[0].intensity is not an object'],
  ['the forecast is null', withSlot({ intensity: { forecast: null, index: 'low' } }), 'data.data[0].intensity.forecast is not a number (null)'],
  ['the forecast is 1e308', withSlot({ intensity: { forecast: 1e308, index: 'low' } }), 'data.data[0].intensity.forecast is 1e+308, outside 0..2000'],
  ['the forecast is negative', withSlot({ intensity: { forecast: -5, index: 'low' } }), 'data.data[0].intensity.forecast is -5, outside 0..2000'],
  ['the index is 17 characters', withSlot({ intensity: { forecast: 5, index: 'x'.repeat(17) } }), 'data.data[0].intensity.index is 17 characters long, more than 16'],
  ['the index holds a newline', withSlot({ intensity: { forecast: 5, index: 'lo\nw' } }), 'data.data[0].intensity.index holds the control character U+000A'],
  ['generationmix is missing', withSlot({ generationmix: undefined }), 'data.data[0].generationmix is not a list'],
  ['a fuel is not a fuel name', withSlot({ generationmix: [{ fuel: 'DROP TABLE', perc: 1 }] }), 'data.data[0].generationmix[0].fuel "DROP TABLE" is not a fuel name (lower-case letters, digits, space, _ and -, starting with a letter, up to 32 characters)'],
  ['a fuel twice', withSlot({ generationmix: [{ fuel: 'gas', perc: 1 }, { fuel: 'gas', perc: 2 }] }), 'data.data[0].generationmix[1].fuel "gas" is listed twice'],
  ['a perc is NaN-ish', withSlot({ generationmix: [{ fuel: 'gas', perc: 'NaN' }] }), 'data.data[0].generationmix[0].perc is not a number ("NaN")'],
  ['a perc is 101', withSlot({ generationmix: [{ fuel: 'gas', perc: 101 }] }), 'data.data[0].generationmix[0].perc is 101, outside 0..100'],
  ['from is not a time', withSlot({ from: 'yesterday' }), 'data.data[0].from is not a timestamp ("yesterday")']
]

for (const [what, body, problem] of MALFORMED) {
  test(`malformed: ${what} → ENERGY_MALFORMED`, () => {
    assert.throws(() => parseRegionalSlots(JUNE, body), { name: 'EnergyError', code: 'ENERGY_MALFORMED', source: 'regional', message: `regional answer is malformed: ${problem}` })
  })
}

test('asked by region id, an answer for another region is refused; asked by postcode, the region is the answer\'s', () => {
  const body = { data: { ...LONDON, data: good } }
  assert.throws(() => parseRegionalSlots(JUNE, body, { kind: 'regionid', id: 1 }),
    { code: 'ENERGY_MALFORMED', message: 'regional answer is malformed: data.regionid is 13, not the region asked for (1)' })
  assert.equal(parseRegionalSlots(JUNE, body, { kind: 'regionid', id: 13 }).length, 2)
  assert.deepStrictEqual(parseRegionalSlots(JUNE, body, { kind: 'postcode', outcode: 'SW1A' }).map(v => [v.region_id, v.region]), [[13, 'London'], [13, 'London']])
})
