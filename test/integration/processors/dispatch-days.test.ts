import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createProducerPublisher } from '../../../lib/exactly-once.ts'
import { createProducer } from '../../../lib/kafka.ts'
import { londonDay, slotStarts, SLOT_MS } from '../../../lib/london-day.ts'
import { DISPATCHES_TOPIC, pollDispatches, readSnapshots, type DispatchSnapshot } from '../../../processors/dispatches/index.ts'
import { topicIn } from '../../../processors/names.ts'
import { completedAt, type SampleDispatch } from '../../../sample-api/dispatches.ts'
import { REAL_ACCOUNT } from '../../../sample-api/index.ts'
import { silentLog } from '../../helpers.ts'
import { createTestEnvironment, defer, seedDates, startPipeline, startSampleServer, testPool, waitFor, SAMPLE_SEED } from '../../pipeline.ts'
import { expectedImportRates, expectedImportUsage } from './expected-bill.ts'

// Issue 23, "Done when": daytime dispatches priced at the off-peak rate for exactly the
// half-hours they touch on the clock-change days (2026-10-25: 50 half-hours, 2026-03-29: 46; the
// 48-half-hour case is dispatches.test.ts's 2026-01-16), whole half-hours for a dispatch starting
// or ending inside one; and a dispatch seen in one poll only (gone from GraphQL's answers by the
// next, Octopus keeping completed ones about 12 hours) still counted after the pipeline restarts
// and the days are fetched again from energy.dispatches; and what Octopus billed for those days
// (GraphQL measurements) equal to the computed bill. Expected figures come from the sample
// API's REST answers (readings, rates) and the dispatches its GraphQL listed at each poll.

const FALL = '2026-10-25'
const SPRING = '2026-03-29'
const DAYS = [FALL, SPRING]
const z = (iso: string): number => Date.parse(iso)

// The polls: each within 6 hours of the end of what it first sees completed (before the sample
// relabels it) and each more than 12 hours after the previous day's night charge ended.
const POLLS = ['2026-03-29T05:00:00Z', '2026-03-29T14:00:00Z', '2026-10-25T07:00:00Z', '2026-10-25T19:00:00Z']

// The half-hours re-priced, written out from sample-api/dispatches.ts's clock-change dispatches:
// those a smart charge at home touches outside 23:30-05:30 London time (the rest are off-peak already).
const REPRICED: Record<string, number[]> = {
  // 00:30 BST-06:15 GMT: 05:30 and 06:00 GMT; 13:10-14:00: 13:00 (touched from 13:10) and 13:30.
  [FALL]: ['2026-10-25T05:30:00Z', '2026-10-25T06:00:00Z', '2026-10-25T13:00:00Z', '2026-10-25T13:30:00Z'].map(z),
  // 02:00-05:45 BST: 05:30 BST; 12:45-14:20 BST: 12:30, 13:00, 13:30, 14:00 BST.
  [SPRING]: ['2026-03-29T04:30:00Z', '2026-03-29T11:30:00Z', '2026-03-29T12:00:00Z', '2026-03-29T12:30:00Z', '2026-03-29T13:00:00Z'].map(z)
}

interface Row { date: string, cost_inc_vat: number, dispatch_kwh: number, dispatch_saving: number, dispatch_note: string | null, billed_difference: number | null, updated_at: Date, slots: string }

