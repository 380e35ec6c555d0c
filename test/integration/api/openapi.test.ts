import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { Validator } from '@seriousme/openapi-schema-validator'
import { Ajv } from 'ajv'
import { createApiFixture } from './fixtures.ts'

// GET /api/openapi.json: an OpenAPI 3.1 document built from the routes' own schemas. It is
// validated against the OpenAPI 3.1 schema (@seriousme/openapi-schema-validator), what each
// JSON route answers is validated against the document's response schema (Ajv), and
// docs/api.md documents exactly the document's JSON routes.

interface Operation { responses: Record<string, { content?: Record<string, { schema: object }> }> }
interface Document { openapi: string, paths: Record<string, Record<string, Operation>> }

test('GET /api/openapi.json is a valid OpenAPI 3.1 document of every route', async t => {
  const { app } = await createApiFixture(t)
  const res = await app.inject('/api/openapi.json')
  assert.equal(res.statusCode, 200)
  const doc = res.json() as Document
  const result = await new Validator().validate(doc as unknown as Parameters<Validator['validate']>[0])
  assert.deepStrictEqual(result.errors ?? [], [])
  assert.equal(result.valid, true)
  assert.equal(doc.openapi, '3.1.0')
  assert.deepStrictEqual(Object.keys(doc.paths).sort(), [
    '/api/ahead', '/api/billed', '/api/compare', '/api/days', '/api/days.csv', '/api/days.jsonl', '/api/days/{date}', '/api/halfhours.csv', '/api/halfhours.jsonl',
    '/api/months', '/api/months.csv', '/api/months.jsonl', '/api/status', '/healthz', '/metrics', '/readyz'
  ])
  // The docs page answers (the static UI of @fastify/swagger-ui).
  assert.equal((await app.inject('/api/docs/')).statusCode, 200)
})

test('what the JSON routes answer matches the document\'s response schemas', async t => {
  const { app } = await createApiFixture(t)
  const doc = (await app.inject('/api/openapi.json')).json() as Document
  const ajv = new Ajv({ strict: false, allErrors: true })
  const urls: Array<[path: string, url: string, status: string]> = [
    ['/api/days', '/api/days?from=2024-10-01&to=2024-10-31', '200'],
    ['/api/days/{date}', '/api/days/2024-10-27', '200'],
    ['/api/days/{date}', '/api/days/2024-11-05', '404'],
    ['/api/days', '/api/days?from=2024-13-01', '400'],
    ['/api/months', '/api/months?from=2024-06&to=2024-10', '200'],
    ['/api/ahead', '/api/ahead?hours=2', '200'],
    ['/api/billed', '/api/billed?from=2024-10-01&to=2024-10-31', '200'],
    ['/api/billed', '/api/billed?from=2024-10-31&to=2024-10-01', '400'],
    ['/healthz', '/healthz', '200']
  ]
  for (const [path, url, status] of urls) {
    const res = await app.inject(url)
    assert.equal(String(res.statusCode), status, url)
    const schema = doc.paths[path].get.responses[status]?.content?.['application/json']?.schema
    assert.ok(schema !== undefined, `${path} documents its ${status}`)
    const validate = ajv.compile(schema)
    assert.ok(validate(res.json()), `${url}: ${JSON.stringify(validate.errors)}`)
  }
})

test('GET /api/status answers what its schema documents: lag from a task, from outside, unknown', async t => {
  const now = new Date()
  const { app } = await createApiFixture(t, {
    status: {
      kafka: async () => ({ topics: new Map([['energy_processor', { earliest: [0n], latest: [4n] }]]), committed: new Map() }),
      registry: async () => {},
      postgres: async () => ({
        newestCompleteDate: null,
        sinkOffsets: [],
        unpricedRuns: [],
        unpricedDays: 0,
        tasks: [{ instance: '1', publishedAt: now, counters: { task: 'processor co2', kind: 'processor', group: 'energy-co2-processor', recordsIn: 3, recordsOut: 3, commits: 1, deadLetters: 0, lag: { 'energy_processor:0': 0 }, lagExact: true, restore: null, sessions: 1, storeEntries: null, updatedAt: now.getTime() } }]
      })
    }
  })
  const doc = (await app.inject('/api/openapi.json')).json() as Document
  const res = await app.inject('/api/status')
  const validate = new Ajv({ strict: false, allErrors: true }).compile(doc.paths['/api/status'].get.responses['200']?.content?.['application/json']?.schema ?? {})
  const body = res.json() as { groups: Array<{ group: string, lag: number | null, lag_exact: boolean, lag_source: string | null }> }
  assert.ok(validate(body), JSON.stringify(validate.errors))
  const source = (group: string): unknown[] => {
    const g = body.groups.find(g => g.group === group)
    return [g?.lag, g?.lag_exact, g?.lag_source]
  }
  // No records counted for the mix processor's backlog (stand-in probes): its offsets.
  assert.deepStrictEqual([source('energy-co2-processor'), source('energy-mix-processor'), source('energy-join')], [[0, true, 'task'], [4, false, 'broker'], [null, false, null]])
})

test('docs/api.md documents exactly the JSON routes of the document', async t => {
  const { app } = await createApiFixture(t)
  const doc = (await app.inject('/api/openapi.json')).json() as Document
  // The routes a section heading names: "## `GET /healthz`, `GET /readyz`".
  const headings = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8').split('\n').filter(line => line.startsWith('## '))
  const documented = new Set(headings.flatMap(h => [...h.matchAll(/`GET (\/[^`?\s]+)/g)].map(m => m[1])))
  const json = Object.keys(doc.paths).filter(p => !/\.(csv|jsonl)$/.test(p))
  assert.deepStrictEqual(json.filter(p => !documented.has(p)), [], 'routes missing from docs/api.md')
  assert.deepStrictEqual([...documented].filter(p => doc.paths[p] === undefined), [], 'docs/api.md documents routes that do not exist')
})
