import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { createCodec, loadLocalSchemas } from '../../lib/avro.ts'
import {
  consumeAll, createTestSubject, createTestTopic, plain, produceMessages, testConfig, testRegistry
} from '../helpers.ts'
import { NO_EXPORT_OR_GAS, NO_BILLED, NO_DISPATCHES, NO_REGIONAL } from '../helpers.ts'

// Values are Avro in the Confluent wire format (magic byte 0, 4-byte big-endian schema id,
// Avro body), so any Confluent client decodes what lib/avro.ts writes and the other way
// round. The reference client here is @kafkajs/confluent-schema-registry. Each case uses a
// contract schema from schemas/, registered under a test topic's subject.

const LOCAL = loadLocalSchemas()

const CASES: Array<{ schemaOf: string, key: string, value: Record<string, unknown> }> = [
  {
    schemaOf: 'energy.co2',
    key: '2024-10-27T00:30:00.000Z',
    value: {
      local_date: '2024-10-27',
      slot_start: Date.parse('2024-10-27T00:30:00Z'),
      slot_end: Date.parse('2024-10-27T01:00:00Z'),
      batch_id: 'batch-co2-1',
      batch_size: 50,
      forecast: 182,
      actual: null,
      index: 'moderate'
    }
  },
  {
    schemaOf: 'energy.mix',
    key: '2024-06-14T23:00:00.000Z',
    value: {
      local_date: '2024-06-15',
      slot_start: Date.parse('2024-06-14T23:00:00Z'),
      slot_end: Date.parse('2024-06-14T23:30:00Z'),
      batch_id: 'batch-mix-1',
      batch_size: 48,
      generationmix: [{ fuel: 'gas', perc: 31.4 }, { fuel: 'wind', perc: 42.25 }, { fuel: 'nuclear', perc: 0.1 }]
    }
  },
  {
    schemaOf: 'energy.forecast',
    key: '2024-12-01T16:30:00.000Z',
    value: {
      slot_start: Date.parse('2024-12-01T16:30:00Z'),
      slot_end: Date.parse('2024-12-01T17:00:00Z'),
      local_date: '2024-12-01',
      fetched_at: Date.parse('2024-12-01T16:40:00Z'),
      intensity_forecast: 209,
      intensity_index: 'moderate',
      region_id: 12,
      region: 'South England',
      price_inc_vat: 31.143,
      price_exc_vat: 29.66,
      tariff_code: 'E-1R-AGILE-FLEX-22-11-25-C'
    }
  },
  {
    schemaOf: 'completion',
    key: '2024-03-31',
    value: {
      date: '2024-03-31',
      kwh: 7.123456789,
      cost_inc_vat: 160.75,
      cost_exc_vat: 153.0952380952381,
      carbon_g: 1234.5,
      avg_intensity: 173.30517,
      mix: { gas: 30.5, wind: 45.25 },
      slots_expected: 46,
      slots_joined: 46,
      complete: true,
      forecast_slots: 3,
      batches: { co2: 'b1', mix: 'b2', pricing: 'b3', usage: 'b4' },
      computed_at: Date.parse('2024-04-01T08:00:00.123Z'),
      import_tariff_code: 'E-1R-AGILE-24-10-01-C',
      standing_charge_inc_vat: 47.85,
      standing_charge_exc_vat: 45.57142857142857,
      ...NO_EXPORT_OR_GAS,
      ...NO_REGIONAL,
      bill_inc_vat: 208.6,
      bill_complete: true,
      carbon_slots: 46,
      missing_readings: [],
      ...NO_DISPATCHES,
      ...NO_BILLED
    }
  }
]

for (const { schemaOf, key, value } of CASES) {
  test(`${schemaOf}: Confluent-client bytes through Kafka decode with lib/avro.ts, and lib/avro.ts bytes decode with the Confluent client`, async t => {
    const config = testConfig()
    const schema = LOCAL.get(schemaOf)
    assert.ok(schema !== undefined, `schemas/${schemaOf}.avsc exists`)
    const topic = await createTestTopic(t, { prefix: `test-avro-${schemaOf}` })
    const { id } = await createTestSubject(t, topic, schema, config)
    const confluent = new SchemaRegistry({ host: config.schemaRegistryUrl })
    const codec = createCodec(testRegistry(config), new Map([[topic, schema]]))

    const fromConfluent = await confluent.encode(id, value)
    await produceMessages(topic, [{ key, value: fromConfluent }], config)
    const [message, ...rest] = await consumeAll(topic, { config })
    assert.deepStrictEqual(rest, [])
    assert.equal(message.key, key)

    // (a) The Confluent header: magic byte 0, then the id of the registered schema.
    const bytes = message.value
    assert.equal(bytes[0], 0)
    assert.equal(bytes.readInt32BE(1), id)
    const res = await fetch(`${config.schemaRegistryUrl}/schemas/ids/${bytes.readInt32BE(1)}`)
    assert.equal(res.status, 200)
    const found = await res.json() as { schema: string }
    assert.deepStrictEqual(JSON.parse(found.schema), JSON.parse(schema))

    // (b) lib/avro.ts decodes it to the very same record.
    assert.deepStrictEqual(plain(await codec.decode(topic, bytes)), value)

    // The reverse: lib/avro.ts writes the same bytes, and the Confluent client reads them.
    assert.equal(await codec.writerId(topic), id)
    const fromCodec = await codec.encode(topic, value)
    assert.deepStrictEqual(fromCodec, fromConfluent)
    await produceMessages(topic, [{ key, value: fromCodec }], config)
    const both = await consumeAll(topic, { config })
    assert.equal(both.length, 2)
    assert.deepStrictEqual(plain(await confluent.decode(both[1].value)), value)
  })
}

