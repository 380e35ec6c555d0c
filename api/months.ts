import { EnergyError } from '../lib/errors.ts'
import { FIRST_YEAR, LAST_YEAR } from '../lib/london-day.ts'
import type { MonthRow } from './queries.ts'
import type { MonthFigures, MonthSummary, YearSummary } from './types.ts'

// Months and years from daily_summary: Postgres sums the days (api/queries.ts monthsBetween),
// this pairs each month with the same month a year before and adds up the years.

const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/

// The shape is checked by monthParam, so a bad month gets the month's message, not the date one.
export const MONTH_SCHEMA = { type: 'string' } as const

/** The value when it is a YYYY-MM month of a year the pipeline serves; throws the 400 otherwise. */
export function monthParam (name: string, value: string): string {
  const match = MONTH_PATTERN.exec(value)
  if (match === null) {
    const text = value.length > 60 ? `${value.slice(0, 60)}…` : value
    throw new EnergyError('ENERGY_BAD_DATE', `${name} "${text}" is not a month (YYYY-MM)`)
  }
  const year = Number(match[1])
  if (year < FIRST_YEAR || year > LAST_YEAR) throw new EnergyError('ENERGY_BAD_DATE', `${name} "${value}": year ${year} is out of range (${FIRST_YEAR}-${LAST_YEAR})`)
  return value
}

/** `month` (YYYY-MM) moved by `delta` months. */
export function addMonths (month: string, delta: number): string {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + delta
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String(index % 12 + 1).padStart(2, '0')}`
}

/** Months from `from` to `to` inclusive (from ≤ to). */
export function monthsIn (from: string, to: string): number {
  const index = (m: string): number => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7))
  return index(to) - index(from) + 1
}

const SUMMED = [
  'calendar_days', 'days', 'days_complete', 'days_bill_complete', 'import_kwh', 'import_cost_inc_vat', 'standing_charge_inc_vat',
  'export_kwh', 'export_value', 'gas_kwh', 'gas_cost_inc_vat', 'gas_standing_charge_inc_vat', 'bill_inc_vat', 'bill_days',
  'carbon_g', 'carbon_days', 'carbon_g_regional', 'regional_days', 'gas_carbon_g',
  'billed_inc_vat', 'billed_days', 'billed_computed_inc_vat', 'billed_difference', 'billed_compared_days'
] as const satisfies ReadonlyArray<keyof Omit<MonthFigures, 'whole'>>

function figures (row: MonthRow): MonthFigures {
  const { month: _month, ...sums } = row
  // A month's bill is final when every calendar day is in with its bill complete.
  return { ...sums, whole: row.days_bill_complete === row.calendar_days }
}

/**
 * `rows` cover the asked months and the twelve before them (oldest first): the asked ones,
 * each beside the same month a year before, and the sums per calendar year of the asked ones.
 */
export function monthsAndYears (rows: readonly MonthRow[], from: string): { months: MonthSummary[], years: YearSummary[] } {
  const byMonth = new Map(rows.map(r => [r.month, r]))
  const months = rows.filter(r => r.month >= from).map(r => {
    const before = byMonth.get(addMonths(r.month, -12))
    return { month: r.month, ...figures(r), year_before: before === undefined ? null : figures(before) }
  })
  const years = new Map<string, YearSummary>()
  for (const m of months) {
    const year = m.month.slice(0, 4)
    let sum = years.get(year)
    if (sum === undefined) {
      sum = { year, months: 0, whole: true, ...Object.fromEntries(SUMMED.map(k => [k, 0])) as Omit<MonthFigures, 'whole'> }
      years.set(year, sum)
    }
    sum.months++
    for (const k of SUMMED) sum[k] += m[k]
    sum.whole &&= m.whole
  }
  // A year is whole when all twelve of its months were asked and each is whole.
  for (const y of years.values()) y.whole &&= y.months === 12
  return { months, years: [...years.values()] }
}
