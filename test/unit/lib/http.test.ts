import assert from 'node:assert/strict'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test, type TestContext } from 'node:test'
import { getJson, parseRetryAfter, upstreamCounts, USER_AGENT } from '../../../lib/http.ts'
import { createLogger } from '../../../lib/log.ts'

// Retry-After, both forms, and its cap: a wait longer than the cap gives the request up at
// once (ENERGY_RATE_LIMITED) instead of holding the batch; a 429 that outlasts the retries is
// rate limited too. A local server answers as a throttling upstream would.

const NOW = Date.parse('2026-12-01T12:00:00Z')
const log = createLogger('silent')

test('parseRetryAfter reads delay-seconds and HTTP-dates, and ignores anything else', () => {
  assert.equal(parseRetryAfter('120', NOW), 120000)
  assert.equal(parseRetryAfter(' 0 ', NOW), 0)
  assert.equal(parseRetryAfter('3600', NOW), 3600000)
  assert.equal(parseRetryAfter('Tue, 01 Dec 2026 12:01:30 GMT', NOW), 90000)
  assert.equal(parseRetryAfter('Tue, 01 Dec 2026 11:00:00 GMT', NOW), 0, 'a date in the past: no wait')
  assert.equal(parseRetryAfter('Fri, 01 Dec 2126 12:00:00 GMT', NOW), Date.parse('2126-12-01T12:00:00Z') - NOW)
  for (const junk of [null, '', '-5', '1.5', 'soon', '2026-12-01', 'NaN', 'Infinity']) assert.equal(parseRetryAfter(junk, NOW), undefined, String(junk))
  assert.equal(parseRetryAfter('99999999999999999999', NOW), 1e23, 'endless, but a number: the cap deals with it')
})

async function throttlingServer (t: TestContext, answer: (res: ServerResponse, n: number) => void): Promise<{ url: string, hits: () => number }> {
  let n = 0
  const server = createServer((_req, res) => { answer(res, n++) })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise(resolve => server.close(resolve)))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`, hits: () => n }
}

for (const retryAfter of ['3600', 'Fri, 01 Dec 2126 12:00:00 GMT', '99999999999999999999']) {
  test(`Retry-After: ${retryAfter} beyond the cap gives up at once, rate limited, without waiting`, async t => {
    const upstream = await throttlingServer(t, res => res.writeHead(429, { 'retry-after': retryAfter }).end('slow down'))
    const started = performance.now()
    await assert.rejects(getJson(upstream.url, { timeoutMs: 1000, retries: 5, maxRetryAfterMs: 60000, log }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ENERGY_RATE_LIMITED')
      assert.match(err.message, /asking to wait \d+ s \(Retry-After\), more than HTTP_MAX_RETRY_AFTER_S \(60 s\): given up for now/)
      return true
    })
    assert.equal(upstream.hits(), 1, 'asked once')
    assert.ok(performance.now() - started < 5000)
  })
}

test('every request names the project and its version in User-Agent, retries too', async t => {
  const agents: Array<string | undefined> = []
  const server = createServer((req, res) => {
    agents.push(req.headers['user-agent'])
    if (agents.length === 1) res.writeHead(503).end()
    else res.writeHead(200).end('{}')
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise(resolve => server.close(resolve)))
  await getJson(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`, { timeoutMs: 1000, retries: 1, baseDelayMs: 1, log })
  assert.equal(agents.length, 2)
  assert.deepStrictEqual(agents, [USER_AGENT, USER_AGENT])
  assert.match(USER_AGENT, /^energy-pipeline\/0\.1\.0 \(Node\.js \d+\.\d+\.\d+\)$/)
})

test('a Retry-After within the cap is waited, then the answer is used', async t => {
  const upstream = await throttlingServer(t, (res, n) => n === 0 ? res.writeHead(503, { 'retry-after': '1' }).end() : res.writeHead(200).end('{"ok":true}'))
  const started = performance.now()
  assert.deepStrictEqual(await getJson(upstream.url, { timeoutMs: 1000, retries: 2, maxRetryAfterMs: 2000, log }), { ok: true })
  assert.ok(performance.now() - started >= 950, 'waited the second it asked for')
})

test('a 429 that outlasts the retries is rate limited; a body with control characters is shown escaped', async t => {
  const upstream = await throttlingServer(t, res => res.writeHead(429, { 'retry-after': '0' }).end('no\u0000way'))
  await assert.rejects(getJson(upstream.url, { timeoutMs: 1000, retries: 2, log }), (err: Error & { code?: string, cause?: Error }) => {
    assert.equal(err.code, 'ENERGY_RATE_LIMITED')
    assert.match(err.message, /still rate limited \(HTTP 429\) after 2 retries: seed the day again later$/)
    assert.match(String(err.cause?.message), /answered HTTP 429: noU\+0000way$/)
    return true
  })
  assert.equal(upstream.hits(), 3)
})

test('requests are counted per host by outcome, retries too (what /metrics shows)', async t => {
  const upstream = await throttlingServer(t, (res, n) => n === 0 ? res.writeHead(429, { 'retry-after': '0' }).end() : n === 1 ? res.writeHead(503).end() : res.writeHead(200).end('{"ok":true}'))
  const host = new URL(upstream.url).host
  assert.deepStrictEqual(await getJson(upstream.url, { timeoutMs: 1000, retries: 3, baseDelayMs: 1, log }), { ok: true })
  assert.deepStrictEqual(upstreamCounts()[host], { ok: 1, error: 1, rate_limited: 1, retries: 2 })
  await assert.rejects(getJson(`${upstream.url}?x`, { timeoutMs: 1000, retries: 0, log }).then(() => getJson('http://127.0.0.1:1/', { timeoutMs: 200, retries: 0, log })))
  assert.equal(upstreamCounts()[host].ok, 2)
  assert.equal(upstreamCounts()['127.0.0.1:1'].error, 1)
})
