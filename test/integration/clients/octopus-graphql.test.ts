import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { test, type TestContext } from 'node:test'
import { forgetKrakenTokens } from '../../../clients/octopus/graphql.ts'
import { fetchAccountFacts, fetchDevices, fetchDispatches, fetchMeasurements, fetchPaymentMethod } from '../../../clients/octopus/kraken.ts'
import type { ClientContext } from '../../../clients/types.ts'
import { isEnergyError } from '../../../lib/errors.ts'
import { createLogger } from '../../../lib/log.ts'
import { londonDay } from '../../../lib/london-day.ts'
import { consumption } from '../../../sample-api/data.ts'
import { REAL_DEVICE_ID } from '../../../sample-api/dispatches.ts'
import { REAL_ACCOUNT, REAL_GAS_SMETS1_SERIAL, REAL_GAS_SMETS2_SERIAL, REAL_MPAN, REAL_SERIAL, SAMPLE_API_KEY } from '../../../sample-api/options.ts'
import { silentLog, testConfig } from '../../helpers.ts'
import { startSampleServer, type SampleServer } from '../../pipeline.ts'

// The GraphQL client against the sample API: tokens, errors by kind, and each query's values
// for 2026-01-16, a day of the second account's Intelligent Octopus Go EV with a daytime smart
// charge (13:00-14:00 GMT, 7 kWh) and a bump charge (18:00-18:30, 3.5 kWh).

const AT = (iso: string): number => Date.parse(iso)
const HOUR = 3600 * 1000

async function setUp (t: TestContext, startMs: number, overrides: Record<string, string> = {}): Promise<{ sample: SampleServer, ctx: ClientContext, clock: { ms: number }, tokenRequests: () => number }> {
  forgetKrakenTokens()
  const clock = { ms: startMs }
  const sample = await startSampleServer(t, { now: () => clock.ms })
  const config = testConfig({ OCTOPUS_GRAPHQL_URL: `${sample.octopusApiUrl}/graphql/`, HTTP_RETRIES: '3', ...overrides })
  const ctx: ClientContext = { config, log: silentLog, signal: new AbortController().signal }
  return { sample, ctx, clock, tokenRequests: () => sample.requests.filter(r => r.path.endsWith('/graphql/') && r.authorization === undefined).length }
}

test('one token for concurrent queries; renewed once when the server calls it expired', async t => {
  const { ctx, clock, tokenRequests } = await setUp(t, AT('2026-01-16T19:00:00Z'))
  const all = await Promise.all([fetchDevices(ctx, REAL_ACCOUNT), fetchDevices(ctx, REAL_ACCOUNT), fetchDispatches(ctx, REAL_ACCOUNT, REAL_DEVICE_ID), fetchAccountFacts(ctx, REAL_ACCOUNT)])
  assert.equal(all[0].length, 1)
  assert.equal(tokenRequests(), 1)
  // The sample's clock passes the token's hour; this machine's does not: the server refuses it (KT-CT-1124).
  clock.ms += 2 * HOUR
  await Promise.all([fetchDevices(ctx, REAL_ACCOUNT), fetchDevices(ctx, REAL_ACCOUNT), fetchDevices(ctx, REAL_ACCOUNT)])
  assert.equal(tokenRequests(), 2)
})

test('a rate limit (KT-CT-1199) is retried, then ENERGY_RATE_LIMITED', async t => {
  const { sample, ctx } = await setUp(t, AT('2026-01-16T19:00:00Z'), { HTTP_RETRIES: '2' })
  await fetchDevices(ctx, REAL_ACCOUNT)
  sample.api.setFaults([{ source: 'graphql', kind: '429', times: 2 }])
  assert.equal((await fetchDevices(ctx, REAL_ACCOUNT))[0].id, REAL_DEVICE_ID)
  sample.api.setFaults([{ source: 'graphql', kind: '429' }])
  await assert.rejects(fetchDevices(ctx, REAL_ACCOUNT), err => isEnergyError(err, 'ENERGY_RATE_LIMITED') && /KT-CT-1199/.test(err.message))
})

