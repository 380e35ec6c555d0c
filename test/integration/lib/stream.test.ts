import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Config } from '../../../lib/config.ts'
import { createAdmin, createProducer, READ_COMMITTED } from '../../../lib/kafka.ts'
import { createTask, type StreamProcessor, type Task } from '../../../lib/stream/task.ts'
import { consumeAll, createTestTopic, produceMessages, silentLog, testConfig, uniqueName } from '../../helpers.ts'

// The task runtime (lib/stream) with a processing step of the test's own: it upper-cases
// values to an output topic and dead-letters the value "bad", in the runtime's transaction.

interface Setup { config: Readonly<Config>, input: string, output: string, dlq: string, group: string }

async function setup (t: TestContext, partitions = 2): Promise<Setup> {
  const base = testConfig()
  const [input, output, dlq] = await Promise.all([createTestTopic(t, { partitions, prefix: 'stream-in' }), createTestTopic(t, { partitions, prefix: 'stream-out' }), createTestTopic(t, { prefix: 'stream-dlq' })])
  const group = uniqueName('stream-task')
  t.after(async () => {
    const admin = createAdmin(base, 'energy-test-admin')
    await admin.deleteGroups({ groups: [group] }).catch(() => {})
    await admin.close()
  })
  return { config: { ...base, topics: { ...base.topics, dlq } }, input, output, dlq, group }
}

function upperCase ({ output }: Setup, hold?: (signal: AbortSignal) => Promise<void>): StreamProcessor {
  return {
    async process (batch, context) {
      await context.kafka?.transact(batch, async send => {
        for (const m of batch) {
          if (m.value?.toString() === 'bad') await send(context.deadLetters.message(m, new Error('bad value'), { 'dlq.processor': 'test' }))
          else await send({ topic: output, partition: m.partition, key: m.key, value: Buffer.from(m.value?.toString().toUpperCase() ?? '') })
          await hold?.(context.signal)
        }
      })
    }
  }
}

function task (s: Setup, processor: StreamProcessor, name = 'test task', punctuateMs?: number): Task {
  return createTask({
    name,
    kind: 'processor',
    config: s.config,
    log: silentLog,
    group: s.group,
    topics: [s.input],
    start: { kind: 'committed' },
    commit: { kind: 'kafka', transactionalId: `${s.group}-1` },
    batchSize: 100,
    batchWaitMs: 50,
    restartDelayMs: 200,
    lagIntervalMs: 100,
    punctuateMs,
    processor
  })
}

