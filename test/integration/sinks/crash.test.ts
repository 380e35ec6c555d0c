import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { datesBetween, londonDay } from '../../../lib/london-day.ts'
import { tableChecksum } from '../../../sinks/checksum.ts'
import { replayTable } from '../../../sinks/replay.ts'
import { topicIn, topology } from '../../../processors/topology.ts'
import { silentLog } from '../../helpers.ts'
import {
  captureLog, countsByDate, createTestEnvironment, expectedRows, readRaw, readTopic, seedDates, startPipelineChild, startSampleServer, tableRows,
  testPool, waitFor, waitForPipeline
} from '../../pipeline.ts'

// Issue 5, crash safety: the sinks run as their own child process (processors and join in
// another) and are SIGKILLed at random moments while a 90-day load lands, then restarted.
// Rows and positions commit in one Postgres transaction, so the final tables must equal a
// replay from scratch (an undisturbed run), row for row, with no duplicates.

const KILLS = 3

test(`SIGKILL of the sinks ${KILLS} times at random moments during a 90-day load: every table equals a replay from scratch`, async t => {
  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, 'sinks_crash', sample)
  const pool = testPool(t, env)
  const output = captureLog()
  startPipelineChild(t, env, 'processors,join', output.stream)
  // Small batches: many Postgres transactions, so a kill lands inside one more often than not.
  const sinkEnv = { SINK_BATCH_SIZE: '100', SINK_BATCH_MS: '20' }
  let sinks = startPipelineChild(t, env, 'sinks', output.stream, sinkEnv)

  const dates = datesBetween('2024-06-01', '2024-08-29')
  assert.equal(dates.length, 90)
  const chunkSize = Math.ceil(dates.length / KILLS)
  const landed = async (): Promise<bigint> => BigInt((await pool.query<{ n: string | null }>('SELECT sum(next_offset) AS n FROM energy_usage.sink_offsets')).rows[0].n ?? '0')
  const kills: string[] = []
  const killedAt: bigint[] = []
  for (let k = 0; k < KILLS; k++) {
    const chunk = dates.slice(k * chunkSize, (k + 1) * chunkSize)
    const before = await landed()
    await seedDates(env, chunk[0], chunk[chunk.length - 1])
    // Kill while this chunk's records are landing: once the sinks' positions move, after a random pause.
    await waitFor('the sinks to land records', async () => await landed() > before, 60000, 10)
    const pauseMs = Math.floor(Math.random() * 300)
    await sleep(pauseMs)
    const at = await landed()
    await sinks.stop('SIGKILL')
    kills.push(`after ${pauseMs} ms at position ${at}`)
    killedAt.push(at)
    sinks = startPipelineChild(t, env, 'sinks', output.stream, sinkEnv)
  }
  t.diagnostic(`sinks killed ${kills.join('; ')}`)
  // The killed sinks' group members linger until their session times out (10 s).
  await waitForPipeline(env, pool, dates, 120000)
  const end = await landed()
  const { rows: stats } = await pool.query<{ rollbacks: string }>('SELECT xact_rollback AS rollbacks FROM pg_stat_database WHERE datname = current_database()')
  t.diagnostic(`final position ${end}; transactions rolled back in the database so far: ${stats[0].rollbacks}`)
  assert.ok(killedAt.every(at => at < end), 'every kill came before the load had landed')

  for (const target of topology.sinkTargets) {
    const live = await tableChecksum(pool, target.spec)
    const replayed = await replayTable({ config: env.config, codec: env.codec, pool, log: silentLog }, target)
    assert.deepStrictEqual({ table: replayed.table, rows: replayed.rows, md5: replayed.md5 }, live, `${target.name} equals its replay from scratch`)
    assert.deepStrictEqual(await tableRows(pool, target), expectedRows(target, await readTopic(env, topicIn(env.config, target.topic))), `${target.name} equals its topic`)
  }
  const perDay = Object.fromEntries(dates.map(d => [d, londonDay(d).slots]))
  for (const table of ['carbon_intensity', 'unit_rates', 'consumption']) {
    assert.deepStrictEqual(await countsByDate(pool, `energy_usage.${table}`), perDay, `${table}: each slot once`)
  }
  assert.deepStrictEqual(await countsByDate(pool, 'energy_usage.generation_mix'), Object.fromEntries(dates.map(d => [d, 9 * londonDay(d).slots])))
  assert.deepStrictEqual(await countsByDate(pool, 'energy_usage.daily_summary', 'date'), Object.fromEntries(dates.map(d => [d, 1])))
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM energy_usage.daily_summary WHERE complete')
  assert.equal(Number(rows[0].n), 90, 'every day complete')
  assert.deepStrictEqual(await readRaw(env, env.config.topics.dlq, 'read_uncommitted'), [], 'nothing dead-lettered')
})
