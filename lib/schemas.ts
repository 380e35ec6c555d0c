import avro from 'avsc'
import { EnergyError } from './errors.ts'
import type { RegistryClient } from './registry.ts'
import { valueSubject } from './topics.ts'

// Checking and registering schemas/*.avsc against the registry, BACKWARD-compatibly:
// consumers on the new schema must read everything written with the old one.

export type SchemaStatus = 'registered' | 'new' | 'compatible' | 'breaking'

export interface SchemaCheck {
  subject: string
  status: SchemaStatus
  /** Why a change is breaking, one line per offending field. */
  reasons: string[]
}

export async function checkSchemas (registry: RegistryClient, schemas: ReadonlyMap<string, string>, namespace = ''): Promise<SchemaCheck[]> {
  const checks: SchemaCheck[] = []
  for (const [topic, schema] of schemas) {
    const subject = valueSubject(namespace + topic)
    const latest = await registry.latest(subject)
    if (latest === undefined) {
      checks.push({ subject, status: 'new', reasons: [] })
    } else if (sameSchema(latest.schema, schema)) {
      checks.push({ subject, status: 'registered', reasons: [] })
    } else {
      const local = explainBackward(latest.schema, schema)
      const remote = await registry.isCompatible(subject, schema)
      const breaking = !remote || local.length > 0
      const reasons = breaking && local.length === 0 ? ['the registry reports it incompatible with the latest version'] : local
      checks.push({ subject, status: breaking ? 'breaking' : 'compatible', reasons })
    }
  }
  return checks
}

/**
 * Registers every new or compatible schema with BACKWARD compatibility, or nothing at all:
 * one breaking schema refuses the whole set, naming the subject and field.
 */
export async function registerSchemas (registry: RegistryClient, schemas: ReadonlyMap<string, string>, namespace = ''): Promise<SchemaCheck[]> {
  const checks = await checkSchemas(registry, schemas, namespace)
  const breaking = checks.filter(c => c.status === 'breaking')
  if (breaking.length > 0) {
    const lines = breaking.map(c => `${c.subject}: ${c.reasons.join('; ')}`)
    throw new EnergyError('ENERGY_SCHEMA', `incompatible schema change refused, nothing registered:\n  ${lines.join('\n  ')}`,
      { subject: breaking[0].subject })
  }
  for (const check of checks) {
    // Apicurio answers NONE for a subject without its own level where the Confluent client
    // expects 404, so the level is set explicitly before every registration.
    await registry.setCompatibility(check.subject, 'BACKWARD')
    if (check.status !== 'registered') {
      const topic = check.subject.slice(namespace.length, -'-value'.length)
      await registry.register(check.subject, schemas.get(topic) ?? '')
    }
  }
  return checks
}

// Compared as JSON with sorted keys, not Avro canonical form: canonical form drops defaults
// and docs, and a new default is exactly the kind of change that must be registered. Keys are
// sorted because registries may reorder them (Apicurio does).
function sameSchema (a: string, b: string): boolean {
  try {
    return JSON.stringify(sortKeys(JSON.parse(a))) === JSON.stringify(sortKeys(JSON.parse(b)))
  } catch {
    return false
  }
}

function sortKeys (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.keys(value).sort().map(k => [k, sortKeys((value as Record<string, unknown>)[k])]))
}

interface FieldJson { name: string, type: unknown, default?: unknown, aliases?: string[] }

/**
 * Why data written with `oldText` cannot be read with `newText`, one reason per top-level
 * field; empty when avsc can build a resolver (the change is BACKWARD compatible).
 */
function explainBackward (oldText: string, newText: string): string[] {
  const oldJson = JSON.parse(oldText) as { fields?: FieldJson[] }
  const newJson = JSON.parse(newText) as { fields?: FieldJson[] }
  const oldType = avro.Type.forSchema(oldJson as avro.Schema)
  const newType = avro.Type.forSchema(newJson as avro.Schema)
  try {
    newType.createResolver(oldType)
    return []
  } catch (err) {
    const reasons: string[] = []
    const oldFields = new Map((oldJson.fields ?? []).map(f => [f.name, f]))
    const oldRecord = oldType as avro.types.RecordType
    const newRecord = newType as avro.types.RecordType
    for (const field of newJson.fields ?? []) {
      const before = oldFields.get(field.name) ?? (field.aliases ?? []).map(a => oldFields.get(a)).find(f => f !== undefined)
      if (before === undefined) {
        if (!('default' in field)) reasons.push(`field "${field.name}" was added without a default`)
        continue
      }
      const oldFieldType = oldRecord.field(before.name)?.type
      const newFieldType = newRecord.field(field.name)?.type
      if (oldFieldType === undefined || newFieldType === undefined) continue
      try {
        newFieldType.createResolver(oldFieldType)
      } catch {
        reasons.push(`field "${field.name}" changed type from ${JSON.stringify(before.type)} to ${JSON.stringify(field.type)}, which cannot be read from the old data`)
      }
    }
    return reasons.length > 0 ? reasons : [(err as Error).message]
  }
}
