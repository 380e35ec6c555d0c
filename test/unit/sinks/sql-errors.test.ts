import assert from 'node:assert/strict'
import { test } from 'node:test'
import pg from 'pg'
import { describePgError, isRecordError, isTransientPgError, sqlState } from '../../../sinks/sql-errors.ts'

/** An error as pg builds it from a server ErrorResponse (pg-protocol's DatabaseError). */
function pgError (code: string, message = 'refused', fields: { detail?: string, where?: string } = {}): pg.DatabaseError {
  const err = new pg.DatabaseError(message, message.length, 'error')
  err.severity = 'ERROR'
  err.code = code
  if (fields.detail !== undefined) err.detail = fields.detail
  if (fields.where !== undefined) err.where = fields.where
  return err
}

/** Node's socket errors: a code, no severity. */
function socketError (code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111, syscall: 'connect' })
}

type Decision = 'record' | 'transient' | 'neither'

function decide (err: unknown): Decision {
  const record = isRecordError(err)
  const transient = isTransientPgError(err)
  assert.ok(!(record && transient), 'never both')
  return record ? 'record' : transient ? 'transient' : 'neither'
}

function assertDecisions (cases: Record<string, Decision>): void {
  const codes = Object.keys(cases)
  assert.deepStrictEqual(Object.fromEntries(codes.map(c => [c, decide(pgError(c))])), cases)
}

test('class 21 cardinality violation is about the record: a mix record listing a fuel twice', () => {
  assertDecisions({ 21000: 'record' })
})

test('class 22 data exception is about the record: NUL in text, \\u0000 in jsonb, bad values', () => {
  assertDecisions({ 22021: 'record', '22P05': 'record', '22P02': 'record', 22003: 'record', 22001: 'record', 22007: 'record', '22P03': 'record', 22000: 'record' })
})

test('class 23 integrity constraint violation is about the record', () => {
  assertDecisions({ 23514: 'record', 23502: 'record', 23505: 'record', 23503: 'record', '23P01': 'record', 23000: 'record' })
})

test('class 44 WITH CHECK OPTION violation is about the record', () => {
  assertDecisions({ 44000: 'record' })
})

test('class 54: 54000 (a value too big for an index row) is about the record, the other limits about the statement', () => {
  assertDecisions({ 54000: 'record', 54001: 'neither', 54011: 'neither', 54023: 'neither' })
})

test('class 08 connection exception is transient', () => {
  assertDecisions({ '08000': 'transient', '08003': 'transient', '08006': 'transient', '08001': 'transient', '08004': 'transient', '08P01': 'transient' })
})

test('class 40 transaction rollback is transient: serialization failure, deadlock, completion unknown', () => {
  assertDecisions({ 40001: 'transient', '40P01': 'transient', 40003: 'transient', 40000: 'transient' })
})

test('class 53 insufficient resources is transient: disk full, out of memory, too many connections', () => {
  assertDecisions({ 53000: 'transient', 53100: 'transient', 53200: 'transient', 53300: 'transient', 53400: 'transient' })
})

test('class 55: only lock_not_available (lock_timeout) is transient', () => {
  assertDecisions({ '55P03': 'transient', 55000: 'neither', 55006: 'neither' })
})

test('class 57 operator intervention: shutdowns, start-up, cancel and idle timeout are transient; a dropped database is not', () => {
  assertDecisions({ '57P01': 'transient', '57P02': 'transient', '57P03': 'transient', '57P05': 'transient', 57014: 'transient', '57P04': 'neither', 57000: 'neither' })
})

test('class 42 syntax error or access rule violation is about the table, neither narrowed nor retried', () => {
  assertDecisions({ '42P01': 'neither', 42703: 'neither', 42501: 'neither', 42804: 'neither', 42601: 'neither', '42P07': 'neither' })
})

test('other classes about the database or the server are neither narrowed nor retried', () => {
  assertDecisions({ '0A000': 'neither', '25P02': 'neither', 28000: 'neither', '28P01': 'neither', '3D000': 'neither', '3F000': 'neither', 58030: 'neither', XX000: 'neither', XX001: 'neither', P0001: 'neither' })
})

test('errors without a SQLSTATE are transient: refused, reset, timed out, pool and protocol failures', () => {
  const cases: Array<[string, unknown]> = [
    ['ECONNREFUSED', socketError('ECONNREFUSED')],
    ['ECONNRESET', socketError('ECONNRESET')],
    ['ETIMEDOUT', socketError('ETIMEDOUT')],
    ['EPIPE', socketError('EPIPE')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['terminated', new Error('Connection terminated unexpectedly')],
    ['AggregateError', Object.assign(new AggregateError([socketError('ECONNREFUSED')], ''), { code: 'ECONNREFUSED' })],
    ['a string', 'boom']
  ]
  assert.deepStrictEqual(cases.map(([name, err]) => [name, decide(err), sqlState(err)]), cases.map(([name]) => [name, 'transient', undefined]))
})

test('sqlState takes a code only from a server error: five characters and a severity', () => {
  assert.deepStrictEqual([pgError('22021'), socketError('EPIPE'), { code: '23514' }, { code: '2351', severity: 'ERROR' }, null, undefined].map(sqlState),
    ['22021', undefined, undefined, undefined, undefined, undefined])
})

test('describePgError names the SQLSTATE, then the message, detail and context on one line', () => {
  assert.equal(describePgError(pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00', { where: 'COPY staging_energy_usage_generation_mix, line 3, column fuel' })),
    'SQLSTATE 22021: invalid byte sequence for encoding "UTF8": 0x00; where: COPY staging_energy_usage_generation_mix, line 3, column fuel')
  assert.equal(describePgError(pgError('22P05', 'unsupported Unicode escape sequence', { detail: '\\u0000 cannot be converted to text.', where: 'JSON data, line 1: {"a\\u0000...\nCOPY staging_energy_usage_daily_summary, line 1, column mix' })),
    'SQLSTATE 22P05: unsupported Unicode escape sequence; detail: \\u0000 cannot be converted to text.; where: JSON data, line 1: {"a\\u0000... / COPY staging_energy_usage_daily_summary, line 1, column mix')
  assert.equal(describePgError(socketError('ECONNREFUSED')), 'connect ECONNREFUSED 127.0.0.1:5432')
})
