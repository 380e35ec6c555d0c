// What a sink does with a failed Postgres write, decided from the SQLSTATE alone
// (PostgreSQL docs, Appendix A "PostgreSQL Error Codes": the first two characters are the
// class). Three answers:
//   record    - the values of some record in the batch: halving narrows it down, it is
//               dead-lettered and the rest lands (sinks/halving.ts);
//   transient - the connection or the server's resources: the same batch is retried with
//               backoff (lib/retry.ts), since nothing about the batch is wrong;
//   neither   - the table or the database (42P01 undefined table, 42703 undefined column,
//               42501 privilege, 3D000 no database, XX000 …): every record would fail alike,
//               so narrowing would dead-letter the whole topic. The error ends the sink's
//               session; the supervisor restarts it from the committed positions, so it
//               carries on once the schema or the database is put right.

/** Classes about a record's values, raised the same way for every batch holding it. */
const RECORD_CLASSES = new Set([
  // cardinality violation: 21000 when one record makes two rows with the same key (a mix
  // record listing a fuel twice: "ON CONFLICT DO UPDATE command cannot affect row a second time")
  '21',
  // data exception: 22021 NUL in text, 22P05 \u0000 in jsonb, 22P02, 22003 out of range, …
  '22',
  // integrity constraint violation: check, not-null, unique, foreign key, exclusion
  '23',
  // WITH CHECK OPTION violation: a row a view refuses
  '44'
])

/** Single codes about a record whose class is otherwise about the statement or the server. */
const RECORD_CODES = new Set([
  // program_limit_exceeded: "index row size … exceeds btree maximum", a value too big for a key
  '54000'
])

/** Classes about the connection or the server, not the batch. */
const TRANSIENT_CLASSES = new Set([
  // connection exception
  '08',
  // transaction rollback: 40001 serialization failure, 40P01 deadlock, 40003 completion unknown
  '40',
  // insufficient resources: 53100 disk full, 53200 out of memory, 53300 too many connections
  '53'
])

const TRANSIENT_CODES = new Set([
  // lock_not_available (lock_timeout)
  '55P03',
  // query_canceled: statement_timeout or pg_cancel_backend
  '57014',
  // admin_shutdown, crash_shutdown, cannot_connect_now (starting up or in recovery)
  '57P01', '57P02', '57P03',
  // idle_session_timeout
  '57P05'
])

/**
 * The SQLSTATE of an error the Postgres server sent (pg's DatabaseError: five characters
 * from [0-9A-Z] and a severity), or undefined for anything else. The severity tells it from
 * a Node socket error whose code also has five characters (EPIPE).
 */
export function sqlState (err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined
  const { code, severity } = err as { code?: unknown, severity?: unknown }
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string' ? code : undefined
}

/** True when Postgres refused a record's values: narrow the batch down and dead-letter that record. */
export function isRecordError (err: unknown): boolean {
  const code = sqlState(err)
  return code !== undefined && (RECORD_CLASSES.has(code.slice(0, 2)) || RECORD_CODES.has(code))
}

/**
 * True when retrying the same batch can succeed: a connection or resource SQLSTATE, or an
 * error Postgres did not send at all (ECONNREFUSED, ECONNRESET, a pool or socket timeout,
 * "Connection terminated unexpectedly").
 */
export function isTransientPgError (err: unknown): boolean {
  const code = sqlState(err)
  return code === undefined || TRANSIENT_CLASSES.has(code.slice(0, 2)) || TRANSIENT_CODES.has(code)
}

/**
 * One line for a dead letter or a log: the SQLSTATE, the message, and Postgres's detail and
 * context when it sent them ("COPY staging_…, line 3, column fuel" names the column).
 */
export function describePgError (err: unknown): string {
  const code = sqlState(err)
  const { message, detail, where } = err as { message?: unknown, detail?: unknown, where?: unknown }
  const text = typeof message === 'string' ? message : String(err)
  if (code === undefined) return text
  const parts = [`SQLSTATE ${code}: ${text}`]
  if (typeof detail === 'string' && detail !== '') parts.push(`detail: ${detail}`)
  if (typeof where === 'string' && where !== '') parts.push(`where: ${where.replace(/\s*\n\s*/g, ' / ')}`)
  return parts.join('; ')
}
