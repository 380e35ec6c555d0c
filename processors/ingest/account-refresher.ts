import { setTimeout as sleep } from 'node:timers/promises'
import { describeError } from '../../lib/errors.ts'
import { supervise, type Supervised } from '../../lib/supervisor.ts'
import { seedAccount, type SeedDeps } from './seed.ts'

// A running pipeline re-reads the account at start and every ACCOUNT_REFRESH_HOURS, so a
// switch made at Octopus (a back-dated one included) re-prices its days without anyone seeding.
// A failed read is logged and tried again at the next interval, at most an hour later: never
// a tight loop against the API.

const MAX_RETRY_MS = 60 * 60 * 1000

export function createAccountRefresher (deps: SeedDeps): Supervised {
  const log = deps.log.child({ component: 'account' })
  return supervise({
    name: 'account refresher',
    log,
    restartDelayMs: MAX_RETRY_MS,
    async session (signal) {
      while (!signal.aborted) {
        let wait = deps.config.accountRefreshMs
        try {
          await seedAccount({ ...deps, log }, signal)
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
