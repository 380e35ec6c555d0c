import assert from 'node:assert/strict'
import { test } from 'node:test'
import { londonDay } from '../../../../lib/london-day.ts'
import { importTariffView, meterPeriods, meterView, periodAt, repricedDates } from '../../../../clients/octopus/account-view.ts'
import { describeAccount, singleMeterLines } from '../../../../clients/octopus/describe.ts'
import { parseAccount } from '../../../../clients/octopus/account.ts'
import type { Account } from '../../../../clients/octopus/types.ts'

// The account answer as Octopus gives it (GET /v1/accounts/{number}/): times with offsets,
// an export meter point with its own agreement, a previous property with moved_out_at.

const at = (iso: string): number => Date.parse(iso)

const ANSWER = {
  number: 'A-1234ABCD',
  properties: [
    {
      moved_in_at: '2020-06-01T00:00:00+01:00',
      moved_out_at: null,
      postcode: 'SW1A 1AA',
      electricity_meter_points: [
        { mpan: '1170000000001', is_export: true, meters: [{ serial_number: '21L0000002' }], agreements: [{ tariff_code: 'E-1R-OUTGOING-FIX-12M-19-05-13-C', valid_from: '2020-06-01T00:00:00+01:00', valid_to: null }] },
        {
          mpan: '1900000000001',
          is_export: false,
          meters: [{ serial_number: '21L0000001', registers: [] }],
          agreements: [
            { tariff_code: 'E-1R-AGILE-24-10-01-C', valid_from: '2024-10-01T00:00:00+01:00', valid_to: null },
            { tariff_code: 'E-1R-VAR-22-11-01-C', valid_from: '2022-11-01T00:00:00Z', valid_to: '2024-10-01T00:00:00+01:00' }
          ]
        }
      ],
      gas_meter_points: [{ mprn: '3000000001', meters: [{ serial_number: 'G4A0000001' }], agreements: [] }]
    },
    {
      moved_in_at: '2016-01-01T00:00:00Z',
      moved_out_at: '2020-06-01T00:00:00+01:00',
      postcode: 'M1 1AA',
      electricity_meter_points: [
        { mpan: '1800000000001', is_export: false, meters: [{ serial_number: 'OLD1' }], agreements: [{ tariff_code: 'E-1R-VAR-16-01-01-C', valid_from: '2016-01-01T00:00:00Z', valid_to: null }] }
      ],
      gas_meter_points: []
    }
  ]
}

const account = (): Account => parseAccount(structuredClone(ANSWER), 'A-1234ABCD', 1).account

test('the account answer is normalised: properties by moved-in date, agreements by start, times in ms', () => {
  const a = account()
  assert.deepStrictEqual(a.properties.map(p => [p.postcode, p.moved_in_at, p.moved_out_at]), [
    ['M1 1AA', at('2016-01-01T00:00:00Z'), at('2020-05-31T23:00:00Z')],
    ['SW1A 1AA', at('2020-05-31T23:00:00Z'), null]
  ])
  const imports = a.properties[1].electricity_meter_points[1]
  assert.deepStrictEqual(imports, {
    mpan: '1900000000001',
    is_export: false,
    meters: ['21L0000001'],
    agreements: [
      { tariff_code: 'E-1R-VAR-22-11-01-C', valid_from: at('2022-11-01T00:00:00Z'), valid_to: at('2024-09-30T23:00:00Z') },
      { tariff_code: 'E-1R-AGILE-24-10-01-C', valid_from: at('2024-09-30T23:00:00Z'), valid_to: null }
    ]
  })
  assert.deepStrictEqual(a.properties[1].gas_meter_points, [{ mprn: '3000000001', meters: ['G4A0000001'], agreements: [] }])
})

test('an account answer that is not an account is refused with where and why', () => {
  const refused = (change: (body: typeof ANSWER) => void, message: string): void => {
    const body = structuredClone(ANSWER)
    change(body)
    assert.throws(() => parseAccount(body, 'A-1234ABCD', 1), { code: 'ENERGY_MALFORMED', message: `account answer is malformed: ${message}` })
  }
  refused(b => { (b as { properties: unknown }).properties = 'none' }, 'properties is not a list')
  refused(b => { (b as { properties: unknown[] }).properties = Array.from({ length: 51 }, () => ({})) }, 'properties has 51 entries, more than 50')
})

