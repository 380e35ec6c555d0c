import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadConfig } from '../../../../lib/config.ts'
import { londonDay, londonSpan } from '../../../../lib/london-day.ts'
import { repricedDates } from '../../../../clients/octopus/account-view.ts'
import type { Account, Property } from '../../../../clients/octopus/types.ts'
import { regionalSource } from '../../../../processors/regional/index.ts'
import { regionalPeriods, regionParts } from '../../../../processors/regional/region.ts'
import { regionFor } from '../../../../clients/carbon/region.ts'
import { silentLog } from '../../../helpers.ts'

// Which region regional asks for, slot by slot: CARBON_REGION_ID, else CARBON_POSTCODE, else the
// outward postcode of the account's property in force; a span across a move is cut there.

const MOVE = Date.parse('2016-01-01T00:00:00Z')
const property = (postcode: string | null, movedIn: number | null, movedOut: number | null): Property => ({
  moved_in_at: movedIn,
  moved_out_at: movedOut,
  postcode,
  electricity_meter_points: [{ mpan: '1900000000001', is_export: false, meters: ['21L0000001'], agreements: [{ tariff_code: 'E-1R-VAR-22-11-01-C', valid_from: Date.parse('2013-06-01T00:00:00Z'), valid_to: null }] }],
  gas_meter_points: []
})
const account = (...properties: Property[]): Account => ({ number: 'A-1234ABCD', fetched_at: 1, properties })
const MOVED = account(property('M1 1AE', Date.parse('2013-06-01T00:00:00+01:00'), MOVE), property('SW1A 1AA', MOVE, null))
const NONE = loadConfig({})
const WITH_ACCOUNT = loadConfig({ OCTOPUS_ACCOUNT: 'A-1234ABCD' })

test('the configured region wins over the account; else the property in force at the instant', () => {
  assert.deepStrictEqual(regionFor(loadConfig({ CARBON_REGION_ID: '1', CARBON_POSTCODE: 'RG41' }), MOVED, MOVE), { kind: 'regionid', id: 1 })
  assert.deepStrictEqual(regionFor(loadConfig({ CARBON_POSTCODE: 'rg41' }), MOVED, MOVE), { kind: 'postcode', outcode: 'RG41' })
  assert.deepStrictEqual(regionFor(NONE, MOVED, MOVE - 1), { kind: 'postcode', outcode: 'M1' })
  assert.deepStrictEqual(regionFor(NONE, MOVED, MOVE), { kind: 'postcode', outcode: 'SW1A' })
  assert.equal(regionFor(NONE, undefined, MOVE), undefined)
  assert.equal(regionFor(NONE, account(property(null, null, null)), MOVE), undefined)
})

test('a span across a move is asked for in two parts, one per property\'s region; a configured region is one part', () => {
  const span = londonSpan('2015-12-30', 4)
  assert.deepStrictEqual(regionParts(NONE, MOVED, span), [
    { startMs: span.startMs, endMs: MOVE, region: { kind: 'postcode', outcode: 'M1' } },
    { startMs: MOVE, endMs: span.endMs, region: { kind: 'postcode', outcode: 'SW1A' } }
  ])
  assert.deepStrictEqual(regionParts(loadConfig({ CARBON_REGION_ID: '13' }), MOVED, span), [{ startMs: span.startMs, endMs: span.endMs, region: { kind: 'regionid', id: 13 } }])
  // Two properties of the same outward code: one part.
  const sameArea = account(property('SW1A 1AA', null, MOVE), property('SW1A 2BB', MOVE, null))
  assert.deepStrictEqual(regionParts(NONE, sameArea, span), [{ startMs: span.startMs, endMs: span.endMs, region: { kind: 'postcode', outcode: 'SW1A' } }])
})

