import assert from 'node:assert/strict'
import { test } from 'node:test'
import { describeTopology } from '../../../processors/describe.ts'
import { topology } from '../../../processors/topology.ts'

test('the printed topology has each source with its topic, the join with its inputs and completion, and each sink table', () => {
  const text = describeTopology(topology)
  assert.match(text, /^Topologies:\n/)
  for (const s of topology.sources) {
    assert.match(text, new RegExp(`Processor: processor-${s.name} \\(group: energy-${s.name}-processor`), s.name)
    assert.match(text, new RegExp(`Sink: ${s.topic.replace('.', '\\.')} \\(topic: ${s.topic.replace('.', '\\.')}\\)\\n      <-- processor-${s.name}\\n`), s.topic)
  }
  const join = text.split('\n').find(line => line.startsWith('    Source: join-inputs'))
  assert.equal(join, `    Source: join-inputs (topics: [${topology.joinInputs.map(i => i.topic).join(', ')}], co-partitioned by date)`)
  assert.match(text, /Processor: join \(group: energy-join, stores: \[day state, restored from the inputs\], inputs: co2, mix, pricing, usage, export \(optional\), gas \(optional\), regional \(optional\), dispatches \(optional\), billed \(optional\)\)\n {6}--> completion\n/)
  assert.match(text, /Sink: completion \(topic: completion\)\n {6}<-- join\n/)
  for (const target of topology.sinkTargets) {
    assert.ok(text.includes(`    Source: ${target.topic} (topics: [${target.topic}])\n      --> sink-${target.name}\n    Sink: sink-${target.name} (table: ${target.spec.table}, group: energy-sink-${target.name})\n`), target.name)
  }
  assert.ok(text.includes('Sink: sink-daily_summary (table: energy_usage.daily_summary'))
  // The dispatches poller: its changelog read back into its store, its snapshots and re-requests out.
  assert.ok(text.includes([
    '    Source: dispatches-changelog (topics: [energy.dispatches])', '      --> dispatches-poller',
    '    Processor: dispatches-poller (group: energy-dispatches-poller, stores: [latest snapshot per dispatch, restored from energy.dispatches], punctuates every DISPATCH_POLL_MINUTES; a change requests its dates from dispatches)',
    '      --> energy.dispatches, energy_processor', '      <-- dispatches-changelog',
    '    Sink: energy.dispatches (topic: energy.dispatches)', '      <-- dispatches-poller'
  ].join('\n')))
})

test('a namespace prefixes every topic and group', () => {
  const text = describeTopology(topology, { namespace: 'ns_' })
  assert.ok(text.includes('Source: requests (topics: [ns_energy_processor])'))
  assert.ok(text.includes('Processor: join (group: ns_energy-join'))
  assert.ok(text.includes('Sink: ns_completion (topic: ns_completion)'))
  assert.ok(text.includes('Processor: dispatches-poller (group: ns_energy-dispatches-poller, stores: [latest snapshot per dispatch, restored from ns_energy.dispatches]'))
})
