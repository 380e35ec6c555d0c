import assert from 'node:assert/strict'
import { test } from 'node:test'
import { londonDay, slotStarts, SLOT_MS } from '../../../lib/london-day.ts'
import {
  consumption, exportConsumption, findMeter, gasConsumption, oldMeterConsumption, SAMPLE_METERS
} from '../../../sample-api/index.ts'
import { londonTime } from '../../../sample-api/format.ts'
import { AUTH, consumptionPath, EMPTY, query, startSampleApi, type Paged, type Reading } from './helpers.ts'

const MPAN = '1900000000001'
const NEW_SERIAL = '21L0000001'
const OLD_SERIAL = '19E0000001'
const EXPORT = consumptionPath('1170000000001', '21L0000002')
const PREVIOUS = consumptionPath('1013000000001', '13E7000001')
const GAS = consumptionPath('3000000000001', 'G4P0000001', 'gas')

const oldestFirst = (from: string, to: string, extra: Record<string, string | number> = {}): string =>
  query({ period_from: from, period_to: to, order_by: 'period', page_size: 25000, ...extra })
const reading = (value: number, start: number): Reading => ({ consumption: value, interval_start: londonTime(start), interval_end: londonTime(start + SLOT_MS) })

test('the exchange: the old meter reads until 12:00, the new one from 10:00, both 10:00-12:00 with different values', async t => {
  const { json } = await startSampleApi(t)
  // 2019-03-14 is in GMT: local times are UTC.
  const day = oldestFirst('2019-03-14T00:00:00Z', '2019-03-14T23:30:00Z')
  const starts = slotStarts(londonDay('2019-03-14'))
  const old = await json<Paged<Reading>>(consumptionPath(MPAN, OLD_SERIAL) + day, AUTH)
  assert.deepStrictEqual(old.results, starts.slice(0, 24).map(s => reading(oldMeterConsumption(42, s), s)))
  assert.equal(old.results.at(-1)?.interval_end, '2019-03-14T12:00:00Z')
  const current = await json<Paged<Reading>>(consumptionPath(MPAN, NEW_SERIAL) + day, AUTH)
  assert.deepStrictEqual(current.results, starts.slice(20).map(s => reading(consumption(42, s), s)))
  assert.equal(current.results[0].interval_start, '2019-03-14T10:00:00Z')
  // The four slots both meters read disagree.
  const overlap = starts.slice(20, 24)
  for (const s of overlap) assert.notEqual(oldMeterConsumption(42, s), consumption(42, s), new Date(s).toISOString())
  assert.notDeepStrictEqual(old.results.slice(20).map(r => r.consumption), current.results.slice(0, 4).map(r => r.consumption))
})

test('the new meter has nothing before the exchange, the old one nothing after it; the old one reads from the move-in', async t => {
  const { json } = await startSampleApi(t)
  assert.deepStrictEqual(await json(consumptionPath(MPAN, NEW_SERIAL) + query({ period_from: '2018-01-01T00:00:00Z', period_to: '2019-03-14T09:30:00Z' }), AUTH), EMPTY)
  assert.deepStrictEqual(await json(consumptionPath(MPAN, OLD_SERIAL) + query({ period_from: '2019-03-14T12:00:00Z', period_to: '2024-01-01T00:00:00Z' }), AUTH), EMPTY)
  // Without a period: the whole life of each meter, oldest first on request.
  const first = async (path: string): Promise<Paged<Reading>> => await json<Paged<Reading>>(path + query({ order_by: 'period', page_size: 1 }), AUTH)
  const oldLife = await first(consumptionPath(MPAN, OLD_SERIAL))
  assert.equal(oldLife.results[0].interval_start, '2016-01-01T00:00:00Z')
  assert.equal(oldLife.count, (Date.parse('2019-03-14T12:00:00Z') - Date.parse('2016-01-01T00:00:00Z')) / SLOT_MS)
  assert.equal((await first(consumptionPath(MPAN, NEW_SERIAL))).results[0].interval_start, '2019-03-14T10:00:00Z')
})

test('the previous property\'s meter reads the household from 2013-06-01 local midnight until the move', async t => {
  const { json } = await startSampleApi(t)
  const body = await json<Paged<Reading>>(PREVIOUS + query({ order_by: 'period', page_size: 2 }), AUTH)
  const movedIn = Date.parse('2013-05-31T23:00:00Z')
  assert.deepStrictEqual(body.results, [reading(consumption(42, movedIn), movedIn), reading(consumption(42, movedIn + SLOT_MS), movedIn + SLOT_MS)])
  assert.equal(body.results[0].interval_start, '2013-06-01T00:00:00+01:00')
  assert.equal(body.count, (Date.parse('2016-01-01T00:00:00Z') - movedIn) / SLOT_MS)
  const last = await json<Paged<Reading>>(PREVIOUS + query({ page_size: 1 }), AUTH)
  assert.equal(last.results[0].interval_end, '2016-01-01T00:00:00Z')
  assert.deepStrictEqual(await json(PREVIOUS + query({ period_from: '2016-01-01T00:00:00Z' }), AUTH), EMPTY)
})

