import assert from 'node:assert/strict'
import { test } from 'node:test'
import { krakenError, krakenErrorKind, krakenErrors, scrub } from '../../../../clients/octopus/graphql.ts'
import { createTokenCache, TOKEN_MARGIN_MS } from '../../../../clients/octopus/kraken-token.ts'
import { parseAccountFacts, parseDevices, parseDispatches, parseGasUnit, parseMeasurementsPage, parsePaymentMethod } from '../../../../clients/octopus/kraken.ts'
import { isEnergyError } from '../../../../lib/errors.ts'

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
  assert.deepEqual(facts.gasMeterUnits, { E6S20000000026: 'm3' })
  assert.deepEqual(facts.agreements.map(a => [a.fuel, a.mpxn, a.tariffCode, a.validTo]), [['electricity', '1400000000002', 'E-1R-IOG-SMB-TOU-25-12-12-E', null], ['gas', '7000000002', 'G-1R-VAR-22-11-01-E', null]])
})

// An answer whose gas units cannot be read is refused as a whole (ENERGY_MALFORMED, naming the
// entry): the refresh then says the units were not checked, and the configuration decides.
const gasAnswer = (meters: unknown, agreements = 1): Record<string, unknown> => ({
  account: {
    electricityAgreements: [],
    gasAgreements: Array.from({ length: agreements }, () => ({ validFrom: '2022-12-01T00:00:00+00:00', validTo: null, meterPoint: { mprn: '7000000002', meters }, tariff: { tariffCode: 'G-1R-VAR-22-11-01-E' } }))
  }
})
const refusedAs = (pattern: RegExp) => (err: unknown): boolean => isEnergyError(err, 'ENERGY_MALFORMED') && pattern.test(err.message)

test('gas units: m³ and kWh as Kraken spells them, null for a meter without; anything else, control characters or oversized lists refused with the entry named', () => {
  assert.deepEqual(['m³', 'm3', 'kWh', ' kWh '].map(u => parseGasUnit(u, 'x')), ['m3', 'm3', 'kWh', 'kWh'])
  assert.equal(parseGasUnit(null, 'x'), null)
  assert.equal(parseGasUnit(undefined, 'x'), null)
  assert.deepEqual(parseAccountFacts(gasAnswer([{ serialNumber: 'G4P1', consumptionUnits: 'kWh' }, { serialNumber: 'E6S2', consumptionUnits: null }])).gasMeterUnits, { G4P1: 'kWh' })
  // The same meter under two agreements, one unit: listed once.
  assert.deepEqual(parseAccountFacts(gasAnswer([{ serialNumber: 'E6S2', consumptionUnits: 'm³' }], 2)).gasMeterUnits, { E6S2: 'm3' })
  assert.throws(() => parseAccountFacts(gasAnswer([{ serialNumber: 'E6S2', consumptionUnits: 'ft³' }])),
    refusedAs(/^octopus graphql answer is malformed: gasAgreements\[0\]\.meters\[0\]\.consumptionUnits "ft³" is not a gas meter unit \(m³ or kWh\)$/))
  assert.throws(() => parseAccountFacts(gasAnswer([{ serialNumber: 'E6S2', consumptionUnits: 'KWH' }])), refusedAs(/"KWH" is not a gas meter unit/))
  assert.throws(() => parseAccountFacts(gasAnswer([{ serialNumber: 'E6S2', consumptionUnits: 42 }])), refusedAs(/consumptionUnits/))
  assert.throws(() => parseAccountFacts(gasAnswer([{ serialNumber: 'E6S2', consumptionUnits: 'm\u0000³' }])), refusedAs(/consumptionUnits/))
  assert.throws(() => parseAccountFacts(gasAnswer([{ serialNumber: 'E6S\u001b[2J', consumptionUnits: 'm³' }])), refusedAs(/serialNumber/))
  assert.throws(() => parseAccountFacts(gasAnswer([{ serialNumber: 'E6S2', consumptionUnits: 'm³'.repeat(100) }])), refusedAs(/consumptionUnits/))
  assert.throws(() => parseAccountFacts(gasAnswer(Array.from({ length: 2001 }, (_, i) => ({ serialNumber: `S${i}`, consumptionUnits: 'm³' })))), refusedAs(/meters has 2001 entries, more than 2000/))
  assert.throws(() => parseAccountFacts({ account: { gasAgreements: 'many' } }), refusedAs(/gasAgreements/))
  // Two agreements saying two units for one meter: a contradiction, not a choice.
  assert.throws(() => parseAccountFacts({
    account: {
      gasAgreements: [
        { validFrom: '2022-12-01T00:00:00+00:00', validTo: '2023-12-01T00:00:00+00:00', meterPoint: { mprn: '7000000002', meters: [{ serialNumber: 'E6S2', consumptionUnits: 'm³' }] }, tariff: { tariffCode: 'G-1R-A-E' } },
        { validFrom: '2023-12-01T00:00:00+00:00', validTo: null, meterPoint: { mprn: '7000000002', meters: [{ serialNumber: 'E6S2', consumptionUnits: 'kWh' }] }, tariff: { tariffCode: 'G-1R-B-E' } }
      ]
    }
  }), refusedAs(/gas meter E6S2 is said to read both m3 and kWh/))
})

