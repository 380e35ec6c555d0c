import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test, type TestContext } from 'node:test'
import { createTestEnvironment, startPipeline, startSampleServer, testPool, type TestEnvironment } from '../../pipeline.ts'
import type { Fault } from '../../../sample-api/types.ts'

// `npm run seed -- FROM TO --wait` when stdout is not a terminal: JSON progress lines while the
// pipeline (in this process, on the sample API) lands the days, then the outcome and the exit
// status: 0 when every day is in daily_summary, 1 naming the days a source could not serve.

const ROOT = new URL('../../../', import.meta.url).pathname
const DATES = ['2024-03-01', '2024-03-02', '2024-03-03']
const SOURCES = ['co2', 'mix', 'pricing', 'usage', 'export', 'gas']

interface Line { level: number, msg: string, progress?: Record<string, { done: number, total: number }>, [field: string]: unknown }

async function runSeed (t: TestContext, env: TestEnvironment, args: string[]): Promise<{ code: number | null, lines: Line[], output: string }> {
  const child = spawn(process.execPath, ['scripts/seed.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(() => { child.kill('SIGKILL') })
  let output = ''
  child.stdout.on('data', (c: Buffer) => { output += c.toString() })
  child.stderr.on('data', (c: Buffer) => { output += c.toString() })
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  const lines = output.split('\n').flatMap(l => { try { return [JSON.parse(l) as Line] } catch { return [] } })
  return { code, lines, output }
}

async function pipelineOn (t: TestContext, name: string, faults: Fault[] = []): Promise<TestEnvironment> {
  const sample = await startSampleServer(t, { faults })
  const env = await createTestEnvironment(t, name, sample)
  await startPipeline(t, env, testPool(t, env))
  return env
}

test('seed --wait follows the days until every one is in daily_summary, then exits 0', { timeout: 180000 }, async t => {
  const env = await pipelineOn(t, 'seedwait')
  const { code, lines, output } = await runSeed(t, env, [DATES[0], DATES[2], '--wait', '--timeout', '90s'])
  assert.equal(code, 0, output)
  const progress = lines.filter(l => l.progress !== undefined)
  assert.ok(progress.length >= 1, output)
  // The last progress line (the final one): every source and daily_summary at 3 of 3.
  const last = progress.at(-1) as Line
  assert.equal(last.msg, `seed ${DATES[0]} … ${DATES[2]}: ${[...SOURCES, 'daily_summary'].map(s => `${s} 3/3`).join(', ')}`)
  assert.deepStrictEqual(Object.keys(last.progress ?? {}), [...SOURCES, 'daily_summary'])
  // Counts never go back and never pass the total.
  for (const label of [...SOURCES, 'daily_summary']) {
    const done = progress.map(l => l.progress?.[label].done ?? -1)
    assert.deepStrictEqual(done, [...done].sort((a, b) => a - b), label)
    assert.ok(done.every(n => n >= 0 && n <= 3), label)
  }
  const outcome = lines.find(l => l.outcome !== undefined) as Line
  assert.deepStrictEqual({ level: outcome.level, msg: outcome.msg, outcome: outcome.outcome, days: outcome.days, landed: outcome.landed, missing: outcome.missing },
    { level: 30, msg: '3/3 days landed in daily_summary', outcome: 'settled', days: 3, landed: 3, missing: [] })
})

test('seed --wait exits 1 at its timeout, naming the day a source could not serve and its dead letter', { timeout: 180000 }, async t => {
  // Every usage request covering 2024-03-02 fails: the processor gives the day up (a dead letter).
  const env = await pipelineOn(t, 'seedwaitfault', [{ source: 'usage', date: DATES[1], kind: '500' }])
  const { code, lines, output } = await runSeed(t, env, [DATES[0], DATES[2], '--wait', '--timeout', '25s'])
  assert.equal(code, 1, output)
  const outcome = lines.find(l => l.outcome !== undefined) as Line
  assert.deepStrictEqual({ level: outcome.level, outcome: outcome.outcome, landed: outcome.landed, missing: outcome.missing, missingBySource: outcome.missingBySource },
    { level: 50, outcome: 'timeout', landed: 2, missing: [DATES[1]], missingBySource: { usage: [DATES[1]] } })
  assert.match(outcome.msg, /^timed out waiting; 2\/3 days landed in daily_summary; \d+ dead letters?; missing from daily_summary: 2024-03-02; usage has not got: 2024-03-02$/)
  const letters = lines.filter(l => l.deadLetter !== undefined)
  assert.ok(letters.some(l => l.level === 40 && /^dead letter: usage 2024-03-02 ENERGY_/.test(l.msg)), output)
  const last = lines.filter(l => l.progress !== undefined).at(-1) as Line
  assert.deepStrictEqual([last.progress?.usage.done, last.progress?.daily_summary.done, last.progress?.co2.done], [2, 2, 3])
})
