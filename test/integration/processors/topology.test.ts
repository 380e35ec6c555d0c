import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { getJson } from '../../../lib/http.ts'
import { createAdmin } from '../../../lib/kafka.ts'
import { londonDay, slotStarts } from '../../../lib/london-day.ts'
import { asArray, asInstant, asNumber, asObject, keepRangeSlots } from '../../../lib/answer.ts'
import { seed } from '../../../processors/ingest/seed.ts'
import type { SourceDeclaration } from '../../../processors/source/types.ts'
import { configuredSources, createJoinProcessor, createSourceProcessor, createTopology, joinInputsOf, processorGroup, topicIn, topology } from '../../../processors/index.ts'
import { createSink } from '../../../sinks/index.ts'
import {
  captureLog, createTestEnvironment, defer, groupsCaughtUp, readRaw, readTopic, sinksCaughtUp, startSampleServer, tableRows, testPool, waitFor
} from '../../pipeline.ts'

// The proof that a source is one declaration (issue 11): outdoor temperature per half-hour,
// declared here in test code only, from a tiny endpoint of its own, flows through its own
// processor, topic, sink and table; nothing under lib/ or processors/ knows it. The join does
// not read it (it has no `join` part), so the days come out exactly as without it.

interface Temperature { slot_start: number, celsius: number }

const DATES = ['2024-03-31', '2024-06-15', '2024-10-27']
/** Degrees of a slot: any deterministic figure will do. */
const celsius = (start: number): number => Math.round(Math.sin(start / 3.6e6) * 100) / 10 + 10

function temperatureSource (baseUrl: string): SourceDeclaration<Temperature> {
  return {
    name: 'temperature',
    topic: 'energy.temperature',
    schema: JSON.stringify({
      type: 'record',
      name: 'Temperature',
      namespace: 'energy.test',
      fields: [
        { name: 'local_date', type: 'string' },
        { name: 'slot_start', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'slot_end', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'batch_id', type: 'string' },
        { name: 'batch_size', type: 'int' },
        { name: 'celsius', type: 'double' }
      ]
    }),
    // An endpoint that answers one day a call: the span is its days, fetched together.
    async fetchSpan (span, { config, log, signal }) {
      const days = await Promise.all(span.days.map(async day => {
        const body = await getJson(`${baseUrl}/temperature/${day.date}`, { timeoutMs: config.httpTimeoutMs, retries: 1, log, signal })
        const values = asArray(asObject(body, 'temperature', 'answer').slots, 'temperature', 'slots').map((entry, i) => {
          const slot = asObject(entry, 'temperature', `slots[${i}]`)
          return { slot_start: asInstant(slot.from, 'temperature', `slots[${i}].from`), celsius: asNumber(slot.celsius, 'temperature', `slots[${i}].celsius`) }
        })
        return keepRangeSlots(day, values)
      }))
      return days.flat()
    },
    sink: {
      name: 'outdoor_temperature',
      spec: {
        table: 'energy_usage.outdoor_temperature',
        columns: ['slot_start', 'local_date', 'celsius', 'batch_id'],
        types: ['timestamptz', 'date', 'float8', 'text'],
        rowKey: ['slot_start']
      },
      toRows: r => [[r.slot_start, r.local_date, r.celsius, r.batch_id]],
      keyValues: key => [Date.parse(key)]
    }
  }
}

