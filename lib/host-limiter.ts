// Politeness towards one upstream host: at most `maxInFlight` requests at once and at most
// `maxPerSecond` started per second, granted first come, first served. Pure apart from timers,
// so lib/http.ts keeps the one-limiter-per-host map and the tests drive a limiter directly.
//
// The rate is smooth spacing (a token bucket of burst 1): one start every 1000 / maxPerSecond
// ms, so no second ever holds more starts than the rate, however long the host was idle.

export interface HostLimits {
  /** Most requests in flight at once (HTTP_MAX_IN_FLIGHT). */
  maxInFlight: number
  /** Most requests started per second (HTTP_MAX_PER_SECOND). */
  maxPerSecond: number
}

export interface HostLimiterOptions {
  /** Injectable for tests: a monotonic clock in ms. Default performance.now. */
  now?: () => number
}

export interface HostLimiter {
  readonly limits: Readonly<HostLimits>
  /**
   * Waits for a slot (first come, first served), runs `fn` and frees the slot when its promise
   * settles. Aborting `signal` while queued rejects with the signal's reason, and `fn` is never
   * called; once `fn` runs, the signal is `fn`'s to honour.
   */
  run: <T>(fn: () => Promise<T>, signal?: AbortSignal) => Promise<T>
  /** Requests holding a slot now. */
  readonly inFlight: number
  /** Requests waiting for a slot now. */
  readonly queued: number
}

interface Waiter {
  grant: () => void
}

export function createHostLimiter (limits: HostLimits, options: HostLimiterOptions = {}): HostLimiter {
  const { maxInFlight, maxPerSecond } = limits
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`maxInFlight must be a whole number from 1, got ${maxInFlight}`)
  if (!Number.isInteger(maxPerSecond) || maxPerSecond < 1) throw new RangeError(`maxPerSecond must be a whole number from 1, got ${maxPerSecond}`)
  const now = options.now ?? (() => performance.now())
  const spacingMs = 1000 / maxPerSecond
  const queue: Waiter[] = []
  let inFlight = 0
  let nextStartAt = -Infinity
  let timer: ReturnType<typeof setTimeout> | undefined

  // Grants slots from the head of the queue while both limits allow; when only the rate holds
  // the head back, one timer wakes the queue at the next start time.
  function pump (): void {
    while (queue.length > 0 && inFlight < maxInFlight) {
      const at = now()
      if (at < nextStartAt) {
        if (timer === undefined) {
          // unref: a queued request never keeps the process alive on its own.
          timer = setTimeout(() => { timer = undefined; pump() }, Math.ceil(nextStartAt - at)).unref()
        }
        return
      }
      nextStartAt = at + spacingMs
      inFlight++
      ;(queue.shift() as Waiter).grant()
    }
  }

  function release (): void {
    inFlight--
    pump()
  }

  function acquire (signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason)
        return
      }
      const onAbort = (): void => {
        // Leaves the queue at once: the place is not held for anyone.
        const index = queue.indexOf(waiter)
        if (index >= 0) queue.splice(index, 1)
        if (queue.length === 0 && timer !== undefined) {
          clearTimeout(timer)
          timer = undefined
        }
        reject(signal?.reason)
      }
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        }
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      queue.push(waiter)
      pump()
    })
  }

  return {
    limits: Object.freeze({ maxInFlight, maxPerSecond }),
    async run (fn, signal) {
      await acquire(signal)
      try {
        return await fn()
      } finally {
        release()
      }
    },
    get inFlight () { return inFlight },
    get queued () { return queue.length }
  }
}
