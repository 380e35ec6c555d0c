// daily_summary's fields, listed once. Each field says its Avro type (and default) in
// `completion`, its column in energy_usage.daily_summary, the migration that added it and the
// fold that produces it. From this table come the DailyAggregate type, completion's schema
// (schemas/completion.avsc is its checked copy), the daily_summary sink's columns and rows,
// the start-up check of the table, and the API's SELECT list, JSON schema and DaySummary type.

/** Avro types a field may take (completion is written with these only). */
export type AvroType =
  | 'string' | 'double' | 'int' | 'boolean'
  | { readonly type: 'long', readonly logicalType: 'timestamp-millis' }
  | { readonly type: 'map', readonly values: 'double' | 'string' }
  | { readonly type: 'array', readonly items: 'string' }
  | readonly ['null', 'string' | 'double' | 'int']

/** Column types of the COPY (lib/copy-binary.ts), with their information_schema data_type. */
export const SQL_TYPES = {
  date: 'date',
  float8: 'double precision',
  int2: 'smallint',
  bool: 'boolean',
  text: 'text',
  jsonb: 'jsonb'
} as const
export type SqlType = keyof typeof SQL_TYPES

/** Which fold produces a field: the join itself, the electricity fold, the bill, or a join input (by name). */
export type Producer = 'join' | 'electricity' | 'bill' | (string & {})

export interface FieldSpec {
  readonly name: string
  readonly avro: AvroType
  /** Avro default; every field added after version 1 has one (BACKWARD compatible). */
  readonly default?: number | boolean | null | readonly never[]
  /** Its daily_summary column type; absent: carried on completion only (batches, computed_at). */
  readonly sql?: SqlType
  /** The migration (sql/) that added its column. */
  readonly migration?: string
  readonly doc?: string
  /** Its producer; absent in a join input's own `fields`: that input's fold. */
  readonly by?: Producer
}

const NULL_DOUBLE = ['null', 'double'] as const

/**
 * The fields of versions 1 to 4, in completion's field order (the registered schema's: a
 * field is only ever appended). export, gas and regional produce theirs in their folders
 * (processors/<source>/index.ts, `join.fold`); a source added later declares its own fields
 * there too, appended after these (processors/topology.ts).
 */
