import type { Config } from '../config.ts'
import { dlqMessage, type DeadLetter } from '../dlq.ts'
import type { EnergyProducer } from '../kafka.ts'
import type { Counters } from './counters.ts'
import type { Incoming, Outgoing } from './types.ts'

// Dead letters of a task (lib/dlq.ts): a task that commits to Kafka sends them in its
// transaction (message(), counted when it commits); a sink, whose commit is Postgres's,
// sends them on their own (send(), counted when sent).

export interface DeadLetters {
  /** The dead letter of a consumed record, for the task's transaction. */
  message (m: Incoming, error: unknown, context?: Record<string, string>): Outgoing
  /** Sends a dead letter at once (a producer of its own, opened on first use). */
  send (m: Incoming, error: unknown, context?: Record<string, string>): Promise<void>
  close (): Promise<void>
}

export function createDeadLetters (config: Readonly<Config>, counters: Counters, producer?: () => EnergyProducer): DeadLetters {
  let own: EnergyProducer | undefined
  const letter = (m: Incoming, error: unknown, context?: Record<string, string>): DeadLetter =>
    ({ dlqTopic: config.topics.dlq, topic: m.topic, partition: m.partition, offset: m.offset, key: m.key, value: m.value, error, context })
  return {
    message: (m, error, context) => dlqMessage(letter(m, error, context)),
    async send (m, error, context) {
      if (producer === undefined) throw new Error('this task sends its dead letters in its transaction')
      own ??= producer()
      await own.send({ messages: [dlqMessage(letter(m, error, context))] })
      counters.add('deadLetters')
    },
    async close () {
      await own?.close()
      own = undefined
    }
  }
}
