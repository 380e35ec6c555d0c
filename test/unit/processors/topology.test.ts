import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SourceDeclaration } from '../../../processors/source/types.ts'
import {
  availableSources, configuredSources, createTopology, joinInputsOf, pipelineGroups, selectComponents, topology, type Selection
} from '../../../processors/topology.ts'
import { loadConfig } from '../../../lib/config.ts'
import { topicsFor } from '../../../lib/topics.ts'

// The topology is derived from the list of sources: these are the names scripts, dashboards
// and users rely on (DESIGN.md "Topology"), spelled out here independently of the code.

const names = (selection: Selection): unknown => ({ sources: selection.sources.map(s => s.name), join: selection.join, sinks: selection.sinks })

/** A source the pipeline does not have, declared in test code only. */
const temperature: SourceDeclaration<{ slot_start: number, celsius: number }> = {
  name: 'temperature',
  topic: 'energy.temperature',
  schema: JSON.stringify({ type: 'record', name: 'Temperature', fields: [{ name: 'slot_start', type: 'long' }, { name: 'celsius', type: 'double' }] }),
  fetchSpan: async () => [],
  sink: {
    name: 'outdoor_temperature',
    spec: { table: 'energy_usage.outdoor_temperature', columns: ['slot_start', 'celsius'], types: ['timestamptz', 'float8'], rowKey: ['slot_start'] },
    toRows: r => [[r.slot_start, r.celsius]],
    keyValues: key => [Date.parse(key)]
  }
}

