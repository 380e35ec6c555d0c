import { tariffPlan, type TariffPlan } from '../../clients/octopus/plan.ts'
import type { Account } from '../../clients/octopus/types.ts'
import { EnergyError, type ErrorCode } from '../../lib/errors.ts'
import type { FetchContext } from './types.ts'

// A source's tariff plan (clients/octopus/plan.ts) for a day's request: with OCTOPUS_ACCOUNT it
// reads the account the request's batch began with (FetchContext.account).

/**
 * The account a source reads for a day's request, or the error saying it is not published yet
 * (`code`: how the source reports a day it cannot serve).
 */
export function accountOf (date: string, { config, account }: Pick<FetchContext, 'config' | 'account'>, code: ErrorCode = 'ENERGY_NO_DATA'): Account {
  if (account !== undefined) return account
  throw new EnergyError(code, `${date}: account ${config.octopusAccount} is not on ${config.topics.account} yet (\`npm run seed\` reads it first)`, { date })
}

/** The plan a source meters and prices a span from `date` by; `code`: how it reports an account not published yet. */
export function planOf (date: string, context: Pick<FetchContext, 'config' | 'account'>, code: ErrorCode = 'ENERGY_NO_DATA'): TariffPlan {
  return tariffPlan(context.config, () => accountOf(date, context, code))
}
