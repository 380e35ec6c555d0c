import { loadLocalSchemas } from '../lib/avro.ts'
import type { Config } from '../lib/config.ts'
import type { SinkTarget } from '../lib/copy-writer.ts'
import { EnergyError } from '../lib/errors.ts'
import { ACCOUNT_SPEC, checkTopicName, PRODUCTS_SPEC, COMPACTED, COMPLETION_SPEC, DLQ_SPEC, REQUESTS_SPEC, type TopicSpec } from '../lib/topics.ts'
import { agreementsTarget } from './account/sink.ts'
import { billedSource } from './billed/index.ts'
import { FORECAST_SPEC, forecastTarget } from './forecast/sink.ts'
import { co2Source } from './co2/index.ts'
import { DISPATCHES_SPEC, dispatchesSource, dispatchesTarget } from './dispatches/index.ts'
import { exportSource } from './export/index.ts'
import { gasSource } from './gas/index.ts'
import { dailySummaryTargetOf } from './join/sink.ts'
import { mixSource } from './mix/index.ts'
import { joinGroup, processorGroup, sinkGroup } from './names.ts'
import { pricingSource } from './pricing/index.ts'
import { regionalSource } from './regional/index.ts'
import { CORE_FIELDS, completionSchema, type FieldSpec } from './source/fields.ts'
import type { JoinInputSpec, SourceConditions, SourceDeclaration } from './source/types.ts'
import { usageSource } from './usage/index.ts'

export { joinGroup, processorGroup, sinkGroup, topicIn, transactionalId } from './names.ts'

// The pipeline as one graph (DESIGN.md "The topology, declared once"; Kafka Streams'
// Topology is the model): sources → their topics → the join → completion, and a sink per
// topic. Each source is declared in its own folder; this is the one list of them, and
// everything else (topics and their configs, consumer groups, transactional ids, sink
// targets, the join's inputs, --only groups) is derived from it here.

/** Every source of the pipeline. Adding one: its folder, its .avsc, a migration, one line here. */
export const SOURCES: readonly SourceDeclaration[] = [co2Source, mixSource, pricingSource, usageSource, exportSource, gasSource, regionalSource, dispatchesSource, billedSource]

/**
 * `--only` groups besides single source names: every source, the join, every sink, the
 * forecast (the next 48 hours to energy.forecast, processors/forecast) and the dispatches
 * poller (Intelligent Octopus dispatch snapshots to energy.dispatches, processors/dispatches).
 */
export const GROUPS = ['processors', 'join', 'sinks', 'forecast', 'dispatches-poller'] as const

export interface Topology {
  sources: readonly SourceDeclaration[]
  sourceNames: readonly string[]
  /** The sources that read the account (accountView): what a changed account re-requests days from. */
  accountSources: readonly SourceDeclaration[]
  /** The sources the join reads, in declaration order. */
  joinInputs: readonly JoinInputSpec[]
  /**
   * daily_summary's fields: the core ones (processors/source/fields.ts), then each join input's
   * own, in source order. completion's schema, the daily_summary sink and the API come from it.
   */
  summaryFields: readonly FieldSpec[]
  /** A sink per source topic, then energy.account → agreements, energy.forecast → forecast, completion → daily_summary. */
  sinkTargets: readonly SinkTarget[]
  /** Every topic with its configs, in contract names: requests, account, forecast, sources, completion, DLQ. */
  topicSpecs: readonly TopicSpec[]
  /** Value schema (JSON text) per contract topic name. */
  schemas: ReadonlyMap<string, string>
  /** The names --only takes. */
  componentNames: readonly string[]
  source (name: string): SourceDeclaration
  /** A sink target by table name (`consumption`) or contract topic name (`energy.usage`). */
  findTarget (name: string): SinkTarget | undefined
}