test('a wrong key is ENERGY_AUTH; neither the key nor a token reaches the error or the log', async t => {
  const key = 'sk_live_wrong0000000000000000secret'
  const { ctx } = await setUp(t, AT('2026-01-16T19:00:00Z'), { OCTOPUS_API_KEY: key })
  const lines: string[] = []
  const log = createLogger('debug', new Writable({ write (chunk, _e, done) { lines.push(String(chunk)); done() } }))
  const err = await fetchDevices({ ...ctx, log }, REAL_ACCOUNT).then(() => undefined, (e: unknown) => e)
  assert.ok(isEnergyError(err, 'ENERGY_AUTH'), String(err))
  assert.match(err.message, /KT-CT-1139: Authentication failed\..*OCTOPUS_API_KEY/)
  log.error({ err, config: ctx.config }, 'failed')
  const text = [err.message, String(err.stack), JSON.stringify(err), ...lines].join('\n')
  assert.ok(!text.includes(key), 'key in output')
  assert.ok(!text.includes(SAMPLE_API_KEY))
})

test('dispatches, devices, measurements and account facts of A-REAL2026 on 2026-01-16', async t => {
  const { ctx, clock } = await setUp(t, AT('2026-01-16T19:00:00Z'))
  const devices = await fetchDevices(ctx, REAL_ACCOUNT)
  assert.deepEqual(devices, [{ id: REAL_DEVICE_ID, deviceType: 'ELECTRIC_VEHICLES', provider: 'TESLA', name: 'Sample EV', status: 'LIVE' }])

  const seen = await fetchDispatches(ctx, REAL_ACCOUNT)
  assert.deepEqual(seen.completed, [
    { deviceId: REAL_DEVICE_ID, start: AT('2026-01-16T13:00:00Z'), end: AT('2026-01-16T14:00:00Z'), kwh: 7, source: 'smart-charge', location: 'AT_HOME' },
    { deviceId: REAL_DEVICE_ID, start: AT('2026-01-16T18:00:00Z'), end: AT('2026-01-16T18:30:00Z'), kwh: 3.5, source: 'bump-charge', location: 'AT_HOME' }
  ])
  assert.deepEqual(seen.planned, [{ deviceId: REAL_DEVICE_ID, start: AT('2026-01-17T00:30:00Z'), end: AT('2026-01-17T03:00:00Z'), kwh: 17.5, source: 'smart-charge', location: null }])
  // An hour later the daytime smart charge is relabelled a bump charge; 12 hours on, both are gone.
  clock.ms += HOUR
  assert.equal((await fetchDispatches(ctx, REAL_ACCOUNT)).completed[0].source, 'bump-charge')
  clock.ms += 12 * HOUR
  assert.deepEqual((await fetchDispatches(ctx, REAL_ACCOUNT)).completed.filter(d => d.start < AT('2026-01-17T00:00:00Z')), [])

  const day = londonDay('2026-01-16')
  const rows = await fetchMeasurements(ctx, REAL_ACCOUNT, { mpxn: REAL_MPAN, serial: REAL_SERIAL, from: day.startMs, to: day.endMs })
  assert.equal(rows.length, 48)
  assert.deepEqual(rows.map(r => r.kwh), rows.map(r => consumption(42, r.start)))
  const cost = (at: string): number | null => rows.find(r => r.start === AT(at))?.statistics.find(s => s.type === 'CONSUMPTION_COST')?.costIncTaxPence ?? null
  const rate = (at: string): number => (cost(at) as number) / (rows.find(r => r.start === AT(at))?.kwh as number)
  // 13:00 (dispatched) and 02:00 (off-peak) at the night rate; 12:00 and 14:00 at the day rate.
  assert.ok(Math.abs(rate('2026-01-16T13:00:00Z') - rate('2026-01-16T02:00:00Z')) < 0.5)
  assert.ok(rate('2026-01-16T12:00:00Z') > rate('2026-01-16T13:00:00Z') + 5)
  const standing = rows.reduce((sum, r) => sum + (r.statistics.find(s => s.type === 'STANDING_CHARGE_COST')?.costIncTaxPence ?? 0), 0)
  assert.ok(standing > 20 && standing < 100, `standing ${standing}`)

  const facts = await fetchAccountFacts(ctx, REAL_ACCOUNT)
  assert.deepEqual(facts.gasMeterUnits, { [REAL_GAS_SMETS2_SERIAL]: 'm3', [REAL_GAS_SMETS1_SERIAL]: 'kWh' })
  assert.equal(await fetchPaymentMethod(ctx, REAL_ACCOUNT), 'DIRECT_DEBIT')
  assert.equal(facts.agreements.find(a => a.validTo === null && a.fuel === 'electricity' && a.mpxn === REAL_MPAN)?.tariffCode, 'E-1R-IOG-SMB-TOU-25-12-12-E')
})
