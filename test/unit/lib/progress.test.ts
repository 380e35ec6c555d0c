import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import { createLogger } from '../../../lib/log.ts'
import { createProgress, plainFields, plainLine, ttyFrame, type PacedRow, type ProgressSnapshot } from '../../../lib/progress.ts'
import { createRate, formatDuration, formatRate, paceOf } from '../../../lib/rate.ts'

function sink (): { stream: Writable & { columns?: number }, text: () => string } {
  let text = ''
  const stream = new Writable({ write (chunk: Buffer, _e, cb) { text += chunk.toString(); cb() } })
  return { stream, text: () => text }
}

const snapshot = (co2: number, summary: number, elapsedMs: number): ProgressSnapshot => ({
  title: 'seed 2024-01-01 … 2024-01-10',
  elapsedMs,
  note: 'timeout in 29 min 50 s',
  rows: [
    { label: 'co2', done: co2, total: 10, unit: 'days' },
    { label: 'daily_summary', done: summary, total: 10, unit: 'days', note: '1 incomplete' }
  ]
})

test('rate: over the window, the ETA from the rest at that rate', () => {
  assert.deepStrictEqual(paceOf([{ atMs: 0, done: 0 }, { atMs: 2000, done: 10 }], 30), { perSecond: 5, etaMs: 4000 })
  assert.deepStrictEqual(paceOf([{ atMs: 0, done: 3 }], 30), { perSecond: 0, etaMs: undefined }, 'one sample: no rate, no ETA')
  assert.deepStrictEqual(paceOf([{ atMs: 0, done: 0 }, { atMs: 1000, done: 0 }], 30), { perSecond: 0, etaMs: undefined }, 'nothing moves: no ETA')
  assert.deepStrictEqual(paceOf([{ atMs: 0, done: 20 }, { atMs: 1000, done: 30 }], 30), { perSecond: 10, etaMs: 0 }, 'done')
  // Samples older than the window drop out: a slow start does not drag the rate down.
  const rate = createRate(10000)
  rate.add(0, 0, 1000)
  rate.add(10000, 10, 1000)
  rate.add(20000, 110, 1000)
  assert.deepStrictEqual(rate.add(21000, 120, 1000), { perSecond: 10, etaMs: 88000 })
})

test('durations and rates read at a glance', () => {
  assert.deepStrictEqual([0, 4400, 59600, 125000, 3720000].map(formatDuration), ['0 s', '4 s', '1 min 00 s', '2 min 05 s', '1 h 02 min'])
  assert.deepStrictEqual([0.4242, 12.34, 1234.5].map(formatRate), ['0.42', '12.3', '1,235'])
})

const paced: PacedRow[] = [
  { label: 'co2', done: 5, total: 10, unit: 'days', perSecond: 2.5, etaMs: 2000 },
  { label: 'daily_summary', done: 10, total: 10, unit: 'days', note: '1 incomplete', perSecond: 1, etaMs: 0 }
]

test('a terminal frame: the title line, then a bar, figures, rate and ETA per row', () => {
  assert.deepStrictEqual(ttyFrame(snapshot(5, 10, 12000), paced), [
    'seed 2024-01-01 … 2024-01-10 · 12 s · timeout in 29 min 50 s',
    '  co2           [##########..........]  50%  5/10 days  2.50 days/s  ETA 2 s',
    '  daily_summary [####################] 100%  10/10 days  done  (1 incomplete)'
  ])
  // Narrower than the terminal (the last column wraps on some): a wrapped line would throw the next redraw off.
  assert.deepStrictEqual(ttyFrame(snapshot(5, 10, 12000), paced, 30).map(l => l.length), [29, 29, 29])
})