test('poison bytes are refused with ENERGY_DECODE and a message saying what is wrong', async t => {
  const config = testConfig()
  const schema = LOCAL.get('energy.usage')
  assert.ok(schema !== undefined)
  const topic = await createTestTopic(t, { prefix: 'test-avro-poison' })
  const { id } = await createTestSubject(t, topic, schema, config)
  const codec = createCodec(testRegistry(config), new Map([[topic, schema]]))
  const good = await codec.encode(topic, {
    local_date: '2024-06-15',
    slot_start: Date.parse('2024-06-14T23:00:00Z'),
    slot_end: Date.parse('2024-06-14T23:30:00Z'),
    batch_id: 'batch-usage-1',
    batch_size: 48,
    consumption: 0.213
  })

  const notMagic = Buffer.from(good)
  notMagic[0] = 1
  await assert.rejects(codec.decode(topic, notMagic), {
    name: 'EnergyError', code: 'ENERGY_DECODE', topic, message: `not Confluent-framed Avro (${good.length} bytes, first byte 1)`
  })
  await assert.rejects(codec.decode(topic, Buffer.from('{"json":true}')), {
    code: 'ENERGY_DECODE', topic, message: 'not Confluent-framed Avro (13 bytes, first byte 123)'
  })
  await assert.rejects(codec.decode(topic, good.subarray(0, 3)), {
    code: 'ENERGY_DECODE', topic, message: 'not Confluent-framed Avro (3 bytes, first byte 0)'
  })
  await assert.rejects(codec.decode(topic, Buffer.alloc(0)), {
    code: 'ENERGY_DECODE', topic, message: 'not Confluent-framed Avro (0 bytes, first byte none)'
  })

  const unknownId = Buffer.from(good)
  unknownId.writeInt32BE(2147483646, 1)
  await assert.rejects(codec.decode(topic, unknownId), {
    code: 'ENERGY_DECODE', topic, message: 'schema id 2147483646 is unknown to the registry'
  })

  await assert.rejects(codec.decode(topic, good.subarray(0, good.length - 3)), {
    code: 'ENERGY_DECODE', topic, message: `corrupt Avro body for schema ${id}: truncated buffer`
  })
  await assert.rejects(codec.decode(topic, Buffer.concat([good, Buffer.from([7])])), {
    code: 'ENERGY_DECODE', topic, message: `corrupt Avro body for schema ${id}: trailing data`
  })

  // A real schema id whose schema cannot be resolved to the topic's reader schema.
  const other = await createTestTopic(t, { prefix: 'test-avro-poison-other' })
  const { id: otherId } = await createTestSubject(t, other, { type: 'record', name: 'Unrelated', fields: [{ name: 'x', type: 'boolean' }] }, config)
  const foreign = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), Buffer.from([1])])
  foreign.writeInt32BE(otherId, 1)
  await assert.rejects(codec.decode(topic, foreign), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ENERGY_DECODE')
    assert.match(err.message, new RegExp(`^writer schema ${otherId} cannot be read as ${topic}'s schema: `))
    return true
  })

  // The good record still decodes: a poison record does not break the codec.
  assert.equal((await codec.decode<{ consumption: number }>(topic, good)).consumption, 0.213)
})

test('encoding a value that does not match the schema is refused with ENERGY_SCHEMA', async t => {
  const config = testConfig()
  const schema = LOCAL.get('energy.usage')
  assert.ok(schema !== undefined)
  const topic = await createTestTopic(t, { prefix: 'test-avro-invalid' })
  await createTestSubject(t, topic, schema, config)
  const codec = createCodec(testRegistry(config), new Map([[topic, schema]]))
  await assert.rejects(codec.encode(topic, { local_date: '2024-06-15' }), (err: Error & { code?: string, topic?: string }) => {
    assert.equal(err.code, 'ENERGY_SCHEMA')
    assert.equal(err.topic, topic)
    assert.match(err.message, new RegExp(`^value does not match schema of ${topic}: `))
    return true
  })
})

test('encoding for a topic whose schema is not registered names the subject and the fix', async t => {
  const config = testConfig()
  const schema = LOCAL.get('energy.usage')
  assert.ok(schema !== undefined)
  const topic = await createTestTopic(t, { prefix: 'test-avro-unregistered' })
  const codec = createCodec(testRegistry(config), new Map([[topic, schema]]))
  await assert.rejects(codec.writerId(topic), {
    code: 'ENERGY_SCHEMA',
    subject: `${topic}-value`,
    message: `schema for ${topic}-value is not registered: run \`npm run setup\``
  })
})

test('encoding for a topic without a local schema says so', async () => {
  const codec = createCodec(testRegistry(), new Map())
  await assert.rejects(codec.encode('test-no-such-topic', {}), {
    code: 'ENERGY_SCHEMA',
    message: 'no schema for topic test-no-such-topic in schemas/'
  })
})
