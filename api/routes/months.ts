import type { Pool } from '../../lib/db.ts'
import { londonToday } from '../../lib/london-day.ts'
import { badRange } from '../params.ts'
import { addMonths, MONTH_SCHEMA, monthParam, monthsAndYears, monthsIn } from '../months.ts'
import type { ApiOptions } from '../options.ts'
import { monthsBetween, newestDate } from '../queries.ts'
import type { ApiApp, MonthsResponse } from '../types.ts'

// GET /api/months: calendar months and years summed from daily_summary, each month beside the
// same month a year before. Full precision, as /api/days.

const FIGURES_PROPERTIES = {
  calendar_days: { type: 'integer' },
  days: { type: 'integer' },
  days_complete: { type: 'integer' },
  days_bill_complete: { type: 'integer' },
  import_kwh: { type: 'number' },
  import_cost_inc_vat: { type: 'number' },
  standing_charge_inc_vat: { type: 'number' },
  export_kwh: { type: 'number' },
  export_value: { type: 'number' },
  gas_kwh: { type: 'number' },
  gas_cost_inc_vat: { type: 'number' },
  gas_standing_charge_inc_vat: { type: 'number' },
  bill_inc_vat: { type: 'number' },
  bill_days: { type: 'integer' },
  carbon_g: { type: 'number' },
  carbon_days: { type: 'integer' },
  carbon_g_regional: { type: 'number' },
  regional_days: { type: 'integer' },
  gas_carbon_g: { type: 'number' },
  billed_inc_vat: { type: 'number' },
  billed_days: { type: 'integer' },
  billed_computed_inc_vat: { type: 'number' },
  billed_difference: { type: 'number' },
  billed_compared_days: { type: 'integer' },
  whole: { type: 'boolean' }
} as const
const FIGURES_REQUIRED = Object.keys(FIGURES_PROPERTIES)
const FIGURES = { type: 'object', required: FIGURES_REQUIRED, properties: FIGURES_PROPERTIES } as const

const MONTHS_SCHEMA = {
  summary: 'Calendar months and years',
  description: 'Months summed from daily_summary, each beside the same month a year before, with year totals; whole only when every day is in with its bill final. At most 240 months.',
  tags: ['months'],
  querystring: { type: 'object', properties: { from: MONTH_SCHEMA, to: MONTH_SCHEMA } },
  response: {
    200: {
      type: 'object',
      required: ['from', 'to', 'months', 'years'],
      properties: {
        from: { type: 'string' },
        to: { type: 'string' },
        months: {
          type: 'array',
          items: {
            type: 'object',
            required: ['month', ...FIGURES_REQUIRED, 'year_before'],
            properties: { month: { type: 'string' }, ...FIGURES_PROPERTIES, year_before: { anyOf: [FIGURES, { type: 'null' }] } }
          }
        },
        years: {
          type: 'array',
          items: { type: 'object', required: ['year', 'months', ...FIGURES_REQUIRED], properties: { year: { type: 'string' }, months: { type: 'integer' }, ...FIGURES_PROPERTIES } }
        }
      }
    },
    400: { type: 'object', properties: { error: { type: 'string' } } }
  }
} as const

export interface MonthsRouteDeps {
  pool: Pool
  options: ApiOptions
}

export function monthsRoutes (app: ApiApp, { pool, options }: MonthsRouteDeps): void {
  app.get<{ Querystring: { from?: string, to?: string } }>('/api/months', { schema: MONTHS_SCHEMA }, async (request): Promise<MonthsResponse> => {
    const { query } = request
    const fromParam = query.from === undefined ? undefined : monthParam('from', query.from)
    const toParam = query.to === undefined ? undefined : monthParam('to', query.to)
    // Default: the twelve months up to the newest day in daily_summary.
    const to = toParam ?? ((await newestDate(pool)) ?? londonToday()).slice(0, 7)
    const from = fromParam ?? addMonths(to, -11)
    if (from > to) throw badRange(`from ${from} is after to ${to}`)
    const months = monthsIn(from, to)
    if (months > options.maxRangeMonths) throw badRange(`from ${from} to ${to} is ${months} months; at most ${options.maxRangeMonths} per request`)
    const rows = await monthsBetween(pool, `${addMonths(from, -12)}-01`, `${to}-01`)
    return { from, to, ...monthsAndYears(rows, from) }
  })
}
