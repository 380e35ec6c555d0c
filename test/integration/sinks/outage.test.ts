import assert from 'node:assert/strict'
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net'
import { test, type TestContext } from 'node:test'
import type { MessageToProduce } from '@platformatic/kafka'
import { createPool } from '../../../lib/db.ts'
import { createProducer } from '../../../lib/kafka.ts'
import { isoUtc, londonDay, SLOT_MS, slotStarts } from '../../../lib/london-day.ts'
import { partitionForDate } from '../../../lib/partition.ts'
import { topicIn, topology } from '../../../processors/topology.ts'
import { createSink, type SinkTarget } from '../../../sinks/index.ts'
import { uniqueName } from '../../helpers.ts'
import { captureLog, createTestEnvironment, defer, startSampleServer, testPool, waitFor, type TestEnvironment } from '../../pipeline.ts'

// A Postgres outage seen by a running sink, without touching the shared Postgres: the sink's
// pool goes through a TCP proxy in this process, and closing the proxy leaves its port closed
// (ECONNREFUSED), as a Postgres that went away does. The sink must keep retrying the batch and
// a stop must end the backoff wait at once instead of sleeping it out.

const TARGET = topology.findTarget('consumption') as SinkTarget
const DATE = '2024-06-15'

interface Proxy {
  port: number
  /** Closes the listening port and every forwarded connection. */
  cut (): Promise<void>
}

async function startProxy (t: TestContext, host: string, port: number): Promise<Proxy> {
  const sockets = new Set<Socket>()
  const server: Server = createServer(client => {
    const upstream = connect(port, host)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {})
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const cut = async (): Promise<void> => {
    const closed = new Promise(resolve => server.close(resolve))
    for (const s of sockets) s.destroy()
    await closed
  }
  defer(t, () => server.listening ? cut() : undefined)
  return { port: (server.address() as AddressInfo).port, cut }
}

async function produceUsage (env: TestEnvironment, slots: number[]): Promise<void> {
  const usage = topicIn(env.config, TARGET.topic)
  const starts = slotStarts(londonDay(DATE))
  const messages: Array<MessageToProduce<string, Buffer, string, string>> = []
  for (const i of slots) {
    const record = { local_date: DATE, slot_start: starts[i], slot_end: starts[i] + SLOT_MS, batch_id: 'outage', batch_size: 48, consumption: 0.25, meter_serial: '21L0000001' }
    messages.push({ topic: usage, partition: partitionForDate(DATE, env.config.topicPartitions), key: isoUtc(starts[i]), value: await env.codec.encode(usage, record) })
  }
  const producer = createProducer(env.config, { clientId: uniqueName('test-producer') })
  try {
    await producer.send({ messages })
  } finally {
    await producer.close()
  }
}

test('a sink whose Postgres goes away keeps retrying the batch with growing backoff, and stop() returns within 2 s during a long wait', { timeout: 120000 }, async t => {
  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, 'sinks_outage', sample)
  const direct = testPool(t, env)
  const database = new URL(env.config.databaseUrl)
  const proxy = await startProxy(t, database.hostname, Number(database.port === '' ? 5432 : database.port))
  const proxied = new URL(database)
  proxied.hostname = '127.0.0.1'
  proxied.port = String(proxy.port)
  const captured = captureLog()
  const pool = createPool(proxied.toString(), captured.log, 2)
  defer(t, () => pool.end())
  const sink = createSink({ config: env.config, codec: env.codec, log: captured.log, pool, target: TARGET, options: { restartDelayMs: 300 } })
  await sink.start()
  defer(t, () => sink.stop())

  // A first batch lands through the proxy, so the sink holds its positions and the outage
  // meets the second batch inside landWithRetry, not at a session start.
  await produceUsage(env, [0])
  const landed = async (): Promise<bigint> => BigInt((await direct.query<{ n: string | null }>('SELECT sum(next_offset) AS n FROM energy_usage.sink_offsets')).rows[0].n ?? '0')
  await waitFor('the first batch to land', async () => await landed() === 1n, 30000, 100)

  await proxy.cut()
  await produceUsage(env, [1, 2])
  const retries = (): Array<Record<string, unknown>> => captured.lines().filter(l => l.msg === 'batch did not land in Postgres, retrying')
  // Full jitter: wait for a retry whose backoff is well past the 2 s stop budget, then stop in it.
  await waitFor('a retry backoff of 2.5 s or more', async () => retries().some(l => (l.delayMs as number) >= 2500), 90000, 5)
  const started = performance.now()
  await sink.stop()
  const stopMs = performance.now() - started

  const lines = retries()
  const last = lines[lines.length - 1]
  t.diagnostic(`${lines.length} retries, delays ${lines.map(l => l.delayMs).join(', ')} ms; stop took ${Math.round(stopMs)} ms`)
  assert.ok(stopMs < 2000, `stop() returned in ${Math.round(stopMs)} ms, during a ${String(last.delayMs)} ms backoff`)
  assert.ok((last.delayMs as number) >= 2500, 'the stop came during the long backoff')
  assert.ok(lines.length >= 3, `kept retrying (${lines.length} retries)`)
  assert.deepStrictEqual(lines.map(l => l.attempt), lines.map((_, i) => i + 1), 'one log line per attempt, numbered')
  for (const [i, l] of lines.entries()) {
    assert.deepStrictEqual({ level: l.level, sink: l.sink, code: l.code }, { level: 50, sink: TARGET.name, code: 'ECONNREFUSED' }, `retry ${i + 1} names the refused connection`)
    assert.ok((l.delayMs as number) <= Math.min(30000, 500 * 2 ** i), `retry ${i + 1} waits ${String(l.delayMs)} ms, at most min(cap, 500 ms * 2^${i})`)
  }
  assert.ok(captured.lines().some(l => l.msg === `sink ${TARGET.name} stopped`), 'the sink logged its stop')
  assert.ok(!captured.lines().some(l => String(l.msg).includes('failed, restarting')), 'the outage was retried inside the batch, not by restarting the session')
  assert.equal(await landed(), 1n, 'nothing landed while Postgres was unreachable')
})
