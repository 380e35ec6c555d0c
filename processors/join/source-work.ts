import type { Admin } from '@platformatic/kafka'
import type { Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import { READ_COMMITTED, type EnergyConsumer } from '../../lib/kafka.ts'
import { addDays } from '../../lib/london-day.ts'
import { readRanges } from '../../lib/range-reader.ts'
import type { EnergyRequest } from '../source/types.ts'
import { processorGroup } from '../names.ts'

// Whether a source still has work for a date: a request on energy_processor that names it (or
// every source), covers the date and lies at or past the source group's committed offset. A
// source commits its output and the request's offset in one transaction, so a request below
// the committed offset has its records on the input topic, before the input's last stable
// offset read after this snapshot. Only sources whose group has members count: a stopped
// source holds nothing (the join's bound covers one that runs but never finishes).

/** A snapshot: does `source` have a pending request covering `date`? */
export type SourceWork = (source: string, date: string) => boolean

interface Span { offset: bigint, from: string, to: string, sources: readonly string[] }

export interface SourceWorkProbe { snapshot (): Promise<SourceWork> }

/**
 * A probe of the sources' pending requests. A snapshot younger than `reuseMs` is given again:
 * an older one holds more (offsets only grow), never less, as long as the input's last stable
 * offset is read after it.
 */

export function createSourceWorkProbe (config: Pick<Config, 'kafkaBrokers' | 'namespace' | 'topics'>, codec: Codec, admin: Admin, consumer: EnergyConsumer, sources: readonly string[], reuseMs: number): SourceWorkProbe {
  const topic = config.topics.requests
  const groupOf = new Map(sources.map(s => [processorGroup(s, config.namespace), s]))
  // Decoded requests per partition, from offset `from` up to `until`: each is read once.
  const cache = new Map<number, { from: bigint, until: bigint, spans: Span[] }>()

  async function committedOfLive (): Promise<Map<string, Map<number, bigint>>> {
    const described = await admin.describeGroups({ groups: [...groupOf.keys()] })
    const live = [...groupOf.keys()].filter(g => (described.get(g)?.members.size ?? 0) > 0)
    const out = new Map<string, Map<number, bigint>>()
    if (live.length === 0) return out
    const listed = await admin.listConsumerGroupOffsets({ groups: live })
    for (const group of listed) {
      const partitions = new Map<number, bigint>()
      for (const t of group.topics) if (t.name === topic) for (const p of t.partitions) partitions.set(p.partitionIndex, p.committedOffset)
      out.set(groupOf.get(group.groupId) as string, partitions)
    }
    return out
  }

  async function read (partition: number, from: bigint, until: bigint): Promise<Span[]> {
    const spans: Span[] = []
    await readRanges(config, [{ topic, partition, from, until }], async records => {
      const values = await codec.decodeMany<EnergyRequest>(topic, records.map(r => r.value ?? Buffer.alloc(0)))
      values.forEach((request, i) => {
        if (request instanceof Error || !Number.isInteger(request.days)) return
        spans.push({ offset: records[i].offset, from: request.date, to: addDays(request.date, Math.max(request.days, 1)), sources: request.sources })
      })
    })
    return spans
  }

  /** The requests of `partition` in [from, until), read past what the cache holds. */
  async function requests (partition: number, from: bigint, until: bigint): Promise<Span[]> {
    let cached = cache.get(partition)
    if (cached === undefined || from < cached.from || until < cached.until) cached = { from, until: from, spans: [] }
    if (until > cached.until) cached.spans.push(...await read(partition, cached.until, until))
    cached = { from, until, spans: cached.spans.filter(s => s.offset >= from) }
    cache.set(partition, cached)
    return cached.spans
  }

  let last: { at: number, work: SourceWork } | undefined
  return {
    async snapshot () {
      if (last !== undefined && Date.now() - last.at < reuseMs) return last.work
      const at = Date.now()
      const work = await probe()
      last = { at, work }
      return work
    }
  }

  async function probe (): Promise<SourceWork> {
    // Committed offsets first, then the end of the log: a request below them is done.
    const committed = await committedOfLive()
    if (committed.size === 0) return () => false
    const [ends, starts] = await Promise.all([
      consumer.listOffsets({ topics: [topic], timestamp: -1n, isolationLevel: READ_COMMITTED }),
      consumer.listOffsets({ topics: [topic], timestamp: -2n })
    ])
    const lso = ends.get(topic) ?? []
    const earliest = starts.get(topic) ?? []
    const pending = new Map<string, Array<[string, string]>>()
    for (let p = 0; p < lso.length; p++) {
      const at = (source: string): bigint => {
        const c = committed.get(source)?.get(p) ?? -1n
        return c > earliest[p] ? c : earliest[p]
      }
      const lowest = [...committed.keys()].reduce((min, s) => at(s) < min ? at(s) : min, lso[p])
      if (lowest >= lso[p]) continue
      for (const span of await requests(p, lowest, lso[p])) {
        for (const source of committed.keys()) {
          if (span.offset < at(source) || (span.sources.length > 0 && !span.sources.includes(source))) continue
          const list = pending.get(source) ?? []
          list.push([span.from, span.to])
          pending.set(source, list)
        }
      }
    }
    return (source, date) => pending.get(source)?.some(([from, to]) => date >= from && date < to) ?? false
  }
}
