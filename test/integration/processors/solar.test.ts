import assert from 'node:assert/strict'
import { test } from 'node:test'
import { build } from '../../../api/app.ts'
import type { DayResponse, DaysResponse } from '../../../api/types.ts'
import { londonDay, slotStarts } from '../../../lib/london-day.ts'
import { seed } from '../../../processors/ingest/seed.ts'
import { configuredSources, createJoinProcessor, createSourceProcessor, createTopology, joinInputsOf, processorGroup, topology } from '../../../processors/index.ts'
import { createSink } from '../../../sinks/index.ts'
import { checkTable } from '../../../sinks/table-check.ts'
import { silentLog } from '../../helpers.ts'
import { captureLog, createTestEnvironment, defer, groupsCaughtUp, readTopic, sinksCaughtUp, startSampleServer, testPool, waitFor } from '../../pipeline.ts'
import { SOLAR_MIGRATION, solarKwh, solarSource } from '../../fixtures/solar.ts'

// A source that is joined and shown, declared in test code only (test/fixtures/solar.ts: what
// processors/solar/ would hold): its records flow through its processor and topic into the join,
// which adds its daily_summary field (solar_kwh) to completion; the daily_summary sink lands it
// once its migration is applied (refused at start before), and the API answers it.

const DATES = ['2024-06-15', '2024-10-27']
const expectedSolar = (date: string): number => slotStarts(londonDay(date)).reduce((sum, start) => sum + solarKwh(start), 0)

test('a test source adds solar_kwh end to end: processor, join, completion, daily_summary, /api/days', async t => {
  const extended = createTopology([...topology.sources, solarSource])
  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, 'solar', sample, {}, extended)
  const pool = testPool(t, env)
  const summary = extended.findTarget('daily_summary')
  assert.ok(summary !== undefined)

  // Before its migration the daily_summary sink refuses to start, naming the column.
  await assert.rejects(checkTable(pool, summary.spec), {
    code: 'ENERGY_NOT_SET_UP',
    message: 'table energy_usage.daily_summary has no column solar_kwh: add it in a migration (sql/) and run `npm run setup`'
  })
  await pool.query(SOLAR_MIGRATION)
  await checkTable(pool, summary.spec)

  const { log } = captureLog()
  const running = [...configuredSources(extended, env.config), 'solar']
  const parts = [
    ...extended.sources.filter(s => running.includes(s.name)).map(source => createSourceProcessor({ config: env.config, source, codec: env.codec, log, options: { restartDelayMs: 300 } })),
    createJoinProcessor({ config: env.config, codec: env.codec, log, inputs: joinInputsOf(extended, running) }),
    ...extended.sinkTargets.map(target => createSink({ config: env.config, codec: env.codec, log, pool, target, options: { restartDelayMs: 300 } }))
  ]
  for (const part of parts) {
    await part.start()
    defer(t, () => part.stop())
  }
  for (const date of DATES) await seed({ config: env.config, codec: env.codec, log }, { from: date, to: date })

  await waitFor('every day complete with its solar, every sink caught up', async () => {
    const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM energy_usage.daily_summary WHERE complete AND solar_kwh > 0')
    if (Number(rows[0].n) < DATES.length) return false
    if (!await groupsCaughtUp(env.config, running.map(s => processorGroup(s, env.namespace)), env.config.topics.requests)) return false
    return await sinksCaughtUp(env, pool, extended.sinkTargets)
  }, 90000, 300)

  // completion carries the field (decoded with the schema the topology registered).
  const completions = await readTopic<Record<string, unknown>>(env, env.config.topics.completion)
  const latest = new Map(completions.map(m => [m.key, m.value]))
  assert.deepStrictEqual(DATES.map(d => latest.get(d)?.solar_kwh), DATES.map(expectedSolar))
  assert.deepStrictEqual(DATES.map(d => Object.keys(latest.get(d)?.batches as object).includes('solar')), [true, true])

  // The API, built over the same topology, answers it in /api/days and /api/days/:date.
  const app = build({ pool, config: env.config, log: silentLog, topology: extended })
  defer(t, () => app.close())
  const days = await app.inject({ method: 'GET', url: `/api/days?from=${DATES[0]}&to=${DATES[1]}` })
  assert.equal(days.statusCode, 200)
  const body = days.json<DaysResponse>()
  assert.deepStrictEqual(body.days.map(d => [d.date, d.solar_kwh, d.complete]), [[DATES[1], expectedSolar(DATES[1]), true], [DATES[0], expectedSolar(DATES[0]), true]])
  const day = await app.inject({ method: 'GET', url: `/api/days/${DATES[1]}` })
  const detail = day.json<DayResponse>()
  assert.deepStrictEqual([detail.summary?.solar_kwh, detail.source_slots.solar, detail.source_slots.usage, detail.source_slots.price], [expectedSolar(DATES[1]), 50, 50, 50])
})
