import avro from 'avsc'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { EnergyError } from './errors.ts'
import type { RegistryClient } from './registry.ts'
import { valueSubject } from './topics.ts'

// The one Avro codec. Values use the Confluent wire format: magic byte 0, the 4-byte
// big-endian schema id, then the Avro binary body. Consumers decode with the writer schema
// from the registry, resolved to their own reader schema (schemas/<topic>.avsc).

const MAGIC = 0
const HEADER_BYTES = 5
export const SCHEMAS_DIR = new URL('../schemas/', import.meta.url).pathname

export interface Codec {
  /** Encodes with the topic's local schema, which must be registered (`npm run setup`). */
  encode (topic: string, value: unknown): Promise<Buffer>
  /** Decodes any registered version and resolves it to the topic's local schema. */
  decode<T> (topic: string, bytes: Buffer): Promise<T>
  /**
   * Decodes a batch of values of one topic: a value that cannot be decoded gives an
   * ENERGY_DECODE error in its place. Rejects only when the registry is out (retryable) or
   * the topic has no schema in schemas/.
   */
  decodeMany<T> (topic: string, values: Buffer[]): Promise<Array<T | EnergyError>>
  /** Schema id the codec writes for a topic. */
  writerId (topic: string): Promise<number>
}

/** The local `.avsc` of each topic, keyed by topic name (file name minus `.avsc`). */
export function loadLocalSchemas (dir = SCHEMAS_DIR): Map<string, string> {
  const schemas = new Map<string, string>()
  for (const file of readdirSync(dir).filter(f => f.endsWith('.avsc')).sort()) {
    const text = readFileSync(join(dir, file), 'utf8')
    // Canonical JSON text: what is registered and compared is independent of formatting.
    schemas.set(file.slice(0, -'.avsc'.length), JSON.stringify(JSON.parse(text)))
  }
  return schemas
}

/** `namespace` is stripped from topic names to find their local schema (see topicsFor). */
export function createCodec (registry: RegistryClient, schemas: ReadonlyMap<string, string> = loadLocalSchemas(), namespace = ''): Codec {
  const localName = (topic: string): string => topic.startsWith(namespace) ? topic.slice(namespace.length) : topic
  const readers = new Map<string, avro.Type>()
  const writerIds = new Map<string, Promise<number>>()
  const writerTypes = new Map<number, Promise<avro.Type>>()
  const resolvers = new Map<string, avro.Resolver>()

  function reader (topic: string): avro.Type {
    let type = readers.get(topic)
    if (type === undefined) {
      const schema = schemas.get(localName(topic))
      if (schema === undefined) throw new EnergyError('ENERGY_SCHEMA', `no schema for topic ${topic} in schemas/`, { topic })
      type = avro.Type.forSchema(JSON.parse(schema))
      readers.set(topic, type)
    }
    return type
  }

  function writerId (topic: string): Promise<number> {
    let id = writerIds.get(topic)
    if (id === undefined) {
      const schema = schemas.get(localName(topic))
      if (schema === undefined) return Promise.reject(new EnergyError('ENERGY_SCHEMA', `no schema for topic ${topic} in schemas/`, { topic }))
      id = registry.idOf(valueSubject(topic), schema)
      id.catch(() => writerIds.delete(topic))
      writerIds.set(topic, id)
    }
    return id
  }

  function writerType (id: number): Promise<avro.Type> {
    let type = writerTypes.get(id)
    if (type === undefined) {
      type = registry.schemaById(id).then(text => avro.Type.forSchema(JSON.parse(text)))
      type.catch(() => writerTypes.delete(id))
      writerTypes.set(id, type)
    }
    return type
  }

  return {
    writerId,
    async encode (topic, value) {
      const id = await writerId(topic)
      const type = reader(topic)
      let body: Buffer
      try {
        body = type.toBuffer(value)
      } catch (cause) {
        throw new EnergyError('ENERGY_SCHEMA', `value does not match schema of ${topic}: ${(cause as Error).message}`, { cause, topic })
      }
      const out = Buffer.allocUnsafe(HEADER_BYTES + body.length)
      out.writeUInt8(MAGIC, 0)
      out.writeInt32BE(id, 1)
      body.copy(out, HEADER_BYTES)
      return out
    },
    async decode<T> (topic: string, bytes: Buffer): Promise<T> {
      const target = reader(topic)
      const resolver = framed(bytes) ? await resolverFor(topic, target, bytes.readInt32BE(1)) : undefined
      const result = decodeOne<T>(topic, target, resolver, bytes)
      if (result instanceof EnergyError) throw result
      return result
    },
    decodeMany
  }

  /**
   * The writer schemas a batch needs are looked up first (only registry outages reject);
   * then every value decodes synchronously, so a large batch costs no promise per record.
   */
  async function decodeMany<T> (topic: string, values: Buffer[]): Promise<Array<T | EnergyError>> {
    const target = reader(topic)
    const byId = new Map<number, avro.Resolver | EnergyError | undefined>()
    for (const bytes of values) {
      if (framed(bytes)) byId.set(bytes.readInt32BE(1), undefined)
    }
    for (const id of byId.keys()) byId.set(id, await resolverFor(topic, target, id))
    const out: Array<T | EnergyError> = new Array(values.length)
    for (let i = 0; i < values.length; i++) {
      const bytes = values[i]
      out[i] = decodeOne<T>(topic, target, framed(bytes) ? byId.get(bytes.readInt32BE(1)) : undefined, bytes)
    }
    return out
  }

  /** The resolver from writer schema `id` to the topic's schema, or why there is none. */
  async function resolverFor (topic: string, target: avro.Type, id: number): Promise<avro.Resolver | EnergyError> {
    const key = `${topic}:${id}`
    let resolver = resolvers.get(key)
    if (resolver !== undefined) return resolver
    let writer: avro.Type
    try {
      writer = await writerType(id)
    } catch (cause) {
      if ((cause as EnergyError).retryable === true) throw cause
      return new EnergyError('ENERGY_DECODE', `schema id ${id} is unknown to the registry`, { cause, topic })
    }
    try {
      resolver = target.createResolver(writer)
    } catch (cause) {
      return new EnergyError('ENERGY_DECODE', `writer schema ${id} cannot be read as ${topic}'s schema: ${(cause as Error).message}`, { cause, topic })
    }
    resolvers.set(key, resolver)
    return resolver
  }
}

function framed (bytes: Buffer): boolean {
  return bytes.length >= HEADER_BYTES && bytes[0] === MAGIC
}

/** One value, given the resolver of its schema id (undefined when it is not framed). */
function decodeOne<T> (topic: string, target: avro.Type, resolver: avro.Resolver | EnergyError | undefined, bytes: Buffer): T | EnergyError {
  if (resolver === undefined) {
    return new EnergyError('ENERGY_DECODE', `not Confluent-framed Avro (${bytes.length} bytes, first byte ${bytes[0] ?? 'none'})`, { topic })
  }
  if (resolver instanceof EnergyError) return resolver
  try {
    // decode() at an offset, not fromBuffer(subarray): no Buffer view per record.
    const { value, offset } = target.decode(bytes, HEADER_BYTES, resolver)
    if (offset !== bytes.length) throw new Error(offset < 0 ? 'truncated buffer' : 'trailing data')
    return value as T
  } catch (cause) {
    return new EnergyError('ENERGY_DECODE', `corrupt Avro body for schema ${bytes.readInt32BE(1)}: ${(cause as Error).message}`, { cause, topic })
  }
}
