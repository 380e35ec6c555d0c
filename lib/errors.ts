// One error type with a stable `code` (docs/errors.md lists them). Context travels in plain
// properties; `retryable` is what retry loops read; the original error stays in `cause`.

export type ErrorCode =
  | 'ENERGY_CONFIG'
  | 'ENERGY_USAGE'
  | 'ENERGY_TOPOLOGY'
  | 'ENERGY_NOT_SET_UP'
  | 'ENERGY_FETCH'
  | 'ENERGY_RATE_LIMITED'
  | 'ENERGY_NO_DATA'
  | 'ENERGY_UNPRICED'
  | 'ENERGY_REFUSED'
  | 'ENERGY_AUTH'
  | 'ENERGY_MALFORMED'
  | 'ENERGY_DECODE'
  | 'ENERGY_INVALID_RECORD'
  | 'ENERGY_SCHEMA'
  | 'ENERGY_BAD_DATE'
  | 'ENERGY_POSITION_MOVED'
  | 'ENERGY_REBALANCED'
  | 'ENERGY_RANGE'

export interface ErrorContext {
  retryable?: boolean
  cause?: unknown
  topic?: string
  partition?: number
  offset?: bigint | string
  date?: string
  source?: string
  status?: number
  retryAfterMs?: number
  subject?: string
  [key: string]: unknown
}

export class EnergyError extends Error {
  readonly code: ErrorCode
  readonly retryable: boolean;
  [key: string]: unknown

  constructor (code: ErrorCode, message: string, context: ErrorContext = {}) {
    const { cause, retryable = false, ...rest } = context
    super(message, cause === undefined ? undefined : { cause })
    this.name = 'EnergyError'
    this.code = code
    this.retryable = retryable
    Object.assign(this, rest)
  }
}

export function isEnergyError (err: unknown, code?: ErrorCode): err is EnergyError {
  return err instanceof EnergyError && (code === undefined || err.code === code)
}

/** A one-line description of any thrown value, for logs and DLQ headers. */
export function describeError (err: unknown): string {
  if (err instanceof Error) return isEnergyError(err) ? `${err.code}: ${err.message}` : err.message
  return String(err)
}
