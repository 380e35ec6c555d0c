import { murmur2 } from '@platformatic/kafka'

// Java's default partitioner: toPositive(murmur2(keyBytes)) % numPartitions, where
// toPositive masks the sign bit. Hashing the local date string this way lets any Kafka
// client (Java, librdkafka with murmur2_random, rpk) compute the same partition.
export function partitionForDate (date: string, partitions: number): number {
  return (murmur2(Buffer.from(date, 'utf8'), false) & 0x7fffffff) % partitions
}
