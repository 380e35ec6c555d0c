import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test, type TestContext } from 'node:test'
import { createCodec } from '../../lib/avro.ts'
import { checkSchemas, registerSchemas } from '../../lib/schemas.ts'
import { valueSubject } from '../../lib/topics.ts'
import { deleteSubjectAfter, plain, subjectVersions, testConfig, testRegistry, uniqueName } from '../helpers.ts'

// Schemas evolve BACKWARD-compatibly (DESIGN.md "Records"): a breaking change is refused,
// naming subject and field, and then nothing at all is registered. Subjects here are test
// topics' `<topic>-value`, deleted afterwards; no Kafka topic is needed to register a schema.

interface Field { name: string, type: unknown, default?: unknown }

function recordSchema (name: string, fields: Field[]): string {
  return JSON.stringify({ type: 'record', name, namespace: 'energy.test', fields })
}

const READING_V1: Field[] = [
  { name: 'local_date', type: 'string' },
  { name: 'slot_start', type: { type: 'long', logicalType: 'timestamp-millis' } },
  { name: 'kwh', type: 'double' }
]
const READING_V2_WITH_DEFAULT: Field[] = [...READING_V1, { name: 'meter', type: 'string', default: 'unknown' }]
const READING_V2_NO_DEFAULT: Field[] = [...READING_V1, { name: 'meter', type: 'string' }]

/** A unique test topic name whose subject is deleted after the test. */
function testTopic (t: TestContext, prefix: string): string {
  const topic = uniqueName(prefix)
  deleteSubjectAfter(t, valueSubject(topic))
  return topic
}

async function compatibilityOf (subject: string): Promise<{ status: number, body: unknown }> {
  const res = await fetch(`${testConfig().schemaRegistryUrl}/config/${encodeURIComponent(subject)}`)
  return { status: res.status, body: await res.json() }
}

test('an incompatible change is refused naming subject and field, and nothing in the call is registered', async t => {
  const registry = testRegistry()
  const a = testTopic(t, 'test-schemas-a')
  const b = testTopic(t, 'test-schemas-b')
  const c = testTopic(t, 'test-schemas-c')

  assert.deepStrictEqual(await registerSchemas(registry, new Map([
    [a, recordSchema('Reading', READING_V1)],
    [b, recordSchema('Other', [{ name: 'n', type: 'int' }])]
  ])), [
    { subject: valueSubject(a), status: 'new', reasons: [] },
    { subject: valueSubject(b), status: 'new', reasons: [] }
  ])
  assert.deepStrictEqual(await subjectVersions(valueSubject(a)), [1])
  assert.deepStrictEqual(await subjectVersions(valueSubject(b)), [1])

  // a breaks, b has a compatible change, c is new: all refused together.
  await assert.rejects(registerSchemas(registry, new Map([
    [a, recordSchema('Reading', READING_V2_NO_DEFAULT)],
    [b, recordSchema('Other', [{ name: 'n', type: 'int' }, { name: 'm', type: 'int', default: 0 }])],
    [c, recordSchema('Third', [{ name: 'x', type: 'string' }])]
  ])), {
    name: 'EnergyError',
    code: 'ENERGY_SCHEMA',
    subject: valueSubject(a),
    message: `incompatible schema change refused, nothing registered:\n  ${valueSubject(a)}: field "meter" was added without a default`
  })
  assert.deepStrictEqual(await subjectVersions(valueSubject(a)), [1])
  assert.deepStrictEqual(await subjectVersions(valueSubject(b)), [1])
  assert.deepStrictEqual(await subjectVersions(valueSubject(c)), [])
  assert.equal(await registry.latest(valueSubject(c)), undefined)
})

test('a changed field type is refused naming the field and both types', async t => {
  const registry = testRegistry()
  const topic = testTopic(t, 'test-schemas-type')
  await registerSchemas(registry, new Map([[topic, recordSchema('Reading', READING_V1)]]))
  const changed = READING_V1.map(f => f.name === 'kwh' ? { name: 'kwh', type: 'string' } : f)
  await assert.rejects(registerSchemas(registry, new Map([[topic, recordSchema('Reading', changed)]])), {
    code: 'ENERGY_SCHEMA',
    message: `incompatible schema change refused, nothing registered:\n  ${valueSubject(topic)}: ` +
      'field "kwh" changed type from "double" to "string", which cannot be read from the old data'
  })
  assert.deepStrictEqual(await subjectVersions(valueSubject(topic)), [1])
})

