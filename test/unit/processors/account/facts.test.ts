import assert from 'node:assert/strict'
import { test } from 'node:test'
import { importTariffView, meterView, paymentMethodOf, repricedDates } from '../../../../clients/octopus/account-view.ts'
import type { Account } from '../../../../clients/octopus/types.ts'
import { factsKnown, meterUnit, uncheckedFacts, withFacts } from '../../../../processors/account/facts.ts'
import { gasUnitOf } from '../../../../processors/gas/index.ts'

// What GraphQL knows goes on the account of record with its origin: GAS_METER_UNITS naming a
// meter, then GraphQL (now, else before), then GAS_UNIT; GraphQL's payment method over
// OCTOPUS_PAYMENT_METHOD; devices as last listed.

const at = (iso: string): number => Date.parse(iso)
const ACCOUNT: Account = {
  number: 'A-1234ABCD',
  fetched_at: 1,
  properties: [{
    moved_in_at: at('2020-01-01T00:00:00Z'),
    moved_out_at: null,
    postcode: 'SW1A 1AA',
    electricity_meter_points: [{ mpan: '1900000000001', is_export: false, meters: ['E1'], agreements: [{ tariff_code: 'E-1R-VAR-22-11-01-C', valid_from: at('2022-11-01T00:00:00Z'), valid_to: null }] }],
    gas_meter_points: [{ mprn: '3000000001', meters: ['G2', 'G1'], agreements: [{ tariff_code: 'G-1R-VAR-22-11-01-C', valid_from: at('2022-11-01T00:00:00Z'), valid_to: null }] }]
  }]
}
const CONFIG = { gasUnit: 'm3' as const, gasMeterUnits: {}, octopusPaymentMethod: 'DIRECT_DEBIT' as const }
const DEVICE = { id: 'd-1', deviceType: 'ELECTRIC_VEHICLES', provider: 'TESLA', name: 'Car', status: 'LIVE' }
const unitsOf = (a: Account): unknown => a.properties[0].gas_meter_points[0].meter_units

test('a meter\'s unit: GAS_METER_UNITS, then GraphQL now, then GraphQL before, then GAS_UNIT', () => {
  const before = [{ serial: 'G1', unit: 'kWh', origin: 'graphql' as const }, { serial: 'G2', unit: 'kWh', origin: 'default' as const }]
  assert.deepStrictEqual(meterUnit('G1', { G1: 'm3' }, before, { ...CONFIG, gasMeterUnits: { G1: 'kWh' } }), { serial: 'G1', unit: 'kWh', origin: 'config' })
  assert.deepStrictEqual(meterUnit('G1', { G1: 'm3' }, before, CONFIG), { serial: 'G1', unit: 'm3', origin: 'graphql' })
  assert.deepStrictEqual(meterUnit('G1', undefined, before, CONFIG), { serial: 'G1', unit: 'kWh', origin: 'graphql' })
  // A unit the configuration gave before is not GraphQL's word: today's GAS_UNIT decides.
  assert.deepStrictEqual(meterUnit('G2', undefined, before, CONFIG), { serial: 'G2', unit: 'm3', origin: 'default' })
})

test('withFacts: every fact GraphQL gave, with its origin; refused ones keep what was learnt before, else the configuration', () => {
  const learnt = withFacts(ACCOUNT, { gasMeterUnits: { G1: 'kWh', G2: 'm3' }, paymentMethod: 'NON_DIRECT_DEBIT', devices: [DEVICE] }, undefined, CONFIG)
  assert.deepStrictEqual(unitsOf(learnt), [{ serial: 'G2', unit: 'm3', origin: 'graphql' }, { serial: 'G1', unit: 'kWh', origin: 'graphql' }])
  assert.deepStrictEqual(learnt.payment_method, { method: 'NON_DIRECT_DEBIT', origin: 'graphql' })
  assert.deepStrictEqual(learnt.devices, [{ id: 'd-1', device_type: 'ELECTRIC_VEHICLES', provider: 'TESLA', name: 'Car', status: 'LIVE' }])
  // GraphQL refused this time: what it said before stands.
  assert.deepStrictEqual(withFacts({ ...ACCOUNT, fetched_at: 2 }, {}, learnt, CONFIG), { ...learnt, fetched_at: 2 })
  // Never asked: the configuration, said so.
  const guessed = withFacts(ACCOUNT, {}, undefined, { ...CONFIG, gasMeterUnits: { G2: 'kWh' } })
  assert.deepStrictEqual(unitsOf(guessed), [{ serial: 'G2', unit: 'kWh', origin: 'config' }, { serial: 'G1', unit: 'm3', origin: 'default' }])
  assert.deepStrictEqual([guessed.payment_method, guessed.devices], [{ method: 'DIRECT_DEBIT', origin: 'config' }, []])
  assert.deepStrictEqual(uncheckedFacts({ paymentMethod: 'DIRECT_DEBIT' }), ['gas meter units', 'devices'])
  assert.deepStrictEqual(uncheckedFacts({ gasMeterUnits: {}, paymentMethod: 'DIRECT_DEBIT', devices: [] }), [])
})

