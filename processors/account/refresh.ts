import type { MessageToProduce } from '@platformatic/kafka'
import type { Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import { describeError, isEnergyError } from '../../lib/errors.ts'
import type { Logger } from '../../lib/log.ts'
import { fetchAccount } from '../../clients/octopus/account.ts'
import { graphqlUnavailable } from '../../clients/octopus/graphql.ts'
import { fetchAccountFacts, fetchDevices, fetchPaymentMethod } from '../../clients/octopus/kraken.ts'
import type { Account } from '../../clients/octopus/types.ts'
import { FACTS, factsKnown, uncheckedFacts, withFacts, type Fact, type GraphqlFacts } from './facts.ts'
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
  /** What GraphQL could not tell this time ([]: all checked, or none asked: the facts reused), and why (null when all were). */
  graphql: FactsCheck
}

export interface RefreshOptions {
  /** The latest on energy.account as the caller's store holds it; absent: read from the topic. */
  stored?: { account: Account | undefined }
  /**
   * Keep the published record's GraphQL facts when it has them for this answer (factsKnown)
   * instead of asking again: what a seed does; the account refresher asks on every refresh.
   */
  reuseFacts?: boolean
}

/** What one refresh learnt over GraphQL. */
export interface FactsCheck {
  facts: GraphqlFacts
  unchecked: Fact[]
  /** Why, one line per refusal (never the key: krakenQuery scrubs it); null when all were checked. */
  reason: string | null
}

/**
 * Asks Octopus's GraphQL API what REST does not say: gas meters' units, the payment method, the
 * devices, one query each, so a refused field costs only its fact. Without an account or a key
 * nothing is asked; an authentication failure, a rate limit or an unreachable endpoint stops
 * the asking (the next query would meet the same). Never throws for GraphQL's sake: the
 * refresh goes on without.
 */
export async function checkFacts ({ config, log }: Pick<AccountDeps, 'config' | 'log'>, signal?: AbortSignal): Promise<FactsCheck> {
  const unavailable = graphqlUnavailable(config)
  if (unavailable !== undefined) return { facts: {}, unchecked: [...FACTS], reason: unavailable }
  const ctx = { config, log, signal: signal ?? new AbortController().signal }
  const facts: GraphqlFacts = {}
  const reasons: string[] = []
  const asks: Array<[Fact, () => Promise<void>]> = [
    ['gas meter units', async () => { facts.gasMeterUnits = (await fetchAccountFacts(ctx, config.octopusAccount)).gasMeterUnits }],
    ['payment method', async () => { facts.paymentMethod = await fetchPaymentMethod(ctx, config.octopusAccount) }],
    ['devices', async () => { facts.devices = await fetchDevices(ctx, config.octopusAccount) }]
  ]
  for (const [fact, ask] of asks) {
    try {
      await ask()
    } catch (err) {
      if (signal?.aborted === true) throw err
      reasons.push(`${fact}: ${describeError(err)}`)
      // A refusal of the key, a rate limit, or no answer at all (the endpoint unreachable,
      // an HTTP error: no Kraken error code) would meet the next query too; a Kraken error
      // about this query (a disabled or unknown field, an answer that does not parse) would not.
      const transport = isEnergyError(err, 'ENERGY_FETCH') && err.krakenKind === undefined
      if (transport || isEnergyError(err, 'ENERGY_AUTH') || isEnergyError(err, 'ENERGY_RATE_LIMITED')) break
    }
  }
  const unchecked = uncheckedFacts(facts)
  if (unchecked.length > reasons.length) reasons.push(`${unchecked.slice(reasons.length).join(', ')}: not asked after that`)
  return { facts, unchecked, reason: reasons.length === 0 ? null : reasons.join('; ') }
}

/** Whether two records say the same: properties (meters' units included), payment method, devices. */
function sameRecord (a: Account, b: Account): boolean {
  const said = (x: Account): string => JSON.stringify([x.properties, x.payment_method ?? null, x.devices ?? []])
  return said(a) === said(b)
}

/** The account's record on energy.account (key: its number). */
export async function accountMessage (config: Readonly<Config>, codec: Codec, account: Account): Promise<MessageToProduce<string, Buffer, string, string>> {
  return { topic: config.topics.account, key: account.number, value: await codec.encode(config.topics.account, account) }
}

/** The latest account of OCTOPUS_ACCOUNT on energy.account, read to its end. */
async function latestAccount ({ config, codec, log }: AccountDeps): Promise<Account | undefined> {
  const table = createAccountTable(config, codec, log)
  try {
    await table.catchUp()
    return table.get(config.octopusAccount)
  } finally {
    await table.close()
  }
}

/**
 * Reads the account from Octopus (REST, every time) and compares it with the latest on
 * energy.account; the caller publishes it when it changed, with the requests the change calls
 * for (seedAccount). Its GraphQL facts are asked for, unless `reuseFacts` and the published
 * record already has them. When the account cannot be read but one was published before, that
 * one stays (a warning).
 */
export async function refreshAccount (deps: AccountDeps, signal?: AbortSignal, { stored, reuseFacts = false }: RefreshOptions = {}): Promise<AccountRefresh> {
  const { config, log } = deps
  const previous = stored === undefined ? await latestAccount(deps) : stored.account
  let account: Account
  let problems: string[]
  try {
    ({ account, problems } = await fetchAccount(deps, signal))
  } catch (err) {
    // Pricing goes on by the last account published; without one there is nothing to price by.
    if (previous === undefined || signal?.aborted === true) throw err
    log.warn({ err: describeError(err), account: previous.number, fetchedAt: new Date(previous.fetched_at).toISOString() }, 'account not re-read, pricing by the last one published')
    return { account: previous, previous, changed: false, problems: [], graphql: { facts: {}, unchecked: [...FACTS], reason: 'the account was not re-read' } }
  }
  for (const problem of problems) log.warn({ account: account.number, problem }, 'account answer entry cannot be used: its periods only are left out')
  if (previous !== undefined) {
    const history = keepHistory(previous, account)
    account = history.account
    if (history.kept.length > 0) log.warn({ account: account.number, kept: history.kept }, 'the account answer omits what an earlier one listed: kept as known (no day re-requested for it)')
  }
  // With facts = {}, withFacts takes the record's GraphQL facts (then the configuration's).
  const factsReused = reuseFacts && factsKnown(previous, account, config)
  const graphql: FactsCheck = factsReused ? { facts: {}, unchecked: [], reason: null } : await checkFacts(deps, signal)
  if (graphql.reason !== null) log.warn({ account: account.number, unchecked: graphql.unchecked, reason: graphql.reason }, 'account facts not checked over GraphQL: the configuration and what was learnt before decide them')
  account = withFacts(account, graphql.facts, previous, config)
  const changed = previous === undefined || !sameRecord(previous, account)
  const agreements = account.properties.flatMap(p => [...p.electricity_meter_points, ...p.gas_meter_points]).reduce((n, p) => n + p.agreements.length, 0)
  log.info({ account: account.number, properties: account.properties.length, agreements, changed, factsReused },
    changed ? 'account changed, publishing it to energy.account' : 'account unchanged')
  // Unchanged, the account of record is the one published (its fetched_at is its version).
  // A record from before the facts (no payment method) is compared as the configuration read
  // it then, so learning what the configuration already said re-requests no day.
  const comparable = previous === undefined || previous.payment_method != null ? previous : withFacts(previous, {}, undefined, config)
  return { account: changed || previous === undefined ? account : previous, previous: comparable, changed, problems, graphql }
}