test('the pipeline\'s topics, sinks, join inputs and groups all come from the one list of sources', () => {
  assert.deepStrictEqual(topology.sourceNames, ['co2', 'mix', 'pricing', 'usage', 'export', 'gas', 'regional', 'dispatches', 'billed'])
  assert.deepStrictEqual(topology.accountSources.map(s => s.name), ['pricing', 'usage', 'export', 'gas', 'regional', 'billed'])
  assert.deepStrictEqual(topology.topicSpecs.map(s => [s.name, s.configs['cleanup.policy'], s.copartitioned]), [
    ['energy_processor', 'delete', true],
    ['energy.account', 'compact', false],
    ['energy.products', 'compact', false],
    ['energy.forecast', 'compact', false],
    ['energy.dispatches', 'compact', false],
    ['energy.co2', 'compact', true],
    ['energy.mix', 'compact', true],
    ['energy.pricing', 'compact', true],
    ['energy.usage', 'compact', true],
    ['energy.export', 'compact', true],
    ['energy.gas', 'compact', true],
    ['energy.regional', 'compact', true],
    ['energy.dispatch_slots', 'compact', true],
    ['energy.billed', 'compact', true],
    ['completion', 'compact', true],
    ['energy.dlq', 'delete', false]
  ])
  assert.deepStrictEqual(topology.sinkTargets.map(t => [t.name, t.topic]), [
    ['carbon_intensity', 'energy.co2'], ['generation_mix', 'energy.mix'], ['unit_rates', 'energy.pricing'], ['consumption', 'energy.usage'],
    ['export_readings', 'energy.export'], ['gas_readings', 'energy.gas'], ['regional_intensity', 'energy.regional'], ['dispatch_slots', 'energy.dispatch_slots'], ['billed', 'energy.billed'],
    ['agreements', 'energy.account'], ['forecast', 'energy.forecast'], ['dispatches', 'energy.dispatches'], ['daily_summary', 'completion']
  ])
  assert.deepStrictEqual(topology.joinInputs.map(i => [i.name, i.topic, i.join.width, i.join.optional === true]), [
    ['co2', 'energy.co2', 2, false], ['mix', 'energy.mix', 16, false], ['pricing', 'energy.pricing', 4, false], ['usage', 'energy.usage', 1, false],
    ['export', 'energy.export', 2, true], ['gas', 'energy.gas', 6, true], ['regional', 'energy.regional', 1, true], ['dispatches', 'energy.dispatch_slots', 3, true], ['billed', 'energy.billed', 3, true]
  ])
  assert.deepStrictEqual([...topology.schemas.keys()].sort(),
    ['completion', 'energy.account', 'energy.billed', 'energy.co2', 'energy.dispatch_slots', 'energy.dispatches', 'energy.export', 'energy.forecast', 'energy.gas', 'energy.mix', 'energy.pricing', 'energy.products', 'energy.regional', 'energy.usage', 'energy_processor'])
  assert.deepStrictEqual(pipelineGroups(topology, { namespace: 'ns.', topics: topicsFor('ns.') }).map(g => [g.group, g.kind, g.topics.join(',')]), [
    ['ns.energy-co2-processor', 'processor', 'ns.energy_processor'],
    ['ns.energy-mix-processor', 'processor', 'ns.energy_processor'],
    ['ns.energy-pricing-processor', 'processor', 'ns.energy_processor'],
    ['ns.energy-usage-processor', 'processor', 'ns.energy_processor'],
    ['ns.energy-export-processor', 'processor', 'ns.energy_processor'],
    ['ns.energy-gas-processor', 'processor', 'ns.energy_processor'],
    ['ns.energy-regional-processor', 'processor', 'ns.energy_processor'],
    ['ns.energy-dispatches-processor', 'processor', 'ns.energy_processor'],
    ['ns.energy-billed-processor', 'processor', 'ns.energy_processor'],
    ['ns.energy-join', 'join', 'ns.energy.co2,ns.energy.mix,ns.energy.pricing,ns.energy.usage,ns.energy.export,ns.energy.gas,ns.energy.regional,ns.energy.dispatch_slots,ns.energy.billed'],
    ['ns.energy-sink-carbon_intensity', 'sink', 'ns.energy.co2'],
    ['ns.energy-sink-generation_mix', 'sink', 'ns.energy.mix'],
    ['ns.energy-sink-unit_rates', 'sink', 'ns.energy.pricing'],
    ['ns.energy-sink-consumption', 'sink', 'ns.energy.usage'],
    ['ns.energy-sink-export_readings', 'sink', 'ns.energy.export'],
    ['ns.energy-sink-gas_readings', 'sink', 'ns.energy.gas'],
    ['ns.energy-sink-regional_intensity', 'sink', 'ns.energy.regional'],
    ['ns.energy-sink-dispatch_slots', 'sink', 'ns.energy.dispatch_slots'],
    ['ns.energy-sink-billed', 'sink', 'ns.energy.billed'],
    ['ns.energy-sink-agreements', 'sink', 'ns.energy.account'],
    ['ns.energy-sink-forecast', 'sink', 'ns.energy.forecast'],
    ['ns.energy-sink-dispatches', 'sink', 'ns.energy.dispatches'],
    ['ns.energy-sink-daily_summary', 'sink', 'ns.completion']
  ])
  assert.equal(topology.findTarget('energy.usage')?.name, 'consumption')
  assert.equal(topology.findTarget('daily_summary')?.topic, 'completion')
  // The forecast: one partition, not co-partitioned (no join reads it).
  assert.equal(topology.topicSpecs.find(s => s.name === 'energy.forecast')?.partitions, 1)
})

test('without export and gas in SOURCES the join does not wait for them; with them, or all, it reads them', () => {
  const names = (inputs: ReturnType<typeof joinInputsOf>): string[] => inputs.map(i => i.name)
  assert.deepStrictEqual(names(joinInputsOf(topology, ['co2', 'mix', 'pricing', 'usage'])), ['co2', 'mix', 'pricing', 'usage'])
  assert.deepStrictEqual(names(joinInputsOf(topology, ['co2', 'mix', 'pricing', 'usage', 'gas'])), ['co2', 'mix', 'pricing', 'usage', 'gas'])
  assert.deepStrictEqual(names(joinInputsOf(topology, [])), ['co2', 'mix', 'pricing', 'usage', 'export', 'gas', 'regional', 'dispatches', 'billed'])
  // A required input stays whatever SOURCES says: the day cannot be computed without it.
  assert.deepStrictEqual(names(joinInputsOf(topology, ['co2'])), ['co2', 'mix', 'pricing', 'usage'])
  assert.deepStrictEqual(pipelineGroups(topology, { namespace: '', topics: topicsFor('') }, ['co2', 'mix', 'pricing', 'usage']).find(g => g.kind === 'join')?.topics,
    ['energy.co2', 'energy.mix', 'energy.pricing', 'energy.usage'])
})

