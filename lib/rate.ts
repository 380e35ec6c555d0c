// Rate and ETA of a count moving towards a total, from the samples of the last few seconds: a
// backfill's pace changes (the account read first, then every source at once, then the join
// catching up), so the whole run's average would promise an ETA that is long out of date.

/** Seconds of samples the rate is taken over. */
export const RATE_WINDOW_MS = 10000

export interface Sample { atMs: number, done: number }

export interface Pace {
  /** Units per second over the window; 0 until two samples span some time. */
  perSecond: number
  /** Milliseconds left at that pace; undefined when nothing moves (or already done: 0). */
  etaMs: number | undefined
}

/** Keeps the samples of the last `windowMs` and says the pace towards `total`. */
export function createRate (windowMs = RATE_WINDOW_MS): { add: (atMs: number, done: number, total: number) => Pace } {
  const samples: Sample[] = []
  return {
    add (atMs, done, total) {
      samples.push({ atMs, done })
      // Keep one sample older than the window, so the rate always spans the whole window.
      while (samples.length > 2 && samples[1].atMs <= atMs - windowMs) samples.shift()
      return paceOf(samples, total)
    }
  }
}

/** The pace between the first and the last sample. */
export function paceOf (samples: readonly Sample[], total: number): Pace {
  const last = samples.at(-1)
  if (last === undefined) return { perSecond: 0, etaMs: undefined }
  if (last.done >= total) return { perSecond: perSecond(samples), etaMs: 0 }
  const rate = perSecond(samples)
  return { perSecond: rate, etaMs: rate > 0 ? Math.round((total - last.done) / rate * 1000) : undefined }
}

function perSecond (samples: readonly Sample[]): number {
  const first = samples[0]
  const last = samples[samples.length - 1]
  const ms = last.atMs - first.atMs
  return ms > 0 ? Math.max(0, last.done - first.done) / (ms / 1000) : 0
}

/** 4 s, 2 min 05 s, 1 h 02 min: a duration to read at a glance. */
export function formatDuration (ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`
}

/** 0.42, 12.3, 1,234: a rate with as many digits as it needs. */
export function formatRate (perSecond: number): string {
  if (perSecond >= 100) return Math.round(perSecond).toLocaleString('en-GB')
  if (perSecond >= 10) return perSecond.toFixed(1)
  return perSecond.toFixed(2)
}
