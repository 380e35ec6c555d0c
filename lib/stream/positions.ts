import type { Incoming } from './types.ts'

// Which partitions a member owns and where it stands in each. A rebalance rewinds the
// consumer's stream to the committed positions, so a record before a task's own position
// was already committed by it and comes again: fresh() drops it, and records of partitions
// the member no longer owns.

export interface Positions {
  /** Partitions (numbers; topics are co-partitioned) this member owns. */
  readonly assigned: ReadonlySet<number>
  owns (partition: number): boolean
  /** The next offset to process, or undefined when not known yet (not loaded, nothing done). */
  get (topic: string, partition: number): bigint | undefined
  set (topic: string, partition: number, next: bigint): void
  /** Sets the next offsets after `batch`. */
  advance (batch: readonly Incoming[]): void
  /** The records of `batch` this member owns and has not processed yet. */
  fresh (batch: readonly Incoming[]): Incoming[]
  /** A new assignment: positions of lost partitions are forgotten; returns the lost ones. */
  assign (partitions: Iterable<number>): number[]
  /** Forgets every position (a sink reloads them from Postgres). */
  clear (): void
  /** Every known position, by `topic:partition`. */
  entries (): IterableIterator<[string, bigint]>
}

export const positionKey = (topic: string, partition: number): string => `${topic}:${partition}`

export function createPositions (): Positions {
  let assigned = new Set<number>()
  const next = new Map<string, bigint>()
  const partitionOf = (key: string): number => Number(key.slice(key.lastIndexOf(':') + 1))
  return {
    get assigned () { return assigned },
    owns: partition => assigned.has(partition),
    get: (topic, partition) => next.get(positionKey(topic, partition)),
    set (topic, partition, offset) { next.set(positionKey(topic, partition), offset) },
    advance (batch) {
      for (const m of batch) next.set(positionKey(m.topic, m.partition), m.offset + 1n)
    },
    fresh (batch) {
      return batch.filter(m => assigned.has(m.partition) && m.offset >= (next.get(positionKey(m.topic, m.partition)) ?? 0n))
    },
    assign (partitions) {
      const now = new Set(partitions)
      const lost = [...assigned].filter(p => !now.has(p))
      for (const key of next.keys()) if (!now.has(partitionOf(key))) next.delete(key)
      assigned = now
      return lost
    },
    clear () { next.clear() },
    entries: () => next.entries()
  }
}

/** Sets the stored positions (by `topic:partition`) of the partitions owned, after forgetting every other. */
export function loadPositions (positions: Positions, stored: ReadonlyMap<string, bigint>): void {
  positions.clear()
  for (const [key, next] of stored) {
    const at = key.lastIndexOf(':')
    const partition = Number(key.slice(at + 1))
    if (positions.owns(partition)) positions.set(key.slice(0, at), partition, next)
  }
}
