import { EnergyError } from '../lib/errors.ts'
import { FIRST_YEAR, isCalendarDate, isLocalDate, LAST_YEAR } from '../lib/london-day.ts'

// Date parameters: the route schema checks the shape, dateParam() checks the calendar
// (2024-13-01 has the shape), and both fail with the same message.

/** Parameter names that hold a date, in any route. */
export const DATE_FIELDS = new Set(['from', 'to', 'date'])

export const DATE_SCHEMA = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const

/** The 400 for a value that is not a YYYY-MM-DD calendar date; long values are cut in the message. */
export function badDate (name: string, value: unknown): EnergyError {
  let text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value)
  if (text.length > 60) text = `${text.slice(0, 60)}…`
  return new EnergyError('ENERGY_BAD_DATE', `${name} "${text}" is not a date (YYYY-MM-DD)`)
}

export function badRange (message: string): EnergyError {
  return new EnergyError('ENERGY_BAD_DATE', message)
}

/**
 * The value when it is a real calendar date written YYYY-MM-DD in a year the pipeline serves
 * (lib/london-day.ts FIRST_YEAR-LAST_YEAR); throws the 400 otherwise.
 */
export function dateParam (name: string, value: string): string {
  if (!isCalendarDate(value)) throw badDate(name, value)
  if (!isLocalDate(value)) {
    throw new EnergyError('ENERGY_BAD_DATE', `${name} "${value}": year ${value.slice(0, 4)} is out of range (${FIRST_YEAR}-${LAST_YEAR})`)
  }
  return value
}
