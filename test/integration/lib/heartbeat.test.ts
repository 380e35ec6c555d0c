import assert from 'node:assert/strict'
import { once } from 'node:events'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { kGetApi } from '@platformatic/kafka'
import { commitBatch } from '../../../lib/exactly-once.ts'
import { createAdmin, createConsumer, createProducer } from '../../../lib/kafka.ts'
import { createTestTopic, produceMessages, testConfig, uniqueName } from '../../helpers.ts'

// @platformatic/kafka 1.35 stopped heartbeating for good after one heartbeat failed with a
// non-group error once its retries were spent (docs/processors.md "Known behaviour"): the broker
// dropped the member 10 s later and the next transactional commit failed UNKNOWN_MEMBER_ID.
// 2.x schedules the next heartbeat after such an error (platformatic/kafka#376). Here the
// Heartbeat API fails for 7 s (a coordinator unreachable that long: 11 attempts 500 ms apart
// all fail), the consumer stays idle past its 10 s session timeout, keeps its membership and
// generation, and its transactional commit succeeds.

test('a consumer whose heartbeats failed for 7 s heartbeats again, stays in the group while idle and commits', { timeout: 90000 }, async t => {
  const config = testConfig()
  const topic = await createTestTopic(t)
  await produceMessages(topic, [{ key: 'k', value: Buffer.from('v') }], config)
  const group = uniqueName('test-heartbeat')
  const consumer = createConsumer(config, { clientId: group, groupId: group })
  const producer = createProducer(config, { clientId: group, transactionalId: group })
  const admin = createAdmin(config, 'energy-test-admin')
  t.after(async () => {
    try {
      await consumer.close(true)
    } catch {}
    await producer.close().catch(() => {})
    await admin.deleteGroups({ groups: [group] }).catch(() => {})
    await admin.close()
  })

  let failUntil = 0
  const target = consumer as unknown as Record<symbol, (name: string, callback: (err: Error | null, api?: unknown) => void) => void>
  const getApi = target[kGetApi]
  target[kGetApi] = function (this: unknown, name, callback) {
    if (name === 'Heartbeat' && Date.now() < failUntil) return callback(new Error('injected: coordinator unreachable'))
    return getApi.call(this, name, callback)
  }

  const stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: false })
  const [message] = await once(stream, 'data')
  stream.pause()
  failUntil = Date.now() + 7000
  const memberId = consumer.memberId
  const generationId = consumer.generationId

  await once(consumer, 'consumer:heartbeat:error')
  await once(consumer, 'consumer:heartbeat:end')
  // Idle past the session timeout (10 s): a member that stopped heartbeating would be gone.
  await sleep(12000)
  const described = (await admin.describeGroups({ groups: [group] })).get(group)
  // 2.x reports the broker's state names ('Stable'); 1.35 upper-cased them.
  assert.deepStrictEqual([described?.state, [...(described?.members.keys() ?? [])], consumer.generationId], ['Stable', [memberId], generationId])
  await assert.doesNotReject(commitBatch(producer, consumer, [], [message], () => true), 'the transactional commit succeeds')
  await stream.close()
})
