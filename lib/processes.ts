import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'

// Child processes of the demo, the benchmark, the fault suite and the tests: each part of the
// pipeline runs in its own process so it can be measured (peak RSS) and killed on its own.

const ROOT = new URL('../', import.meta.url).pathname

/**
 * Node's module compile cache (https://nodejs.org/api/module.html#module-compile-cache), where
 * it keeps each module's stripped TypeScript and V8 code between runs (TypeScript since Node
 * 23.8/22.14, nodejs/node#56629). A process whose every module is found there never loads the
 * type stripper, which stays in memory for the process's life: about 20 MB less RSS per process
 * and a start in half the time (docs/bench.md). Every package.json script that runs node sets
 * it; a child started here gets it (its cwd is the repository root, so the scripts' relative
 * path holds) unless NODE_COMPILE_CACHE is set already, and NODE_DISABLE_COMPILE_CACHE=1 turns
 * it off.
 */
export const COMPILE_CACHE = 'node_modules/.cache/node'

export interface Child {
  name: string
  process: ChildProcess
  /** Peak resident set size so far, bytes (VmHWM), or 0 once it has exited. */
  peakRss (): number
  /** CPU seconds (user + system) used so far, or 0 once it has exited. */
  cpuSeconds (): number
  /** Resolves with the exit code (null after a signal, or if it never started). */
  exited: Promise<number | null>
  /** Sends `signal` (to its group when detached), SIGKILL after `graceMs` if given; resolves once it has exited. */
  stop (signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>
}

// What `npm start` runs with (package.json): a 2 MB young generation keeps the join's RSS low
// for no CPU (docs/bench.md). The join's old-space policy is set by scripts/start.ts itself.
export const NODE_FLAGS = ['--max-semi-space-size=2']

// The sinks' young generation: 16 MB semi-spaces instead of V8's default (up to
// 64 MB, which their bursts fill): peak RSS lower for about the same CPU, where the join's 2 MB
// would double their garbage-collection CPU (docs/bench.md).
export const SINKS_FLAGS = ['--max-semi-space-size=16']

// The processors' heap: an 8 MB young generation and a 192 MB old one. What they hold is
// bounded by design (the days in flight, as encoded records: ~90 MB live at most in the
// 10-year backfill, V8's trace-gc), so the cap keeps V8 from growing the heap to 3-4 times
// that before collecting (peak RSS 424 → 282 MB, docs/bench.md) at about a quarter more
// garbage-collection CPU; twice the live set is left as headroom.
export const PROCESSORS_FLAGS = ['--max-semi-space-size=8', '--max-old-space-size=192']

/**
 * The pipeline as three processes, each with the heap that suits it: what `npm run
 * start:processors|join|sinks` runs (package.json; a unit test keeps the two equal). The
 * join keeps years of state and has a memory target, so it gets the 2 MB young generation; the
 * sinks a 16 MB one, a middle way between their memory and their garbage-collection CPU; the
 * processors a capped heap (PROCESSORS_FLAGS; docs/bench.md).
 */
export const PARTS = {
  processors: { args: ['--only', 'processors'], flags: PROCESSORS_FLAGS },
  join: { args: ['--only', 'join'], flags: NODE_FLAGS },
  sinks: { args: ['--only', 'sinks'], flags: SINKS_FLAGS }
} as const satisfies Record<string, { args: readonly string[], flags: readonly string[] }>

export type PartName = keyof typeof PARTS

export function startPart (name: PartName, env: Record<string, string>, logFile?: NodeJS.WritableStream): Child {
  return startChild(name, 'scripts/start.ts', [...PARTS[name].args], env, logFile, PARTS[name].flags)
}

/**
 * `node flags script args` from the repository root; its stdout and stderr go to `logFile`
 * (or nowhere). `detached` gives it a process group of its own: a terminal's Ctrl-C signals
 * the whole foreground group, so detached children hear only what their parent sends them,
 * and the parent can stop them in order (the demo does). A variable `env` sets to undefined is
 * left out of the child's environment.
 */
export function startChild (name: string, script: string, args: string[], env: Record<string, string | undefined>, logFile?: NodeJS.WritableStream, flags: readonly string[] = NODE_FLAGS, detached = false): Child {
  const child = spawn(process.execPath, [...flags, script, ...args], { cwd: ROOT, env: { NODE_COMPILE_CACHE: ROOT + COMPILE_CACHE, ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached })
  // Listened for from the start, so that stop() never waits for an exit that already happened
  // (or, if the spawn failed, for one that never will).
  const exited = new Promise<number | null>(resolve => {
    child.once('exit', code => resolve(code))
    child.on('error', () => { if (child.pid === undefined) resolve(null) })
  })
  const signal = (s: NodeJS.Signals): void => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
    try {
      if (detached) process.kill(-child.pid, s)
      else child.kill(s)
    } catch {}
  }
  if (logFile !== undefined) {
    child.stdout?.pipe(logFile, { end: false })
    child.stderr?.pipe(logFile, { end: false })
  } else {
    child.stdout?.resume()
    child.stderr?.resume()
  }
  return {
    name,
    process: child,
    peakRss () {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
        return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
      } catch {
        return 0
      }
    },
    cpuSeconds () {
      try {
        // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name): utime, stime in ticks.
        const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ')
        return (Number(fields[11]) + Number(fields[12])) / 100
      } catch {
        return 0
      }
    },
    exited,
    async stop (s = 'SIGTERM', graceMs) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return child.exitCode
      signal(s)
      const timer = graceMs === undefined ? undefined : setTimeout(() => { signal('SIGKILL') }, graceMs)
      try {
        return await exited
      } finally {
        clearTimeout(timer)
      }
    }
  }
}

export interface SampleApiChildOptions {
  /** The child's name (CPU and RSS figures); default `sample-api`. */
  name?: string
  /** `--latency-ms`: delay before every non-admin answer; default none (the script's 0). */
  latencyMs?: number
}

/**
 * The sample API as a child process, on SAMPLE_API_PORT of `env`, resolved once it answers at
 * `url` (the Carbon or the Octopus base URL it serves: any path, only the origin is asked); fails
 * at once if the process exits (its port taken, most likely).
 */
export async function startSampleApi (env: Record<string, string>, url: string, logFile?: NodeJS.WritableStream, options: SampleApiChildOptions = {}): Promise<Child> {
  const { name = 'sample-api', latencyMs } = options
  const child = startChild(name, 'scripts/sample-api.ts', latencyMs === undefined ? [] : ['--latency-ms', String(latencyMs)], env, logFile)
  // /_admin is never delayed, faulted or counted (docs/sample-api.md): the probe neither waits
  // out --latency-ms, nor uses up a fault of SAMPLE_API_FAULTS, nor shows in /_admin/requests.
  const probe = new URL('/_admin/latency', url)
  try {
    await waitFor('the sample API', async () => {
      if (child.process.exitCode !== null) throw new Error(`the sample API exited (is its port taken? set SAMPLE_API_PORT): ${url}`)
      // With a deadline: something else on the port may accept and never answer.
      return (await fetch(probe, { signal: AbortSignal.timeout(2000) }).catch(() => undefined))?.ok === true
    }, 20000)
  } catch (err) {
    await child.stop()
    throw err
  }
  return child
}

/** Resolves when `probe` returns true, polling every `everyMs`; rejects after `timeoutMs`. */
export async function waitFor (what: string, probe: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, everyMs))
  }
}
