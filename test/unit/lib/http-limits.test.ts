import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test, type TestContext } from 'node:test'
import { loadConfig } from '../../../lib/config.ts'
import { getJson, httpSettings } from '../../../lib/http.ts'
import { createLogger } from '../../../lib/log.ts'

// The per-host politeness limits as the upstream sees them: a local server counts the requests
// it holds at once and when each arrived. Every test has its own server, so its own port and
// host (`127.0.0.1:<port>`), and so its own limiter in lib/http.ts's process-wide map.

const log = createLogger('silent')

interface Upstream {
  port: number
  url: (path: string) => string
  /** Most requests the server held at once. */
  maxConcurrent: () => number
  /** Each request's `host path`, in arrival order. */
  seen: string[]
  /** performance.now() at each arrival. */
  arrivals: number[]
}

async function upstream (t: TestContext, answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<Upstream> {
  let concurrent = 0
  let max = 0
  const seen: string[] = []
  const arrivals: number[] = []
  const server = createServer((req, res) => {
    arrivals.push(performance.now())
    seen.push(`${String(req.headers.host).replace(/:\d+$/, '')} ${req.url}`)
    max = Math.max(max, ++concurrent)
    // 'close' comes once the answer is written or the socket gone, before the client has read it.
    res.on('close', () => { concurrent-- })
    answer(req, res)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise(resolve => server.close(resolve)))
  const port = (server.address() as AddressInfo).port
  return { port, url: path => `http://127.0.0.1:${port}${path}`, maxConcurrent: () => max, seen, arrivals }
}

const json = (res: ServerResponse, body: unknown): void => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)) }

test('20 concurrent requests with HTTP_MAX_IN_FLIGHT 3 never hold more than 3 at the server, and all succeed', async t => {
  const server = await upstream(t, (req, res) => setTimeout(() => json(res, { path: req.url }), 20))
  const paths = Array.from({ length: 20 }, (_, i) => `/n/${i}`)
  const bodies = await Promise.all(paths.map(path => getJson(server.url(path), { timeoutMs: 5000, retries: 0, log, maxInFlight: 3, maxPerSecond: 1000 })))
  assert.deepStrictEqual(bodies, paths.map(path => ({ path })))
  assert.equal(server.maxConcurrent(), 3, 'three at once, never more')
  assert.equal(server.seen.length, 20)
})

test('HTTP_MAX_PER_SECOND 10: 12 requests arrive spread over more than a second', async t => {
  const server = await upstream(t, (_req, res) => json(res, {}))
  await Promise.all(Array.from({ length: 12 }, (_, i) => getJson(server.url(`/r/${i}`), { timeoutMs: 5000, retries: 0, log, maxInFlight: 12, maxPerSecond: 10 })))
  assert.equal(server.arrivals.length, 12)
  // Spaced 100 ms apart: 11 gaps, 1100 ms; a lower bound only (the server's clock sees arrivals).
  const span = Math.max(...server.arrivals) - Math.min(...server.arrivals)
  assert.ok(span >= 1000, `12 starts at 10 a second span at least a second, got ${Math.round(span)} ms`)
})

test('a 429 with Retry-After: 1 does not hold the slot: another request completes during the wait', async t => {
  const aHit = Promise.withResolvers<void>()
  let aCount = 0
  const server = await upstream(t, (req, res) => {
    if (req.url === '/a' && aCount++ === 0) {
      res.writeHead(429, { 'retry-after': '1' }).end('slow down')
      aHit.resolve()
    } else {
      json(res, { path: req.url })
    }
  })
  const options = { timeoutMs: 5000, retries: 2, maxRetryAfterMs: 5000, log, maxInFlight: 1, maxPerSecond: 1000 }
  const finished: string[] = []
  const a = getJson(server.url('/a'), options).then(body => { finished.push('a'); return body })
  await aHit.promise
  const b = getJson(server.url('/b'), options).then(body => { finished.push('b'); return body })
  assert.deepStrictEqual(await Promise.all([a, b]), [{ path: '/a' }, { path: '/b' }])
  // Had the retry wait held the one slot, /b would reach the server only after /a's retry.
  assert.deepStrictEqual(server.seen, ['127.0.0.1 /a', '127.0.0.1 /b', '127.0.0.1 /a'])
  assert.deepStrictEqual(finished, ['b', 'a'])
})