test('a plain line: the figures in the message and as fields', () => {
  assert.equal(plainLine(snapshot(5, 10, 12000), paced), 'seed 2024-01-01 … 2024-01-10: co2 5/10, daily_summary 10/10')
  assert.deepStrictEqual(plainFields(snapshot(5, 10, 12000), paced), {
    elapsedS: 12,
    progress: {
      co2: { done: 5, total: 10, unit: 'days', perSecond: 2.5, etaS: 2 },
      daily_summary: { done: 10, total: 10, unit: 'days', perSecond: 1, etaS: 0, note: '1 incomplete' }
    }
  })
})

test('on a terminal each frame overwrites the last in one write, events scroll above it', () => {
  const out = sink()
  out.stream.columns = 200
  let now = 0
  const display = createProgress({ stream: out.stream, tty: true, log: createLogger('silent'), now: () => now })
  display.update(snapshot(0, 0, 0))
  const first = out.text()
  assert.equal(first.split('\n').length, 4, 'three lines and the last newline')
  assert.ok(!first.includes('\x1b['), 'the first frame moves no cursor')
  now = 500
  display.update(snapshot(2, 0, 500))
  assert.equal(out.text(), first, 'at most one frame a second')
  now = 1000
  display.update(snapshot(4, 2, 1000))
  const second = out.text().slice(first.length)
  assert.ok(second.startsWith('\x1b[3F\x1b[J'), 'back three lines, cleared below')
  assert.match(second, /co2 +\[########\.+\] +40% {2}4\/10 days {2}4\.00 days\/s {2}ETA 2 s/)
  display.event('dead letter: usage 2024-01-03 ENERGY_FETCH: HTTP 500')
  display.event('dead letter: usage 2024-01-04 ENERGY_FETCH: HTTP 500')
  assert.equal(out.text().length, first.length + second.length, 'events wait for the next snapshot')
  now = 1200
  display.update(snapshot(4, 2, 1200))
  const third = out.text().slice(first.length + second.length)
  assert.ok(third.startsWith('\x1b[3F\x1b[Jdead letter: usage 2024-01-03 ENERGY_FETCH: HTTP 500\ndead letter: usage 2024-01-04 ENERGY_FETCH: HTTP 500\nseed'),
    'the events, then the frame again below them, in one write, whatever the interval')
  display.finish(snapshot(10, 10, 5000))
  const before = out.text().length
  display.event('after')
  assert.equal(out.text().slice(before), 'after\n', 'the final frame stays: what follows goes below it')
})

test('not on a terminal: a JSON progress line every interval and at the end, events at warn', () => {
  const out = sink()
  const logged = sink()
  let now = 0
  const display = createProgress({ stream: out.stream, tty: false, log: createLogger('info', logged.stream), now: () => now, plainIntervalMs: 5000 })
  display.update(snapshot(0, 0, 0))
  now = 1000
  display.update(snapshot(2, 0, 1000))
  now = 5000
  display.update(snapshot(5, 3, 5000))
  display.event('dead letter: usage 2024-01-03 ENERGY_FETCH: HTTP 500', { deadLetter: { component: 'usage' } })
  now = 6000
  display.finish(snapshot(10, 10, 6000))
  assert.equal(out.text(), '', 'nothing drawn on the stream')
  const lines = logged.text().trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>)
  assert.deepStrictEqual(lines.map(l => [l.level, l.msg]), [
    [30, 'seed 2024-01-01 … 2024-01-10: co2 0/10, daily_summary 0/10'],
    [30, 'seed 2024-01-01 … 2024-01-10: co2 5/10, daily_summary 3/10'],
    [40, 'dead letter: usage 2024-01-03 ENERGY_FETCH: HTTP 500'],
    [30, 'seed 2024-01-01 … 2024-01-10: co2 10/10, daily_summary 10/10']
  ])
  // co2 from 0 at 0 s to 5 at 5 s: 1 a second, 5 days left.
  assert.deepStrictEqual((lines[1].progress as Record<string, unknown>).co2, { done: 5, total: 10, unit: 'days', perSecond: 1, etaS: 5 })
  assert.deepStrictEqual(lines[2].deadLetter, { component: 'usage' })
})
