import type { GroupPartitionsAssigner, GroupPartitionsAssignments } from '@platformatic/kafka'

/**
 * Co-partitioned assignment: partition number n of every subscribed topic goes to the same
 * member, so one member sees all four sources of the dates hashed to n (as Kafka Streams
 * does for join inputs). Members are sorted so every leader computes the same plan.
 */
export const copartitionedAssigner: GroupPartitionsAssigner = (_current, members, topics, metadata) => {
  const memberIds = [...members.keys()].sort()
  const plan: GroupPartitionsAssignments[] = memberIds.map(memberId => ({ memberId, assignments: new Map() }))
  for (const topic of topics) {
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0
    for (let p = 0; p < count; p++) {
      const member = plan[p % plan.length]
      const entry = member.assignments.get(topic) ?? { topic, partitions: [] }
      entry.partitions.push(p)
      member.assignments.set(topic, entry)
    }
  }
  return plan
}