test('payment method: DIRECT_DEBIT when a direct debit instruction is ACTIVE, else NON_DIRECT_DEBIT; hostile lists refused', () => {
  const answer = (...statuses: unknown[]): Record<string, unknown> => ({ account: { directDebitInstructions: { edges: statuses.map(status => ({ node: { status } })) } } })
  assert.equal(parsePaymentMethod(answer('ACTIVE')), 'DIRECT_DEBIT')
  assert.equal(parsePaymentMethod(answer('FAILED', 'ACTIVE')), 'DIRECT_DEBIT')
  assert.equal(parsePaymentMethod(answer('PROVISIONAL', 'ACCOUNT_CLOSED')), 'NON_DIRECT_DEBIT')
  assert.equal(parsePaymentMethod(answer()), 'NON_DIRECT_DEBIT')
  assert.equal(parsePaymentMethod({ account: { directDebitInstructions: null } }), 'NON_DIRECT_DEBIT')
  assert.throws(() => parsePaymentMethod(answer('ACT\u0000IVE')), refusedAs(/directDebitInstructions\.edges\[0\]\.node\.status/))
  assert.throws(() => parsePaymentMethod(answer(7)), refusedAs(/status/))
  assert.throws(() => parsePaymentMethod(answer(...Array.from({ length: 2001 }, () => 'FAILED'))), refusedAs(/more than 2000/))
  assert.throws(() => parsePaymentMethod({ account: null }), refusedAs(/account/))
})

test('devices: control characters and oversized lists refused', () => {
  const device = { id: 'd-1', deviceType: 'ELECTRIC_VEHICLES', provider: 'TESLA', name: 'Car', status: { current: 'LIVE' } }
  assert.deepEqual(parseDevices({ devices: [device] }), [{ id: 'd-1', deviceType: 'ELECTRIC_VEHICLES', provider: 'TESLA', name: 'Car', status: 'LIVE' }])
  assert.throws(() => parseDevices({ devices: [{ ...device, name: 'Car\u0007' }] }), refusedAs(/devices\[0\]\.name/))
  assert.throws(() => parseDevices({ devices: Array.from({ length: 2001 }, () => device) }), refusedAs(/more than 2000/))
})

test('a token is obtained with the context of the caller that needs it, not the first caller\'s (a stopped component\'s signal)', async () => {
  let now = 0
  const asked: string[] = []
  const cache = createTokenCache(async (caller: string) => {
    asked.push(caller)
    return { token: `t-${caller}`, expiresAtMs: now + 3600_000 }
  }, () => now)
  assert.equal(await cache.get('first'), 't-first')
  assert.equal(await cache.get('second'), 't-first')
  now = 3600_000
  assert.equal(await cache.get('third'), 't-third')
  assert.deepEqual(asked, ['first', 'third'])
})

test('a caller that joined a token request another caller\'s stop aborted asks again with its own context; any other failure is everyone\'s', async () => {
  const asked: string[] = []
  const stopped = new AbortController()
  const cache = createTokenCache(async ({ name, signal }: { name: string, signal: AbortSignal }) => {
    asked.push(name)
    await new Promise(resolve => setTimeout(resolve, 10))
    signal.throwIfAborted()
    if (name === 'refused') throw new Error('KT-CT-1138: the key was refused')
    return { token: `t-${name}`, expiresAtMs: Date.now() + 3600_000 }
  })
  const first = cache.get({ name: 'stopping', signal: stopped.signal })
  const second = cache.get({ name: 'running', signal: new AbortController().signal })
  stopped.abort()
  await assert.rejects(first, { name: 'AbortError' })
  assert.equal(await second, 't-running')
  assert.deepEqual(asked, ['stopping', 'running'])
  // A refusal is not retried by those who joined it.
  const other = createTokenCache(async ({ name }: { name: string, signal: AbortSignal }) => {
    asked.push(name)
    await new Promise(resolve => setTimeout(resolve, 10))
    throw new Error(`KT-CT-1138: ${name} refused`)
  })
  const a = other.get({ name: 'a', signal: new AbortController().signal })
  const b = other.get({ name: 'b', signal: new AbortController().signal })
  await assert.rejects(a, /a refused/)
  await assert.rejects(b, /a refused/)
  assert.deepEqual(asked, ['stopping', 'running', 'a'])
})
