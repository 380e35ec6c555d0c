import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Config } from '../../../lib/config.ts'
import { createSourceProcessor, topology } from '../../../processors/index.ts'
import {
  captureLog, createTestEnvironment, defer, groupsCaughtUp, processorGroup, readRaw, seedDates, startSampleServer, waitFor
} from '../../pipeline.ts'

// A source URL with credentials (user:password@) never prints them. loadConfig refuses
// CARBON_API_URL / OCTOPUS_API_URL with credentials (test/unit/lib/redact-url.test.ts); below
// that, lib/http.ts refuses such a URL (a config built another way, or an Octopus `next` link)
// before any request. Either way the log and the dead letter never show the password.

const PASSWORD = 's3cr%2Ft'

function assertNoSecret (text: string, what: string): void {
  for (const needle of [PASSWORD, 's3cr/t', 's3cr', 'user:s3', Buffer.from('user:s3cr/t').toString('base64')]) {
    assert.ok(!text.includes(needle), `${what} contains ${needle}: ${text}`)
  }
}

test('a fetch to a credentialed source URL fails without printing them: log and dead letter', async t => {
  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, 'ingest_creds', sample)
  const carbonApiUrl = `http://user:${PASSWORD}@${new URL(sample.carbonApiUrl).host}/carbon`
  // The environment's config with the credentialed URL (loadConfig would refuse it); the
  // prototype keeps the non-enumerable properties.
  const config = Object.create(env.config, { carbonApiUrl: { value: carbonApiUrl, enumerable: true } }) as Readonly<Config>
  const captured = captureLog()
  const processor = createSourceProcessor({ config, source: topology.source('co2'), codec: env.codec, log: captured.log, options: { restartDelayMs: 300 } })
  await processor.start()
  defer(t, () => processor.stop())

  await seedDates(env, '2024-06-15', '2024-06-15', ['co2'])
  await waitFor('the co2 processor to handle the request',
    () => groupsCaughtUp(env.config, [processorGroup(env, 'co2')], env.config.topics.requests), 30000, 200)

  assert.deepStrictEqual(sample.requests.filter(r => r.path.startsWith('/carbon/')), [], 'nothing was sent')
  const dlq = await readRaw(env, env.config.topics.dlq, 'read_uncommitted')
  assert.equal(dlq.length, 1, 'one dead letter')
  const headers = Object.fromEntries(dlq[0].headers)
  assert.equal(headers['dlq.processor'], 'co2')
  assert.equal(headers['dlq.error.code'], 'ENERGY_FETCH')
  assert.equal(headers['dlq.error'], `ENERGY_FETCH: ${new URL(sample.carbonApiUrl).host}/carbon/intensity/2024-06-14T23:30Z/2024-06-15T23:00Z has credentials in its URL (user:password@); refused, they are never sent`)
  assertNoSecret(JSON.stringify(headers), 'the dead letter\'s headers')
  assertNoSecret(dlq[0].key ?? '', 'the dead letter\'s key')

  const lines = captured.lines().filter(l => l.level === 50 && String(l.msg).includes('energy.dlq'))
  assert.equal(lines.length, 1, 'the failure is logged')
  assert.equal(lines[0].err, headers['dlq.error'])
  assertNoSecret(captured.text(), 'the log')
})