test('one unusable entry costs itself only: each is left out with where and why, the rest of the account stays', () => {
  const leftOut = (change: (body: typeof ANSWER) => void, problem: string, keep: (a: Account) => unknown, kept: unknown): void => {
    const body = structuredClone(ANSWER)
    change(body)
    const parsed = parseAccount(body, 'A-1234ABCD', 1)
    assert.deepStrictEqual(parsed.problems, [`${problem}: left out`])
    assert.deepStrictEqual(keep(parsed.account), kept)
  }
  const importAgreements = (a: Account): string[] => a.properties[1].electricity_meter_points[1].agreements.map(x => x.tariff_code)
  leftOut(b => { b.properties[0].electricity_meter_points[1].agreements[0].tariff_code = 'AGILE\u0000' },
    'properties[0].electricity_meter_points[1].agreements[0].tariff_code holds the control character U+0000', importAgreements, ['E-1R-VAR-22-11-01-C'])
  leftOut(b => { b.properties[0].electricity_meter_points[1].agreements[0].valid_from = 'soon' },
    'properties[0].electricity_meter_points[1].agreements[0].valid_from is not a timestamp ("soon")', importAgreements, ['E-1R-VAR-22-11-01-C'])
  leftOut(b => { b.properties[0].electricity_meter_points[1].agreements[1].valid_to = '2020-01-01T00:00:00Z' },
    'properties[0].electricity_meter_points[1].agreements[1] ends before it starts', importAgreements, ['E-1R-AGILE-24-10-01-C'])
  leftOut(b => { b.properties[0].electricity_meter_points[1].agreements[0].valid_from = '0001-01-01T00:00:00Z' },
    'properties[0].electricity_meter_points[1].agreements[0].valid_from 0001-01-01T00:00:00.000Z is outside 1990..2100', importAgreements, ['E-1R-VAR-22-11-01-C'])
  // Identifiers go into URL paths with the API key: a meter or meter point that could break one is left out.
  leftOut(b => { b.properties[0].electricity_meter_points[1].mpan = '..' },
    'properties[0].electricity_meter_points[1].mpan ".." may hold letters, digits, \'-\', \'_\' and \'.\' only', a => a.properties[1].electricity_meter_points.map(p => p.mpan), ['1170000000001'])
  leftOut(b => { b.properties[0].electricity_meter_points[1].meters[0].serial_number = '../x' },
    'properties[0].electricity_meter_points[1].meters[0].serial_number "../x" may hold letters, digits, \'-\', \'_\' and \'.\' only', a => a.properties[1].electricity_meter_points[1].meters, [])
  leftOut(b => { b.properties[0].gas_meter_points[0].mprn = '30/00' },
    'properties[0].gas_meter_points[0].mprn "30/00" may hold letters, digits, \'-\', \'_\' and \'.\' only', a => a.properties[1].gas_meter_points, [])
  leftOut(b => { b.properties[1].electricity_meter_points[0].meters = Array.from({ length: 21 }, () => ({ serial_number: 'X' })) },
    'properties[1].electricity_meter_points[0].meters has 21 entries, more than 20', a => a.properties[0].electricity_meter_points.length, 0)
  leftOut(b => { b.properties[1].postcode = 'P'.repeat(17) }, 'properties[1].postcode is 17 characters long, more than 16', a => a.properties.map(p => p.postcode), ['SW1A 1AA'])
})

