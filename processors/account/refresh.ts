import type { MessageToProduce } from '@platformatic/kafka'
import type { Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import { describeError } from '../../lib/errors.ts'
import type { Logger } from '../../lib/log.ts'
import { fetchAccount } from '../../clients/octopus/account.ts'
import type { Account } from '../../clients/octopus/types.ts'
import { keepHistory } from './history.ts'
import { createAccountTable } from './table.ts'

export interface AccountDeps { config: Readonly<Config>, codec: Codec, log: Logger }

export interface AccountRefresh {
  /** The account of record: the answer when it changed, else the one already published. */
  account: Account
  /** The latest on energy.account before, if any. */
  previous?: Account
  /** Whether the answer differs from the latest on energy.account (and so is to be published). */
  changed: boolean
  /** Entries of the answer left out, one line each (dead-lettered when the account is published). */
  problems: string[]
}

/** The account's record on energy.account (key: its number). */
export async function accountMessage (config: Readonly<Config>, codec: Codec, account: Account): Promise<MessageToProduce<string, Buffer, string, string>> {
  return { topic: config.topics.account, key: account.number, value: await codec.encode(config.topics.account, account) }
}

/**
 * Reads the account from Octopus and compares it with the latest on energy.account; the caller
 * publishes it when it changed, with the requests the change calls for (seedAccount). When the
 * account cannot be read but one was published before, that one stays (a warning).
 */
export async function refreshAccount (deps: AccountDeps, signal?: AbortSignal): Promise<AccountRefresh> {
  const { config, codec, log } = deps
  const table = createAccountTable(config, codec, log)
  let previous: Account | undefined
  try {
    await table.catchUp()
    previous = table.get(config.octopusAccount)
  } finally {
    await table.close()
  }
  let account: Account
  let problems: string[]
  try {
    ({ account, problems } = await fetchAccount(deps, signal))
  } catch (err) {
    // Pricing goes on by the last account published; without one there is nothing to price by.
    if (previous === undefined || signal?.aborted === true) throw err
    log.warn({ err: describeError(err), account: previous.number, fetchedAt: new Date(previous.fetched_at).toISOString() }, 'account not re-read, pricing by the last one published')
    return { account: previous, previous, changed: false, problems: [] }
  }
  for (const problem of problems) log.warn({ account: account.number, problem }, 'account answer entry cannot be used: its periods only are left out')
  if (previous !== undefined) {
    const history = keepHistory(previous, account)
    account = history.account
    if (history.kept.length > 0) log.warn({ account: account.number, kept: history.kept }, 'the account answer omits what an earlier one listed: kept as known (no day re-requested for it)')
  }
  const changed = previous === undefined || JSON.stringify(previous.properties) !== JSON.stringify(account.properties)
  const agreements = account.properties.flatMap(p => [...p.electricity_meter_points, ...p.gas_meter_points]).reduce((n, p) => n + p.agreements.length, 0)
  log.info({ account: account.number, properties: account.properties.length, agreements, changed },
    changed ? 'account changed, publishing it to energy.account' : 'account unchanged')
  // Unchanged, the account of record is the one published (its fetched_at is its version).
  return { account: changed || previous === undefined ? account : previous, previous, changed, problems }
}
