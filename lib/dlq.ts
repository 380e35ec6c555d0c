import type { MessageToProduce } from '@platformatic/kafka'
import { redactUrls } from './config.ts'
import { describeError, isEnergyError } from './errors.ts'

// A dead letter keeps the original bytes and says where they came from and why they failed,
// in headers a user can read in Console (DESIGN.md "Topology").

export interface DeadLetter {
  /** The dead-letter topic (config.topics.dlq). */
  dlqTopic: string
  topic: string
  partition: number
  offset: bigint
  key: string | undefined
  value: Buffer | undefined
  error: unknown
  /** Extra context, e.g. the processor and the date. */
  context?: Record<string, string>
}

export function dlqMessage (letter: DeadLetter, nowMs = Date.now()): MessageToProduce<string, Buffer, string, string> {
  const headers: Record<string, string> = {
    'dlq.source.topic': letter.topic,
    'dlq.source.partition': String(letter.partition),
    'dlq.source.offset': String(letter.offset),
    // Anyone who reads the topic reads the headers: no URL credentials, whatever the error says.
    'dlq.error': redactUrls(describeError(letter.error)).slice(0, 1000),
    'dlq.error.code': isEnergyError(letter.error) ? letter.error.code : 'UNKNOWN',
    'dlq.failed_at': new Date(nowMs).toISOString(),
    ...letter.context
  }
  const message: MessageToProduce<string, Buffer, string, string> = { topic: letter.dlqTopic, partition: 0, headers }
  if (letter.key !== undefined) message.key = letter.key
  if (letter.value !== undefined) message.value = letter.value
  return message
}
