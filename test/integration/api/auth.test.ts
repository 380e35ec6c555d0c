import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { checkExposure, credentialOf, isLoopback } from '../../../api/auth.ts'
import { createApiFixture } from './fixtures.ts'

// The API's door: with API_TOKEN every route but the health checks needs it, a wrong token is
// told nothing, guessing is rate limited per client; off loopback the API will not start without it.

const TOKEN = 'k3y-0f-th3-h0us3h0ld-2026'
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

test('with API_TOKEN: routes, the dashboard and unknown paths need it; health checks do not', async t => {
  const { app } = await createApiFixture(t, { env: { API_TOKEN: TOKEN } })
  for (const url of ['/api/days', '/api/months', '/api/days.csv', '/', '/app.js', '/api/status', '/nowhere']) {
    const res = await app.inject({ url, remoteAddress: '10.0.0.1' })
    assert.deepStrictEqual([res.statusCode, res.json(), res.headers['www-authenticate']], [401, { error: 'unauthorized' }, 'Basic realm="Home energy", charset="UTF-8"'], url)
  }
  assert.deepStrictEqual((await app.inject('/healthz')).json(), { status: 'ok' })
  assert.notEqual((await app.inject('/readyz')).statusCode, 401)

  const bearer = await app.inject({ url: '/api/days?from=2024-10-01&to=2024-10-31', headers: { authorization: `Bearer ${TOKEN}` } })
  assert.deepStrictEqual([bearer.statusCode, bearer.json().days.length], [200, 3])
  // The browser's basic auth: any user name, the token as password.
  assert.equal((await app.inject({ url: '/', headers: { authorization: basic('me', TOKEN) } })).statusCode, 200)
  // Wrong token, wrong scheme, token as user name, a prefix of it: the same 401, nothing more.
  for (const authorization of [`Bearer ${TOKEN}x`, `Token ${TOKEN}`, basic(TOKEN, ''), `Bearer ${TOKEN.slice(0, 8)}`, 'Bearer']) {
    const res = await app.inject({ url: '/api/days', headers: { authorization }, remoteAddress: '10.0.0.2' })
    assert.deepStrictEqual([res.statusCode, res.json()], [401, { error: 'unauthorized' }], authorization)
  }
})

test('ten failed attempts in a minute block that client with 429 and Retry-After, not others', async t => {
  let now = 1_800_000_000_000
  const { app } = await createApiFixture(t, { env: { API_TOKEN: TOKEN }, options: { auth: { maxFailures: 10, windowMs: 60000, maxClients: 100 } }, now: () => now })
  for (let i = 0; i < 10; i++) {
    assert.equal((await app.inject({ url: '/api/days', headers: { authorization: `Bearer guess-${i}` }, remoteAddress: '192.0.2.7' })).statusCode, 401)
  }
  // The eleventh is blocked, even with the right token, until the window ends.
  const blocked = await app.inject({ url: '/api/days', headers: { authorization: `Bearer ${TOKEN}` }, remoteAddress: '192.0.2.7' })
  assert.deepStrictEqual([blocked.statusCode, blocked.json(), blocked.headers['retry-after']], [429, { error: 'too many failed attempts, try again later' }, '60'])
  assert.equal((await app.inject({ url: '/api/days', headers: { authorization: `Bearer ${TOKEN}` }, remoteAddress: '192.0.2.8' })).statusCode, 200)
  now += 30_000
  assert.equal((await app.inject({ url: '/api/days', headers: { authorization: `Bearer ${TOKEN}` }, remoteAddress: '192.0.2.7' })).headers['retry-after'], '30')
  now += 30_001
  assert.equal((await app.inject({ url: '/api/days', headers: { authorization: `Bearer ${TOKEN}` }, remoteAddress: '192.0.2.7' })).statusCode, 200)
})

test('isLoopback, credentialOf and checkExposure', () => {
  assert.deepStrictEqual(['127.0.0.1', '127.8.9.1', '::1', 'localhost', '0.0.0.0', '192.168.1.2', '::', 'energy.local'].map(isLoopback),
    [true, true, true, true, false, false, false, false])
  assert.deepStrictEqual([credentialOf(`Bearer ${TOKEN}`), credentialOf(basic('u', 'p:w')), credentialOf('Basic !!!'), credentialOf(undefined), credentialOf('Bearer')],
    [TOKEN, 'p:w', undefined, undefined, undefined])
  assert.throws(() => checkExposure({ apiHost: '0.0.0.0', apiToken: '' }),
    { code: 'ENERGY_CONFIG', message: 'API_HOST 0.0.0.0 is not a loopback address: set API_TOKEN (16+ characters, e.g. `openssl rand -hex 24`) so that the API is not open to the network' })
  checkExposure({ apiHost: '0.0.0.0', apiToken: TOKEN })
  checkExposure({ apiHost: '127.0.0.1', apiToken: '' })
})

test('npm run api refuses to listen on 0.0.0.0 without API_TOKEN, and a short token is a config error', async () => {
  const run = promisify(execFile)
  const open = await run(process.execPath, ['api/server.ts'], { env: { ...process.env, API_HOST: '0.0.0.0', API_PORT: '3999', API_TOKEN: '' } }).catch((err: { code: number, stdout: string }) => err)
  assert.equal('code' in open ? open.code : 0, 1)
  assert.match(open.stdout, /API_HOST 0\.0\.0\.0 is not a loopback address: set API_TOKEN/)
  const short = await run(process.execPath, ['api/server.ts'], { env: { ...process.env, API_TOKEN: 'short' } }).catch((err: { code: number, stdout: string, stderr: string }) => err)
  assert.equal('code' in short ? short.code : 0, 1)
  assert.match(short.stdout + short.stderr, /API_TOKEN must be 16 to 256 printable ASCII characters/)
  assert.doesNotMatch(short.stdout + short.stderr, /short/)
})