test('--only takes source names and the groups processors, join and sinks; no --only means SOURCES, the join and the sinks', () => {
  assert.deepStrictEqual(names(selectComponents(topology, undefined, [])), { sources: ['co2', 'mix', 'pricing', 'usage', 'export', 'gas', 'regional', 'dispatches', 'billed'], join: true, sinks: true })
  assert.deepStrictEqual(names(selectComponents(topology, undefined, ['usage', 'co2'])), { sources: ['co2', 'usage'], join: true, sinks: true })
  assert.deepStrictEqual(names(selectComponents(topology, 'processors', [])), { sources: ['co2', 'mix', 'pricing', 'usage', 'export', 'gas', 'regional', 'dispatches', 'billed'], join: false, sinks: false })
  assert.deepStrictEqual(names(selectComponents(topology, ' mix , join', [])), { sources: ['mix'], join: true, sinks: false })
  assert.deepStrictEqual(names(selectComponents(topology, 'sinks', [])), { sources: [], join: false, sinks: true })
  assert.throws(() => selectComponents(topology, 'co2,wind', []), {
    code: 'ENERGY_USAGE', message: '--only takes co2, mix, pricing, usage, export, gas, regional, dispatches, billed, processors, join, sinks, forecast, dispatches-poller; got "co2,wind"'
  })
  assert.throws(() => selectComponents(topology, '', []), { code: 'ENERGY_USAGE' })
  // The forecast runs by default and by name; `processors` is the sources only.
  assert.deepStrictEqual([undefined, 'forecast', 'processors,forecast', 'processors', 'sinks', 'co2'].map(only => selectComponents(topology, only, []).forecast),
    [true, true, true, false, false, false])
  // So does the dispatches poller, and with the processors whose dispatches source it feeds
  // (components.ts starts it only with OCTOPUS_ACCOUNT and that source configured).
  assert.deepStrictEqual([undefined, 'dispatches-poller', 'processors', 'forecast'].map(only => selectComponents(topology, only, []).dispatchesPoller), [true, true, true, false])
  // `processors` runs what SOURCES names, the opt-in sources included (npm run start:processors).
  assert.deepStrictEqual(names(selectComponents(topology, 'processors', ['usage', 'dispatches', 'billed'])), { sources: ['usage', 'dispatches', 'billed'], join: false, sinks: false })
  assert.throws(() => selectComponents(topology, undefined, ['co2', 'wind']), {
    code: 'ENERGY_CONFIG', message: 'SOURCES has unknown source "wind" (known: co2, mix, pricing, usage, export, gas, regional, dispatches, billed)'
  })
})

