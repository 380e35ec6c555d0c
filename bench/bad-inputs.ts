import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { createCodec } from '../lib/avro.ts'
import { createPool } from '../lib/db.ts'
import { createProducer } from '../lib/kafka.ts'
import { datesBetween, londonDay } from '../lib/london-day.ts'
import type { Logger } from '../lib/log.ts'
import { partitionForDate } from '../lib/partition.ts'
import { createRegistryClient } from '../lib/registry.ts'
import { availableSources, configuredSources, joinInputsOf, topicIn, topology } from '../processors/topology.ts'
import { readTopic } from '../lib/range-reader.ts'
import { seed } from '../processors/ingest/seed.ts'
import { createEnvironment } from '../lib/environment.ts'
import { startChild, startSampleApi, waitFor, type Child } from '../lib/processes.ts'

// Each bad input once, with the outcome the README promises checked: a dead letter that says
// why, a retry that lands, or a log line naming the problem; and afterwards nothing is missing.

export interface BadInputCheck { input: string, expected: string, ok: boolean, seen: string }

interface DeadLetter { topic: string, headers: ReadonlyMap<string, string> }

export async function runBadInputs (log: Logger, say: (line: string) => void): Promise<BadInputCheck[]> {
  const env = await createEnvironment('badinput', log, topology)
  const { config } = env
  const children: Child[] = []
  const output: string[] = []
  const capture = new Writable({ write (chunk: Buffer, _encoding, done) { output.push(chunk.toString()); done() } })
  const checks: BadInputCheck[] = []
  const check = (input: string, expected: string, ok: boolean, seen: string): void => {
    checks.push({ input, expected, ok, seen })
    say(`${ok ? 'ok  ' : 'FAIL'} ${input}: ${seen}`)
  }
  const codec = createCodec(createRegistryClient(config.schemaRegistryUrl), undefined, config.namespace)
  const pool = createPool(config.databaseUrl, log)
  const producer = createProducer(config, { clientId: 'energy-bad-inputs' })
  try {
    const dates = datesBetween('2023-03-01', '2023-03-11')
    const [dMalformed, d500, d429, d401, dClean, dOversized, dControl, dRange, dJunk, dWait, dWaitDate] = dates
    // Hostile answers (the last six): each must stay in its own day, dead-lettered with what
    // was wrong, while every other source of that day and every other day lands.
    const hostile = [
      { source: 'co2', date: dOversized, kind: 'oversized', code: 'ENERGY_MALFORMED', says: 'characters long, more than 16' },
      { source: 'mix', date: dControl, kind: 'control', code: 'ENERGY_MALFORMED', says: 'control character U+0000' },
      { source: 'usage', date: dRange, kind: 'out-of-range', code: 'ENERGY_MALFORMED', says: 'is 1e+308, outside 0..100' },
      { source: 'mix', date: dJunk, kind: 'junk-fuels', code: 'ENERGY_MALFORMED', says: 'is not a fuel name' },
      { source: 'pricing', date: dWait, kind: '429', retryAfterSeconds: 3600, code: 'ENERGY_RATE_LIMITED', says: 'asking to wait 3600 s' },
      { source: 'pricing', date: dWaitDate, kind: '429', retryAfterSeconds: 3600, retryAfterAsDate: true, code: 'ENERGY_RATE_LIMITED', says: 'more than HTTP_MAX_RETRY_AFTER_S' }
    ]
    const faults = [
      { source: 'usage', date: dMalformed, kind: 'malformed' },
      { source: 'co2', date: d500, kind: '500', times: 2 },
      { source: 'pricing', date: d429, kind: '429', retryAfterSeconds: 1, times: 1 },
      { source: 'usage', date: d401, kind: '401' },
      ...hostile.map(({ code, says, ...fault }) => fault)
    ]
    children.push(await startSampleApi({ ...env.env, SAMPLE_API_FAULTS: JSON.stringify(faults) }, config.carbonApiUrl, capture))
    const pipeline = { ...env.env, LOG_LEVEL: 'info' }
    children.push(startChild('pipeline', 'scripts/start.ts', ['--only', 'processors,join'], pipeline, capture))
    // A sink pointed at a port nobody listens on: Postgres refusing connections.
    const refused = new URL(config.databaseUrl)
    refused.port = '1'
    const badSinks = startChild('sinks', 'scripts/start.ts', ['--only', 'sinks'], { ...pipeline, DATABASE_URL: refused.toString() }, capture)

    await seed({ config, codec, log }, { from: dates[0], to: dates.at(-1) as string })
    const partitions = config.topicPartitions
    // A poison record on every topic the join or a sink reads.
    for (const topic of [...joinInputsOf(topology, configuredSources(topology, config)).map(i => topicIn(config, i.topic)), config.topics.completion]) {
      await producer.send({ messages: [{ topic, key: `poison-${topic}`, partition: 0, value: randomBytes(40) }] })
    }
    // A request for a date that does not exist.
    await producer.send({ messages: [{ topic: config.topics.requests, key: '2023-02-30', partition: partitionForDate('2023-02-30', partitions), value: await codec.encode(config.topics.requests, { date: '2023-02-30', request_id: 'impossible-date', requested_at: Date.now(), sources: [] }) }] })
    // Confluent-framed Avro, but of another subject's schema: it cannot be read as usage.
    const foreign = await codec.encode(config.topics.requests, { date: '2023-03-02', request_id: 'x', requested_at: 0, sources: [] })
    await producer.send({ messages: [{ topic: topicIn(config, topology.source('usage').topic), key: 'incompatible', partition: 0, value: foreign }] })

    const refusal = (): string => output.join('').split('\n').find(l => l.includes('"sink"') && l.includes('ECONNREFUSED')) ?? ''
    await waitFor('the refused sink to say so', async () => refusal() !== '', 30000, 200)
    const line = JSON.parse(refusal()) as { msg: string }
    check('Postgres refusing connections', 'the sink retries with a log line naming the refusal', true, line.msg.slice(0, 140))
    await badSinks.stop()
    children.push(startChild('sinks', 'scripts/start.ts', ['--only', 'sinks'], pipeline, capture))

    const expectedDays = [d500, d429, dClean]
    // Bounded: a Retry-After of an hour must not hold anything up.
    await waitFor('the clean days to land', async () => {
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM energy_usage.daily_summary WHERE date = ANY($1)', [expectedDays])
      return Number(rows[0].n) === expectedDays.length
    }, 120000, 500)
    await sleep(2000)
    const letters = await readDeadLetters(config)
    const of = (pred: (h: ReadonlyMap<string, string>) => boolean): DeadLetter[] => letters.filter(l => pred(l.headers))
    const code = (l: DeadLetter | undefined): string => l === undefined ? 'none' : `${l.headers.get('dlq.error.code')}: ${l.headers.get('dlq.error')?.slice(0, 110)}`

    const malformed = of(h => h.get('dlq.processor') === 'usage' && h.get('dlq.date') === dMalformed)[0]
    check('malformed JSON from the API', 'request in the DLQ, ENERGY_MALFORMED', malformed?.headers.get('dlq.error.code') === 'ENERGY_MALFORMED', code(malformed))
    const unauthorised = of(h => h.get('dlq.processor') === 'usage' && h.get('dlq.date') === d401)[0]
    const keyShown = [...(unauthorised?.headers.values() ?? [])].some(v => v.includes(config.octopusApiKey)) || output.join('').includes(config.octopusApiKey)
    check('401 from the API', 'request in the DLQ, ENERGY_AUTH, key never shown', unauthorised?.headers.get('dlq.error.code') === 'ENERGY_AUTH' && !keyShown, code(unauthorised))
    const slots = async (table: string, date: string): Promise<number> => Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM energy_usage.${table} WHERE local_date = $1`, [date])).rows[0].n)
    check('500 twice, then success', 'retried, the day lands whole', await slots('carbon_intensity', d500) === londonDay(d500).slots, `${await slots('carbon_intensity', d500)} co2 slots`)
    check('429 with Retry-After', 'honoured, the day lands whole', await slots('unit_rates', d429) === londonDay(d429).slots, `${await slots('unit_rates', d429)} price slots`)
    const impossible = of(h => h.get('dlq.error.code') === 'ENERGY_BAD_DATE')
    check('a request for 2023-02-30', 'one dead letter per processor', impossible.length === availableSources(topology, config).length, `${impossible.length} dead letters: ${code(impossible[0])}`)
    for (const topic of [...joinInputsOf(topology, configuredSources(topology, config)).map(i => topicIn(config, i.topic)), config.topics.completion]) {
      const poison = of(h => h.get('dlq.source.topic') === topic && h.get('dlq.error.code') === 'ENERGY_DECODE').filter(l => l.headers.get('dlq.source.offset') !== undefined)
      const readers = topic === config.topics.completion ? 1 : 2
      check(`poison record on ${topic.slice(config.namespace.length)}`, `${readers} dead letter(s) (${readers === 2 ? 'join and sink' : 'sink'})`, poison.length >= readers, `${poison.length}: ${code(poison[0])}`)
    }
    const incompatible = of(h => h.get('dlq.source.topic') === topicIn(config, topology.source('usage').topic) && (h.get('dlq.error') ?? '').includes('cannot be read'))
    check('a record of an incompatible schema on energy.usage', 'dead letters from the join and the sink', incompatible.length >= 2, `${incompatible.length}: ${code(incompatible[0])}`)

    const tables: Record<string, string> = { co2: 'carbon_intensity', mix: 'generation_mix', pricing: 'unit_rates', usage: 'consumption' }
    for (const h of hostile) {
      const letter = of(l => l.get('dlq.processor') === h.source && l.get('dlq.date') === h.date)[0]
      const error = letter?.headers.get('dlq.error') ?? ''
      const others = Object.keys(tables).filter(s => s !== h.source)
      const landed = await Promise.all(others.map(async s => await slots(tables[s], h.date) > 0))
      const ok = letter?.headers.get('dlq.error.code') === h.code && error.includes(h.says) && error.length < 600 && landed.every(Boolean)
      check(`${h.kind}${h.kind === '429' ? ` Retry-After 3600 ${'retryAfterAsDate' in h ? 'as an HTTP-date' : 'in seconds'}` : ''} from ${h.source}`,
        `that source's day dead-lettered (${h.code}), its other sources land`, ok, `${code(letter)}; others landed: ${landed.every(Boolean)}`)
    }

    // Isolated: no part crash-looped on a bad day (a session restart is logged by lib/supervisor.ts).
    const restarts = new Map<string, number>()
    for (const line of output.join('').split('\n')) {
      const name = /"msg":"([^"]+) failed, restarting from committed positions/.exec(line)?.[1]
      if (name !== undefined) restarts.set(name, (restarts.get(name) ?? 0) + 1)
    }
    const looping = [...restarts].filter(([, n]) => n > 1)
    check('every bad input above', 'no part restarts more than once', looping.length === 0, looping.length === 0 ? `restarts: ${JSON.stringify(Object.fromEntries(restarts))}` : `crash-looping: ${JSON.stringify(looping)}`)

    // Nothing lost: with the faults gone, re-seeding the failed dates completes them.
    await fetch(`${config.carbonApiUrl.replace(/\/carbon$/, '')}/_admin/faults`, { method: 'DELETE' })
    for (const date of [dMalformed, d401, ...hostile.map(h => h.date)]) await seed({ config, codec, log }, { from: date, to: date })
    await waitFor('every day after re-seeding', async () => {
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM energy_usage.daily_summary WHERE date BETWEEN $1 AND $2 AND complete', [dates[0], dates.at(-1)])
      return Number(rows[0].n) === dates.length
    }, 120000, 500)
    check('re-seeding the failed dates', `all ${dates.length} days complete`, true, `${dates.length} of ${dates.length} days complete`)
    return checks
  } finally {
    for (const c of children.reverse()) await c.stop()
    await producer.close()
    await pool.end()
    await env.dispose()
  }
}

async function readDeadLetters (config: Parameters<typeof readTopic>[0] & { topics: { dlq: string } }): Promise<DeadLetter[]> {
  const topic = config.topics.dlq
  const letters: DeadLetter[] = []
  await readTopic(config, topic, async records => { for (const m of records) letters.push({ topic, headers: m.headers }) })
  return letters
}
