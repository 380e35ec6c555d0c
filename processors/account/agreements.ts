import { EnergyError } from '../../lib/errors.ts'
import { datesBetween, localDateOf } from '../../lib/london-day.ts'
import type { Account, TariffPeriod } from './types.ts'

/** E-1R-AGILE-24-10-01-C → AGILE-24-10-01: the product is the code without fuel/register prefix and region letter. */
export function productOf (tariffCode: string): string {
  const m = /^[EG]-[12]R-(.+)-[A-P]$/.exec(tariffCode)
  if (m === null) throw new EnergyError('ENERGY_MALFORMED', `tariff code "${tariffCode}" is not of the form E-1R-<product>-<region letter>`)
  return m[1]
}

/**
 * The import electricity agreements in force over [from, to), each clipped to the property it
 * belongs to (moved_in_at..moved_out_at) and to [from, to), in start order. Export meter
 * points have their own agreements and are not import.
 */
export function importPeriods (account: Account, from: number, to: number): TariffPeriod[] {
  const periods: TariffPeriod[] = []
  for (const property of account.properties) {
    const lived = { from: property.moved_in_at ?? -Infinity, to: property.moved_out_at ?? Infinity }
    for (const point of property.electricity_meter_points) {
      if (point.is_export) continue
      for (const a of point.agreements) {
        const start = Math.max(a.valid_from, lived.from, from)
        const end = Math.min(a.valid_to ?? Infinity, lived.to, to)
        if (start < end) periods.push({ tariff: a.tariff_code, from: start, to: end })
      }
    }
  }
  return periods.sort((a, b) => a.from - b.from)
}

/** The period in force at `ms`: where periods overlap, the one that started last. */
export function periodAt (periods: readonly TariffPeriod[], ms: number): TariffPeriod | undefined {
  let found: TariffPeriod | undefined
  for (const p of periods) if (p.from <= ms && ms < p.to) found = p
  return found
}

/**
 * The London dates before `until` (UTC ms) on which some instant is priced by a different import
 * tariff in `next` than in `previous` (or priced in one and not the other): the days a changed
 * account (a back-dated switch, a move) re-prices. Ascending.
 */
export function repricedDates (previous: Account, next: Account, until: number): string[] {
  const before = importPeriods(previous, -Infinity, until)
  const after = importPeriods(next, -Infinity, until)
  const edges = [...new Set([...before, ...after].flatMap(p => [p.from, p.to]))].sort((a, b) => a - b)
  const dates = new Set<string>()
  for (let i = 0; i + 1 < edges.length; i++) {
    const [from, to] = [edges[i], edges[i + 1]]
    if (periodAt(before, from)?.tariff === periodAt(after, from)?.tariff) continue
    for (const date of datesBetween(localDateOf(from), localDateOf(to - 1))) dates.add(date)
  }
  return [...dates].sort()
}