test('a move inside a half-hour takes effect from the next slot; time outside every property has no part', () => {
  const day = londonDay('2024-06-15')
  const movedAt = day.startMs + 10 * 30 * 60 * 1000 + 60 * 1000
  const gap = account(property('M1 1AE', null, day.startMs + 4 * 30 * 60 * 1000), property('SW1A 1AA', movedAt, null))
  assert.deepStrictEqual(regionParts(NONE, gap, day), [
    { startMs: day.startMs, endMs: day.startMs + 4 * 30 * 60 * 1000, region: { kind: 'postcode', outcode: 'M1' } },
    { startMs: day.startMs + 11 * 30 * 60 * 1000, endMs: day.endMs, region: { kind: 'postcode', outcode: 'SW1A' } }
  ])
  assert.deepStrictEqual(regionParts(NONE, undefined, day), [])
})

test('the account view: the outward postcode in force; a move to another outward code or a corrected postcode re-requests exactly those days', () => {
  const until = Date.parse('2016-01-10T00:00:00Z')
  assert.deepStrictEqual(regionalPeriods(MOVED, -Infinity, until), [
    { from: Date.parse('2013-06-01T00:00:00+01:00'), to: MOVE, key: 'M1' },
    { from: MOVE, to: until, key: 'SW1A' }
  ])
  // The current property's postcode corrected from 2016-01-05: only those days, only for regional.
  const corrected = account(MOVED.properties[0], property('SW1A 1AA', MOVE, Date.parse('2016-01-05T00:00:00Z')), property('E1 6AN', Date.parse('2016-01-05T00:00:00Z'), null))
  assert.deepStrictEqual(repricedDates(MOVED, corrected, until, regionalPeriods), ['2016-01-05', '2016-01-06', '2016-01-07', '2016-01-08', '2016-01-09'])
  // Another postcode in the same outward code changes nothing regional reads.
  const sameArea = account(MOVED.properties[0], property('SW1A 2BB', MOVE, null))
  assert.deepStrictEqual(repricedDates(MOVED, sameArea, until, regionalPeriods), [])
  // A property without a postcode has no period: giving it one requests its days.
  const unknown = account(property(null, Date.parse('2016-01-08T00:00:00Z'), null))
  assert.deepStrictEqual(regionalPeriods(unknown, -Infinity, until), [])
  assert.deepStrictEqual(repricedDates(unknown, account(property('SW1A 1AA', Date.parse('2016-01-08T00:00:00Z'), null)), until, regionalPeriods), ['2016-01-08', '2016-01-09'])
  // A property with no move-in date starts at the account's earliest known instant (its first agreement).
  assert.deepStrictEqual(regionalPeriods(account(property('M1 1AE', null, null)), -Infinity, until), [{ from: Date.parse('2013-06-01T00:00:00Z'), to: until, key: 'M1' }])
})

test('a day without any region says why and what to set (ENERGY_NO_DATA); a day with one is not published yet', () => {
  const day = londonDay('2024-06-15')
  const context = (config: typeof NONE, account?: Account) => ({ config, log: silentLog, signal: AbortSignal.timeout(1000), account })
  const why = regionalSource.whyMissing
  assert.ok(why !== undefined)
  const what = 'set CARBON_REGION_ID (1-17) or CARBON_POSTCODE (an outward code such as SW1A), or OCTOPUS_ACCOUNT with the property\'s postcode'
  assert.throws(() => { throw why(day, context(NONE)) }, { code: 'ENERGY_NO_DATA', date: '2024-06-15', message: `regional has no data for 2024-06-15: no region is known; ${what}` })
  assert.throws(() => { throw why(day, context(WITH_ACCOUNT)) },
    { code: 'ENERGY_NO_DATA', message: `regional has no data for 2024-06-15: no region is known (account A-1234ABCD not published on energy.account yet); ${what}` })
  assert.throws(() => { throw why(day, context(WITH_ACCOUNT, account(property(null, null, null)))) },
    { code: 'ENERGY_NO_DATA', message: `regional has no data for 2024-06-15: no region is known (no property of account A-1234ABCD with a postcode is in force that day); ${what}` })
  assert.throws(() => { throw why(day, context(WITH_ACCOUNT, MOVED)) }, { code: 'ENERGY_NO_DATA', message: 'regional has no data for 2024-06-15 yet' })
})