test('a compatible change (new field with a default) becomes version 2, and v1 records read with v2 get the default', async t => {
  const config = testConfig()
  const registry = testRegistry(config)
  const topic = testTopic(t, 'test-schemas-evolve')
  const v1 = recordSchema('Reading', READING_V1)
  const v2 = recordSchema('Reading', READING_V2_WITH_DEFAULT)

  await registerSchemas(registry, new Map([[topic, v1]]))
  const writerV1 = createCodec(registry, new Map([[topic, v1]]))
  const record = { local_date: '2024-10-27', slot_start: Date.parse('2024-10-27T01:30:00Z'), kwh: 0.25 }
  const bytes = await writerV1.encode(topic, record)

  assert.deepStrictEqual(await registerSchemas(registry, new Map([[topic, v2]])),
    [{ subject: valueSubject(topic), status: 'compatible', reasons: [] }])
  assert.deepStrictEqual(await subjectVersions(valueSubject(topic)), [1, 2])
  const latest = await registry.latest(valueSubject(topic))
  assert.equal(latest?.version, 2)
  assert.deepStrictEqual(JSON.parse(latest.schema), JSON.parse(v2))

  const readerV2 = createCodec(registry, new Map([[topic, v2]]))
  assert.deepStrictEqual(plain(await readerV2.decode(topic, bytes)), { ...record, meter: 'unknown' })
  // New records are written with v2's id and keep their value.
  const newer = await readerV2.encode(topic, { ...record, meter: 'E7-1' })
  assert.equal(newer.readInt32BE(1), latest.id)
  assert.deepStrictEqual(plain(await readerV2.decode(topic, newer)), { ...record, meter: 'E7-1' })

  // Registering the same set again changes nothing.
  assert.deepStrictEqual(await registerSchemas(registry, new Map([[topic, v2]])),
    [{ subject: valueSubject(topic), status: 'registered', reasons: [] }])
  assert.deepStrictEqual(await subjectVersions(valueSubject(topic)), [1, 2])
})

