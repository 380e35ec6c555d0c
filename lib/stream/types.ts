import type { Message, MessageToProduce } from '@platformatic/kafka'

/** A consumed record as every task sees it (string keys and headers, Avro bytes). */
export type Incoming = Message<string, Buffer, string, string>
/** A record a task produces. */
export type Outgoing = MessageToProduce<string, Buffer, string, string>
