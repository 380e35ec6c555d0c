import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { createHostLimiter } from '../../../lib/host-limiter.ts'

// The limiter alone, on mocked setTimeout and Date (its clock is Date.now here), so start times
// are exact; setImmediate stays real and lets the promise callbacks run between ticks.

const flush = (): Promise<void> => new Promise(resolve => setImmediate(resolve))

function mockClock (t: TestContext): { advance: (ms: number) => Promise<void> } {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 })
  return {
    async advance (ms) {
      for (let i = 0; i < ms; i++) {
        t.mock.timers.tick(1)
        await flush()
      }
    }
  }
}

const deferred = (): PromiseWithResolvers<string> => Promise.withResolvers<string>()

test('starts are spaced 1000 / maxPerSecond ms apart, with no burst after an idle spell', async t => {
  const clock = mockClock(t)
  const limiter = createHostLimiter({ maxInFlight: 64, maxPerSecond: 4 }, { now: Date.now })
  const starts: number[] = []
  const done = Array.from({ length: 5 }, () => limiter.run(async () => { starts.push(Date.now()) }))
  await flush()
  await clock.advance(1000)
  await Promise.all(done)
  assert.deepStrictEqual(starts, [0, 250, 500, 750, 1000])

  await clock.advance(10000)
  starts.length = 0
  const again = Array.from({ length: 3 }, () => limiter.run(async () => { starts.push(Date.now()) }))
  await flush()
  await clock.advance(500)
  await Promise.all(again)
  assert.deepStrictEqual(starts, [11000, 11250, 11500], 'an idle host earns no burst')
})

test('at most maxInFlight run at once, granted in arrival order', async t => {
  const clock = mockClock(t)
  const limiter = createHostLimiter({ maxInFlight: 2, maxPerSecond: 1000 }, { now: Date.now })
  const started: number[] = []
  const gates = Array.from({ length: 5 }, () => deferred())
  const results = gates.map((gate, i) => limiter.run(() => { started.push(i); return gate.promise }))
  await clock.advance(20)
  assert.deepStrictEqual(started, [0, 1])
  assert.deepStrictEqual({ inFlight: limiter.inFlight, queued: limiter.queued }, { inFlight: 2, queued: 3 })

  gates[1].resolve('one')
  await clock.advance(5)
  assert.deepStrictEqual(started, [0, 1, 2], 'the head of the queue takes the freed slot')
  gates[0].resolve('zero')
  gates[2].resolve('two')
  await clock.advance(5)
  assert.deepStrictEqual(started, [0, 1, 2, 3, 4])
  gates[3].resolve('three')
  gates[4].reject(new Error('four failed'))
  assert.deepStrictEqual(await Promise.allSettled(results), [
    { status: 'fulfilled', value: 'zero' },
    { status: 'fulfilled', value: 'one' },
    { status: 'fulfilled', value: 'two' },
    { status: 'fulfilled', value: 'three' },
    { status: 'rejected', reason: new Error('four failed') }
  ])
  assert.deepStrictEqual({ inFlight: limiter.inFlight, queued: limiter.queued }, { inFlight: 0, queued: 0 })
})

test('a failing task frees its slot for the next', async t => {
  const clock = mockClock(t)
  const limiter = createHostLimiter({ maxInFlight: 1, maxPerSecond: 1000 }, { now: Date.now })
  const failing = assert.rejects(limiter.run(async () => { throw new Error('upstream down') }), { message: 'upstream down' })
  const next = limiter.run(async () => 'next')
  await clock.advance(5)
  await failing
  assert.equal(await next, 'next')
  assert.equal(limiter.inFlight, 0)
})

test('aborted while queued: rejects with the reason, never runs, and gives its place up', async t => {
  const clock = mockClock(t)
  const limiter = createHostLimiter({ maxInFlight: 1, maxPerSecond: 1000 }, { now: Date.now })
  const ran: string[] = []
  const gate = deferred()
  const first = limiter.run(() => { ran.push('first'); return gate.promise })
  const controller = new AbortController()
  const aborted = limiter.run(async () => { ran.push('aborted'); return 'never' }, controller.signal)
  const last = limiter.run(async () => { ran.push('last'); return 'last' })
  await clock.advance(5)
  assert.equal(limiter.queued, 2)

  controller.abort()
  await assert.rejects(aborted, (err: Error) => {
    assert.equal(err.name, 'AbortError')
    assert.equal(err, controller.signal.reason)
    return true
  })
  assert.deepStrictEqual({ inFlight: limiter.inFlight, queued: limiter.queued }, { inFlight: 1, queued: 1 })

  gate.resolve('first')
  await clock.advance(5)
  assert.equal(await first, 'first')
  assert.equal(await last, 'last')
  assert.deepStrictEqual(ran, ['first', 'last'])
})

test('an already aborted signal rejects at once with its reason and queues nothing', async () => {
  const limiter = createHostLimiter({ maxInFlight: 1, maxPerSecond: 1 })
  const reason = new Error('stopping')
  let ran = false
  await assert.rejects(limiter.run(async () => { ran = true }, AbortSignal.abort(reason)), reason)
  assert.equal(ran, false)
  assert.deepStrictEqual({ inFlight: limiter.inFlight, queued: limiter.queued }, { inFlight: 0, queued: 0 })
})

test('an abort while held back by the rate alone rejects without waiting for the next start', async t => {
  const clock = mockClock(t)
  const limiter = createHostLimiter({ maxInFlight: 4, maxPerSecond: 1 }, { now: Date.now })
  await limiter.run(async () => 'first')
  const controller = new AbortController()
  const waiting = limiter.run(async () => 'never', controller.signal)
  await clock.advance(10)
  assert.equal(limiter.queued, 1)
  controller.abort()
  await assert.rejects(waiting, { name: 'AbortError' })
  assert.equal(limiter.queued, 0)
  // The rate still counts from the first start: the next one goes at 1000 ms, not before.
  const starts: number[] = []
  const next = limiter.run(async () => { starts.push(Date.now()) })
  await clock.advance(1000)
  await next
  assert.deepStrictEqual(starts, [1000])
})

test('limits must be whole numbers from 1', () => {
  assert.throws(() => createHostLimiter({ maxInFlight: 0, maxPerSecond: 20 }), { name: 'RangeError', message: 'maxInFlight must be a whole number from 1, got 0' })
  assert.throws(() => createHostLimiter({ maxInFlight: 4, maxPerSecond: 0.5 }), { name: 'RangeError', message: 'maxPerSecond must be a whole number from 1, got 0.5' })
  assert.deepStrictEqual(createHostLimiter({ maxInFlight: 4, maxPerSecond: 20 }).limits, { maxInFlight: 4, maxPerSecond: 20 })
})
