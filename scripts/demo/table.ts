import type { Pool } from '../../lib/db.ts'

export interface DemoRow {
  date: string
  kwh: number
  cost_inc_vat: number
  carbon_g: number
  avg_intensity: number | null
  mix: Record<string, number>
  complete: boolean
  import_tariff_code: string | null
  /** null: unknown (a day joined before standing charges were fetched), and so is the bill. */
  standing_charge_inc_vat: number | null
  export_kwh: number
  export_value: number
  gas_kwh: number
  gas_cost_inc_vat: number
  gas_standing_charge_inc_vat: number
  bill_inc_vat: number | null
}

export async function readDays (pool: Pool, from: string, to: string): Promise<DemoRow[]> {
  const { rows } = await pool.query<DemoRow>(`SELECT to_char(date, 'YYYY-MM-DD') AS date, kwh, cost_inc_vat, carbon_g, avg_intensity, mix, complete,
      import_tariff_code, standing_charge_inc_vat, export_kwh, export_value, gas_kwh, gas_cost_inc_vat, gas_standing_charge_inc_vat, bill_inc_vat
    FROM energy_usage.daily_summary WHERE date BETWEEN $1 AND $2 ORDER BY date`, [from, to])
  return rows
}

const pounds = (pence: number | null): string => pence === null ? '-' : (pence / 100).toFixed(2)

/** The demo's table: figures are kept at full precision in Postgres and rounded only here. */
export function formatDays (rows: DemoRow[]): string {
  const header = ['date', 'tariff', 'import kWh', 'export kWh', 'gas kWh', 'import £', 'gas £', 'standing £', 'export £', 'bill £', 'CO2 kg', 'gCO2/kWh', 'top fuel', 'complete']
  const lines = rows.map(r => {
    const top = Object.entries(r.mix).sort((a, b) => b[1] - a[1])[0]
    return [
      r.date,
      r.import_tariff_code ?? '-',
      r.kwh.toFixed(2),
      r.export_kwh.toFixed(2),
      r.gas_kwh.toFixed(2),
      pounds(r.cost_inc_vat),
      pounds(r.gas_cost_inc_vat),
      // Electricity's and gas's: both are per day.
      pounds(r.standing_charge_inc_vat === null ? null : r.standing_charge_inc_vat + r.gas_standing_charge_inc_vat),
      pounds(r.export_value),
      pounds(r.bill_inc_vat),
      (r.carbon_g / 1000).toFixed(2),
      r.avg_intensity === null ? '-' : r.avg_intensity.toFixed(0),
      top === undefined ? '-' : `${top[0]} ${top[1].toFixed(0)}%`,
      r.complete ? 'yes' : 'no'
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map(l => l[i].length)))
  // Text columns (date, tariff, top fuel, complete) left-aligned, figures right-aligned.
  const left = new Set([0, 1, 12, 13])
  const fmt = (cells: string[]): string => cells.map((c, i) => left.has(i) ? c.padEnd(widths[i]) : c.padStart(widths[i])).join('  ')
  return [fmt(header), ...lines.map(fmt)].join('\n')
}
