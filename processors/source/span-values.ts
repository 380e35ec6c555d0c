import type { SpanValues } from './types.ts'

/** A source's answer for a span as chunks in time order: a promised array is one chunk. */
export async function * spanChunks<V> (values: SpanValues<V>): AsyncIterable<V[]> {
  if (Symbol.asyncIterator in values) yield * values
  else yield await values
}

/** A source's answer for a span, whole (tests, and a failed span retried in parts). */
export async function spanValues<V> (values: SpanValues<V>): Promise<V[]> {
  const all: V[] = []
  for await (const chunk of spanChunks(values)) all.push(...chunk)
  return all
}