test('dispatches on the 50- and 46-half-hour days re-priced off-peak for exactly the half-hours they touch; one seen in a single poll still counted after a restart', async t => {
  let now = z(POLLS[0])
  const sample = await startSampleServer(t, { now: () => now })

  const env = await createTestEnvironment(t, 'dispatch_days', sample, {
    OCTOPUS_ACCOUNT: REAL_ACCOUNT,
    OCTOPUS_GRAPHQL_URL: `${sample.base}/octopus/v1/graphql/`,
    GAS_METER_UNITS: 'G4P10000000017=kWh',
    SOURCES: 'co2,mix,pricing,usage,export,gas,regional,dispatches,billed'
  })
  const pool = testPool(t, env)
  const producer = createProducer(env.config, { clientId: 'test-dispatch-days', transactionalId: `${env.config.namespace}test-dispatch-days` })
  defer(t, () => producer.close())
  const topic = topicIn(env.config, DISPATCHES_TOPIC)
  const poll = async (at: string, known: Map<string, DispatchSnapshot>): Promise<Awaited<ReturnType<typeof pollDispatches>>> => {
    now = z(at)
    return await pollDispatches({ config: env.config, codec: env.codec, log: silentLog, publisher: createProducerPublisher(producer), known }, now, AbortSignal.timeout(30000))
  }

  // What GraphQL listed completed at each poll, from the sample's own lists: the label a dispatch
  // had at the first poll that listed it completed.
  const listed = new Map<number, SampleDispatch>()
  const seenAt = new Map<number, number>()
  const known = new Map<string, DispatchSnapshot>()
  for (const at of POLLS) {
    await poll(at, known)
    for (const d of completedAt(SAMPLE_SEED, REAL_ACCOUNT, z(at))) {
      if (!listed.has(d.start)) listed.set(d.start, d)
      seenAt.set(d.start, (seenAt.get(d.start) ?? 0) + 1)
    }
  }
  // The night charges across the clock changes were listed by one poll only, then gone.
  const once = [z('2026-10-24T23:30:00Z'), z('2026-03-29T00:30:00Z')]
  for (const start of once) assert.equal(seenAt.get(start), 1, `${new Date(start).toISOString()} listed once`)

  // Days settled: readings and rates published.
  now = z('2026-11-05T12:00:00Z')
  // The days' expected figures: every half-hour priced at its REST rate, or at the day's
  // off-peak rate (its 00:00 half-hour's, inside 23:30-05:30) when a smart charge at home listed
  // completed touches it and its rate is above that.
  const expected = new Map<string, { cost: number, kwh: number, saving: number, repriced: number[], touched: number[] }>()
  for (const date of DAYS) {
    const usage = await expectedImportUsage(sample, date, REAL_ACCOUNT)
    const rates = await expectedImportRates(sample, date, { account: REAL_ACCOUNT })
    const day = londonDay(date)
    assert.equal(rates.size, day.slots, `${date} priced every half-hour`)
    const offPeak = (rates.get(day.startMs) as number[])[0]
    const e = { cost: 0, kwh: 0, saving: 0, repriced: [] as number[], touched: [] as number[] }
    for (const slot of slotStarts(day)) {
      const u = usage.get(slot) as number
      const rate = (rates.get(slot) as number[])[0]
      const touched = [...listed.values()].some(d => d.source === 'smart-charge' && d.location === 'AT_HOME' && d.start < slot + SLOT_MS && d.end > slot)
      if (touched) e.touched.push(slot)
      const repriced = touched && rate > offPeak
      e.cost += u * (repriced ? offPeak : rate)
      if (!repriced) continue
      e.repriced.push(slot)
      e.kwh += u
      e.saving += u * (rate - offPeak)
    }
    // The sample's dispatches re-price exactly the half-hours written out above.
    assert.deepStrictEqual(e.repriced, REPRICED[date], `${date} re-priced half-hours`)
    assert.ok(e.saving > 0)
    expected.set(date, e)
  }

  const readRows = async (): Promise<Map<string, Row>> => {
    const { rows } = await pool.query<Row>(`SELECT to_char(date, 'YYYY-MM-DD') AS date, cost_inc_vat, dispatch_kwh, dispatch_saving, dispatch_note, billed_difference, updated_at,
      (SELECT count(*) FROM energy_usage.dispatch_slots s WHERE s.local_date = d.date)::text AS slots
      FROM energy_usage.daily_summary d WHERE date = ANY($1::date[])`, [DAYS])
    return new Map(rows.map(r => [r.date, r]))
  }
  const check = async (rows: Map<string, Row>): Promise<void> => {
    for (const date of DAYS) {
      const row = rows.get(date) as Row
      const e = expected.get(date) as NonNullable<ReturnType<typeof expected.get>>
      assert.equal(Number(row.slots), londonDay(date).slots, `${date} half-hours`)
      // Per half-hour: the ones a smart charge at home touched, as the dispatches source gave them.
      const { rows: smart } = await pool.query<{ ms: string }>('SELECT (extract(epoch FROM slot_start) * 1000)::bigint::text AS ms FROM energy_usage.dispatch_slots WHERE local_date = $1 AND smart_home ORDER BY slot_start', [date])
      assert.deepStrictEqual(smart.map(s => Number(s.ms)), e.touched, `${date} smart-charge half-hours`)
      assert.ok(Math.abs(row.cost_inc_vat - e.cost) < 1e-6, `${date} cost ${row.cost_inc_vat} vs ${e.cost}`)
      assert.ok(Math.abs(row.dispatch_kwh - e.kwh) < 1e-9, `${date} dispatch_kwh ${row.dispatch_kwh} vs ${e.kwh}`)
      assert.ok(Math.abs(row.dispatch_saving - e.saving) < 1e-6, `${date} dispatch_saving ${row.dispatch_saving} vs ${e.saving}`)
      assert.equal(row.dispatch_note, null)
      // Octopus billed the same half-hours off-peak (the sample's measurements, each half-hour's
      // cost rounded to the penny): computed and billed agree within that rounding.
      assert.ok(row.billed_difference !== null && Math.abs(row.billed_difference) < londonDay(date).slots * 0.005 + 1e-6, `${date} billed_difference ${row.billed_difference}`)
    }
  }
  const landed = (rows: Map<string, Row>, after = 0): boolean => DAYS.every(d => {
    const row = rows.get(d)
    return row !== undefined && Number(row.slots) === londonDay(d).slots && row.dispatch_kwh > 0 && row.billed_difference !== null && row.updated_at.getTime() > after
  })

  let first = new Map<string, Row>()
  await t.test('first run', async st => {
    await startPipeline(st, env, pool)
    for (const date of DAYS) await seedDates(env, date)
    await waitFor('the two clock-change days with their dispatches', async () => {
      first = await readRows()
      return landed(first)
    }, 180000, 500)
    await check(first)
  })

  // The pipeline stopped. A restarted poller (what it knows read back from energy.dispatches)
  // polls days later: GraphQL lists none of those dispatches any more, and nothing is lost.
  const kept = await readSnapshots(env.config, env.codec, topic, silentLog)
  const later = await poll('2026-11-05T12:00:00Z', kept)
  assert.ok(DAYS.every(d => !later.dates.includes(d)), `requested ${later.dates.join(', ')}`)
  assert.ok(completedAt(SAMPLE_SEED, REAL_ACCOUNT, now).every(d => !once.includes(d.start)))
  const since = Math.max(...[...first.values()].map(r => r.updated_at.getTime()))

  await t.test('after a restart, the days fetched again', async st => {
    await startPipeline(st, env, pool)
    for (const date of DAYS) await seedDates(env, date)
    let again = new Map<string, Row>()
    await waitFor('the two days joined again', async () => {
      again = await readRows()
      return landed(again, since)
    }, 180000, 500)
    await check(again)
  })
})