test('export: the solar meter reads 0 at night and exports at a June noon, from 2020-01-01 on', async t => {
  const { json } = await startSampleApi(t)
  const starts = slotStarts(londonDay('2024-06-15'))
  const body = await json<Paged<Reading>>(EXPORT + oldestFirst('2024-06-15T00:00:00+01:00', '2024-06-15T23:30:00+01:00'), AUTH)
  assert.deepStrictEqual(body.results.map(r => r.consumption), starts.map(s => exportConsumption(42, s)))
  assert.equal(body.results[0].interval_start, '2024-06-15T00:00:00+01:00')
  // Local 00:00-03:30 and 22:00-23:30 are dark; 13:00 BST is solar noon.
  assert.deepStrictEqual(body.results.slice(0, 8).map(r => r.consumption), Array(8).fill(0))
  assert.deepStrictEqual(body.results.slice(44).map(r => r.consumption), Array(4).fill(0))
  const noon = body.results[26]
  assert.equal(noon.interval_start, '2024-06-15T13:00:00+01:00')
  assert.ok(noon.consumption > 0.2 && noon.consumption <= 1.8, `noon ${noon.consumption}`)
  assert.deepStrictEqual(await json(EXPORT + query({ period_from: '2019-06-01T00:00:00Z', period_to: '2019-12-31T23:30:00Z' }), AUTH), EMPTY)
  const first = await json<Paged<Reading>>(EXPORT + query({ order_by: 'period', page_size: 1 }), AUTH)
  assert.equal(first.results[0].interval_start, '2020-01-01T00:00:00Z')
})

test('gas: m³ readings from 2016-01-01 on the gas meter-point path, Basic auth, the late-by-24h rule, 404 for another meter', async t => {
  const { json, get } = await startSampleApi(t)
  const january = slotStarts(londonDay('2024-01-15'))
  const winter = await json<Paged<Reading>>(GAS + oldestFirst('2024-01-15T00:00:00Z', '2024-01-15T23:30:00Z'), AUTH)
  assert.deepStrictEqual(winter.results, january.map(s => reading(gasConsumption(42, s), s)))
  for (const { consumption: m3 } of winter.results) assert.ok(m3 >= 0 && m3 <= 0.8 && m3 === Math.round(m3 * 1000) / 1000, `${m3}`)
  const total = (list: Reading[]): number => list.reduce((sum, r) => sum + r.consumption, 0)
  const summer = await json<Paged<Reading>>(GAS + oldestFirst('2024-06-15T00:00:00+01:00', '2024-06-15T23:30:00+01:00'), AUTH)
  assert.ok(total(winter.results) > 3 && total(summer.results) < 1, `January ${total(winter.results)} m³, June ${total(summer.results)} m³`)
  const first = await json<Paged<Reading>>(GAS + query({ order_by: 'period', page_size: 1 }), AUTH)
  assert.equal(first.results[0].interval_start, '2016-01-01T00:00:00Z')
  // NOW is 2024-07-01 12:00 UTC: the newest slot ended 24 hours before.
  const newest = await json<Paged<Reading>>(GAS + query({ page_size: 1 }), AUTH)
  assert.equal(newest.results[0].interval_end, '2024-06-30T13:00:00+01:00')
  assert.equal((await get(GAS)).status, 401)
  for (const path of [consumptionPath('3000000000009', 'G4P0000001', 'gas'), consumptionPath('3000000000001', 'X', 'gas'), consumptionPath('3000000000001', 'G4P0000001')]) {
    const res = await get(path, AUTH)
    assert.equal(res.status, 404, path)
    assert.deepStrictEqual(await res.json(), { detail: 'Not found.' })
  }
})

test('a revision changes every meter\'s readings of that day', async t => {
  const { json, admin } = await startSampleApi(t)
  const day = oldestFirst('2024-01-15T00:00:00Z', '2024-01-15T23:30:00Z')
  const paths = [consumptionPath(MPAN, NEW_SERIAL), EXPORT, GAS]
  const before = await Promise.all(paths.map(async p => await json<Paged<Reading>>(p + day, AUTH)))
  await admin('POST', '/revise/2024-01-15')
  const after = await Promise.all(paths.map(async p => await json<Paged<Reading>>(p + day, AUTH)))
  for (const [i, path] of paths.entries()) assert.notDeepStrictEqual(after[i].results, before[i].results, path)
  assert.deepStrictEqual(after[2].results.map(r => r.consumption), slotStarts(londonDay('2024-01-15')).map(s => gasConsumption(42, s, 1)))
})

test('SAMPLE_METERS lists every meter read, with the slots it has', () => {
  assert.deepStrictEqual(SAMPLE_METERS.map(m => [m.fuel, m.point, m.serial, new Date(m.fromMs).toISOString(), m.toMs === Infinity ? null : new Date(m.toMs).toISOString(), m.source]), [
    ['electricity', '1013000000001', '13E7000001', '2013-05-31T23:00:00.000Z', '2016-01-01T00:00:00.000Z', 'usage'],
    ['electricity', MPAN, OLD_SERIAL, '2016-01-01T00:00:00.000Z', '2019-03-14T12:00:00.000Z', 'usage'],
    ['electricity', MPAN, NEW_SERIAL, '2019-03-14T10:00:00.000Z', null, 'usage'],
    ['electricity', '1170000000001', '21L0000002', '2020-01-01T00:00:00.000Z', null, 'export'],
    ['gas', '3000000000001', 'G4P0000001', '2016-01-01T00:00:00.000Z', null, 'gas']
  ])
  assert.equal(findMeter('electricity', MPAN, OLD_SERIAL)?.reading, oldMeterConsumption)
  assert.equal(findMeter('gas', MPAN, NEW_SERIAL), undefined)
})
