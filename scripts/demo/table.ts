import type { Pool } from '../../lib/db.ts'

export interface DemoRow {
  date: string
  kwh: number
  cost_inc_vat: number
  carbon_g: number
  avg_intensity: number | null
  mix: Record<string, number>
  complete: boolean
}

export async function readDays (pool: Pool, from: string, to: string): Promise<DemoRow[]> {
  const { rows } = await pool.query<DemoRow>(`SELECT to_char(date, 'YYYY-MM-DD') AS date, kwh, cost_inc_vat, carbon_g, avg_intensity, mix, complete
    FROM energy_usage.daily_summary WHERE date BETWEEN $1 AND $2 ORDER BY date`, [from, to])
  return rows
}

/** The demo's table: figures are kept at full precision in Postgres and rounded only here. */
export function formatDays (rows: DemoRow[]): string {
  const header = ['date', 'kWh', 'cost £', 'CO2 kg', 'gCO2/kWh', 'top fuel', 'complete']
  const lines = rows.map(r => {
    const top = Object.entries(r.mix).sort((a, b) => b[1] - a[1])[0]
    return [
      r.date,
      r.kwh.toFixed(2),
      (r.cost_inc_vat / 100).toFixed(2),
      (r.carbon_g / 1000).toFixed(2),
      r.avg_intensity === null ? '-' : r.avg_intensity.toFixed(0),
      top === undefined ? '-' : `${top[0]} ${top[1].toFixed(0)}%`,
      r.complete ? 'yes' : 'no'
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map(l => l[i].length)))
  const fmt = (cells: string[]): string => cells.map((c, i) => i === 0 || i >= 5 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join('  ')
  return [fmt(header), ...lines.map(fmt)].join('\n')
}