/** Derives the topology of a list of sources; checks the list is consistent. */
export function createTopology (sources: readonly SourceDeclaration[] = SOURCES, localSchemas: ReadonlyMap<string, string> = loadLocalSchemas()): Topology {
  const names = new Set<string>()
  const reserved = new Set<string>([...GROUPS])
  for (const s of sources) {
    if (!/^[a-z][a-z0-9_]*$/.test(s.name)) throw new EnergyError('ENERGY_TOPOLOGY', `source name "${s.name}" must be lower-case letters, digits and '_'`)
    if (names.has(s.name) || reserved.has(s.name)) throw new EnergyError('ENERGY_TOPOLOGY', `source name "${s.name}" is declared twice or is reserved`)
    names.add(s.name)
    checkTopicName(s.topic)
  }
  const summaryFields = summaryFieldsOf(sources)
  const sinkTargets: SinkTarget[] = [...sources.map(s => ({ ...s.sink, topic: s.topic }) as SinkTarget), agreementsTarget as SinkTarget, forecastTarget as SinkTarget, dispatchesTarget as SinkTarget, dailySummaryTargetOf(summaryFields) as SinkTarget]
  const tables = sinkTargets.map(t => t.name)
  if (new Set(tables).size !== tables.length) throw new EnergyError('ENERGY_TOPOLOGY', `two sinks share a table name: ${tables.join(', ')}`)

  const schemas = new Map<string, string>()
  for (const spec of [REQUESTS_SPEC, ACCOUNT_SPEC, PRODUCTS_SPEC, FORECAST_SPEC, DISPATCHES_SPEC]) schemas.set(spec.name, schemaOf(localSchemas, spec.name))
  // completion's schema is the field table's (schemas/completion.avsc is its checked copy for SOURCES).
  schemas.set(COMPLETION_SPEC.name, JSON.stringify(completionSchema(summaryFields)))
  for (const s of sources) schemas.set(s.topic, s.schema === undefined ? schemaOf(localSchemas, s.topic) : JSON.stringify(JSON.parse(s.schema)))

  const byName = new Map(sources.map(s => [s.name, s]))
  return {
    sources,
    sourceNames: [...names],
    accountSources: sources.filter(s => s.accountView !== undefined),
    joinInputs: sources.flatMap(s => s.join === undefined ? [] : [{ name: s.name, topic: s.topic, join: s.join }]) as JoinInputSpec[],
    summaryFields,
    sinkTargets,
    topicSpecs: [
      REQUESTS_SPEC,
      ACCOUNT_SPEC,
      PRODUCTS_SPEC,
      FORECAST_SPEC,
      DISPATCHES_SPEC,
      ...sources.map(s => ({ name: s.topic, copartitioned: true, configs: COMPACTED })),
      COMPLETION_SPEC,
      DLQ_SPEC
    ],
    schemas,
    componentNames: [...names, ...GROUPS],
    source (name) {
      const s = byName.get(name)
      if (s === undefined) throw new EnergyError('ENERGY_USAGE', `unknown source "${name}" (known: ${[...names].join(', ')})`)
      return s
    },
    findTarget: name => sinkTargets.find(t => t.name === name || t.topic === name)
  }
}

/**
 * The core fields, then the join inputs' own. A source's field is appended to completion, so it
 * needs an Avro default (BACKWARD compatible) and a name no other field has; a core field's
 * producer must be the join, the electricity fold, the bill or a join input with a fold.
 */
function summaryFieldsOf (sources: readonly SourceDeclaration[]): FieldSpec[] {
  const fields: FieldSpec[] = [...CORE_FIELDS]
  const names = new Set(fields.map(f => f.name))
  for (const s of sources) {
    for (const f of s.join?.fields ?? []) {
      if (!/^[a-z][a-z0-9_]*$/.test(f.name)) throw new EnergyError('ENERGY_TOPOLOGY', `daily_summary field "${f.name}" of source ${s.name} must be lower-case letters, digits and '_'`)
      if (names.has(f.name)) throw new EnergyError('ENERGY_TOPOLOGY', `daily_summary field "${f.name}" of source ${s.name} is declared twice`)
      if (f.default === undefined) throw new EnergyError('ENERGY_TOPOLOGY', `daily_summary field "${f.name}" of source ${s.name} needs an Avro default: completion must stay BACKWARD compatible`)
      if (s.join?.fold === undefined) throw new EnergyError('ENERGY_TOPOLOGY', `source ${s.name} declares daily_summary fields but no fold that produces them`)
      names.add(f.name)
      fields.push({ ...f, by: s.name })
    }
  }
  return fields
}

function schemaOf (schemas: ReadonlyMap<string, string>, topic: string): string {
  const schema = schemas.get(topic)
  if (schema === undefined) throw new EnergyError('ENERGY_TOPOLOGY', `no schema for topic ${topic}: add schemas/${topic}.avsc`)
  return schema
}

/** The pipeline's topology: the sources above, the schemas in schemas/. */
export const topology: Topology = createTopology()

export interface Selection {
  sources: SourceDeclaration[]
  join: boolean
  sinks: boolean
  /** The forecast component (processors/forecast): only instance 1 runs it. */
  forecast: boolean
  /** The dispatches poller (processors/dispatches/poller.ts): only instance 1 runs it, only with OCTOPUS_ACCOUNT. */
  dispatchesPoller: boolean
}