export const CORE_FIELDS = [
  { name: 'date', avro: 'string', sql: 'date', migration: '001_create_schema.sql', by: 'join' },
  { name: 'kwh', avro: 'double', doc: 'sum of usage', sql: 'float8', migration: '001_create_schema.sql', by: 'electricity' },
  { name: 'cost_inc_vat', avro: 'double', doc: 'pence', sql: 'float8', migration: '001_create_schema.sql', by: 'electricity' },
  { name: 'cost_exc_vat', avro: 'double', doc: 'pence', sql: 'float8', migration: '001_create_schema.sql', by: 'electricity' },
  { name: 'carbon_g', avro: NULL_DOUBLE, default: null, doc: 'gCO2: sum of kWh x intensity over the priced slots with carbon data; null when the day has no carbon data (before the Carbon Intensity history, 2017-09-26). Nullable from version 4.', sql: 'float8', migration: '001_create_schema.sql', by: 'electricity' },
  { name: 'avg_intensity', avro: NULL_DOUBLE, default: null, doc: 'usage-weighted gCO2/kWh; null when kwh = 0', sql: 'float8', migration: '001_create_schema.sql', by: 'electricity' },
  { name: 'mix', avro: { type: 'map', values: 'double' }, doc: 'usage-weighted percent per fuel', sql: 'jsonb', migration: '001_create_schema.sql', by: 'electricity' },
  { name: 'slots_expected', avro: 'int', doc: '46, 48 or 50', sql: 'int2', migration: '001_create_schema.sql', by: 'join' },
  { name: 'slots_joined', avro: 'int', doc: 'slots with all four values', sql: 'int2', migration: '001_create_schema.sql', by: 'join' },
  { name: 'complete', avro: 'boolean', sql: 'bool', migration: '001_create_schema.sql', by: 'join' },
  { name: 'forecast_slots', avro: 'int', doc: 'joined slots whose intensity is the forecast (actual was null)', sql: 'int2', migration: '001_create_schema.sql', by: 'electricity' },
  { name: 'batches', avro: { type: 'map', values: 'string' }, doc: 'source -> batch id the figures came from', by: 'join' },
  { name: 'computed_at', avro: { type: 'long', logicalType: 'timestamp-millis' }, by: 'join' },
  { name: 'import_tariff_code', avro: ['null', 'string'], default: null, doc: 'the import tariff at the day\'s first priced slot; null when unknown', sql: 'text', migration: '003_standing_charges_and_bill.sql', by: 'electricity' },
  { name: 'standing_charge_inc_vat', avro: NULL_DOUBLE, default: null, doc: 'pence: the electricity import standing charge in force at the day\'s first priced slot; null when unknown', sql: 'float8', migration: '003_standing_charges_and_bill.sql', by: 'electricity' },
  { name: 'standing_charge_exc_vat', avro: NULL_DOUBLE, default: null, doc: 'pence, as standing_charge_inc_vat without VAT', sql: 'float8', migration: '003_standing_charges_and_bill.sql', by: 'electricity' },
  { name: 'export_kwh', avro: 'double', default: 0, doc: 'kWh exported; 0 without an export meter', sql: 'float8', migration: '003_standing_charges_and_bill.sql', by: 'export' },
  { name: 'export_value', avro: 'double', default: 0, doc: 'pence earned by export, sum of kWh x export rate', sql: 'float8', migration: '003_standing_charges_and_bill.sql', by: 'export' },
  { name: 'gas_kwh', avro: 'double', default: 0, doc: '0 without a gas meter', sql: 'float8', migration: '003_standing_charges_and_bill.sql', by: 'gas' },
  { name: 'gas_cost_inc_vat', avro: 'double', default: 0, doc: 'pence', sql: 'float8', migration: '003_standing_charges_and_bill.sql', by: 'gas' },
  { name: 'gas_cost_exc_vat', avro: 'double', default: 0, doc: 'pence', sql: 'float8', migration: '003_standing_charges_and_bill.sql', by: 'gas' },
  { name: 'gas_standing_charge_inc_vat', avro: 'double', default: 0, doc: 'pence', sql: 'float8', migration: '003_standing_charges_and_bill.sql', by: 'gas' },
  { name: 'gas_standing_charge_exc_vat', avro: 'double', default: 0, doc: 'pence', sql: 'float8', migration: '003_standing_charges_and_bill.sql', by: 'gas' },
  { name: 'gas_carbon_g', avro: 'double', default: 0, doc: 'grams CO2', sql: 'float8', migration: '003_standing_charges_and_bill.sql', by: 'gas' },
  { name: 'bill_inc_vat', avro: NULL_DOUBLE, default: null, doc: 'pence: cost_inc_vat + standing_charge_inc_vat + gas_cost_inc_vat + gas_standing_charge_inc_vat - export_value; null while the standing charge is unknown', sql: 'float8', migration: '003_standing_charges_and_bill.sql', by: 'bill' },
  { name: 'carbon_g_regional', avro: NULL_DOUBLE, default: null, doc: 'grams CO2 by the regional forecast: sum of u x regional intensity over the slots with the national figures and a regional value; null when the day has no regional data', sql: 'float8', migration: '006_regional.sql', by: 'regional' },
  { name: 'avg_intensity_regional', avro: NULL_DOUBLE, default: null, doc: 'usage-weighted regional gCO2/kWh: carbon_g_regional / the kWh of those slots; null when the day has no regional data or that kWh is 0', sql: 'float8', migration: '006_regional.sql', by: 'regional' },
  { name: 'bill_complete', avro: 'boolean', default: false, doc: 'Version 4: every money input (usage, pricing, export, gas) has every slot of the day read: the bill is final whatever carbon says.', sql: 'bool', migration: '008_money_before_carbon.sql', by: 'bill' },
  { name: 'carbon_slots', avro: ['null', 'int'], default: null, doc: 'Version 4: priced slots with usage that have carbon data (co2 and mix); null in records written before.', sql: 'int2', migration: '008_money_before_carbon.sql', by: 'electricity' },
  { name: 'missing_readings', avro: { type: 'array', items: 'string' }, default: [], doc: 'Version 4: the meters (usage, export, gas) with slots in force but no reading.', sql: 'jsonb', migration: '008_money_before_carbon.sql', by: 'bill' }
] as const satisfies readonly FieldSpec[]

/** completion's record, around its fields. */
const COMPLETION_RECORD = {
  type: 'record',
  name: 'DailyAggregate',
  namespace: 'energy',
  doc: 'One Europe/London day joined across the four sources. Key: the date.'
} as const

// ---------------------------------------------------------------------------------------------
// Types derived from a table

