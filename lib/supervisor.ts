import { setTimeout as sleep } from 'node:timers/promises'
import { describeError } from './errors.ts'
import type { Logger } from './log.ts'

// Every long-running component is a loop of sessions: a session opens its clients, works until
// stopped or until something fails, and closes them. A failed session restarts after a pause
// from committed positions, so whatever it had not committed is simply done again.

export interface Supervised {
  /** Starts the loop; the promise it returns settles when the loop ends (rejects if fatal). */
  start (): Promise<void>
  /** Settles when the loop has ended; rejects with the error that made it give up. */
  done (): Promise<void>
  /** Stops the current session (it finishes or aborts its open transaction) and waits for it. */
  stop (): Promise<void>
}

export interface SupervisorOptions {
  name: string
  log: Logger
  restartDelayMs: number
  session (signal: AbortSignal): Promise<void>
  /** Errors no restart can fix (a fenced producer): the loop ends and done() rejects. */
  isFatal?: (err: unknown) => boolean
}

export function supervise ({ name, log, restartDelayMs, session, isFatal }: SupervisorOptions): Supervised {
  const abort = new AbortController()
  let running: Promise<void> | undefined

  async function run (): Promise<void> {
    while (!abort.signal.aborted) {
      try {
        await session(abort.signal)
      } catch (err) {
        if (abort.signal.aborted) break
        if (isFatal?.(err) === true) {
          log.fatal({ err }, `${name} cannot continue: ${describeError(err)}`)
          throw err
        }
        log.error({ err }, `${name} failed, restarting from committed positions: ${describeError(err)}`)
        await sleep(restartDelayMs).catch(() => {})
      }
    }
  }

  return {
    async start () {
      running = run()
      // Observed through done(); this keeps an early failure from being unhandled.
      running.catch(() => {})
    },
    async done () {
      await running
    },
    async stop () {
      abort.abort()
      await running?.catch(() => {})
      log.info(`${name} stopped`)
    }
  }
}

/** Closes a client, ignoring errors: used on the way out, where the first error already counts. */
export async function closeQuietly (close: () => unknown): Promise<void> {
  try {
    await close()
  } catch {}
}
