// What a task has done, kept in-process by the runtime (Kafka Streams' task metrics are the
// model): records in and out, commits, dead letters, lag and restore progress. The runtime
// counts; nothing outside it rebuilds these figures. A process's tasks register here, and
// publish.ts writes their snapshot where the API reads it.

export type TaskKind = 'processor' | 'join' | 'sink' | 'table' | 'forecast' | 'poller'

export interface RestoreProgress {
  /** Records read so far from the compacted inputs. */
  records: number
  /** Offsets the restore has to read in all, from the ranges it was given. */
  offsets: number
  /** Whether the last restore ended. */
  done: boolean
}

export interface TaskCounters {
  task: string
  kind: TaskKind
  /** Consumer group; sinks keep their positions in Postgres under it. */
  group: string
  /** Records consumed and processed (committed) since start. */
  recordsIn: number
  /** Records produced or rows landed (dead letters apart). */
  recordsOut: number
  /** Transactions committed (Kafka or Postgres). */
  commits: number
  deadLetters: number
  /**
   * By `topic:partition` of the partitions it owns: records (not offsets: transaction markers
   * and aborted records do not count) between its position and the last stable offset, as last
   * read (lib/stream/lag.ts); {} before the first read, after a failed one and once stopped.
   */
  lag: Record<string, number>
  /** false when a lag figure is offsets, an upper bound (a backlog past what a lag read counts). */
  lagExact: boolean
  restore: RestoreProgress | null
  /** Sessions started: a restart after a failure starts another. */
  sessions: number
  /** Entries in the task's state store (the join: days held), null for a stateless task. */
  storeEntries: number | null
  /** When a figure last changed, ms. */
  updatedAt: number
  /**
   * What an upstream-polling task could not check at its last attempt (no key, an auth error),
   * null when it could; absent for tasks that poll nothing.
   */
  unchecked?: string | null
  /** The facts it could not check (the account refresher: gas meter units, payment method, devices); absent for other tasks. */
  uncheckedFacts?: string[]
}

export interface Counters {
  readonly value: Readonly<TaskCounters>
  add (figure: 'recordsIn' | 'recordsOut' | 'commits' | 'deadLetters' | 'sessions', n?: number): void
  setLag (lag: Record<string, number>, exact: boolean): void
  restore (progress: RestoreProgress): void
  /** The state store's size now. */
  store (entries: number): void
  /** Why the last poll could not check upstream; null: it could. With `facts`: what it could not check. */
  setUnchecked (reason: string | null, facts?: string[]): void
}

const registry = new Map<string, TaskCounters>()

/** A task's counters, registered for snapshot(); a task of the same name replaces the old one. */
export function createCounters (task: string, kind: TaskKind, group: string, now: () => number = Date.now): Counters {
  const value: TaskCounters = { task, kind, group, recordsIn: 0, recordsOut: 0, commits: 0, deadLetters: 0, lag: {}, lagExact: true, restore: null, sessions: 0, storeEntries: null, updatedAt: now() }
  registry.set(task, value)
  return {
    value,
    add (figure, n = 1) {
      value[figure] += n
      value.updatedAt = now()
    },
    setLag (lag, exact) {
      value.lag = lag
      value.lagExact = exact
      value.updatedAt = now()
    },
    restore (progress) {
      value.restore = { ...progress }
      value.updatedAt = now()
    },
    store (entries) {
      value.storeEntries = entries
    },
    setUnchecked (reason, facts) {
      value.unchecked = reason
      if (facts !== undefined) value.uncheckedFacts = [...facts]
      value.updatedAt = now()
    }
  }
}

/** Every registered task's counters, copied. */
export function snapshot (): TaskCounters[] {
  return [...registry.values()].map(c => ({ ...c, lag: { ...c.lag }, restore: c.restore === null ? null : { ...c.restore } }))
}

/** Forgets a task (it stopped for good). */
export function unregister (task: string): void {
  registry.delete(task)
}

/** Total lag of a task, records. */
export function totalLag (counters: Pick<TaskCounters, 'lag'>): number {
  return Object.values(counters.lag).reduce((a, b) => a + b, 0)
}
