import assert from 'node:assert/strict'
import { test } from 'node:test'
import { krakenError, krakenErrorKind, krakenErrors, scrub } from '../../../../clients/octopus/graphql.ts'
import { createTokenCache, TOKEN_MARGIN_MS } from '../../../../clients/octopus/kraken-token.ts'
import { parseAccountFacts, parseDispatches, parseMeasurementsPage } from '../../../../clients/octopus/kraken.ts'

const kraken = (errorCode: string | undefined, message: string, errorType?: string): unknown => ({ data: null, errors: [{ message, extensions: { errorCode, errorDescription: message, errorType } }] })

test('Kraken errors are classified by code', () => {
  const kind = (body: unknown): string => krakenErrorKind(krakenErrors(body)[0])
  assert.equal(kind(kraken('KT-CT-1139', 'Authentication failed.', 'VALIDATION')), 'auth')
  assert.equal(kind(kraken('KT-CT-1111', 'Unauthorized.')), 'auth')
  assert.equal(kind(kraken('KT-CT-1124', 'Token has expired.')), 'expired')
  assert.equal(kind(kraken('KT-CT-1199', 'Too many requests.')), 'rate-limited')
  assert.equal(kind(kraken('OE-0002', 'Rate limit exceeded.')), 'rate-limited')
  assert.equal(kind(kraken('KT-CT-1188', 'Query complexity too high.')), 'query')
  assert.equal(kind({ errors: [{ message: 'Cannot query field "nope" on type "Query".' }] }), 'query')
  assert.equal(kind(kraken('KT-CT-4340', 'Unable to fetch planned dispatches.')), 'other')
  assert.deepEqual(krakenErrors({ data: {} }), [])
})

test('error codes, retryability and messages', () => {
  const rate = krakenError(krakenErrors(kraken('KT-CT-1199', 'Too many requests.')), 'devices of A-1')
  assert.equal(rate.code, 'ENERGY_RATE_LIMITED')
  assert.equal(rate.retryable, true)
  assert.equal(rate.message, 'octopus graphql refused devices of A-1 (KT-CT-1199: Too many requests.): seed the day again later')
  const auth = krakenError(krakenErrors(kraken('KT-CT-1139', 'Authentication failed for sk_live_abcdef.')), 'obtainKrakenToken', ['sk_live_abcdef'])
  assert.equal(auth.code, 'ENERGY_AUTH')
  assert.equal(auth.retryable, false)
  assert.equal(auth.message, 'octopus graphql refused obtainKrakenToken (KT-CT-1139: Authentication failed for [redacted].); check OCTOPUS_API_KEY')
  assert.equal(krakenError(krakenErrors(kraken('KT-CT-1188', 'x')), 'q').code, 'ENERGY_MALFORMED')
  assert.equal(scrub('a secret-token b', ['secret-token']), 'a [redacted] b')
})

test('one token request in flight; renewed before it expires and after invalidate', async () => {
  let now = 0
  let calls = 0
  let release: () => void = () => {}
  const cache = createTokenCache(async () => {
    calls++
    await new Promise<void>(resolve => { release = resolve })
    return { token: `t${calls}`, expiresAtMs: now + 3600_000 }
  }, () => now)
  const waiting = Promise.all([cache.get(), cache.get(), cache.get()])
  await new Promise(resolve => setImmediate(resolve))
  release()
  assert.deepEqual(await waiting, ['t1', 't1', 't1'])
  now = 3600_000 - TOKEN_MARGIN_MS - 1
  assert.equal(await cache.get(), 't1')
  now += 2
  const next = cache.get()
  await new Promise(resolve => setImmediate(resolve))
  release()
  assert.equal(await next, 't2')
  cache.invalidate('t1') // an old token: the newer one stays
  assert.equal(await cache.get(), 't2')
  assert.equal(calls, 2)
})

