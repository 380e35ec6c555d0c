import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createAdmin } from '../../../lib/kafka.ts'
import { datesBetween, londonDay, slotStarts } from '../../../lib/london-day.ts'
import { ensureTopics } from '../../../lib/topic-admin.ts'
import { COMPACTED } from '../../../lib/topics.ts'
import { seed } from '../../../processors/ingest/seed.ts'
import type { SourceDeclaration } from '../../../processors/source/types.ts'
import { createSourceProcessor, createTopology, processorGroup, topicIn, topology } from '../../../processors/index.ts'
import { captureLog, createTestEnvironment, defer, groupsCaughtUp, readRaw, readTopic, startSampleServer, waitFor } from '../../pipeline.ts'

// A produce failure is tied to the request that caused it (issue 12): a day whose records the
// broker refuses (larger than the topic's max.message.bytes) used to abort the transaction of
// its whole batch, restart the session and refetch the batch for ever, so the healthy days in
// it never landed. Now the processor knows the topic's max.message.bytes: a day with a record
// the broker would refuse is dead-lettered (ENERGY_REFUSED) and the other days of its span
// commit; its output goes out in sends the broker accepts.
// The source is declared here, so the oversized value passes its (test) normaliser and only the
// broker refuses it.

const DATES = datesBetween('2024-06-01', '2024-06-06')
const BIG = '2024-06-03'

interface Note { slot_start: number, note: string }

const notes: SourceDeclaration<Note> = {
  name: 'notes',
  topic: 'energy.notes',
  schema: JSON.stringify({
    type: 'record',
    name: 'Note',
    namespace: 'energy.test',
    fields: [
      { name: 'local_date', type: 'string' },
      { name: 'slot_start', type: 'long' },
      { name: 'slot_end', type: 'long' },
      { name: 'batch_id', type: 'string' },
      { name: 'batch_size', type: 'int' },
      { name: 'note', type: 'string' }
    ]
  }),
  async fetchSpan (span) {
    return span.days.flatMap(day => slotStarts(day).map(start => ({ slot_start: start, note: day.date === BIG ? 'x'.repeat(30000) : 'ok' })))
  },
  sink: { name: 'notes', spec: { table: 'energy_usage.notes', columns: ['slot_start'], types: ['timestamptz'], rowKey: ['slot_start'] }, toRows: r => [[r.slot_start]], keyValues: key => [Date.parse(key)] }
}

test('records the broker would refuse dead-letter their day only; the rest of the span commits, nothing restarts', { timeout: 120000 }, async t => {
  const extended = createTopology([...topology.sources, notes])
  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, 'refused', sample, {}, extended)
  const topic = topicIn(env.config, notes.topic)
  // A normal record is ~60 bytes; each of the big day's is 30 KB, over the topic's 20,000.
  const admin = createAdmin(env.config, 'energy-test-refused')
  try {
    await ensureTopics(admin, [{ name: topic, copartitioned: true, configs: { ...COMPACTED, 'max.message.bytes': '20000' } }], env.config.topicPartitions)
  } finally {
    await admin.close()
  }
  const captured = captureLog()
  const processor = createSourceProcessor({ config: env.config, source: notes, codec: env.codec, log: captured.log, options: { restartDelayMs: 300 } })
  await processor.start()
  defer(t, () => processor.stop())
  await seed({ config: env.config, codec: env.codec, log: captured.log }, { from: DATES[0], to: DATES.at(-1) as string })
  await waitFor('the requests to be handled', () => groupsCaughtUp(env.config, [processorGroup('notes', env.namespace)], env.config.topics.requests), 30000, 200)

  const records = await readTopic<Note & { local_date: string }>(env, topic)
  for (const date of DATES) {
    const expected = date === BIG ? 0 : londonDay(date).slots
    assert.equal(records.filter(r => r.value?.local_date === date).length, expected, `${date}: ${expected} records`)
  }
  const letters = (await readRaw(env, env.config.topics.dlq)).map(m => Object.fromEntries(m.headers ?? new Map()) as Record<string, string>)
  assert.equal(letters.length, 1, 'one dead letter')
  assert.equal(letters[0]['dlq.error.code'], 'ENERGY_REFUSED')
  assert.equal(letters[0]['dlq.date'], BIG)
  assert.equal(letters[0]['dlq.processor'], 'notes')
  assert.equal(letters[0]['dlq.span'], '2024-06-01..2024-06-06')
  assert.match(letters[0]['dlq.error'], /^ENERGY_REFUSED: 2024-06-03: a record of \d{5} bytes \(slot 2024-06-02T23:00:00\.000Z\) is larger than \S+'s max\.message\.bytes \(20000\); the broker would refuse it$/)
  const lines = captured.lines()
  assert.equal(lines.filter(l => l.msg === 'the broker refused records of the batch, committing its requests one by one').length, 0, 'no send was refused: every send fits the topic')
  assert.deepStrictEqual(lines.filter(l => String(l.msg).includes('failed, restarting')), [], 'the session never restarted')
})
