import { setTimeout as sleep } from 'node:timers/promises'
import type { Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import { createGlobalTable } from '../../lib/global-table.ts'
import type { Logger } from '../../lib/log.ts'
import type { Account } from '../../clients/octopus/types.ts'

// energy.account read as a global table (lib/global-table.ts): the seed publishes the account
// before it requests the days, so a processor that catches up before each batch of requests
// prices them by the account that was current when they were made.

export interface AccountTable {
  /** Reads what was committed to energy.account since the last call (one read at a time). */
  catchUp (): Promise<void>
  /**
   * Catches up until the account of that number is at least `version` (fetched_at), at most
   * `timeoutMs`; the latest held then, if any. A request carries the version it was made with.
   */
  atLeast (number: string, version: number, timeoutMs?: number): Promise<Account | undefined>
  /** The latest account of that number, if any. */
  get (number: string): Account | undefined
  close (): Promise<void>
}

export function createAccountTable (config: Readonly<Config>, codec: Codec, log: Logger): AccountTable {
  const accounts = createGlobalTable<Account>(config, codec, log, config.topics.account)
  return {
    catchUp: async () => await accounts.catchUp(),
    async atLeast (number, version, timeoutMs = 10000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const account = accounts.get(number)
        if ((account?.fetched_at ?? -Infinity) >= version || Date.now() >= deadline) return account
        await sleep(100)
        await accounts.catchUp()
      }
    },
    get: number => accounts.get(number),
    close: async () => await accounts.close()
  }
}