test('dispatches: delta negated, flex types named, bad values refused', () => {
  const parsed = parseDispatches({
    flexPlannedDispatches: [{ start: '2026-01-17T00:30:00+00:00', end: '2026-01-17T03:00:00+00:00', type: 'SMART', energyAddedKwh: '17.50' }],
    completedDispatches: [
      { start: '2026-01-16T18:00:00+00:00', end: '2026-01-16T18:30:00+00:00', delta: '-3.50', meta: { source: 'bump-charge', location: 'AT_HOME' } },
      { start: '2026-01-16T13:00:00+00:00', end: '2026-01-16T14:00:00+00:00', delta: '-7.00', meta: null }
    ]
  }, 'dev')
  assert.deepEqual(parsed.planned, [{ deviceId: 'dev', start: Date.parse('2026-01-17T00:30:00Z'), end: Date.parse('2026-01-17T03:00:00Z'), kwh: 17.5, source: 'smart-charge', location: null }])
  assert.deepEqual(parsed.completed.map(d => [d.kwh, d.source, d.location]), [[7, null, null], [3.5, 'bump-charge', 'AT_HOME']])
  assert.throws(() => parseDispatches({ completedDispatches: [{ start: '2026-01-16T13:00:00Z', end: '2026-01-16T14:00:00Z', delta: '1e308' }] }, 'd'), /ENERGY_MALFORMED|delta/)
  assert.throws(() => parseDispatches({ completedDispatches: [{ start: '2026-01-16T14:00:00Z', end: '2026-01-16T13:00:00Z', delta: '-1' }] }, 'd'), /runs from/)
  assert.throws(() => parseDispatches({ completedDispatches: [{ start: '2026-01-16T13:00:00Z', end: '2026-01-16T14:00:00Z', delta: '-1', meta: { source: 'x'.repeat(100) } }] }, 'd'), /characters long/)
})

test('measurements keep unknown statistics and read pence', () => {
  const page = parseMeasurementsPage({
    account: {
      properties: [{
        measurements: {
          edges: [{
            node: {
              value: '0.113',
              unit: 'kwh',
              startAt: '2024-05-07T00:30:00+01:00',
              endAt: '2024-05-07T01:00:00+01:00',
              metaData: {
                statistics: [
                  { type: 'CONSUMPTION_COST', label: null, value: '0.113', costInclTax: { estimatedAmount: '2.71', costCurrency: 'GBP' } },
                  { type: 'TOU_BUCKET_COST', label: 'EV LOW RATE', costInclTax: { estimatedAmount: '1.5' } }
                ]
              }
            }
          }],
          pageInfo: { hasNextPage: true, endCursor: 'abc' }
        }
      }]
    }
  })
  assert.equal(page.next, 'abc')
  assert.deepEqual(page.measurements, [{
    start: Date.parse('2024-05-06T23:30:00Z'),
    end: Date.parse('2024-05-07T00:00:00Z'),
    kwh: 0.113,
    unit: 'kwh',
    statistics: [
      { label: null, type: 'CONSUMPTION_COST', costIncTaxPence: 2.71, value: 0.113 },
      { label: 'EV LOW RATE', type: 'TOU_BUCKET_COST', costIncTaxPence: 1.5, value: null }
    ]
  }])
  assert.throws(() => parseMeasurementsPage({ account: { properties: [{ measurements: { edges: [{ node: { value: 'NaN', unit: 'kwh', startAt: '2024-05-07T00:30:00Z', endAt: '2024-05-07T01:00:00Z' } }], pageInfo: { hasNextPage: false } } }] } }), /value/)
})

test('account facts: gas meters units by serial', () => {
  const facts = parseAccountFacts({
    account: {
      electricityAgreements: [{ validFrom: '2025-12-12T00:00:00+00:00', validTo: null, meterPoint: { mpan: '1400000000002' }, tariff: { tariffCode: 'E-1R-IOG-SMB-TOU-25-12-12-E' } }],
      gasAgreements: [{ validFrom: '2022-12-01T00:00:00+00:00', validTo: null, meterPoint: { mprn: '7000000002', meters: [{ serialNumber: 'E6S20000000026', consumptionUnits: 'm³' }] }, tariff: { tariffCode: 'G-1R-VAR-22-11-01-E' } }]
    }
  })
  assert.deepEqual(facts.gasMeterUnits, { E6S20000000026: 'm³' })
  assert.deepEqual(facts.agreements.map(a => [a.fuel, a.mpxn, a.tariffCode, a.validTo]), [['electricity', '1400000000002', 'E-1R-IOG-SMB-TOU-25-12-12-E', null], ['gas', '7000000002', 'G-1R-VAR-22-11-01-E', null]])
})
