import assert from 'node:assert/strict'
import { test } from 'node:test'
import { keepHistory } from '../../../../processors/account/history.ts'
import type { Account } from '../../../../clients/octopus/types.ts'

// An answer that omits what an earlier one listed (HomeAssistant-OctopusEnergy #1051, #1239,
// #1808) keeps it; what the household means (an agreement that ends, a switch, a move) wins.

const at = (iso: string): number => Date.parse(iso)
const ACCOUNT: Account = {
  number: 'A-1234ABCD',
  fetched_at: 1,
  properties: [{
    moved_in_at: at('2020-01-01T00:00:00Z'),
    moved_out_at: null,
    postcode: 'SW1A 1AA',
    electricity_meter_points: [
      { mpan: '1900000000001', is_export: false, meters: ['NEW1', 'OLD1'], agreements: [{ tariff_code: 'E-1R-VAR-22-11-01-C', valid_from: at('2022-11-01T00:00:00Z'), valid_to: null }] },
      { mpan: '1170000000001', is_export: true, meters: ['EXP1'], agreements: [{ tariff_code: 'E-1R-OUTGOING-FIX-12M-19-05-13-C', valid_from: at('2021-01-01T00:00:00Z'), valid_to: null }] }
    ],
    gas_meter_points: [{ mprn: '3000000001', meters: ['G1'], agreements: [{ tariff_code: 'G-1R-VAR-22-11-01-C', valid_from: at('2022-11-01T00:00:00Z'), valid_to: null }] }]
  }]
}

const next = (change: (a: Account) => void): Account => {
  const a = structuredClone(ACCOUNT)
  a.fetched_at = 2
  change(a)
  return a
}

test('an answer without a meter point, meter, agreement or property keeps them, each named', () => {
  const dropped = next(a => {
    a.properties[0].electricity_meter_points.pop()
    a.properties[0].electricity_meter_points[0].meters = ['NEW1']
    a.properties[0].gas_meter_points[0].agreements = []
  })
  const kept = keepHistory(ACCOUNT, dropped)
  assert.deepStrictEqual(kept.account.properties, ACCOUNT.properties)
  assert.deepStrictEqual(kept.kept, ['1900000000001: meter OLD1', 'meter point 1170000000001', '3000000001: agreement G-1R-VAR-22-11-01-C from 2022-11-01T00:00:00.000Z'])
  const empty = keepHistory(ACCOUNT, next(a => { a.properties = [] }))
  assert.deepStrictEqual([empty.account.properties, empty.kept], [ACCOUNT.properties, ['property SW1A 1AA moved into 2020-01-01T00:00:00.000Z']])
})

test('what the household means still changes the account: an agreement ending, a switch, a move, a new meter', () => {
  const meant = next(a => {
    const imports = a.properties[0].electricity_meter_points[0]
    imports.agreements = [
      { tariff_code: 'E-1R-VAR-22-11-01-C', valid_from: at('2022-11-01T00:00:00Z'), valid_to: at('2024-10-01T00:00:00Z') },
      { tariff_code: 'E-1R-AGILE-24-10-01-C', valid_from: at('2024-10-01T00:00:00Z'), valid_to: null }
    ]
    imports.meters = ['NEWER', 'NEW1', 'OLD1']
    a.properties[0].moved_out_at = at('2025-01-01T00:00:00Z')
  })
  const kept = keepHistory(ACCOUNT, meant)
  assert.deepStrictEqual(kept.kept, [])
  assert.deepStrictEqual(kept.account, meant)
})
