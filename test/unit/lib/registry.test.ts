import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test, type TestContext } from 'node:test'
import { inspect } from 'node:util'
import { loadConfig } from '../../../lib/config.ts'
import { EnergyError } from '../../../lib/errors.ts'
import { createRegistryClient } from '../../../lib/registry.ts'

// The registry client signs in with basic auth (managed registries: Confluent Cloud, Redpanda
// Cloud), from config.schemaRegistryAuth or a URL's user:password, against a tiny local
// server standing in for the registry that records every request.

interface Recorded { method: string, url: string, headers: IncomingHttpHeaders }

/** A stand-in registry on 127.0.0.1:<ephemeral>; with `expect`, anything else answers 401. */
async function fakeRegistry (t: TestContext, expect?: string): Promise<{ port: number, requests: Recorded[] }> {
  const requests: Recorded[] = []
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers })
    req.resume()
    req.on('end', () => {
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' })
        res.end(JSON.stringify(body))
      }
      const path = (req.url ?? '').replace(/^\/apis\/ccompat\/v7/, '')
      if (expect !== undefined && req.headers.authorization !== expect) return send(401, { error_code: 401, message: 'Unauthorized' })
      if (path.startsWith('/config/')) return send(200, { compatibilityLevel: 'BACKWARD', compatibility: 'BACKWARD' })
      if (req.method === 'POST' && /^\/subjects\/[^/]+\/versions$/.test(path)) return send(200, { id: 7 })
      if (path.startsWith('/subjects/') && path.endsWith('/versions/latest')) return send(200, { id: 7, version: 1, schema: '"string"' })
      send(404, { error_code: 40401, message: 'Subject not found' })
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>(resolve => {
    server.close(() => resolve())
    server.closeAllConnections()
  }))
  return { port: (server.address() as AddressInfo).port, requests }
}

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
const SCHEMA = JSON.stringify({ type: 'record', name: 'Probe', fields: [{ name: 'a', type: 'string' }] })

test('credentials in SCHEMA_REGISTRY_URL go as an Authorization header, to the URL without them', async t => {
  const registry = await fakeRegistry(t, basic('user', 's3cr/t'))
  const config = loadConfig({ SCHEMA_REGISTRY_URL: `http://user:s3cr%2Ft@127.0.0.1:${registry.port}/apis/ccompat/v7` })
  const client = createRegistryClient(config)
  assert.deepStrictEqual(await client.latest('probe-value'), { id: 7, version: 1, schema: '"string"' })
  // Through the library (mappersmith) as well as the client's own fetches.
  assert.equal(await client.register('probe-value', SCHEMA), 7)
  assert.ok(registry.requests.length >= 3, `${registry.requests.length} requests`)
  for (const r of registry.requests) {
    assert.equal(r.headers.authorization, basic('user', 's3cr/t'), `${r.method} ${r.url}`)
    assert.match(r.url, /^\/apis\/ccompat\/v7\//)
  }
  assert.deepStrictEqual(registry.requests[0], { ...registry.requests[0], method: 'GET', url: '/apis/ccompat/v7/subjects/probe-value/versions/latest' })
})

test('SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD win over the URL\'s', async t => {
  const registry = await fakeRegistry(t, basic('KEY', 'p@ss:w/rd'))
  const config = loadConfig({
    SCHEMA_REGISTRY_URL: `http://user:old@127.0.0.1:${registry.port}/apis/ccompat/v7`,
    SCHEMA_REGISTRY_USERNAME: 'KEY',
    SCHEMA_REGISTRY_PASSWORD: 'p@ss:w/rd'
  })
  await createRegistryClient(config).setCompatibility('probe-value', 'BACKWARD')
  assert.deepStrictEqual(registry.requests.map(r => [r.method, r.url, r.headers.authorization]),
    [['PUT', '/apis/ccompat/v7/config/probe-value', basic('KEY', 'p@ss:w/rd')]])
})

test('a URL string with credentials works too; without any, no Authorization header is sent', async t => {
  const registry = await fakeRegistry(t)
  assert.equal(await createRegistryClient(`http://user:s3cr%2Ft@127.0.0.1:${registry.port}/apis/ccompat/v7/`).latest('probe-value') !== undefined, true)
  assert.equal(await createRegistryClient(`http://127.0.0.1:${registry.port}/apis/ccompat/v7`).latest('probe-value') !== undefined, true)
  assert.deepStrictEqual(registry.requests.map(r => r.headers.authorization), [basic('user', 's3cr/t'), undefined])
})

test('refused credentials: a clear error naming the variables, without the password', async t => {
  const registry = await fakeRegistry(t, basic('user', 'right'))
  const client = createRegistryClient(loadConfig({ SCHEMA_REGISTRY_URL: `http://user:s3cr%2Ft@127.0.0.1:${registry.port}/apis/ccompat/v7` }))
  await assert.rejects(client.schemaById(1), (err: EnergyError) => {
    assert.ok(err instanceof EnergyError)
    assert.equal(err.code, 'ENERGY_SCHEMA')
    assert.equal(err.retryable, false)
    assert.equal(err.message, 'schema registry GET /schemas/ids/1 answered 401 (check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD): {"error_code":401,"message":"Unauthorized"}')
    return true
  })
})

test('an unreachable registry is named without its credentials', async () => {
  // Port 1: nothing listens there, the connection is refused (retried three times).
  const client = createRegistryClient('http://user:s3cr%2Ft@127.0.0.1:1/apis/ccompat/v7')
  await assert.rejects(client.schemaById(1), (err: EnergyError) => {
    assert.equal(err.code, 'ENERGY_SCHEMA')
    assert.equal(err.message, 'schema registry at http://127.0.0.1:1/apis/ccompat/v7 is unreachable')
    assert.ok(!inspect(err, { depth: 5 }).includes('s3cr'), 'nor in the cause')
    return true
  })
})