test('tariff codes, account numbers and serials of real shapes other than E-1R-… are accepted', () => {
  const codes = ['E-FLAT2R-VAR-22-11-01-H', 'E1R-AEVAR-1201-J', 'V2G-EXPORT-12M-FIXED-22-12-01-C', 'E-1R-IOG-SMB-TOU-25-12-12-E', 'E-1R-INTELLI-FLUX-EXPORT-23-07-14-E', 'BUS-PANELP-12M-FIXED-SEPTEMBER2029']
  const body = structuredClone(ANSWER)
  body.properties[0].electricity_meter_points[1].agreements = codes.map((code, i) => ({ tariff_code: code, valid_from: `202${i}-01-01T00:00:00Z`, valid_to: `202${i}-06-01T00:00:00Z` }))
  body.properties[0].electricity_meter_points[1].meters = [{ serial_number: 'E6S12345678961' }, { serial_number: '21L4381884' }]
  const parsed = parseAccount(body, 'A-B1C2D3E4', 1)
  assert.deepStrictEqual(parsed.problems, [])
  assert.deepStrictEqual(parsed.account.properties[1].electricity_meter_points[1].agreements.map(a => a.tariff_code), codes)
  assert.deepStrictEqual(parsed.account.properties[1].electricity_meter_points[1].meters, ['E6S12345678961', '21L4381884'])
})

test('import periods: the agreements in force over a span, clipped to the property and the span; export left out', () => {
  const a = account()
  // The move on 2020-06-01: the old property's open agreement ends with moving out.
  const move = londonDay('2020-06-01')
  assert.deepStrictEqual(meterPeriods(a, 'import', move.startMs - 3600000, move.endMs), [
    { kind: 'import', meterPoint: '1800000000001', meters: ['OLD1'], tariff: 'E-1R-VAR-16-01-01-C', from: move.startMs - 3600000, to: move.startMs }
  ])
  // The new property has no import agreement before 2022-11-01.
  assert.deepStrictEqual(meterPeriods(a, 'import', move.startMs, move.endMs), [])
  const switchDay = londonDay('2024-10-01')
  const before = londonDay('2024-09-30')
  const current = { kind: 'import', meterPoint: '1900000000001', meters: ['21L0000001'] }
  assert.deepStrictEqual(meterPeriods(a, 'import', before.startMs, switchDay.endMs), [
    { ...current, tariff: 'E-1R-VAR-22-11-01-C', from: before.startMs, to: switchDay.startMs },
    { ...current, tariff: 'E-1R-AGILE-24-10-01-C', from: switchDay.startMs, to: switchDay.endMs }
  ])
  // Export and gas meter points by kind, with their meters.
  assert.deepStrictEqual(meterPeriods(a, 'export', switchDay.startMs, switchDay.endMs).map(p => [p.meterPoint, p.meters, p.tariff]),
    [['1170000000001', ['21L0000002'], 'E-1R-OUTGOING-FIX-12M-19-05-13-C']])
  assert.deepStrictEqual(meterPeriods(a, 'gas', switchDay.startMs, switchDay.endMs), [])
})

test('overlapping agreements (a move-out recorded after the next move-in) never price an instant twice: the one that started last has it', () => {
  const a = account()
  // The old property's move-out a day late: 2020-06-01 is in both properties' spans.
  a.properties[0].moved_out_at = at('2020-06-02T00:00:00+01:00')
  a.properties[1].electricity_meter_points[1].agreements.unshift({ tariff_code: 'E-1R-VAR-19-04-12-C', valid_from: at('2020-06-01T00:00:00+01:00'), valid_to: null })
  const day = londonDay('2020-06-01')
  const periods = meterPeriods(a, 'import', day.startMs, day.endMs)
  assert.deepStrictEqual(periods.map(p => [p.meterPoint, p.tariff, p.from, p.to]), [['1900000000001', 'E-1R-VAR-19-04-12-C', day.startMs, day.endMs]])
  // Cut at both edges: the earlier one before, the later one inside, the earlier one after.
  const inner = account()
  inner.properties[1].electricity_meter_points[1].agreements.push({ tariff_code: 'E-1R-FIX-12M-24-06-01-C', valid_from: at('2024-06-01T12:00:00+01:00'), valid_to: at('2024-06-01T18:00:00+01:00') })
  const june = londonDay('2024-06-01')
  assert.deepStrictEqual(meterPeriods(inner, 'import', june.startMs, june.endMs).map(p => [p.tariff, (p.to - p.from) / 3600000]),
    [['E-1R-VAR-22-11-01-C', 12], ['E-1R-FIX-12M-24-06-01-C', 6], ['E-1R-VAR-22-11-01-C', 6]])
})

