import type { Config } from '../lib/config.ts'
import type { SinkTarget } from '../lib/copy-writer.ts'

// Names in a namespace (PIPELINE_NAMESPACE): topics, consumer groups and transactional ids
// are all prefixed, so tests and the benchmark share a broker without meeting.

/** A contract topic name in the config's namespace. */
export function topicIn (config: Pick<Config, 'namespace'>, topic: string): string {
  return config.namespace + topic
}

/** The consumer group (and transactional id prefix) of a source's processor. */
export function processorGroup (source: string, namespace = ''): string {
  return `${namespace}energy-${source}-processor`
}

export function joinGroup (namespace = ''): string {
  return `${namespace}energy-join`
}

export function sinkGroup (target: Pick<SinkTarget, 'name'>, namespace = ''): string {
  return `${namespace}energy-sink-${target.name}`
}

/** A producer's transactional id: the group and the instance (`--instance`), unique per copy. */
export function transactionalId (group: string, instance: string): string {
  return `${group}-${instance}`
}