test('a source declared in test code flows through a processor, its topic, a sink and its table; the join is unaffected', async t => {
  const endpoint = createServer((req, res) => {
    const date = /^\/temperature\/(\d{4}-\d{2}-\d{2})$/.exec(req.url ?? '')?.[1]
    if (date === undefined) {
      res.writeHead(404).end()
      return
    }
    const slots = slotStarts(londonDay(date)).map(start => ({ from: new Date(start).toISOString(), celsius: celsius(start) }))
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ slots }))
  })
  await new Promise<void>(resolve => endpoint.listen(0, '127.0.0.1', resolve))
  defer(t, () => new Promise(resolve => endpoint.close(resolve)))
  const temperature = temperatureSource(`http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`)
  const extended = createTopology([...topology.sources, temperature])

  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, 'topology', sample, {}, extended)
  const pool = testPool(t, env)
  // The new source's migration, as sql/NNN_outdoor_temperature.sql would hold it.
  await pool.query(`CREATE TABLE energy_usage.outdoor_temperature (
    slot_start timestamptz PRIMARY KEY, local_date date NOT NULL, celsius double precision NOT NULL,
    batch_id text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`)

  const { log } = captureLog()
  // What `npm start` runs here: every source this configuration can serve (no region: not regional).
  const running = configuredSources(extended, env.config)
  const joinInputs = joinInputsOf(extended, running)
  const parts = [
    ...extended.sources.filter(s => running.includes(s.name)).map(source => createSourceProcessor({ config: env.config, source, codec: env.codec, log, options: { restartDelayMs: 300 } })),
    createJoinProcessor({ config: env.config, codec: env.codec, log, inputs: joinInputs }),
    ...extended.sinkTargets.map(target => createSink({ config: env.config, codec: env.codec, log, pool, target, options: { restartDelayMs: 300 } }))
  ]
  for (const part of parts) {
    await part.start()
    defer(t, () => part.stop())
  }
  for (const date of DATES) await seed({ config: env.config, codec: env.codec, log }, { from: date, to: date })

  const topic = topicIn(env.config, 'energy.temperature')
  await waitFor('every day complete and every sink caught up', async () => {
    const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM energy_usage.daily_summary WHERE complete')
    if (Number(rows[0].n) < DATES.length) return false
    if (!await groupsCaughtUp(env.config, running.map(s => processorGroup(s, env.namespace)), env.config.topics.requests)) return false
    return await sinksCaughtUp(env, pool, extended.sinkTargets)
  }, 90000, 300)

  // Its topic holds a record per slot of each day (46, 48 and 50), with the envelope.
  const records = await readTopic<Temperature & { local_date: string, batch_size: number }>(env, topic)
  const slots = DATES.map(d => londonDay(d).slots)
  assert.deepStrictEqual(slots, [46, 48, 50])
  assert.deepStrictEqual(DATES.map(d => records.filter(r => r.value?.local_date === d).length), slots)
  assert.deepStrictEqual(DATES.map(d => records.find(r => r.value?.local_date === d)?.value?.batch_size), slots)

  // Its table holds those records, as its sink target says, figures from the endpoint.
  const target = extended.findTarget('outdoor_temperature')
  assert.ok(target !== undefined)
  const rows = await tableRows(pool, target)
  const expected = DATES.flatMap(d => slotStarts(londonDay(d)).map(start => [start, d, celsius(start)]))
  assert.deepStrictEqual(rows.map(r => r.slice(0, 3)), expected)

  // The join never subscribed to it: no committed offsets of the join's group on that topic,
  // and each day names only the join's inputs' batches (the last one every input's).
  const days = await readTopic<{ date: string, batches: Record<string, string>, complete: boolean }>(env, env.config.topics.completion)
  assert.deepStrictEqual([...new Set(days.map(d => d.value?.date))].sort(), DATES)
  const inputs = joinInputs.map(i => i.name).sort()
  for (const day of days) assert.ok(Object.keys(day.value?.batches ?? {}).every(name => inputs.includes(name)), JSON.stringify(day.value?.batches))
  const latest = new Map(days.map(d => [d.key, d.value]))
  for (const date of DATES) assert.deepStrictEqual(Object.keys(latest.get(date)?.batches ?? {}).sort(), inputs)
  const admin = createAdmin(env.config, 'energy-test-topology')
  try {
    const offsets = await admin.listConsumerGroupOffsets({ groups: [{ groupId: `${env.namespace}energy-join`, topics: [{ name: topic, partitionIndexes: [0, 1, 2, 3] }] }] })
    const committed = offsets.flatMap(g => g.topics.flatMap(x => x.partitions.map(p => p.committedOffset))).filter(o => o >= 0n)
    assert.deepStrictEqual(committed, [], 'the join has no position on energy.temperature')
  } finally {
    await admin.close()
  }
  assert.deepStrictEqual(await readRaw(env, env.config.topics.dlq), [], 'nothing dead-lettered')
})
