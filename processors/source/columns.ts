import type { FieldSpec, FieldValues } from './fields.ts'
import type { Column, ColumnLayout, JoinDay, JoinInput, SlotEnvelope, SourceBatch } from './types.ts'

// A join input's columns by name. A batch keeps `width` doubles per slot (typed arrays: ten
// years of days stay tens of megabytes); the layout turns each name into an accessor once, so
// writing and reading a value is an index computation, never a lookup, and a name that is not
// declared fails the typecheck.

export function columnLayout<const N extends readonly string[]> (names: N): ColumnLayout<N[number]> {
  const width = names.length
  if (new Set(names).size !== width || width === 0) throw new Error(`column names must be distinct and at least one: ${names.join(', ')}`)
  const columns = names.map((_name, index): Column => ({
    index,
    get: (batch, slot) => batch.values[slot * width + index],
    set: (batch, slot, value) => { batch.values[slot * width + index] = value }
  }))
  return Object.freeze({
    ...Object.fromEntries(names.map((name, i) => [name, columns[i]])),
    names,
    width,
    at: (index: number) => columns[index],
    fill: (batch: SourceBatch, slot: number, value: number) => { batch.values.fill(value, slot * width, slot * width + width) }
  }) as unknown as ColumnLayout<N[number]>
}

/** A join input as its source declares it: named columns, and what it adds to the day. */
export interface JoinInputDeclaration<R extends SlotEnvelope, N extends string, F extends readonly FieldSpec[]> {
  columns: ColumnLayout<N>
  optional?: boolean
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
  const { columns, write } = declaration
  const { width } = columns
  return {
    columns,
    width,
    optional: declaration.optional,
    check: declaration.check,
    read: declaration.read,
    fields: declaration.fields ?? [],
    fold: declaration.fold as JoinInput<R>['fold'],
    settle: declaration.settle,
    // The join addresses a slot by its first double (join/state.ts); the declaration by its slot.
    write: (record, batch, base) => { write(record, batch, base / width) }
  }
}
