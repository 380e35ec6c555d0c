import type { FieldSpec, FieldValues } from './fields.ts'
import type { Column, ColumnLayout, JoinDay, JoinInput, SlotEnvelope, SourceBatch } from './types.ts'

// A join input's columns by name. A batch keeps its `width` doubles per slot (typed arrays: ten
// years of days stay tens of megabytes); the layout turns each name into an accessor once, so
// writing and reading a value is an index computation, never a lookup, and a name that is not
// declared fails the typecheck.

export function columnLayout<const N extends readonly string[]> (names: N): ColumnLayout<N[number]> {
  const width = names.length
  if (new Set(names).size !== width || width === 0) throw new Error(`column names must be distinct and at least one: ${names.join(', ')}`)
  const columns = names.map((_name, index): Column => ({
    index,
    get: (batch, slot) => batch.values[slot * batch.width + index],
    set: (batch, slot, value) => { batch.values[slot * batch.width + index] = value }
  }))
  return Object.freeze({
    ...Object.fromEntries(names.map((name, i) => [name, columns[i]])),
    names,
    width,
    at: (index: number) => columns[index],
    fill: (batch: SourceBatch, slot: number, value: number) => { batch.values.fill(value, slot * batch.width, (slot + 1) * batch.width) }
  }) as unknown as ColumnLayout<N[number]>
}

/** A join input as its source declares it: named columns, and what it adds to the day. */
export interface JoinInputDeclaration<R extends SlotEnvelope, N extends string, F extends readonly FieldSpec[]> {
  columns: ColumnLayout<N>
  optional?: boolean
  /** As JoinInput.dictionary (types.ts): a batch holds only the columns its records named. */
  dictionary?: boolean
  /** As JoinInput.check (types.ts): given the way to the record's batch, it reserves there what write() needs. */
  check? (record: R, batch?: () => SourceBatch): void
  /** Writes the record's values into its slot's columns (`columns.kwh.set(batch, slot, r.kwh)`). */
  write (record: R, batch: SourceBatch, slot: number): void
  /** Whether the input's meter read a slot it has (export, gas: a slot in force without a reading is not read). */
  read? (batch: SourceBatch, slot: number): boolean
  /**
   * daily_summary fields this input adds, appended to completion after the core fields (a
   * source added after version 4 declares its fields here, each with an Avro default).
   */
  fields?: F
  /**
   * The day's values of the fields this input produces, from its whole batch and any other
   * input's columns (day.whole('pricing')). Not called when the input is not whole for the
   * day: its fields then take their defaults.
   */
  fold? (day: JoinDay, batch: SourceBatch): FieldValues<F>
  /** As JoinInput.settle (types.ts): its fields that compare with the day's figures. */
  settle? (figures: Readonly<Record<string, unknown>>): Partial<FieldValues<F>>
}

/** The JoinInput the join runs, from a declaration with named columns. */
export function joinInput<R extends SlotEnvelope, N extends string, const F extends readonly FieldSpec[] = readonly []> (declaration: JoinInputDeclaration<R, N, F>): JoinInput<R> {
  const { columns } = declaration
  return {
    columns,
    width: columns.width,
    optional: declaration.optional,
    dictionary: declaration.dictionary,
    check: declaration.check,
    read: declaration.read,
    fields: declaration.fields ?? [],
    fold: declaration.fold as JoinInput<R>['fold'],
    settle: declaration.settle,
    write: declaration.write
  }
}

/**
 * Gives a batch of a dictionary input room for `width` columns per slot, keeping its values
 * (the new columns read 0 until written). A day's batch widens once, at its first record, as
 * long as its records name the same fuels.
 */
export function widenBatch (batch: SourceBatch, width: number): void {
  if (width <= batch.width) return
  const slots = batch.present.length
  const values = new Float64Array(slots * width)
  for (let s = 0; s < slots; s++) values.set(batch.values.subarray(s * batch.width, (s + 1) * batch.width), s * width)
  batch.values = values
  batch.width = width
}
