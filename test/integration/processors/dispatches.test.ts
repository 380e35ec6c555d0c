import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createProducerPublisher } from '../../../lib/exactly-once.ts'
import { createProducer } from '../../../lib/kafka.ts'
import { londonDay, slotStarts, SLOT_MS } from '../../../lib/london-day.ts'
import { DISPATCHES_TOPIC, pollDispatches, readSnapshots, snapshotKey, type DispatchSnapshot } from '../../../processors/dispatches/index.ts'
import { topicIn } from '../../../processors/names.ts'
import { completedAt, REAL_DEVICE_ID } from '../../../sample-api/dispatches.ts'
import { REAL_ACCOUNT } from '../../../sample-api/index.ts'
import { silentLog } from '../../helpers.ts'
import { createTestEnvironment, defer, seedDates, startPipeline, startSampleServer, testPool, waitFor, SAMPLE_SEED } from '../../pipeline.ts'
import { expectedImportRates, expectedImportUsage } from './expected-bill.ts'

// Issue 23, Intelligent Octopus Go: the poller keeps every dispatch snapshot on energy.dispatches
// (a relabelling updates the record), and the join prices the half-hours a completed smart charge
// at home touches at the off-peak rate: 2026-01-16's 13:00-14:00 daytime charge at the night
// rate, 2025-12-15's bump charge not, 2025-12-14 (before the first snapshot) flagged. Expected
// figures come from the sample API's REST answers and its dispatches as GraphQL lists them.

const DAYTIME = '2026-01-16'
const BUMP = '2025-12-15'
const BEFORE = '2025-12-14'