test('regional runs by default only where a region can be known: CARBON_REGION_ID, CARBON_POSTCODE or OCTOPUS_ACCOUNT; named, it runs anyway', () => {
  // dispatches needs OCTOPUS_ACCOUNT (its smart devices); billed OCTOPUS_ACCOUNT and OCTOPUS_API_KEY (GraphQL).
  const every = ['co2', 'mix', 'pricing', 'usage', 'export', 'gas', 'regional']
  const withoutRegional = every.slice(0, -1)
  const none = loadConfig({})
  assert.equal(topology.source('regional').unavailable?.(none),
    'no region is known: set CARBON_REGION_ID (1-17) or CARBON_POSTCODE (an outward code such as SW1A), or OCTOPUS_ACCOUNT with the property\'s postcode')
  assert.deepStrictEqual(availableSources(topology, none), withoutRegional)
  for (const env of [{ CARBON_REGION_ID: '13' }, { CARBON_POSTCODE: 'sw1a' }, { OCTOPUS_ACCOUNT: 'A-1234ABCD' }]) {
    // dispatches and billed are opt-in: never by default, even with the account.
    assert.deepStrictEqual(availableSources(topology, loadConfig(env)), every, JSON.stringify(env))
  }
  const named = loadConfig({ OCTOPUS_ACCOUNT: 'A-1234ABCD', SOURCES: 'pricing,usage,dispatches,billed' })
  assert.deepStrictEqual(configuredSources(topology, named), ['pricing', 'usage', 'dispatches', 'billed'])
  // Without a region: not in the default sources, not in `processors`, not a join input.
  assert.deepStrictEqual(configuredSources(topology, none), withoutRegional)
  assert.deepStrictEqual(names(selectComponents(topology, undefined, [], availableSources(topology, none))), { sources: withoutRegional, join: true, sinks: true })
  assert.deepStrictEqual(names(selectComponents(topology, 'processors', [], availableSources(topology, none))), { sources: withoutRegional, join: false, sinks: false })
  assert.deepStrictEqual(joinInputsOf(topology, configuredSources(topology, none)).map(i => i.name), withoutRegional)
  // Named, it runs (and says for each day why it has no data).
  assert.deepStrictEqual(names(selectComponents(topology, 'regional,join', [], availableSources(topology, none))), { sources: ['regional'], join: true, sinks: false })
  assert.deepStrictEqual(configuredSources(topology, loadConfig({ SOURCES: 'co2,regional' })), ['co2', 'regional'])
  // With a region, all of them.
  const region = loadConfig({ CARBON_REGION_ID: '1' })
  assert.deepStrictEqual(joinInputsOf(topology, configuredSources(topology, region)).map(i => i.name), every)
})

test('a source declared outside processors/ gets its topic, schema, sink and groups, and is no join input', () => {
  const extended = createTopology([...topology.sources, temperature])
  assert.deepStrictEqual(extended.sourceNames, [...topology.sourceNames, 'temperature'])
  assert.deepStrictEqual(extended.topicSpecs.find(s => s.name === 'energy.temperature'), { name: 'energy.temperature', copartitioned: true, configs: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '60000' } })
  assert.equal(extended.schemas.get('energy.temperature'), temperature.schema)
  assert.deepStrictEqual(extended.findTarget('energy.temperature')?.name, 'outdoor_temperature')
  assert.deepStrictEqual(extended.joinInputs.map(i => i.name), topology.joinInputs.map(i => i.name))
  assert.deepStrictEqual(names(selectComponents(extended, 'processors', [])), { sources: [...topology.sourceNames, 'temperature'], join: false, sinks: false })
})

test('an inconsistent list is refused: a name twice, a reserved name, a topic Kafka cannot have, a missing schema', () => {
  const co2 = topology.source('co2')
  assert.throws(() => createTopology([co2, co2]), { code: 'ENERGY_TOPOLOGY', message: 'source name "co2" is declared twice or is reserved' })
  assert.throws(() => createTopology([{ ...temperature, name: 'join' }]), { code: 'ENERGY_TOPOLOGY', message: 'source name "join" is declared twice or is reserved' })
  assert.throws(() => createTopology([{ ...temperature, topic: 'energy temperature' }]), { code: 'ENERGY_TOPOLOGY', message: 'topic name "energy temperature" may hold only letters, digits, \'.\', \'_\' and \'-\'' })
  const { schema, ...unschemed } = temperature
  assert.ok(schema !== undefined)
  assert.throws(() => createTopology([unschemed]), { code: 'ENERGY_TOPOLOGY', message: 'no schema for topic energy.temperature: add schemas/energy.temperature.avsc' })
  assert.throws(() => createTopology([temperature, { ...temperature, name: 'temperature2', topic: 'energy.t2' }]), { code: 'ENERGY_TOPOLOGY', message: /two sinks share a table name/ })
})
