import type { SinkTarget } from '../lib/copy-writer.ts'
import { DISPATCHES_POLLER_TASK, dispatchesPollerGroup } from './dispatches/poller.ts'
import { DISPATCHES_TOPIC } from './dispatches/sink.ts'
import { forecastGroup } from './forecast/index.ts'
import { accountRefresherGroup } from './ingest/account-refresher.ts'
import { FORECAST_TOPIC } from './forecast/sink.ts'
import { joinGroup, processorGroup, sinkGroup, type Topology } from './topology.ts'

// The whole graph as text, derived from the topology (processors/topology.ts), in the shape of
// Kafka Streams' Topology.describe(): sub-topologies of sources (topics read), processors
// (what they do, their stores), and sinks (topics or tables written), with --> and <-- edges.

export interface DescribeOptions {
  /** Topic and group prefix (PIPELINE_NAMESPACE); none by default. */
  namespace?: string
}

/** The topology as Topology.describe() would print it. Pure. */
export function describeTopology (topology: Topology, { namespace = '' }: DescribeOptions = {}): string {
  const t = (topic: string): string => namespace + topic
  const lines: string[] = ['Topologies:']
  let n = 0
  const sub = (title: string): void => { lines.push(`   Sub-topology: ${n++} (${title})`) }
  const list = (items: readonly string[]): string => items.length === 0 ? 'none' : items.join(', ')

  sub('source processors: energy_processor → a topic per source')
  lines.push(`    Source: requests (topics: [${t('energy_processor')}])`, `      --> ${list(topology.sources.map(s => `processor-${s.name}`))}`)
  for (const s of topology.sources) {
    const stores = s.accountView === undefined ? [] : [`${t('energy.account')} (global table)`, `${t('energy.products')} (global table)`]
    lines.push(`    Processor: processor-${s.name} (group: ${processorGroup(s.name, namespace)}, stores: [${stores.join(', ')}])`,
      `      --> ${t(s.topic)}`, '      <-- requests')
    lines.push(`    Sink: ${t(s.topic)} (topic: ${t(s.topic)})`, `      <-- processor-${s.name}`)
  }
  lines.push(`    Sink: dead letters (topic: ${t('energy.dlq')})`, `      <-- ${list(topology.sources.map(s => `processor-${s.name}`))}`)

  sub('join: the sources by date → completion')
  const inputs = topology.joinInputs
  lines.push(`    Source: join-inputs (topics: [${list(inputs.map(i => t(i.topic)))}], co-partitioned by date)`, '      --> join')
  lines.push(`    Processor: join (group: ${joinGroup(namespace)}, stores: [day state, restored from the inputs], inputs: ${list(inputs.map(i => `${i.name}${i.join.optional === true ? ' (optional)' : ''}`))})`,
    `      --> ${t('completion')}`, '      <-- join-inputs')
  lines.push(`    Sink: ${t('completion')} (topic: ${t('completion')})`, '      <-- join')

  sub('account: the Octopus account → energy.account, read back as a global table')
  lines.push(`    Source: account-changelog (topics: [${t('energy.account')}])`, '      --> account')
  lines.push(`    Processor: account (group: ${accountRefresherGroup(namespace)}, stores: [latest account per number, restored from ${t('energy.account')}], punctuates every ACCOUNT_REFRESH_HOURS; a change requests the days it moves from ${list(topology.accountSources.map(s => s.name))})`,
    `      --> ${t('energy.account')}, ${t('energy.products')}, ${t('energy_processor')}`, '      <-- account-changelog')
  lines.push(`    Sink: ${t('energy.account')} (topic: ${t('energy.account')})`, '      <-- account')

  sub(`forecast: the next 48 hours → ${FORECAST_TOPIC}`)
  lines.push(`    Source: forecast-changelog (topics: [${t(FORECAST_TOPIC)}])`, '      --> forecast')
  lines.push(`    Processor: forecast (group: ${forecastGroup(namespace)}, stores: [latest per slot, restored from ${t(FORECAST_TOPIC)}; ${t('energy.account')} (global table)], punctuates every FORECAST_REFRESH_MINUTES)`,
    `      --> ${t(FORECAST_TOPIC)}`, '      <-- forecast-changelog')
  lines.push(`    Sink: ${t(FORECAST_TOPIC)} (topic: ${t(FORECAST_TOPIC)})`, '      <-- forecast')

  // The poller feeds the dispatches source: it runs only where that source does.
  const dispatches = topology.sources.find(s => s.name === 'dispatches')
  if (dispatches !== undefined) {
    const poller = DISPATCHES_POLLER_TASK
    sub(`dispatches poller: Intelligent Octopus dispatches → ${DISPATCHES_TOPIC}, read back as its store`)
    lines.push(`    Source: dispatches-changelog (topics: [${t(DISPATCHES_TOPIC)}])`, `      --> ${poller}`)
    lines.push(`    Processor: ${poller} (group: ${dispatchesPollerGroup(namespace)}, stores: [latest snapshot per dispatch, restored from ${t(DISPATCHES_TOPIC)}], punctuates every DISPATCH_POLL_MINUTES; a change requests its dates from ${dispatches.name})`,
      `      --> ${t(DISPATCHES_TOPIC)}, ${t('energy_processor')}`, '      <-- dispatches-changelog')
    lines.push(`    Sink: ${t(DISPATCHES_TOPIC)} (topic: ${t(DISPATCHES_TOPIC)})`, `      <-- ${poller}`)
  }

  sub('Postgres sinks: a topic → its table, positions in sink_offsets')
  for (const target of topology.sinkTargets) lines.push(...sinkLines(target, namespace))
  return lines.join('\n') + '\n'
}

function sinkLines (target: SinkTarget, namespace: string): string[] {
  const topic = namespace + target.topic
  return [
    `    Source: ${topic} (topics: [${topic}])`, `      --> sink-${target.name}`,
    `    Sink: sink-${target.name} (table: ${target.spec.table}, group: ${sinkGroup(target, namespace)})`, `      <-- ${topic}`
  ]
}