test('pricing and gas read the facts: the account\'s payment method, else OCTOPUS_PAYMENT_METHOD; GraphQL\'s unit unless GAS_METER_UNITS names the meter', () => {
  assert.equal(paymentMethodOf(undefined, CONFIG), 'DIRECT_DEBIT')
  assert.equal(paymentMethodOf({ payment_method: null }, CONFIG), 'DIRECT_DEBIT')
  assert.equal(paymentMethodOf({ payment_method: { method: 'NON_DIRECT_DEBIT', origin: 'graphql' } }, CONFIG), 'NON_DIRECT_DEBIT')
  const units = [{ serial: 'G1', unit: 'm3', origin: 'graphql' as const }, { serial: 'G2', unit: 'm3', origin: 'default' as const }]
  const config = { gasUnit: 'kWh' as const, gasMeterUnits: {} }
  assert.deepStrictEqual([gasUnitOf('G1', config, units), gasUnitOf('G2', config, units), gasUnitOf('G3', config, units), gasUnitOf(null, config, units)], ['m3', 'kWh', 'kWh', 'kWh'])
  assert.equal(gasUnitOf('G1', { ...config, gasMeterUnits: { G1: 'kWh' } }, units), 'kWh')
})

test('a learnt fact re-requests the days it changes, and only those: a unit or payment method the configuration already said changes none', () => {
  const until = at('2022-11-04T00:00:00Z')
  const old = withFacts(ACCOUNT, {}, undefined, CONFIG)
  const same = withFacts(ACCOUNT, { gasMeterUnits: { G1: 'm3', G2: 'm3' }, paymentMethod: 'DIRECT_DEBIT' }, old, CONFIG)
  for (const view of [importTariffView, meterView('gas', true), meterView('export', true)]) assert.deepStrictEqual(repricedDates(old, same, until, view), [])
  const kwh = withFacts(ACCOUNT, { gasMeterUnits: { G1: 'kWh' } }, old, CONFIG)
  assert.deepStrictEqual(repricedDates(old, kwh, until, meterView('gas', true)), ['2022-11-01', '2022-11-02', '2022-11-03'])
  assert.deepStrictEqual(repricedDates(old, kwh, until, importTariffView), [])
  const nonDd = withFacts(ACCOUNT, { paymentMethod: 'NON_DIRECT_DEBIT' }, old, CONFIG)
  assert.deepStrictEqual(repricedDates(old, nonDd, until, importTariffView), ['2022-11-01', '2022-11-02', '2022-11-03'])
  assert.deepStrictEqual(repricedDates(old, nonDd, until, meterView('gas', true)), ['2022-11-01', '2022-11-02', '2022-11-03'])
  // Usage meters, it does not price: the payment method is not its business.
  assert.deepStrictEqual(repricedDates(old, nonDd, until, meterView('import', false)), [])
})

test('factsKnown: a seed reuses the record\'s facts only when GraphQL gave its payment method and a unit for every gas meter the answer lists (or GAS_METER_UNITS names it)', () => {
  const learnt = withFacts(ACCOUNT, { gasMeterUnits: { G1: 'kWh', G2: 'm3' }, paymentMethod: 'DIRECT_DEBIT', devices: [] }, undefined, CONFIG)
  // The REST answer carries none of the facts: the record does.
  assert.equal(factsKnown(learnt, ACCOUNT, CONFIG), true)
  // Nothing published yet (the first seed), or a record from before the facts (version 1).
  assert.equal(factsKnown(undefined, ACCOUNT, CONFIG), false)
  assert.equal(factsKnown({ ...learnt, payment_method: null }, ACCOUNT, CONFIG), false)
  // GraphQL could not tell then: the configuration decided, so ask again.
  assert.equal(factsKnown(withFacts(ACCOUNT, {}, undefined, CONFIG), ACCOUNT, CONFIG), false)
  assert.equal(factsKnown(withFacts(ACCOUNT, { gasMeterUnits: { G1: 'kWh', G2: 'm3' } }, undefined, CONFIG), ACCOUNT, CONFIG), false)
  const oneUnit = withFacts(ACCOUNT, { gasMeterUnits: { G1: 'kWh' }, paymentMethod: 'DIRECT_DEBIT' }, undefined, CONFIG)
  assert.equal(factsKnown(oneUnit, ACCOUNT, CONFIG), false)
  // ... unless GAS_METER_UNITS names that meter: its unit is the configuration's whatever GraphQL says.
  assert.equal(factsKnown(oneUnit, ACCOUNT, { gasMeterUnits: { G2: 'm3' } }), true)
  // A meter the answer lists that the record has no unit for (an exchange): ask.
  const exchanged: Account = { ...ACCOUNT, properties: [{ ...ACCOUNT.properties[0], gas_meter_points: [{ ...ACCOUNT.properties[0].gas_meter_points[0], meters: ['G3', 'G2', 'G1'] }] }] }
  assert.equal(factsKnown(learnt, exchanged, CONFIG), false)
  // Reused, the facts are the record's, so nothing is re-requested for them.
  assert.deepStrictEqual(withFacts({ ...ACCOUNT, fetched_at: 2 }, {}, learnt, CONFIG), { ...learnt, fetched_at: 2 })
})
