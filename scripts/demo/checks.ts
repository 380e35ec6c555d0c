import { billedReasons, DIFFERENCE_PENCE } from '../../api/billed.ts'
import { billedDays } from '../../api/queries.ts'
import type { Pool } from '../../lib/db.ts'

// The demo's summary of the opt-in sources (issue 23): the Intelligent Octopus dispatches the
// join re-priced, and the computed bill against what Octopus billed (GraphQL measurements).

export interface CheckRow {
  date: string
  dispatch_kwh: number
  dispatch_saving: number
  dispatch_note: string | null
  /** The import meter's computed figure: cost_inc_vat + standing_charge_inc_vat (null: standing charge unknown). */
  computed: number | null
  billed_inc_vat: number | null
  billed_difference: number | null
  missing_readings: unknown[]
}

export interface Checks {
  days: CheckRow[]
  /** Dispatch snapshots kept (energy_usage.dispatches), any date. */
  snapshots: number
  /** The likely reasons of each day that differs (their codes), as GET /api/billed gives them (api/billed.ts). */
  reasons: ReadonlyMap<string, string>
}

export async function readChecks (pool: Pool, from: string, to: string): Promise<Checks> {
  const { rows: kept } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM energy_usage.dispatches')
  const { rows } = await pool.query<CheckRow>(`SELECT to_char(date, 'YYYY-MM-DD') AS date, dispatch_kwh, dispatch_saving, dispatch_note,
      cost_inc_vat + standing_charge_inc_vat AS computed, billed_inc_vat, billed_difference, missing_readings
    FROM energy_usage.daily_summary WHERE date BETWEEN $1 AND $2 ORDER BY date`, [from, to])
  const differing = await billedDays(pool, from, to, DIFFERENCE_PENCE)
  // Their codes: GET /api/billed and the dashboard give each one's sentence and pence.
  const reasons = new Map(differing.map(f => [f.date, billedReasons(f).map(r => r.code).join(', ')]))
  return { days: rows, snapshots: Number(kept[0].n), reasons }
}

const pounds = (pence: number): string => `£${(pence / 100).toFixed(2)}`
const days = (n: number): string => `${n} ${n === 1 ? 'day' : 'days'}`
const signed = (pence: number): string => `${pence < 0 ? '-' : '+'}${pounds(Math.abs(pence))}`
/** The summary lines: dispatches re-priced, days priced without dispatches, computed vs billed with the days that differ. */
export function formatChecks ({ days: rows, snapshots, reasons }: Checks): string {
  const repriced = rows.filter(r => r.dispatch_kwh > 0)
  const unseen = rows.filter(r => r.dispatch_note !== null)
  const kwh = repriced.reduce((s, r) => s + r.dispatch_kwh, 0)
  const saving = repriced.reduce((s, r) => s + r.dispatch_saving, 0)
  const lines = [snapshots === 0
    ? 'dispatches: none kept (the account lists no EV or charge point, or none has dispatched since the poller started)'
    : `dispatches: ${snapshots} snapshots kept; ${days(repriced.length)} with smart charges re-priced off-peak (${kwh.toFixed(2)} kWh, ${pounds(saving)} off the bill); ` +
      `${days(unseen.length)} older than the first dispatch snapshot, priced without dispatches`]
  const billed = rows.filter(r => r.billed_inc_vat !== null && r.computed !== null && r.billed_difference !== null)
  const computed = billed.reduce((s, r) => s + (r.computed as number), 0)
  const octopus = billed.reduce((s, r) => s + (r.billed_inc_vat as number), 0)
  const differ = billed.filter(r => Math.abs(r.billed_difference as number) > DIFFERENCE_PENCE)
  lines.push(`billed: ${billed.length}/${rows.length} days with Octopus's own figures, import and standing charge computed ${pounds(computed)}, billed ${pounds(octopus)}; ` +
    `${days(differ.length)} ${differ.length === 1 ? 'differs' : 'differ'} by more than 1p`)
  for (const r of differ) lines.push(`  ${r.date}  computed ${pounds(r.computed as number)}  billed ${pounds(r.billed_inc_vat as number)}  ${signed(r.billed_difference as number)}  likely: ${reasons.get(r.date) ?? 'unexplained'}`)
  return lines.join('\n')
}