/** The TypeScript value of an Avro type (avsc decodes these). */
export type AvroValue<T> =
  T extends 'string' ? string
    : T extends 'double' | 'int' ? number
      : T extends 'boolean' ? boolean
        : T extends { readonly type: 'long' } ? number
          : T extends { readonly type: 'map', readonly values: infer V } ? Record<string, AvroValue<V>>
            : T extends { readonly type: 'array', readonly items: infer I } ? Array<AvroValue<I>>
              : T extends readonly ['null', infer U] ? AvroValue<U> | null
                : never

/** A record of a field table's values: `{ [name]: value }`. */
export type FieldValues<T extends readonly FieldSpec[]> = { -readonly [F in T[number] as F['name']]: AvroValue<F['avro']> }

/** The names of a table's fields a producer makes. */
export type NamesBy<T extends readonly FieldSpec[], P extends string> = Extract<T[number], { by: P }>['name']

/** The `completion` value: one field per CORE_FIELDS entry. */
export type CoreAggregate = FieldValues<typeof CORE_FIELDS>

/** The fields of CORE_FIELDS a producer makes (`FieldsBy<'export'>`: export_kwh, export_value). */
export type FieldsBy<P extends string> = Pick<CoreAggregate, NamesBy<typeof CORE_FIELDS, P>>

/** An Avro double read back from Postgres: NaN or ±Infinity (rows of old) reads as null (api/queries.ts). */
type StoredValue<T> = T extends 'double' ? number | null : AvroValue<T>

/** A daily_summary row as the API reads it (every field with a column, updated_at aside). */
export type StoredFields<T extends readonly FieldSpec[]> = {
  -readonly [F in T[number] as F extends { sql: SqlType } ? F['name'] : never]: StoredValue<F['avro']>
}

// ---------------------------------------------------------------------------------------------
// What is generated from a table

/** completion's Avro schema (an object; JSON.stringify gives the registered text). */
export function completionSchema (fields: readonly FieldSpec[]): Record<string, unknown> {
  return {
    ...COMPLETION_RECORD,
    fields: fields.map(f => ({
      name: f.name,
      type: f.avro,
      ...(f.default === undefined ? {} : { default: f.default }),
      ...(f.doc === undefined ? {} : { doc: f.doc })
    }))
  }
}

/** schemas/completion.avsc as written: one field a line. */
export function completionSchemaText (fields: readonly FieldSpec[]): string {
  const schema = completionSchema(fields)
  const head = Object.entries(COMPLETION_RECORD).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`)
  const lines = (schema.fields as object[]).map(f => `    ${inline(f)}`)
  return ['{', ...head, '  "fields": [', lines.join(',\n'), '  ]', '}', ''].join('\n')
}

/** JSON on one line, objects spaced as the .avsc files write them (`{ "a": 1 }`, `["null", "double"]`). */
function inline (value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`
  if (value !== null && typeof value === 'object') return `{ ${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')} }`
  return JSON.stringify(value)
}

/** The fields landed in daily_summary, in column order. */
export function storedFields (fields: readonly FieldSpec[]): Array<FieldSpec & { sql: SqlType }> {
  return fields.filter((f): f is FieldSpec & { sql: SqlType } => f.sql !== undefined)
}

/** Whether a field may be null (an Avro union with null). */
export function isNullable (field: FieldSpec): boolean {
  return Array.isArray(field.avro) && field.avro[0] === 'null'
}

/**
 * A field's JSON schema in the API's answers: a double may read null (NaN or ±Infinity stored
 * by an old pipeline, api/queries.ts), as may every nullable field.
 */
export function jsonSchemaOf (field: FieldSpec): Record<string, unknown> {
  const avro = Array.isArray(field.avro) ? field.avro[1] : field.avro
  switch (avro) {
    case 'string': return isNullable(field) ? { type: ['string', 'null'] } : { type: 'string' }
    case 'double': return { type: ['number', 'null'] }
    case 'int': return isNullable(field) ? { type: ['integer', 'null'] } : { type: 'integer' }
    case 'boolean': return { type: 'boolean' }
  }
  const complex = avro as Exclude<AvroType, string | readonly unknown[]>
  if (complex.type === 'map') return { type: 'object', additionalProperties: { type: complex.values === 'double' ? 'number' : 'string' } }
  if (complex.type === 'array') return { type: 'array', items: { type: 'string' } }
  return { type: 'integer' }
}

/** Each field's value when its producer did not run (an input not declared or not in for the day). */
export function defaultsOf (fields: readonly FieldSpec[]): Record<string, unknown> {
  return Object.fromEntries(fields.flatMap(f => f.default === undefined ? [] : [[f.name, f.default]]))
}
