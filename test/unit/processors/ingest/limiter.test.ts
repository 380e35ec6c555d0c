import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setImmediate as tick } from 'node:timers/promises'
import { createDayBudget, startLimited } from '../../../../processors/ingest/limiter.ts'

test('a request holds its days until released, not only while fetched; a shared budget serves two processors first come, first served', async () => {
  const budget = createDayBudget(10)
  const started: string[] = []
  const signal = new AbortController().signal
  const run = (name: string, weights: number[]) => startLimited(weights, 8, budget, signal, w => w, async w => { started.push(`${name}${w}`); return w })
  const a = run('a', [6, 4])
  const b = run('b', [5])
  await a[0].result
  await tick()
  // b asked before a's second: b's 5 waits for a's 6, fetched but not committed, and a's 4 waits behind it.
  assert.deepEqual(started, ['a6'])
  a[0].release()
  await b[0].result
  await a[1].result
  assert.deepEqual(started, ['a6', 'b5', 'a4'])
  // Released twice counts once: 10 days are free again.
  a[0].release()
  a[1].release()
  b[0].release()
  const c = run('c', [10])
  assert.equal(await c[0].result, 10)
})

test('items start in order at most `limit` at a time; one heavier than the budget runs alone', async () => {
  const budget = createDayBudget(3)
  const signal = new AbortController().signal
  let running = 0
  let most = 0
  const limited = startLimited([1, 1, 1, 7, 1], 2, budget, signal, w => w, async w => {
    most = Math.max(most, ++running)
    await tick()
    running--
    return w
  })
  for (const l of limited) {
    await l.result
    l.release()
  }
  assert.equal(most, 2)
})

test('an aborted batch withdraws its asks and frees its days for the others', async () => {
  const budget = createDayBudget(5)
  const stop = new AbortController()
  const first = startLimited([5, 5], 8, budget, stop.signal, w => w, async w => w)
  await first[0].result
  stop.abort(new Error('stopped'))
  await assert.rejects(first[1].result, /stopped/)
  first[0].release()
  const other = startLimited([5], 8, budget, new AbortController().signal, w => w, async w => w)
  assert.equal(await other[0].result, 5)
})