/**
 * The sources this configuration can serve: every source but those whose `unavailable` says
 * why not (regional without any region: every day of it would be a dead letter).
 */
export function availableSources (topology: Topology, config: SourceConditions): string[] {
  return topology.sources.filter(s => s.optIn !== true && s.unavailable?.(config) === undefined).map(s => s.name)
}

/** The sources that run unless --only says otherwise: SOURCES, else every available one. */
export function configuredSources (topology: Topology, config: SourceConditions & Pick<Config, 'sources'>): string[] {
  return config.sources.length === 0 ? availableSources(topology, config) : checkSources(topology, config.sources, 'SOURCES')
}

/**
 * What `--only` names: source names, `processors` (every `available` source), `join`, `sinks`,
 * `forecast`, `dispatches-poller`. Without --only: the sources SOURCES names (none: the
 * available ones), the join, the sinks, the forecast and the dispatches poller.
 * A source left out of `available` runs only when named.
 */
export function selectComponents (topology: Topology, only: string | undefined, sources: readonly string[], available: readonly string[] = topology.sourceNames): Selection {
  const configured = sources.length === 0 ? available : checkSources(topology, sources, 'SOURCES')
  const names = only === undefined ? [...configured, 'join', 'sinks', 'forecast', 'dispatches-poller'] : splitList(only)
  const unknown = names.filter(n => !topology.componentNames.includes(n))
  if (unknown.length > 0 || names.length === 0) {
    throw new EnergyError('ENERGY_USAGE', `--only takes ${topology.componentNames.join(', ')}; got "${only ?? ''}"`)
  }
  const all = names.includes('processors')
  return {
    // `processors` is every configured source: SOURCES when set (opt-in ones included), else those available.
    sources: topology.sources.filter(s => (all && configured.includes(s.name)) || names.includes(s.name)),
    join: names.includes('join'),
    sinks: names.includes('sinks'),
    forecast: names.includes('forecast'),
    // The poller feeds the dispatches source: it runs with the processors (components.ts starts it only when that source is configured).
    dispatchesPoller: names.includes('dispatches-poller') || all
  }
}

/** Checks a list of source names (SOURCES, seed's --only); returns them. */
export function checkSources (topology: Topology, names: readonly string[], variable: string): string[] {
  const known = topology.sourceNames
  // An environment variable is configuration; a command-line option is usage.
  const code = variable.startsWith('--') ? 'ENERGY_USAGE' : 'ENERGY_CONFIG'
  const unknown = names.filter(n => !known.includes(n))
  if (unknown.length > 0) throw new EnergyError(code, `${variable} has unknown source ${unknown.map(n => `"${n}"`).join(', ')} (known: ${known.join(', ')})`)
  if (names.length === 0) throw new EnergyError(code, `${variable} names no source (known: ${known.join(', ')})`)
  return [...names]
}

export function splitList (text: string): string[] {
  return text.split(',').map(s => s.trim()).filter(Boolean)
}

/** A consumer group of the pipeline and what it reads (api/status, the bench, tests). */
export interface PipelineGroup {
  group: string
  kind: 'processor' | 'join' | 'sink'
  /** Topics it reads, in the namespace. */
  topics: string[]
  /** Sinks keep their position in sink_offsets (sink name), not in Kafka. */
  sink?: string
}

/**
 * The join's inputs for SOURCES (empty: every source): every required one, and the optional
 * ones that run (a household running without export and gas would never see a complete day).
 */
export function joinInputsOf (topology: Topology, sources: readonly string[]): readonly JoinInputSpec[] {
  return topology.joinInputs.filter(i => i.join.optional !== true || sources.length === 0 || sources.includes(i.name))
}

/** Every consumer group the pipeline runs in the config's namespace, for the given sources. */
export function pipelineGroups (topology: Topology, config: Pick<Config, 'namespace' | 'topics'>, sources: readonly string[] = topology.sourceNames): PipelineGroup[] {
  const { namespace } = config
  return [
    ...sources.map(s => ({ group: processorGroup(s, namespace), kind: 'processor' as const, topics: [config.topics.requests] })),
    { group: joinGroup(namespace), kind: 'join' as const, topics: joinInputsOf(topology, sources).map(i => namespace + i.topic) },
    ...topology.sinkTargets.map(t => ({ group: sinkGroup(t, namespace), kind: 'sink' as const, topics: [namespace + t.topic], sink: t.name }))
  ]
}