test('dispatches: snapshots kept and relabelled on energy.dispatches, smart charges at home re-priced off-peak, bump charges not, older days flagged', async t => {
  let now = Date.parse('2025-12-15T20:00:00Z')
  const sample = await startSampleServer(t, { now: () => now })
  const env = await createTestEnvironment(t, 'dispatches', sample, {
    OCTOPUS_ACCOUNT: REAL_ACCOUNT,
    OCTOPUS_GRAPHQL_URL: `${sample.base}/octopus/v1/graphql/`,
    GAS_METER_UNITS: 'G4P10000000017=kWh',
    // The dispatches source is opt-in: an Intelligent Octopus household names it.
    SOURCES: 'co2,mix,pricing,usage,export,gas,regional,dispatches'
  })
  const pool = testPool(t, env)
  const producer = createProducer(env.config, { clientId: 'test-dispatches', transactionalId: `${env.config.namespace}test-dispatches` })
  defer(t, () => producer.close())
  const known = new Map<string, DispatchSnapshot>()
  const poll = async (at: string): Promise<Awaited<ReturnType<typeof pollDispatches>>> => {
    now = Date.parse(at)
    return await pollDispatches({ config: env.config, codec: env.codec, log: silentLog, publisher: createProducerPublisher(producer), known }, now, AbortSignal.timeout(30000))
  }
  const topic = topicIn(env.config, DISPATCHES_TOPIC)

  // First snapshot: 2025-12-15 20:00 (the bump charge 18:00-18:30 is listed completed).
  const first = await poll('2025-12-15T20:00:00Z')
  assert.ok(first.dates.includes(BUMP), `requested ${first.dates.join(', ')}`)
  // 2026-01-16 14:30: the 13:00-14:00 smart charge completed half an hour ago.
  await poll('2026-01-16T14:30:00Z')
  const key = snapshotKey(REAL_DEVICE_ID, Date.parse('2026-01-16T13:00:00Z'))
  const seen = (await readSnapshots(env.config, env.codec, topic, silentLog)).get(key)
  assert.deepStrictEqual([seen?.status, seen?.source, seen?.location, seen?.completed_source, seen?.relabelled_at], ['completed', 'smart-charge', 'AT_HOME', 'smart-charge', null])
  // 21:00: Octopus relabels it a bump charge; the record is updated, the bill follows the label it had when completed.
  const relabel = await poll('2026-01-16T21:00:00Z')
  assert.ok(relabel.changed >= 1)
  const relabelled = (await readSnapshots(env.config, env.codec, topic, silentLog)).get(key)
  assert.deepStrictEqual([relabelled?.source, relabelled?.completed_source, relabelled?.completed_location, relabelled?.relabelled_at, relabelled?.first_seen_at],
    ['bump-charge', 'smart-charge', 'AT_HOME', Date.parse('2026-01-16T21:00:00Z'), Date.parse('2026-01-16T14:30:00Z')])
  // What GraphQL listed at 14:30 and at 20:00 on 12-15, from the sample's own dispatch lists.
  const listed = [...completedAt(SAMPLE_SEED, REAL_ACCOUNT, Date.parse('2025-12-15T20:00:00Z')), ...completedAt(SAMPLE_SEED, REAL_ACCOUNT, Date.parse('2026-01-16T14:30:00Z'))]

  // Days settled: readings and rates published.
  now = Date.parse('2026-01-20T12:00:00Z')
  await startPipeline(t, env, pool)
  for (const date of [BEFORE, BUMP, DAYTIME]) await seedDates(env, date)

  interface Row { date: string, cost_inc_vat: number, bill_inc_vat: number, dispatch_kwh: number, dispatch_saving: number, dispatch_note: string | null, batches: string }
  let rows = new Map<string, Row>()
  await waitFor('the three days with their dispatches', async () => {
    const { rows: found } = await pool.query<Row>(`SELECT to_char(date, 'YYYY-MM-DD') AS date, cost_inc_vat, bill_inc_vat, dispatch_kwh, dispatch_saving, dispatch_note,
      (SELECT count(*) FROM energy_usage.dispatch_slots s WHERE s.local_date = d.date)::text AS batches FROM energy_usage.daily_summary d`)
    rows = new Map(found.map(r => [r.date, r]))
    return [BEFORE, BUMP, DAYTIME].every(d => rows.has(d) && Number(rows.get(d)?.batches) === londonDay(d).slots) &&
      (rows.get(DAYTIME)?.dispatch_kwh ?? 0) > 0
  }, 120000, 500)

  for (const date of [BEFORE, BUMP, DAYTIME]) {
    const usage = await expectedImportUsage(sample, date, REAL_ACCOUNT)
    const rates = await expectedImportRates(sample, date, { account: REAL_ACCOUNT })
    const offPeak = Math.min(...[...rates.values()].map(r => r[0]))
    let cost = 0
    let kwh = 0
    let saving = 0
    for (const slot of slotStarts(londonDay(date))) {
      const u = usage.get(slot) ?? 0
      const rate = rates.get(slot)?.[0] ?? 0
      const repriced = date !== BEFORE && rate > offPeak &&
        listed.some(d => d.source === 'smart-charge' && d.location === 'AT_HOME' && d.start < slot + SLOT_MS && d.end > slot)
      cost += u * (repriced ? offPeak : rate)
      if (repriced) {
        kwh += u
        saving += u * (rate - offPeak)
      }
    }
    const row = rows.get(date) as Row
    assert.ok(Math.abs(row.cost_inc_vat - cost) < 1e-6, `${date} cost ${row.cost_inc_vat} vs ${cost}`)
    assert.ok(Math.abs(row.dispatch_kwh - kwh) < 1e-9 && Math.abs(row.dispatch_saving - saving) < 1e-6, `${date} dispatch ${row.dispatch_kwh}/${row.dispatch_saving} vs ${kwh}/${saving}`)
    if (date === DAYTIME) {
      // The 13:00 and 13:30 half-hours, at the night rate.
      assert.ok(kwh > 0 && saving > 0)
      // Octopus's own figure (measurements' CONSUMPTION_COST, 2 decimals a half-hour): 473.20p.
      assert.ok(Math.abs(row.cost_inc_vat - 473.20) < 0.25, `cost ${row.cost_inc_vat}`)
    } else {
      assert.deepStrictEqual([row.dispatch_kwh, row.dispatch_saving], [0, 0])
    }
    assert.equal(row.dispatch_note !== null, date === BEFORE, `${date} note ${row.dispatch_note}`)
  }

  // The table keeps every snapshot, the relabelled one with both labels.
  await waitFor('the relabelled snapshot in energy_usage.dispatches', async () => {
    const { rows: kept } = await pool.query('SELECT source, completed_source FROM energy_usage.dispatches WHERE device_id = $1 AND start_at = $2', [REAL_DEVICE_ID, new Date('2026-01-16T13:00:00Z')])
    return kept.length === 1 && kept[0].source === 'bump-charge' && kept[0].completed_source === 'smart-charge'
  }, 30000, 300)
})
