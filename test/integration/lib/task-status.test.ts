import assert from 'node:assert/strict'
import { test } from 'node:test'
import { pipelineProgress } from '../../../api/queries.ts'
import { taskStatus } from '../../../api/status.ts'
import { createPool } from '../../../lib/db.ts'
import { createCounters, snapshot } from '../../../lib/stream/counters.ts'
import { createStatusPublisher } from '../../../lib/stream/publish.ts'
import { createTestDatabase, silentLog } from '../../helpers.ts'

// The runtime's counters reach /api/status through Postgres: a process publishes its tasks'
// counters to energy_usage.task_status, and the status probe reads them back.

test('published task counters are what /api/status lists; a later publish replaces them', { timeout: 30000 }, async t => {
  const url = await createTestDatabase(t, { migrate: true })
  const pool = createPool(url, silentLog, 2)
  t.after(() => pool.end())
  const counters = createCounters('sink test_status', 'sink', 'energy-sink-test_status')
  counters.add('recordsIn', 10)
  counters.add('recordsOut', 9)
  counters.add('deadLetters')
  counters.add('commits', 2)
  counters.setLag({ 'energy.usage:0': 3, 'energy.usage:1': 4 }, true)
  const publisher = createStatusPublisher({ pool, instance: '7', log: silentLog, read: () => snapshot().filter(c => c.task === 'sink test_status') })
  await publisher.publish()
  counters.add('recordsIn', 5)
  counters.restore({ records: 20, offsets: 40, done: false })
  await publisher.stop()

  const progress = await pipelineProgress(pool)
  const shown = taskStatus(progress.tasks ?? [], Date.now())
  assert.equal(shown.length, 1)
  const { published_at: publishedAt, ...rest } = shown[0]
  assert.ok(Date.now() - Date.parse(publishedAt) < 10000)
  assert.deepEqual(rest, {
    task: 'sink test_status',
    instance: '7',
    kind: 'sink',
    group: 'energy-sink-test_status',
    records_in: 15,
    records_out: 9,
    commits: 2,
    dead_letters: 1,
    lag: 7,
    lag_exact: true,
    restore: { records: 20, offsets: 40, done: false },
    sessions: 0,
    stale: false
  })
})
