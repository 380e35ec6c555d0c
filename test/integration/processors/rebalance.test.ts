import assert from 'node:assert/strict'
import { test } from 'node:test'
import { datesBetween, londonDay } from '../../../lib/london-day.ts'
import { partitionForDate } from '../../../lib/partition.ts'
import { createSourceProcessor, topology } from '../../../processors/index.ts'
import type { EnergyRequest } from '../../../processors/source/types.ts'
import type { SlotRecord } from '../../../processors/source/types.ts'
import {
  captureLog, createTestEnvironment, defer, groupsCaughtUp, periodDate, processorGroup, readRequests, readTopic,
  seedDates, sourceTopic, startSampleServer, waitFor
} from '../../pipeline.ts'

// The one exactly-once commit path (lib/exactly-once.ts) under a rebalance in the middle of a
// batch: processor A holds a batch whose slowest day is still being fetched when processor B
// joins the group and takes half the partitions. A must not commit the offsets of partitions
// it lost (it aborts and restarts from the committed offsets; B redoes the days it took): every day's batch is visible
// exactly once, read committed, and the group ends at the end of the requests.

const DATES = datesBetween('2024-06-01', '2024-06-12')
const SLOW = '2024-06-05'

test('a rebalance in the middle of a batch: no day produced twice or lost, offsets at the end', { timeout: 120000 }, async t => {
  const partitions = new Set(DATES.map(d => partitionForDate(d, 4)))
  assert.equal(partitions.size, 4, 'the dates cover every partition')
  const sample = await startSampleServer(t, { faults: [{ source: 'usage', date: SLOW, kind: 'slow', times: 1, delayMs: 4000 }] })
  const env = await createTestEnvironment(t, 'rebalance', sample)
  const usage = topology.source('usage')
  const first = captureLog()
  const second = captureLog()
  const start = async (instanceId: string, log = first.log): Promise<void> => {
    const processor = createSourceProcessor({ config: env.config, source: usage, codec: env.codec, log, instanceId, options: { restartDelayMs: 300 } })
    await processor.start()
    defer(t, () => processor.stop())
  }
  await start('1')
  // A request a day, so the batch spans every partition.
  await seedDates(env, DATES[0], DATES.at(-1), [], 1)
  // A is inside the batch: the slow day's request has reached the sample API.
  await waitFor('the slow day to be requested', async () => sample.requests.some(r => r.path.endsWith('/consumption/') && periodDate(r) === SLOW), 20000, 20)
  await start('2', second.log)

  const group = processorGroup(env, 'usage')
  await waitFor('the group to reach the end of the requests', () => groupsCaughtUp(env.config, [group], env.config.topics.requests), 60000, 200).catch(err => { console.log(first.text()); console.log('-----'); console.log(second.text()); throw err })

  const requests = await readRequests(env)
  const records = await readTopic<SlotRecord>(env, sourceTopic(env, 'usage'))
  for (const date of DATES) {
    const ofDate = records.filter(r => r.value?.local_date === date)
    const requestId = (requests.get(date)?.[0].value as EnergyRequest).request_id
    assert.equal(ofDate.length, londonDay(date).slots, `${date}: one record per slot, read committed (a doubled batch would show twice)`)
    assert.deepStrictEqual([...new Set(ofDate.map(r => r.value?.batch_id))], [requestId], `${date}: the batch of its request`)
  }
  // The path was taken: A aborted the batch whose partitions moved.
  const aborted = first.lines().filter(l => String(l.msg).includes('ENERGY_REBALANCED: a rebalance moved partitions of the batch in flight'))
  assert.ok(aborted.length >= 1, 'processor 1 aborted the batch in flight')
})
