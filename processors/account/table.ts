import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import { describeError, EnergyError, type ErrorCode } from '../../lib/errors.ts'
import { createConsumer, READ_COMMITTED, type EnergyConsumer } from '../../lib/kafka.ts'
import type { Logger } from '../../lib/log.ts'
import { readRanges } from '../../lib/range-reader.ts'
import type { FetchContext } from '../ingest/types.ts'
import type { Account } from './types.ts'

// energy.account read as a global table (ksqlDB's GLOBAL TABLE, Kafka Streams' GlobalKTable):
// every reader holds the latest account per key. Unlike a GlobalKTable, which a thread of its
// own keeps fresh, a reader catches up when it asks, before the work that needs the account:
// the seed publishes the account before it requests the days, so a processor that catches up
// before each batch of requests prices them by the account that was current when they were made.

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
  const topic = config.topics.account
  const accounts = new Map<string, Account>()
  let position = 0n
  // One client for the end offsets, kept: a catch-up with nothing new is one round trip.
  let probe: EnergyConsumer | undefined
  let reading: Promise<void> = Promise.resolve()

  async function read (): Promise<void> {
    probe ??= createConsumer(config, { clientId: 'energy-account-table', groupId: `${config.namespace}energy-account-table-${randomUUID()}` })
    const ends = await probe.listOffsets({ topics: [topic], timestamp: -1n, isolationLevel: READ_COMMITTED })
    const until = ends.get(topic)?.[0] ?? 0n
    if (until <= position) return
    await readRanges(config, [{ topic, partition: 0, from: position, until }], async records => {
      for (const r of records) {
        if (r.key === undefined) continue
        if (r.value === undefined) {
          accounts.delete(r.key)
          continue
        }
        try {
          accounts.set(r.key, await codec.decode<Account>(topic, r.value))
        } catch (err) {
          // Only this pipeline writes the topic; an undecodable record keeps the one before it.
          log.error({ err: describeError(err), offset: String(r.offset), account: r.key }, 'energy.account record cannot be decoded, keeping the previous one')
        }
      }
    })
    position = until
  }

  const table: AccountTable = {
    catchUp () {
      const next = reading.then(read)
      reading = next.catch(() => {})
      return next
    },
    async atLeast (number, version, timeoutMs = 10000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const account = accounts.get(number)
        if ((account?.fetched_at ?? -Infinity) >= version || Date.now() >= deadline) return account
        await sleep(100)
        await table.catchUp()
      }
    },
    get: number => accounts.get(number),
    async close () {
      await probe?.close(true)
      probe = undefined
    }
  }
  return table
}

/**
 * The account a source reads for a day's request, or the error saying it is not published yet
 * (`code`: how the source reports a day it cannot serve).
 */
export function accountOf (date: string, { config, account }: Pick<FetchContext, 'config' | 'account'>, code: ErrorCode = 'ENERGY_NO_DATA'): Account {
  if (account !== undefined) return account
  throw new EnergyError(code, `${date}: account ${config.octopusAccount} is not on ${config.topics.account} yet (\`npm run seed\` reads it first)`, { date })
}