async function until (what: string, check: () => boolean | Promise<boolean>, ms = 30000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

test('counters after a batch: records in and out, one dead letter, commits, no lag', { timeout: 60000 }, async t => {
  const s = await setup(t)
  await produceMessages(s.input, [
    { key: 'a', value: Buffer.from('one'), partition: 0 },
    { key: 'b', value: Buffer.from('bad'), partition: 0 },
    { key: 'c', value: Buffer.from('two'), partition: 1 },
    { key: 'd', value: Buffer.from('three'), partition: 1 }
  ])
  const running = task(s, upperCase(s))
  await running.start()
  t.after(() => running.stop())
  await until('four records in', () => running.counters.value.recordsIn === 4)
  await until('the lag read at the end', () => Object.keys(running.counters.value.lag).length === 2 && Object.values(running.counters.value.lag).every(l => l === 0))
  const { recordsIn, recordsOut, deadLetters, sessions, restore, lag } = running.counters.value
  assert.deepEqual({ recordsIn, recordsOut, deadLetters, sessions, restore, lag }, { recordsIn: 4, recordsOut: 3, deadLetters: 1, sessions: 1, restore: null, lag: { [`${s.input}:0`]: 0, [`${s.input}:1`]: 0 } })
  assert.ok(running.counters.value.commits >= 1 && running.counters.value.commits <= 2)
  assert.deepEqual((await consumeAll(s.output)).map(m => m.value.toString()).sort(), ['ONE', 'THREE', 'TWO'])
  const letters = await consumeAll(s.dlq)
  assert.equal(letters.length, 1)
  assert.equal(letters[0].value.toString(), 'bad')
  assert.equal(letters[0].headers.get('dlq.error'), 'bad value')
})

test('a graceful stop in the middle of a batch commits nothing of it: no output, no offsets', { timeout: 60000 }, async t => {
  const s = await setup(t, 1)
  await produceMessages(s.input, ['one', 'two', 'three'].map(v => ({ key: v, value: Buffer.from(v), partition: 0 })))
  let sent = 0
  const running = task(s, upperCase(s, async signal => {
    sent++
    // The first record is sent into the open transaction; then the step waits for the stop.
    if (sent === 1) await new Promise(resolve => signal.addEventListener('abort', resolve, { once: true }))
    if (signal.aborted) throw new Error('stopped')
  }))
  await running.start()
  await until('a record sent into the transaction', () => sent === 1)
  await running.stop()
  const { recordsIn, recordsOut, commits } = running.counters.value
  assert.deepEqual({ recordsIn, recordsOut, commits }, { recordsIn: 0, recordsOut: 0, commits: 0 })
  assert.deepEqual(await consumeAll(s.output), [])
  const admin = createAdmin(s.config, 'energy-test-admin')
  try {
    const [offsets] = await admin.listConsumerGroupOffsets({ groups: [{ groupId: s.group, topics: [{ name: s.input, partitionIndexes: [0] }] }] })
    assert.equal(offsets.topics[0]?.partitions[0]?.committedOffset ?? -1n, -1n)
  } finally {
    await admin.close()
  }
  // The next start does the whole batch.
  const again = task(s, upperCase(s))
  await again.start()
  t.after(() => again.stop())
  await until('the batch done again', () => again.counters.value.recordsIn === 3)
  assert.deepEqual((await consumeAll(s.output)).map(m => m.value.toString()), ['ONE', 'TWO', 'THREE'])
})

test('restore progress: the records read of the offsets to read, done at the end', { timeout: 60000 }, async t => {
  const s = await setup(t, 1)
  await produceMessages(s.input, Array.from({ length: 25 }, (_, i) => ({ key: `k${i}`, value: Buffer.from(`v${i}`), partition: 0 })))
  const seen: string[] = []
  const progress: number[] = []
  const running = task(s, {
    async init (context) {
      await context.restore([{ topic: s.input, partition: 0, until: 20n }], async records => {
        seen.push(...records.map(r => r.value?.toString() ?? ''))
        progress.push(context.counters.value.restore?.records ?? -1)
      })
    },
    async process (batch, context) {
      await context.kafka?.transact(batch, async () => {})
    }
  })
  await running.start()
  t.after(() => running.stop())
  await until('the restore done', () => running.counters.value.restore?.done === true)
  assert.deepEqual(running.counters.value.restore, { records: 20, offsets: 20, done: true })
  assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => `v${i}`))
  // Progress is counted as the restore goes: before each handover, what was read before it.
  assert.equal(progress[0], 0)
  await until('every record processed', () => running.counters.value.recordsIn === 25)
})

test('restore stages: the ranges of a later stage are asked for once the reads before it ended; progress counts both', { timeout: 60000 }, async t => {
  const s = await setup(t, 1)
  await produceMessages(s.input, Array.from({ length: 12 }, (_, i) => ({ key: `k${i}`, value: Buffer.from(`v${i}`), partition: 0 })))
  const seen: string[] = []
  const running = task(s, {
    async init (context) {
      await context.restore([{ topic: s.input, partition: 0, until: 8n }], async records => {
        seen.push(...records.map(r => r.value?.toString() ?? ''))
      }, {
        ranges: async () => {
          seen.push('then')
          return [{ topic: s.input, partition: 0, from: 10n, until: 12n }]
        },
        onRecords: async records => { seen.push(...records.map(r => `again ${r.value?.toString() ?? ''}`)) }
      })
    },
    async process (batch, context) {
      await context.kafka?.transact(batch, async () => {})
    }
  })
  await running.start()
  t.after(() => running.stop())
  await until('the restore done', () => running.counters.value.restore?.done === true)
  assert.deepEqual(running.counters.value.restore, { records: 10, offsets: 10, done: true })
  assert.deepEqual(seen, [...Array.from({ length: 8 }, (_, i) => `v${i}`), 'then', 'again v10', 'again v11'])
})

