import type { Logger } from './log.ts'

/**
 * Begins the shutdown for a reason of the process's own (it finished, a part failed), as a
 * signal would, and exits with `code` once the cleanup is done. Returns false, and does
 * nothing, if stopping had already begun.
 */
export type Stop = (reason: string, code?: number) => boolean

/**
 * Runs `cleanup` once, on the first SIGINT or SIGTERM (or `stop()`), then exits 0, or 1 if it
 * fails. Later signals are logged and ignored: Ctrl-C in a terminal signals the whole
 * foreground process group and `npm run` forwards it to its child as well, so a process gets
 * two, and a `once` handler leaves the second to the default action, which kills the process
 * in the middle of its cleanup.
 */
export function onShutdown (log: Logger, cleanup: (reason: string) => Promise<void>): Stop {
  let stopping = false
  const stop: Stop = (reason, code = 0) => {
    if (stopping) return false
    stopping = true
    log.info({ reason }, 'stopping')
    cleanup(reason).then(() => {
      log.info('stopped')
      process.exit(code)
    }, (err: unknown) => {
      log.error({ err }, 'shutdown failed')
      process.exit(1)
    })
    return true
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!stop(signal)) log.info({ signal }, 'already stopping')
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return stop
}
