import { randomUUID } from 'node:crypto'
import type { MessageToProduce } from '@platformatic/kafka'
import type { Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import type { Pool } from '../../lib/db.ts'
import { dlqMessage } from '../../lib/dlq.ts'
import { describeError, EnergyError } from '../../lib/errors.ts'
import { createGlobalTable } from '../../lib/global-table.ts'
import { createTariffCatalogue, changedProducts, type ProductRecord } from '../../clients/octopus/catalogue.ts'
import type { Account } from '../../clients/octopus/types.ts'
import { readsAccount } from '../../clients/octopus/plan.ts'
import { createProducerPublisher, type Publisher } from '../../lib/exactly-once.ts'
import { createProducer, type EnergyProducer } from '../../lib/kafka.ts'
import { addDays, datesBetween, isLocalDate, londonDay, londonToday } from '../../lib/london-day.ts'
import type { Logger } from '../../lib/log.ts'
import { partitionForDate } from '../../lib/partition.ts'
import type { SourceDeclaration } from '../source/types.ts'
import type { EnergyRequest } from '../source/types.ts'
import { MAX_SPAN_DAYS, spansOf, type RequestSpan } from './spans.ts'
import { repricedDates } from '../../clients/octopus/account-view.ts'
import { accountMessage, refreshAccount, type AccountRefresh } from '../account/refresh.ts'
import { topology } from '../topology.ts'

export interface SeedRange { from: string, to: string }

/** Days of history the sources may still revise: TO defaults to today minus this. */
export const SETTLE_DAYS = 2
// Requests produced per send: the broker's acknowledgement is the only pacing, no timers.
const SEND_CHUNK = 500

/**
 * Checks FROM and TO before anything is produced. FROM omitted means the day after the newest
 * date in daily_summary (`newest`); TO omitted means today minus SETTLE_DAYS (London time).
 */
export function resolveRange (from: string | undefined, to: string | undefined, newest: string | undefined, nowMs = Date.now()): SeedRange {
  for (const [name, value] of [['FROM', from], ['TO', to]] as const) {
    if (value !== undefined && !isLocalDate(value)) {
      throw new EnergyError('ENERGY_BAD_DATE', `${name} "${value}" is not a date: use YYYY-MM-DD, e.g. 2024-06-15`)
    }
  }
  const end = to ?? addDays(londonToday(nowMs), -SETTLE_DAYS)
  let start = from
  if (start === undefined) {
    if (newest === undefined) throw new EnergyError('ENERGY_BAD_DATE', 'no FROM given and daily_summary is empty: give FROM, e.g. `npm run seed -- 2024-01-01`')
    start = addDays(newest, 1)
    if (start > end) throw new EnergyError('ENERGY_BAD_DATE', `nothing to seed: daily_summary is up to date (newest ${newest}, TO ${end})`, { upToDate: true })
  }
  if (start > end) throw new EnergyError('ENERGY_BAD_DATE', `FROM ${start} is after TO ${end}`)
  return { from: start, to: end }
}

/** How many days back `--incomplete` looks by default: consumption can arrive days late. */
export const INCOMPLETE_DAYS = 14

/**
 * The London dates of the last `days` up to yesterday whose daily_summary is missing or not
 * complete: what `npm run seed -- --incomplete` requests again (late consumption, a failed
 * source, rates published since).
 */
export async function incompleteDates (pool: Pool, days: number, nowMs = Date.now()): Promise<string[]> {
  const to = addDays(londonToday(nowMs), -1)
  const dates = datesBetween(addDays(to, -(days - 1)), to)
  const { rows } = await pool.query<{ date: string }>(
    "SELECT to_char(date, 'YYYY-MM-DD') AS date FROM energy_usage.daily_summary WHERE complete AND date BETWEEN $1 AND $2", [dates[0], to])
  const complete = new Set(rows.map(r => r.date))
  return dates.filter(d => !complete.has(d))
}

/**
 * Requests every one of `dates` (the account read first, as seed does), consecutive ones together
 * in spans of up to `spanDays`; returns how many requests.
 */
export async function seedDates (deps: SeedDeps, dates: readonly string[], sources: readonly string[] = [], spanDays = MAX_SPAN_DAYS): Promise<number> {
  const version = (await seedAccount(deps))?.account.fetched_at ?? null
  const sent = await request(deps, spansOf(dates, spanDays).map(span => ({ ...span, sources })), version)
  deps.log.info({ requests: sent, days: new Set(dates).size, first: dates[0], last: dates.at(-1) }, 'seed done')
  return sent
}

export interface SeedDeps {
  config: Readonly<Config>
  codec: Codec
  log: Logger
  /** The sources that read the account; default: those of the pipeline's topology. */
  accountSources?: readonly SourceDeclaration[]
  /**
   * Ask GraphQL for the account's facts even when the record on energy.account has them
   * (`npm run seed -- --refresh-account`); default: reuse them (the account refresher asks).
   */
  askFacts?: boolean
}

/**
 * Requests every local date of the range, inclusive, in spans of up to `spanDays` consecutive
 * days (1: one request a day); returns how many requests. With OCTOPUS_ACCOUNT the account is
 * read first (seedAccount), so the range is priced by it.
 */
export async function seed (deps: SeedDeps, range: SeedRange, sources: readonly string[] = [], spanDays = MAX_SPAN_DAYS): Promise<number> {
  const version = (await seedAccount(deps))?.account.fetched_at ?? null
  const sent = await request(deps, spansOf(datesBetween(range.from, range.to), spanDays).map(span => ({ ...span, sources })), version)
  deps.log.info({ from: range.from, to: range.to, requests: sent }, 'seed done')
  return sent
}

/**
 * With OCTOPUS_ACCOUNT: reads the account first (REST every time; GraphQL's facts only when the
 * record on energy.account lacks them, with `askFacts`, or as the account refresher: `via`) and,
 * when it changed, publishes it together with a request, from the sources that read it, for
 * every day the change moved for them (a back-dated tariff switch: pricing; a meter exchange:
 * the meter's source), in one Kafka transaction: a crash cannot publish the change and lose its
 * requests, or the reverse. The requests carry the account's version, and processors wait for
 * their table to hold it (the transaction's markers reach the topics one after the other).
 * Undefined without OCTOPUS_ACCOUNT.
 */
export async function seedAccount (deps: SeedDeps, signal?: AbortSignal, via?: AccountTask): Promise<AccountRefresh | undefined> {
  const { config, codec, log } = deps
  if (!readsAccount(config)) return undefined
  const refresh = await refreshAccount(deps, signal, {
    stored: via === undefined ? undefined : { account: via.previous },
    // A seed reuses the facts the refresher keeps fresh: asking costs four GraphQL calls (token,
    // three queries) before the day is requested, at the host's pace (HTTP_MAX_PER_SECOND).
    reuseFacts: via === undefined && deps.askFacts !== true
  })
  const { previous, account, changed } = refresh
  const products = await productUpdates(deps, account, signal)
  if (!changed && products.length === 0) return refresh
  const byDate = new Map<string, string[]>()
  // The first account published re-prices nothing: there was no account pricing before it.
  if (changed && previous !== undefined) {
    const until = londonDay(londonToday()).endMs
    for (const source of deps.accountSources ?? topology.accountSources) {
      if (source.accountView === undefined) continue
      for (const date of repricedDates(previous, account, until, source.accountView)) byDate.set(date, [...(byDate.get(date) ?? []), source.name])
    }
  }
  const dates = [...byDate.keys()].sort()
  // Consecutive days the change moved for the same sources go out as one span.
  const spans: Array<RequestSpan & { sources: string[] }> = []
  for (const sources of new Set([...byDate.values()].map(list => list.join(',')))) {
    const wanted = dates.filter(d => (byDate.get(d) as string[]).join(',') === sources)
    spans.push(...spansOf(wanted).map(span => ({ ...span, sources: sources.split(',') })))
  }
  const publish = async ({ producer, publish }: Publisher): Promise<void> => {
    const partitions = await requestPartitions(producer, config)
    const requests = await Promise.all(spans.map(span => requestMessage(deps, partitions, span, account.fetched_at)))
    // What the answer held that could not be used: one dead letter each, with the account published.
    const leftOut = changed
      ? refresh.problems.map(problem => dlqMessage({
        dlqTopic: config.topics.dlq,
        topic: config.topics.account,
        partition: 0,
        offset: -1n,
        key: account.number,
        value: undefined,
        error: new EnergyError('ENERGY_MALFORMED', `account ${account.number}: ${problem}`),
        context: { 'dlq.component': 'account' }
      }))
      : []
    // The products before the account: a processor that sees the account finds its tariffs.
    const productMessages = await Promise.all(products.map(async p => ({ topic: config.topics.products, key: p.code, value: await codec.encode(config.topics.products, p) })))
    const accountMessages = changed ? [await accountMessage(config, codec, account)] : []
    await publish([...productMessages, ...accountMessages, ...requests, ...leftOut])
  }
  if (via !== undefined) await publish(via.publisher)
  else await withSeedProducer(config, publish)
  if (products.length > 0) log.info({ products: products.map(p => p.code) }, 'tariffs resolved from the catalogue, published to energy.products')
  if (dates.length > 0) log.info({ requests: spans.length, days: dates.length, first: dates[0], last: dates.at(-1), sources: [...new Set([...byDate.values()].flat())] }, 'days the account change moved requested again')
  return refresh
}

/**
 * Every tariff of the account's agreements resolved (energy.products first, then the catalogue,
 * each asked at the agreement's start), as the product records that changed. A tariff that cannot
 * be resolved, or a catalogue that cannot be reached, leaves its products as they are: the
 * processors ask the catalogue themselves and say why a day is unpriced.
 */
async function productUpdates ({ config, codec, log }: SeedDeps, account: Account, signal?: AbortSignal): Promise<ProductRecord[]> {
  const table = createGlobalTable<ProductRecord>(config, codec, log, config.topics.products)
  try {
    await table.catchUp()
    const catalogue = createTariffCatalogue({ products: () => table.values() })
    const agreements = account.properties.flatMap(p => [...p.electricity_meter_points, ...p.gas_meter_points]).flatMap(p => p.agreements)
    const context = { config, log, signal: signal ?? new AbortController().signal }
    for (const tariff of new Set(agreements.map(a => a.tariff_code))) {
      const first = Math.min(...agreements.filter(a => a.tariff_code === tariff).map(a => a.valid_from))
      try {
        await catalogue.resolve(tariff, first, context)
      } catch (err) {
        if (signal?.aborted === true) throw err
        log.warn({ tariff, err: describeError(err) }, 'tariff not resolved now: the processors will ask the catalogue themselves')
      }
    }
    return changedProducts(config, code => table.get(code), catalogue.resolved(), Date.now())
  } finally {
    await table.close()
  }
}

/** The account refresher's part (a task on the runtime): the account its store holds, and its transaction. */
export interface AccountTask {
  previous: Account | undefined
  publisher: Publisher
}

/** The seed's own one-transaction producer, closed after `fn`. */
async function withSeedProducer (config: Readonly<Config>, fn: (publisher: Publisher) => Promise<void>): Promise<void> {
  const producer = createProducer(config, { clientId: 'energy-seed', transactionalId: `${config.namespace}energy-seed-${randomUUID()}` })
  try {
    await fn(createProducerPublisher(producer))
  } finally {
    await producer.close()
  }
}

async function requestPartitions (producer: EnergyProducer, config: Readonly<Config>): Promise<number> {
  const metadata = await producer.metadata({ topics: [config.topics.requests] })
  return metadata.topics.get(config.topics.requests)?.partitionsCount ?? 0
}

/** A request for a span, keyed and partitioned by its first date. */
async function requestMessage ({ config, codec }: SeedDeps, partitions: number, { date, days, sources }: Wanted, version: number | null): Promise<MessageToProduce<string, Buffer, string, string>> {
  const topic = config.topics.requests
  const value: EnergyRequest = { date, days, request_id: randomUUID(), requested_at: Date.now(), sources: [...sources], account_version: version }
  return { topic, key: date, partition: partitionForDate(date, partitions), value: await codec.encode(topic, value) }
}

type Wanted = RequestSpan & { sources: readonly string[] }

/** One request per span, for its sources (empty: every source), made with account `version`. */
async function request (deps: SeedDeps, wanted: readonly Wanted[], version: number | null): Promise<number> {
  const { config, log } = deps
  const producer = createProducer(config, { clientId: 'energy-seed' })
  try {
    const partitions = await requestPartitions(producer, config)
    let sent = 0
    for (let i = 0; i < wanted.length; i += SEND_CHUNK) {
      const messages: Array<MessageToProduce<string, Buffer, string, string>> = []
      for (const span of wanted.slice(i, i + SEND_CHUNK)) messages.push(await requestMessage(deps, partitions, span, version))
      await producer.send({ messages })
      sent += messages.length
      if (wanted.length > SEND_CHUNK) log.info({ seeded: sent, of: wanted.length, date: wanted[sent - 1].date }, 'seeding')
    }
    return sent
  } finally {
    await producer.close()
  }
}
