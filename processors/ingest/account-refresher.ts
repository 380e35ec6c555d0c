import { setTimeout as sleep } from 'node:timers/promises'
import { describeError } from '../../lib/errors.ts'
import { createCounters } from '../../lib/stream/counters.ts'
import { supervise, type Supervised } from '../../lib/supervisor.ts'
import { seedAccount, type SeedDeps } from './seed.ts'

// A running pipeline re-reads the account at start and every ACCOUNT_REFRESH_HOURS, so a
// switch made at Octopus (a back-dated one included) re-prices its days without anyone seeding.
// A failed read is logged and tried again at the next interval, at most an hour later: never
// a tight loop against the API.

const MAX_RETRY_MS = 60 * 60 * 1000

/** The task whose counters say which account facts GraphQL could not check (api/status.ts). */
export const ACCOUNT_REFRESHER_TASK = 'account-refresher'

export function createAccountRefresher (deps: SeedDeps): Supervised {
  const log = deps.log.child({ component: 'account' })
  // What GraphQL could not check at the last refresh goes to /api/status with these counters.
  const counters = createCounters(ACCOUNT_REFRESHER_TASK, 'poller', 'energy-account-refresher')
  return supervise({
    name: 'account refresher',
    log,
    restartDelayMs: MAX_RETRY_MS,
    async session (signal) {
      while (!signal.aborted) {
        let wait = deps.config.accountRefreshMs
        try {
          const refresh = await seedAccount({ ...deps, log }, signal)
          if (refresh !== undefined) counters.setUnchecked(refresh.graphql.reason, refresh.graphql.unchecked)
        } catch (err) {
          if (signal.aborted) return
          wait = Math.min(wait, MAX_RETRY_MS)
          log.error({ err: describeError(err), retryInS: wait / 1000 }, 'account not read, trying again later')
        }
        await sleep(wait, undefined, { signal }).catch(() => {})
      }
    }
  })
}
