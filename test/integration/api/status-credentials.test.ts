import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test, type TestContext } from 'node:test'
import { captureLog } from '../../pipeline.ts'
import { createApiFixture } from './fixtures.ts'

// GET /api/status is unauthenticated: with SCHEMA_REGISTRY_URL=http://user:s3cr%2Ft@…, the
// registry probe signs in with the credentials (an Authorization header) and nothing in the
// answer, nor in the log, shows them: not the password in any form, not user:password.

const PASSWORD = 's3cr%2Ft'

function assertNoSecret (text: string, what: string): void {
  for (const needle of [PASSWORD, 's3cr/t', 's3cr', 'user:s3', Buffer.from('user:s3cr/t').toString('base64')]) {
    assert.ok(!text.includes(needle), `${what} contains ${needle}: ${text}`)
  }
}

/** A stand-in registry answering GET /subjects, 401 without the right basic auth. */
async function fakeRegistry (t: TestContext): Promise<{ port: number, authorizations: Array<string | undefined> }> {
  const authorizations: Array<string | undefined> = []
  const expected = `Basic ${Buffer.from('user:s3cr/t').toString('base64')}`
  const server = createServer((req, res) => {
    authorizations.push(req.headers.authorization)
    res.writeHead(req.headers.authorization === expected ? 200 : 401, { 'content-type': 'application/json' })
    res.end(req.headers.authorization === expected ? '[]' : '{"error_code":401}')
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>(resolve => {
    server.close(() => resolve())
    server.closeAllConnections()
  }))
  return { port: (server.address() as AddressInfo).port, authorizations }
}

test('/api/status with registry credentials in the URL: the probe signs in, the answer never shows them', async t => {
  const registry = await fakeRegistry(t)
  const captured = captureLog()
  const { app, config } = await createApiFixture(t, {
    log: captured.log,
    rows: false,
    env: { SCHEMA_REGISTRY_URL: `http://user:${PASSWORD}@127.0.0.1:${registry.port}/apis/ccompat/v7` }
  })
  assert.equal(config.schemaRegistryUrl, `http://127.0.0.1:${registry.port}/apis/ccompat/v7`)
  const res = await app.inject('/api/status')
  assert.equal(res.statusCode, 200)
  assert.deepStrictEqual(res.json().registry, { ok: true })
  assert.deepStrictEqual(registry.authorizations, [`Basic ${Buffer.from('user:s3cr/t').toString('base64')}`])
  assertNoSecret(res.body, 'the status body')
  assertNoSecret(JSON.stringify(res.headers), 'the status headers')
  assertNoSecret(captured.text(), 'the log')
})

test('/api/status when the credentialed registry is down or refuses: the error shows no credentials', async t => {
  const captured = captureLog()
  // Port 1: nothing listens there.
  const { app } = await createApiFixture(t, {
    log: captured.log,
    rows: false,
    env: { SCHEMA_REGISTRY_URL: `http://user:${PASSWORD}@127.0.0.1:1/apis/ccompat/v7` }
  })
  const res = await app.inject('/api/status')
  assert.equal(res.statusCode, 200)
  assert.equal(res.json().registry.ok, false)
  assertNoSecret(res.body, 'the status body')
  assertNoSecret(captured.text(), 'the log')
})

test('/api/status masks URL credentials in any probe\'s error', async t => {
  const captured = captureLog()
  const { app } = await createApiFixture(t, {
    log: captured.log,
    rows: false,
    status: {
      kafka: async () => { throw new Error(`broker at kafka://user:${PASSWORD}@broker:9092 refused`) },
      // What fetch() says when handed a URL with credentials.
      registry: async () => { throw new TypeError(`Request cannot be constructed from a URL that includes credentials: http://user:${PASSWORD}@127.0.0.1:8081/apis/ccompat/v7/subjects`) },
      postgres: async () => { throw new Error('connect to postgres://user:s3cr/t@db:5432/energy failed') }
    }
  })
  const res = await app.inject('/api/status')
  assert.equal(res.statusCode, 200)
  const body = res.json()
  assert.deepStrictEqual(body.broker, { ok: false, error: 'broker at kafka://user:***@broker:9092 refused' })
  assert.deepStrictEqual(body.registry, { ok: false, error: 'Request cannot be constructed from a URL that includes credentials: http://user:***@127.0.0.1:8081/apis/ccompat/v7/subjects' })
  assert.deepStrictEqual(body.postgres, { ok: false, error: 'connect to postgres://user:***@db:5432/energy failed' })
  assertNoSecret(res.body, 'the status body')
  assertNoSecret(captured.text(), 'the log')
  assert.ok(captured.lines().some(l => l.msg === 'status probe failed'), 'the failures are logged')
})