test('periodAt: where periods overlap, the one that started last wins', () => {
  const periods = [{ tariff: 'A', from: 0, to: 100 }, { tariff: 'B', from: 50, to: 70 }]
  assert.deepStrictEqual([10, 50, 69, 70, 100].map(ms => periodAt(periods, ms)?.tariff), ['A', 'B', 'B', 'A', undefined])
})

test('repricedDates: the London days a changed agreement prices differently, and only those', () => {
  const previous = account()
  const next = account()
  const imports = next.properties[1].electricity_meter_points[1]
  // A back-dated switch: Agile from 2024-06-12 12:00 BST instead of 2024-10-01.
  imports.agreements[0].valid_to = at('2024-06-12T11:00:00Z')
  imports.agreements[1].valid_from = at('2024-06-12T11:00:00Z')
  const until = londonDay('2024-12-31').endMs
  const dates = repricedDates(previous, next, until)
  assert.equal(dates[0], '2024-06-12')
  assert.equal(dates.at(-1), '2024-09-30')
  assert.equal(dates.length, 19 + 31 + 31 + 30)
  assert.deepStrictEqual(repricedDates(previous, account(), until), [])
  // An agreement that ends: the days after it are no longer priced, up to `until`.
  const ended = account()
  ended.properties[1].electricity_meter_points[1].agreements[1].valid_to = at('2024-12-30T00:00:00Z')
  assert.deepStrictEqual(repricedDates(previous, ended, until), ['2024-12-30', '2024-12-31'])
  // Export agreements do not price import; the export view sees them, from the change on.
  const exportChanged = account()
  exportChanged.properties[1].electricity_meter_points[0].agreements[0].valid_from = at('2024-12-31T00:00:00Z')
  assert.deepStrictEqual(repricedDates(previous, exportChanged, until), [])
  assert.equal(repricedDates(previous, exportChanged, until, meterView('export', true)).at(-1), '2024-12-30')
  // A meter exchange (a second meter listed) changes what usage reads, not what pricing does.
  const exchanged = account()
  exchanged.properties[1].electricity_meter_points[1].meters.push('21L0000009')
  assert.deepStrictEqual(repricedDates(previous, exchanged, until, importTariffView), [])
  assert.equal(repricedDates(previous, exchanged, until, meterView('import', false))[0], '2022-11-01')
})

test('describeAccount lists properties, meter points, meters and agreements; singleMeterLines the current import meter', () => {
  const a = account()
  assert.deepStrictEqual(describeAccount(a), [
    'account A-1234ABCD: 2 properties',
    '  property M1 1AA: moved in 2016-01-01T00:00:00Z, moved out 2020-05-31T23:00:00Z',
    '    electricity import 1800000000001, meters OLD1',
    '      2016-01-01T00:00:00Z → open-ended  E-1R-VAR-16-01-01-C',
    '  property SW1A 1AA: moved in 2020-05-31T23:00:00Z, moved out (still there)',
    '    electricity export 1170000000001, meters 21L0000002',
    '      2020-05-31T23:00:00Z → open-ended  E-1R-OUTGOING-FIX-12M-19-05-13-C',
    '    electricity import 1900000000001, meters 21L0000001',
    '      2022-11-01T00:00:00Z → 2024-09-30T23:00:00Z  E-1R-VAR-22-11-01-C',
    '      2024-09-30T23:00:00Z → open-ended  E-1R-AGILE-24-10-01-C',
    '    gas 3000000001, meters G4A0000001'
  ])
  assert.deepStrictEqual(singleMeterLines(a, at('2025-01-01T00:00:00Z')), {
    OCTOPUS_MPAN: '1900000000001', OCTOPUS_SERIAL: '21L0000001', OCTOPUS_TARIFF: 'E-1R-AGILE-24-10-01-C', OCTOPUS_PRODUCT: 'AGILE-24-10-01'
  })
  assert.deepStrictEqual(singleMeterLines(a, at('2023-01-01T00:00:00Z')).OCTOPUS_TARIFF, 'E-1R-VAR-22-11-01-C')
  // After an exchange the current meter is listed first.
  a.properties[1].electricity_meter_points[1].meters.push('19E0000001')
  assert.equal(singleMeterLines(a, at('2025-01-01T00:00:00Z')).OCTOPUS_SERIAL, '21L0000001')
})