test('wall-clock punctuation: between batches and with none arriving; its output commits with no consumed offsets; caughtUp', { timeout: 60000 }, async t => {
  const s = await setup(t, 1)
  await produceMessages(s.input, ['one', 'two'].map(v => ({ key: v, value: Buffer.from(v), partition: 0 })))
  const step = upperCase(s)
  let punctuations = 0
  let ticked = false
  const running = task(s, {
    process: step.process,
    async punctuate (context) {
      punctuations++
      if (ticked || context.counters.value.recordsIn < 2) return
      // Everything below the input's last stable offset is processed: caught up.
      const ends = await context.consumer.listOffsets({ topics: [s.input], timestamp: -1n, isolationLevel: READ_COMMITTED })
      const end = ends.get(s.input)?.[0] ?? 0n
      const caughtUp = context.caughtUp(s.input, 0, end)
      const ahead = context.caughtUp(s.input, 0, end + 5n)
      await context.kafka?.transact([], async send => {
        await send({ topic: s.output, partition: 0, key: 'tick', value: Buffer.from(`TICK ${String(caughtUp)} ${String(ahead)}`) })
      })
      ticked = true
    }
  }, 'test task', 100)
  await running.start()
  t.after(() => running.stop())
  await until('the tick committed', () => running.counters.value.recordsOut === 3)
  const before = punctuations
  await sleep(600)
  // Nothing arrives: punctuation goes on every 100 ms.
  assert.ok(punctuations - before >= 3, `${punctuations - before} punctuations in 600 ms`)
  const { recordsIn, recordsOut } = running.counters.value
  assert.deepEqual({ recordsIn, recordsOut }, { recordsIn: 2, recordsOut: 3 })
  assert.deepEqual((await consumeAll(s.output)).map(m => m.value.toString()), ['ONE', 'TWO', 'TICK true false'])
})

test('lag is records: records pending in hand and unfetched are counted, commit markers and aborted records are not; idle, 0', { timeout: 60000 }, async t => {
  const s = await setup(t, 1)
  // Written as the processors write, in transactions. Offsets of the input:
  //   r r r r r C x x A   5 records, last stable offset 9
  //   r r r C             3 more once the task holds the first batch, last stable offset 13
  const producer = createProducer(s.config, { clientId: uniqueName('stream-tx'), transactionalId: uniqueName('stream-tx') })
  t.after(() => producer.close())
  const transaction = async (commit: boolean, values: string[]): Promise<void> => {
    const tx = await producer.beginTransaction()
    await tx.send({ messages: values.map(v => ({ topic: s.input, partition: 0, key: v, value: Buffer.from(v) })) })
    if (commit) await tx.commit()
    else await tx.abort()
  }
  await transaction(true, ['one', 'two', 'three', 'four', 'five'])
  await transaction(false, ['aborted-1', 'aborted-2'])
  // The step holds its first batch until released: its records stay pending.
  let release = (): void => {}
  const released = new Promise<void>(resolve => { release = resolve })
  let batches = 0
  const step = upperCase(s)
  const running = task(s, {
    async process (batch, context) {
      if (batches++ === 0) await released
      await step.process(batch, context)
    }
  })
  await running.start()
  t.after(() => running.stop())
  const lagOf = (): number | undefined => running.counters.value.lag[`${s.input}:0`]
  await until('the first batch held', () => batches === 1)
  await until('5 records pending', () => lagOf() === 5)
  assert.equal(running.counters.value.lagExact, true)
  await transaction(true, ['six', 'seven', 'eight'])
  await until('8 records pending', () => lagOf() === 8)
  release()
  await until('every record processed', () => running.counters.value.recordsIn === 8)
  // Idle: the position (12) is short of the last stable offset (13) by the commit marker.
  await until('the lag read after the last batch', () => lagOf() === 0)
  await sleep(500)
  assert.deepStrictEqual([lagOf(), running.counters.value.lagExact], [0, true])
  t.diagnostic(`idle transactional input: lag ${lagOf()} records (offsets behind: 1)`)
})
