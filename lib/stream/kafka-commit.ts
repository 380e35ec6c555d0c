import type { Config } from '../config.ts'
import { MAX_SEND_BYTES, transact, type Publisher, type Send } from '../exactly-once.ts'
import { createProducer, type EnergyConsumer, type EnergyProducer } from '../kafka.ts'
import { closeQuietly } from '../supervisor.ts'
import type { Counters } from './counters.ts'
import type { Positions } from './positions.ts'
import type { Incoming } from './types.ts'

// The exactly-once commit of a task that writes Kafka (lib/exactly-once.ts): its output,
// dead letters included, and the offsets after what it consumed, in one transaction. The
// output streams into the open transaction, so a task never holds a span's records whole.

export interface KafkaCommit {
  readonly producer: EnergyProducer
  /**
   * One transaction: `write` sends the output as it makes it, then the offsets after
   * `consumed` are added and it commits; any failure aborts it and is thrown. Counted once
   * committed: records in and out, dead letters, one commit.
   */
  transact (consumed: readonly Incoming[], write: (send: Send) => Promise<void>, maxSendBytes?: number): Promise<void>
  /** A new producer: after a refused produce the idempotent producer's sequence numbers no longer match the broker's. */
  renew (): Promise<void>
  close (): Promise<void>
}

export interface KafkaCommitDeps {
  config: Readonly<Config>
  group: string
  transactionalId: string
  consumer: EnergyConsumer
  positions: Positions
  counters: Counters
  maxSendBytes?: number
}

export function createKafkaCommit (deps: KafkaCommitDeps): KafkaCommit {
  const { config, group, consumer, positions, counters } = deps
  const dlqTopic = config.topics.dlq
  const open = (): EnergyProducer => createProducer(config, { clientId: group, transactionalId: deps.transactionalId })
  let producer = open()
  return {
    get producer () { return producer },
    async transact (consumed, write, maxSendBytes = deps.maxSendBytes ?? MAX_SEND_BYTES) {
      let out = 0
      let dead = 0
      await transact(producer, consumer, [...consumed], p => positions.owns(p), maxSendBytes, async send => {
        await write(async m => {
          if (m.topic === dlqTopic) dead++
          else out++
          await send(m)
        })
      })
      counters.add('commits')
      counters.add('recordsIn', consumed.length)
      counters.add('recordsOut', out)
      counters.add('deadLetters', dead)
    },
    async renew () {
      await closeQuietly(() => producer.close())
      producer = open()
    },
    async close () {
      await producer.close()
    }
  }
}

/** The task's transactions with no consumed offsets, as a Publisher (a step that only punctuates output). */
export function createCommitPublisher (kafka: KafkaCommit): Publisher {
  return {
    get producer () { return kafka.producer },
    publish: async messages => { await kafka.transact([], async send => { for (const m of messages) await send(m) }) }
  }
}
