import { parseArgs } from 'node:util'

// The bench's command line, parsed and checked in one pure function (unit-tested), and the
// arguments a baseline revision's own bench is given: the same run, without --baseline.

export interface BenchOptions {
  years: number
  latencyRuns: number
  /** 0 skips the second backfill. */
  upstreamLatencyMs: number
  keep: boolean
  profile: boolean
  /** A git revision measured first, in a worktree of its own, and printed beside this one. */
  baseline?: string
  help: boolean
}

/** Parses the bench's arguments; throws an Error whose message is one line for the user. */
export function parseBenchArgs (args: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      years: { type: 'string', default: '10' },
      'latency-runs': { type: 'string', default: '20' },
      'upstream-latency-ms': { type: 'string', default: '150' },
      baseline: { type: 'string' },
      keep: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  const years = Number(values.years)
  if (!(years > 0)) throw new Error(`--years must be a positive number, got "${values.years}"`)
  const whole = (name: string, value: string, zero: string): number => {
    if (!/^\d+$/.test(value)) throw new Error(`--${name} must be a whole number${zero}, got "${value}"`)
    return Number(value)
  }
  const baseline = values.baseline?.trim()
  if (baseline === '') throw new Error('--baseline needs a git revision (a commit, branch or tag)')
  return {
    years,
    latencyRuns: whole('latency-runs', values['latency-runs'], ''),
    upstreamLatencyMs: whole('upstream-latency-ms', values['upstream-latency-ms'], ' of ms (0 skips the second backfill)'),
    keep: values.keep,
    profile: values.profile,
    ...(baseline === undefined ? {} : { baseline }),
    help: values.help
  }
}

/** The arguments of the same run for a baseline revision's bench: every option but --baseline. */
export function baselineArgs (options: BenchOptions): string[] {
  return [
    '--years', String(options.years),
    '--latency-runs', String(options.latencyRuns),
    '--upstream-latency-ms', String(options.upstreamLatencyMs),
    ...(options.keep ? ['--keep'] : []),
    ...(options.profile ? ['--profile'] : [])
  ]
}
