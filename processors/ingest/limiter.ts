/** An item's result, and the release of the days it holds (once its output is committed). */
export interface Limited<R> {
  result: Promise<R>
  release (): void
}

/**
 * Days of spans in flight, fetched or waiting to be committed: one budget may be shared by
 * every source processor of a process, so the process holds at most that many days of
 * values whatever the number of sources. Granted in the order asked (first come, first
 * served); an ask larger than the whole budget is granted alone.
 */
export interface DayBudget {
  /** Resolves with the release once `days` fit; an aborted ask is withdrawn (and rejects). */
  acquire (days: number, signal: AbortSignal): Promise<() => void>
}

export function createDayBudget (total: number): DayBudget {
  let held = 0
  const queue: Array<{ days: number, grant: () => void }> = []
  const pump = (): void => {
    while (queue.length > 0 && (held === 0 || held + queue[0].days <= total)) {
      const next = queue.shift() as { days: number, grant: () => void }
      held += next.days
      next.grant()
    }
  }
  return {
    async acquire (asked, signal) {
      const days = Math.min(asked, total)
      signal.throwIfAborted()
      await new Promise<void>((resolve, reject) => {
        const entry = { days, grant: () => { signal.removeEventListener('abort', withdraw); resolve() } }
        const withdraw = (): void => {
          const at = queue.indexOf(entry)
          if (at >= 0) queue.splice(at, 1)
          reject(signal.reason)
          pump()
        }
        signal.addEventListener('abort', withdraw, { once: true })
        queue.push(entry)
        pump()
      })
      let released = false
      return () => {
        if (released) return
        released = true
        held -= days
        pump()
      }
    }
  }
}

/**
 * Runs `fn` on every item, in item order, at most `limit` at a time, each once its days fit
 * in `budget`: an item holds its days from its start until release() (its output committed),
 * not only while `fn` runs, so what waits to be committed counts too. One entry per item, in
 * item order; items ask the budget in order, so the first uncommitted one has always started.
 * Aborting `signal` withdraws the asks not granted yet (their results reject).
 */
export function startLimited<T, R> (items: T[], limit: number, budget: DayBudget, signal: AbortSignal, weightOf: (item: T) => number, fn: (item: T) => Promise<R>): Array<Limited<R>> {
  let running = 0
  let freed: (() => void) | undefined
  const releases: Array<() => void> = items.map(() => () => {})
  let turn: Promise<void> = Promise.resolve()
  return items.map((item, i) => {
    // Each item waits for the one before it to start: starts (and asks) stay in item order.
    const started = turn.then(async () => {
      // Woken by an item that ends (fn settles), which lowers `running`.
      // eslint-disable-next-line no-unmodified-loop-condition
      while (running >= limit) await new Promise<void>(resolve => { freed = resolve })
      const release = await budget.acquire(weightOf(item), signal)
      // Granted as the batch ended: its release may already have run.
      if (signal.aborted) {
        release()
        throw signal.reason
      }
      releases[i] = release
      running++
    })
    turn = started.catch(() => {})
    const result = started.then(async () => {
      try {
        return await fn(item)
      } finally {
        running--
        const wake = freed
        freed = undefined
        wake?.()
      }
    })
    return { result, release: () => releases[i]() }
  })
}
