import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { build, clientErrorHandler, clipMessage } from '../../../api/app.ts'
import type { StatusProbes } from '../../../api/status.ts'
import type { ApiApp } from '../../../api/types.ts'
import { loadConfig } from '../../../lib/config.ts'
import type { Pool } from '../../../lib/db.ts'
import { createLogger } from '../../../lib/log.ts'

// Every error the API answers is {"error": message}, whatever the route or the stage that
// refuses the request, and what the caller sent comes back cut short. These requests are
// refused before any query, so the pool is one that must never be asked.

const LONG = 'a'.repeat(15 * 1024)

function app (t: TestContext): ApiApp {
  const pool = { query: async () => { throw new Error('the pool was asked') } } as unknown as Pool
  const never = async (): Promise<never> => { throw new Error('no probe here') }
  const status: StatusProbes = { kafka: never, registry: never, postgres: never }
  const built = build({ pool, config: loadConfig({}), log: createLogger('silent'), status })
  t.after(() => built.close())
  return built
}

async function errorOf (api: ApiApp, url: string): Promise<{ status: number, body: unknown, length: number }> {
  const res = await api.inject(url)
  assert.match(String(res.headers['content-type']), /^application\/json/, url.slice(0, 80))
  return { status: res.statusCode, body: res.json(), length: res.body.length }
}

test('a 15 KB path on a route that does not exist answers 404 {"error"} with the path cut to 100 characters', async t => {
  const api = app(t)
  for (const path of [`/${LONG}`, `/api/${LONG}`, `/api/days/2024-01-01/${LONG}`]) {
    const { status, body, length } = await errorOf(api, `${path}?q=${LONG}`)
    assert.equal(status, 404)
    assert.deepStrictEqual(body, { error: `no route GET ${path.slice(0, 100)}…` })
    assert.ok(length < 200, `${length} bytes`)
  }
  assert.deepStrictEqual((await errorOf(api, '/api/nothing-here')).body, { error: 'no route GET /api/nothing-here' })
})

test('a 15 KB date parameter answers 400 with the same message as a short bad date, the value cut', async t => {
  const api = app(t)
  const cut = `${LONG.slice(0, 60)}…`
  for (const [url, error] of [
    [`/api/days/${LONG}`, `date "${cut}" is not a date (YYYY-MM-DD)`],
    [`/api/days/2024-01-01${LONG}`, `date "2024-01-01${LONG.slice(0, 50)}…" is not a date (YYYY-MM-DD)`],
    [`/api/days?from=${LONG}`, `from "${cut}" is not a date (YYYY-MM-DD)`],
    [`/api/days?from=2024-01-01&to=${LONG}`, `to "${cut}" is not a date (YYYY-MM-DD)`],
    ['/api/days/bad', 'date "bad" is not a date (YYYY-MM-DD)']
  ]) {
    const { status, body, length } = await errorOf(api, url)
    assert.equal(status, 400, url.slice(0, 80))
    assert.deepStrictEqual(body, { error }, url.slice(0, 80))
    assert.ok(length < 200, `${length} bytes`)
  }
})

test('a real date in a year the pipeline does not serve is "out of range", not "not a date"', async t => {
  const api = app(t)
  assert.deepStrictEqual(await errorOf(api, '/api/days/0042-01-01'), { status: 400, body: { error: 'date "0042-01-01": year 0042 is out of range (1996-2100)' }, length: 70 })
  assert.deepStrictEqual((await errorOf(api, '/api/days?from=1970-01-01&to=1970-01-02')).body, { error: 'from "1970-01-01": year 1970 is out of range (1996-2100)' })
  assert.deepStrictEqual((await errorOf(api, '/api/days?from=2024-01-01&to=9999-12-31')).body, { error: 'to "9999-12-31": year 9999 is out of range (1996-2100)' })
  assert.deepStrictEqual((await errorOf(api, '/api/days/0042-02-29')).body, { error: 'date "0042-02-29" is not a date (YYYY-MM-DD)' })
})

test('a URL that does not decode answers 400 {"error"} with the URL cut', async t => {
  const api = app(t)
  const { status, body, length } = await errorOf(api, `/api/days/${LONG}%E0%A4%A`)
  assert.equal(status, 400)
  assert.deepStrictEqual(body, { error: `'/api/days/${LONG.slice(0, 90)}…' is not a valid url component` })
  assert.ok(length < 200)
  assert.deepStrictEqual((await errorOf(api, '/api/days/%E0%A4%A')).body, { error: "'/api/days/%E0%A4%A' is not a valid url component" })
})

test('clipMessage cuts every quoted value and the whole message', () => {
  assert.equal(clipMessage(`Unsupported Media Type: "${LONG}"`), `Unsupported Media Type: "${LONG.slice(0, 100)}…"`)
  assert.equal(clipMessage(`'${LONG}' and '${LONG}'`), `'${LONG.slice(0, 100)}…' and '${LONG.slice(0, 100)}…'`)
  assert.equal(clipMessage(LONG), `${LONG.slice(0, 300)}…`)
  assert.equal(clipMessage('short \'value\''), 'short \'value\'')
})

test('a request Node cannot parse (headers over 16 KB, a broken request line) is answered in the same shape', () => {
  const written: string[] = []
  let destroyed = 0
  const socket = () => ({ destroyed: false, writable: true, write: (data: string) => written.push(data), destroy: () => { destroyed++ } })
  const overflow = Object.assign(new Error('Header overflow'), { code: 'HPE_HEADER_OVERFLOW' })
  clientErrorHandler(overflow, socket())
  clientErrorHandler(Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_METHOD' }), socket())
  clientErrorHandler(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), socket())
  assert.equal(written.length, 2)
  assert.equal(destroyed, 2)
  const [head431, body431] = written[0].split('\r\n\r\n')
  assert.match(head431, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/)
  assert.deepStrictEqual(JSON.parse(body431), { error: 'request line and headers exceed 16 KB' })
  assert.match(head431, new RegExp(`Content-Length: ${Buffer.byteLength(body431)}\r\n`))
  const [head400, body400] = written[1].split('\r\n\r\n')
  assert.match(head400, /^HTTP\/1\.1 400 Bad Request\r\n/)
  assert.deepStrictEqual(JSON.parse(body400), { error: 'malformed HTTP request' })
})