test('Apicurio trap: a subject without its own compatibility level still registers, and ends up BACKWARD', async t => {
  const registry = testRegistry()
  const fresh = testTopic(t, 'test-schemas-trap-fresh')
  // Confluent answers 404 for a subject without a level; Apicurio answers 404 for an unknown
  // subject but NONE for one registered without a level, which the Confluent client library
  // treats as a mismatch with BACKWARD.
  const before = await compatibilityOf(valueSubject(fresh))
  assert.ok(before.status === 404 || (before.body as { compatibilityLevel?: string }).compatibilityLevel === 'NONE',
    `fresh subject has no BACKWARD level yet: ${JSON.stringify(before)}`)
  await registerSchemas(registry, new Map([[fresh, recordSchema('Reading', READING_V1)]]))
  assert.deepStrictEqual(await compatibilityOf(valueSubject(fresh)), { status: 200, body: { compatibilityLevel: 'BACKWARD' } })
  assert.deepStrictEqual(await subjectVersions(valueSubject(fresh)), [1])

  // Registered by someone else, without a level (plain REST call).
  const bare = testTopic(t, 'test-schemas-trap-bare')
  const res = await fetch(`${testConfig().schemaRegistryUrl}/subjects/${valueSubject(bare)}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: recordSchema('Reading', READING_V1) })
  })
  assert.equal(res.status, 200)
  const bareBefore = await compatibilityOf(valueSubject(bare))
  assert.notDeepStrictEqual(bareBefore.body, { compatibilityLevel: 'BACKWARD' })
  assert.deepStrictEqual(await registerSchemas(registry, new Map([[bare, recordSchema('Reading', READING_V2_WITH_DEFAULT)]])),
    [{ subject: valueSubject(bare), status: 'compatible', reasons: [] }])
  assert.deepStrictEqual(await compatibilityOf(valueSubject(bare)), { status: 200, body: { compatibilityLevel: 'BACKWARD' } })
  assert.deepStrictEqual(await subjectVersions(valueSubject(bare)), [1, 2])
})

test('checkSchemas reports new, registered, compatible and breaking (with reasons) without registering anything', async t => {
  const registry = testRegistry()
  const [isNew, same, reordered, compatible, breaking] = ['new', 'same', 'reordered', 'compatible', 'breaking'].map(p => testTopic(t, `test-check-${p}`))
  const v1 = recordSchema('Reading', READING_V1)
  await registerSchemas(registry, new Map([same, reordered, compatible, breaking].map(topic => [topic, v1])))

  // The same schema with keys in another order and other whitespace is still "registered".
  const reorderedText = JSON.stringify({
    fields: READING_V1.map(f => ({ type: f.type, name: f.name })), namespace: 'energy.test', name: 'Reading', type: 'record'
  }, null, 2)
  const checks = await checkSchemas(registry, new Map([
    [isNew, v1],
    [same, v1],
    [reordered, reorderedText],
    // A dropped field and a new field with a default are both BACKWARD compatible.
    [compatible, recordSchema('Reading', [...READING_V1.filter(f => f.name !== 'kwh'), { name: 'count', type: 'long', default: 0 }])],
    [breaking, recordSchema('Reading', [...READING_V2_NO_DEFAULT.map(f => f.name === 'kwh' ? { name: 'kwh', type: 'int' } : f)])]
  ]))
  assert.deepStrictEqual(checks, [
    { subject: valueSubject(isNew), status: 'new', reasons: [] },
    { subject: valueSubject(same), status: 'registered', reasons: [] },
    { subject: valueSubject(reordered), status: 'registered', reasons: [] },
    { subject: valueSubject(compatible), status: 'compatible', reasons: [] },
    {
      subject: valueSubject(breaking),
      status: 'breaking',
      reasons: [
        'field "kwh" changed type from "double" to "int", which cannot be read from the old data',
        'field "meter" was added without a default'
      ]
    }
  ])
  for (const topic of [same, reordered, compatible, breaking]) assert.deepStrictEqual(await subjectVersions(valueSubject(topic)), [1])
  assert.deepStrictEqual(await subjectVersions(valueSubject(isNew)), [])
})

test('energy.account version 2 (issue 23: meter_units, payment_method, devices) registers over version 1 as compatible, and a version 1 account reads with the defaults', async t => {
  const registry = testRegistry()
  const topic = testTopic(t, 'test-schemas-account')
  const v2 = readFileSync(new URL('../../schemas/energy.account.avsc', import.meta.url), 'utf8')
  // Version 1: the same record without the three fields issue 23 added.
  const parsed = JSON.parse(v2) as { fields: Array<{ name: string, type: unknown }> }
  parsed.fields = parsed.fields.filter(f => f.name !== 'payment_method' && f.name !== 'devices')
  const property = (parsed.fields.find(f => f.name === 'properties')?.type as { items: { fields: Array<{ name: string, type: { items: { fields: Array<{ name: string }> } } }> } }).items
  const gasPoint = property.fields.find(f => f.name === 'gas_meter_points')?.type.items as { fields: Array<{ name: string }> }
  gasPoint.fields = gasPoint.fields.filter(f => f.name !== 'meter_units')
  const v1 = JSON.stringify(parsed)
  assert.ok(!v1.includes('meter_units') && !v1.includes('payment_method') && v2.includes('meter_units'))

  await registerSchemas(registry, new Map([[topic, v1]]))
  const agreement = { tariff_code: 'G-1R-VAR-22-11-01-C', valid_from: Date.parse('2022-11-01T00:00:00Z'), valid_to: null }
  const property1 = { moved_in_at: null, moved_out_at: null, postcode: null, electricity_meter_points: [], gas_meter_points: [{ mprn: '3000000000001', meters: ['G4P0000001'], agreements: [agreement] }] }
  const bytes = await createCodec(registry, new Map([[topic, v1]])).encode(topic, { number: 'A-1234ABCD', fetched_at: 1, properties: [property1] })
  assert.deepStrictEqual(await registerSchemas(registry, new Map([[topic, v2]])), [{ subject: valueSubject(topic), status: 'compatible', reasons: [] }])
  assert.deepStrictEqual(plain(await createCodec(registry, new Map([[topic, v2]])).decode(topic, bytes)), {
    number: 'A-1234ABCD',
    fetched_at: 1,
    properties: [{ ...property1, gas_meter_points: [{ ...property1.gas_meter_points[0], meter_units: [] }] }],
    payment_method: null,
    devices: []
  })
})
