import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createLogger } from '../../lib/log.ts'
import { runBadInputs } from '../../bench/bad-inputs.ts'
import { formatReport, runChaos } from '../../bench/fault-suite.ts'
import { topology } from '../../processors/topology.ts'

// The fault suite at CI size (npm run chaos runs it at full size): 30 days, 5 kills of random
// parts, the broker once and Postgres once where this checkout may restart them.
test('a backfill killed at random ends identical to an undisturbed one', { timeout: 15 * 60 * 1000 }, async () => {
  const lines: string[] = []
  const report = await runChaos({ from: '2023-01-01', to: '2023-01-30', kills: 5, infrastructure: true, log: createLogger('warn'), say: line => lines.push(line) })
  const text = formatReport(report)
  assert.equal(report.kills.length >= 3, true, `too few kills happened:\n${lines.join('\n')}`)
  assert.deepEqual(report.comparisons.filter(c => !c.same), [], `${lines.join('\n')}\n${text}`)
  // A table per sink, and the latest completion per date.
  assert.equal(report.comparisons.length, topology.sinkTargets.length + 1)
})

test('every bad input ends in a dead letter, a retry or a log line, and nothing is lost', { timeout: 10 * 60 * 1000 }, async () => {
  const lines: string[] = []
  const checks = await runBadInputs(createLogger('warn'), line => lines.push(line))
  assert.deepEqual(checks.filter(c => !c.ok), [], lines.join('\n'))
  // A poison record on every join input the environment runs (regional needs a region, which
  // the bad-input environment has not) and on completion, and fifteen other inputs.
  const poisoned = checks.filter(c => c.input.startsWith('poison record on ')).map(c => c.input.slice('poison record on '.length))
  const required = topology.joinInputs.filter(i => i.join.optional !== true).map(i => i.topic)
  assert.deepEqual(required.filter(topic => !poisoned.some(p => p.endsWith(topic))), [], `every required join input is poisoned: ${poisoned.join(', ')}`)
  assert.equal(checks.length, poisoned.length + 15)
})
