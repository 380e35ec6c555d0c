import assert from 'node:assert/strict'
import { test } from 'node:test'
import { EnergyError } from '../../../lib/errors.ts'
import { backoffDelay, isRetryable, retry, type RetryInfo } from '../../../lib/retry.ts'

/** A function failing `times` times with `err`, then answering 'ok'; counts its calls. */
function failing (times: number, err: unknown = new EnergyError('ENERGY_FETCH', 'flaky', { retryable: true })): { fn: () => Promise<string>, calls: () => number } {
  let calls = 0
  return {
    fn: async () => {
      calls++
      if (calls <= times) throw err
      return 'ok'
    },
    calls: () => calls
  }
}

/** Records the waits instead of sleeping. */
function recordedSleep (): { sleep: (ms: number) => Promise<void>, waits: number[] } {
  const waits: number[] = []
  return { sleep: async ms => { waits.push(ms) }, waits }
}

test('the backoff doubles from the base up to the cap; full jitter scales it by the random draw', () => {
  assert.deepStrictEqual([1, 2, 3, 4, 5, 6].map(n => backoffDelay(n, 100, 1000, () => 0.999999).toFixed(0)), ['100', '200', '400', '800', '1000', '1000'])
  assert.deepStrictEqual([1, 2, 3].map(n => backoffDelay(n, 100, 1000, () => 0.5)), [50, 100, 200])
  assert.equal(backoffDelay(7, 100, 1000, () => 0), 0)
})

test('retries until success; the waits grow with the attempt and stay under the cap, with Math.random', async () => {
  const { fn, calls } = failing(12)
  const { sleep, waits } = recordedSleep()
  const retries: RetryInfo[] = []
  assert.equal(await retry(fn, { baseDelayMs: 10, maxDelayMs: 300, sleep, onRetry: info => retries.push(info) }), 'ok')
  assert.equal(calls(), 13)
  assert.deepStrictEqual(retries.map(r => r.attempt), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
  assert.deepStrictEqual(retries.map(r => r.delayMs), waits, 'onRetry is told the wait about to happen')
  waits.forEach((ms, i) => {
    assert.ok(ms >= 0 && ms < Math.min(300, 10 * 2 ** i), `wait ${i + 1} (${ms} ms) is under min(cap, base * 2^${i})`)
  })
  assert.ok(retries.every(r => r.err instanceof EnergyError))
})

test('with the top random draw every wait is the full step: 100, 200, 400, then the 500 cap', async () => {
  const { fn } = failing(5)
  const { sleep, waits } = recordedSleep()
  await retry(fn, { baseDelayMs: 100, maxDelayMs: 500, sleep, random: () => 1 })
  assert.deepStrictEqual(waits, [100, 200, 400, 500, 500])
})

test('a failure the predicate refuses is rethrown at once, without a wait', async () => {
  const refused = new EnergyError('ENERGY_AUTH', 'refused the credentials', { status: 401 })
  const { fn, calls } = failing(1, refused)
  const { sleep, waits } = recordedSleep()
  await assert.rejects(retry(fn, { sleep }), err => err === refused)
  assert.equal(calls(), 1)
  assert.deepStrictEqual(waits, [])
  // A custom predicate replaces the `retryable` flag.
  const plain = failing(2, new Error('ECONNREFUSED'))
  assert.equal(await retry(plain.fn, { sleep, retryable: () => true }), 'ok')
  assert.equal(plain.calls(), 3)
  assert.deepStrictEqual([isRetryable(refused), isRetryable(new EnergyError('ENERGY_FETCH', 'x', { retryable: true })), isRetryable('x'), isRetryable(null)], [false, true, false, false])
})

test('the attempts limit counts the first attempt; the last error is rethrown', async () => {
  const errors = [1, 2, 3, 4].map(n => new EnergyError('ENERGY_FETCH', `failure ${n}`, { retryable: true }))
  let calls = 0
  const { sleep, waits } = recordedSleep()
  await assert.rejects(retry(async () => { throw errors[calls++] }, { attempts: 3, sleep }), { code: 'ENERGY_FETCH', message: 'failure 3' })
  assert.equal(calls, 3)
  assert.equal(waits.length, 2)
  const once = failing(1)
  await assert.rejects(retry(once.fn, { attempts: 1, sleep }), { message: 'flaky' })
  assert.equal(once.calls(), 1)
})

test('a delay the error asks for (Retry-After) is used instead of the backoff', async () => {
  const throttled = new EnergyError('ENERGY_FETCH', 'HTTP 429', { retryable: true, status: 429, retryAfterMs: 2000 })
  const plain = new EnergyError('ENERGY_FETCH', 'HTTP 500', { retryable: true, status: 500 })
  const sequence = [throttled, plain]
  let calls = 0
  const { sleep, waits } = recordedSleep()
  const retries: RetryInfo[] = []
  const answer = await retry(async () => {
    if (calls < sequence.length) throw sequence[calls++]
    return 'ok'
  }, { baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5, sleep, delayFor: err => (err as EnergyError).retryAfterMs as number | undefined, onRetry: r => retries.push(r) })
  assert.equal(answer, 'ok')
  assert.deepStrictEqual(waits, [2000, 100], 'Retry-After for the 429, the backoff (0.5 * 200) for the 500')
  assert.deepStrictEqual(retries.map(r => [r.attempt, r.delayMs, r.err]), [[1, 2000, throttled], [2, 100, plain]])
})

test('an abort during the backoff wait rejects at once with the abort reason, and nothing runs again', async () => {
  const { fn, calls } = failing(Infinity)
  const abort = new AbortController()
  const reason = new Error('sink stopping')
  const started = performance.now()
  const pending = retry(fn, { baseDelayMs: 60000, maxDelayMs: 60000, random: () => 1, signal: abort.signal, onRetry: () => { setTimeout(() => abort.abort(reason), 20) } })
  await assert.rejects(pending, err => err === reason)
  const elapsed = performance.now() - started
  assert.ok(elapsed < 1000, `rejected ${Math.round(elapsed)} ms after the start, during a 60 s wait`)
  assert.equal(calls(), 1)
})

test('an abort without a reason rejects with an AbortError; a signal already aborted stops before any wait', async () => {
  const abort = new AbortController()
  const pending = retry(failing(Infinity).fn, { baseDelayMs: 60000, maxDelayMs: 60000, signal: abort.signal, random: () => 1, onRetry: () => { setImmediate(() => abort.abort()) } })
  await assert.rejects(pending, { name: 'AbortError', message: 'This operation was aborted' })

  const { fn, calls } = failing(Infinity)
  const onRetry: RetryInfo[] = []
  await assert.rejects(retry(fn, { signal: AbortSignal.abort(new Error('stopped')), onRetry: r => onRetry.push(r) }), { message: 'stopped' })
  assert.equal(calls(), 1)
  assert.deepStrictEqual(onRetry, [], 'no retry is announced once aborted')
})
