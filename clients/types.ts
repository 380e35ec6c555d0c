import type { Config } from '../lib/config.ts'
import type { Logger } from '../lib/log.ts'

/** What every client call takes: the configuration (API bases, keys, limits), a logger and a stop. */
export interface ClientContext {
  config: Readonly<Config>
  log: Logger
  signal: AbortSignal
}