test('a queued request aborted rejects with an abort error, never reaches the server and leaves no place behind', async t => {
  let release: () => void = () => {}
  const held = Promise.withResolvers<void>()
  const server = await upstream(t, (req, res) => {
    if (req.url === '/hold') {
      release = () => json(res, { path: req.url })
      held.resolve()
    } else {
      json(res, { path: req.url })
    }
  })
  const options = { timeoutMs: 5000, retries: 0, log, maxInFlight: 1, maxPerSecond: 1000 }
  const first = getJson(server.url('/hold'), options)
  await held.promise
  const controller = new AbortController()
  const queued = getJson(server.url('/aborted'), { ...options, signal: controller.signal })
  await new Promise(resolve => setImmediate(resolve))
  controller.abort()
  await assert.rejects(queued, (err: Error) => {
    assert.equal(err.name, 'AbortError')
    assert.equal(err, controller.signal.reason)
    return true
  })
  release()
  assert.deepStrictEqual(await first, { path: '/hold' })
  assert.deepStrictEqual(await getJson(server.url('/after'), options), { path: '/after' })
  assert.deepStrictEqual(server.seen, ['127.0.0.1 /hold', '127.0.0.1 /after'])
})

test('different hosts do not share limits: 127.0.0.1 and localhost each get their own slot', async t => {
  let releaseFirst: () => void = () => {}
  const firstArrived = Promise.withResolvers<void>()
  const server = await upstream(t, (req, res) => {
    if (req.url === '/first') {
      firstArrived.resolve()
      // Held until the other host's request arrives; the timer only ends the test should the
      // two share one slot (the server would then never see them together).
      const timer = setTimeout(() => releaseFirst(), 3000)
      releaseFirst = () => { clearTimeout(timer); json(res, { path: req.url }) }
    } else {
      json(res, { path: req.url })
      releaseFirst()
    }
  })
  const options = { timeoutMs: 5000, retries: 0, log, maxInFlight: 1, maxPerSecond: 1000 }
  const first = getJson(server.url('/first'), options)
  await firstArrived.promise
  const second = getJson(`http://localhost:${server.port}/second`, options)
  assert.deepStrictEqual(await Promise.all([first, second]), [{ path: '/first' }, { path: '/second' }])
  assert.deepStrictEqual(server.seen, ['127.0.0.1 /first', 'localhost /second'])
  assert.equal(server.maxConcurrent(), 2, 'one in flight on each host at once')
})

test('a host keeps the limits of its first request (the first caller\'s limits win)', async t => {
  const server = await upstream(t, (req, res) => setTimeout(() => json(res, { path: req.url }), 20))
  const first = getJson(server.url('/0'), { timeoutMs: 5000, retries: 0, log, maxInFlight: 1, maxPerSecond: 1000 })
  const rest = [1, 2, 3].map(i => getJson(server.url(`/${i}`), { timeoutMs: 5000, retries: 0, log, maxInFlight: 10, maxPerSecond: 1000 }))
  assert.deepStrictEqual(await Promise.all([first, ...rest]), [0, 1, 2, 3].map(i => ({ path: `/${i}` })))
  assert.equal(server.maxConcurrent(), 1)
})

test('httpSettings passes HTTP_MAX_IN_FLIGHT and HTTP_MAX_PER_SECOND through, defaults 4 and 20', () => {
  assert.deepStrictEqual(httpSettings(loadConfig({})), { timeoutMs: 10000, retries: 5, maxRetryAfterMs: 60000, maxInFlight: 4, maxPerSecond: 20 })
  const config = loadConfig({ HTTP_MAX_IN_FLIGHT: '64', HTTP_MAX_PER_SECOND: '1000' })
  assert.deepStrictEqual({ maxInFlight: httpSettings(config).maxInFlight, maxPerSecond: httpSettings(config).maxPerSecond }, { maxInFlight: 64, maxPerSecond: 1000 })
  assert.throws(() => loadConfig({ HTTP_MAX_IN_FLIGHT: '0', HTTP_MAX_PER_SECOND: '1001' }), {
    name: 'EnergyError',
    code: 'ENERGY_CONFIG',
    message: 'invalid configuration:\n  HTTP_MAX_IN_FLIGHT must be a whole number from 1 to 64, got "0"\n  HTTP_MAX_PER_SECOND must be a whole number from 1 to 1000, got "1001"'
  })
  assert.throws(() => loadConfig({ HTTP_MAX_IN_FLIGHT: '65' }), { code: 'ENERGY_CONFIG', message: 'invalid configuration:\n  HTTP_MAX_IN_FLIGHT must be a whole number from 1 to 64, got "65"' })
})
