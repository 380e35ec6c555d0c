import { datesBetween, localDateOf } from '../../lib/london-day.ts'
import type { Config } from '../../lib/config.ts'
import type { Account, AccountPeriod, MeterKind, MeterPeriod } from './types.ts'

/**
 * The agreements of the account's `kind` meter points in force over [from, to), each clipped to
 * the property it belongs to (moved_in_at..moved_out_at) and to [from, to), in start order and
 * never overlapping: where two overlap (a move-out recorded after the next move-in, an agreement
 * ending after its successor began), each instant belongs to the one that started last.
 */
export function meterPeriods (account: Account, kind: MeterKind, from: number, to: number): MeterPeriod[] {
  const periods: MeterPeriod[] = []
  for (const property of account.properties) {
    const lived = { from: property.moved_in_at ?? -Infinity, to: property.moved_out_at ?? Infinity }
    const points = kind === 'gas'
      ? property.gas_meter_points.map(p => ({ meterPoint: p.mprn, meters: p.meters, agreements: p.agreements, units: p.meter_units }))
      : property.electricity_meter_points.filter(p => p.is_export === (kind === 'export')).map(p => ({ meterPoint: p.mpan, meters: p.meters, agreements: p.agreements, units: undefined }))
    for (const point of points) {
      for (const a of point.agreements) {
        const start = Math.max(a.valid_from, lived.from, from)
        const end = Math.min(a.valid_to ?? Infinity, lived.to, to)
        if (start < end) periods.push({ kind, meterPoint: point.meterPoint, meters: point.meters, ...(point.units === undefined ? {} : { units: point.units }), tariff: a.tariff_code, from: start, to: end })
      }
    }
  }
  return disjoint(periods.sort((a, b) => a.from - b.from))
}

/** Periods cut where they overlap, each instant kept by the period that started last. */
function disjoint (periods: MeterPeriod[]): MeterPeriod[] {
  const edges = [...new Set(periods.flatMap(p => [p.from, p.to]))].sort((a, b) => a - b)
  const out: MeterPeriod[] = []
  for (let i = 0; i + 1 < edges.length; i++) {
    const owner = periodAt(periods, edges[i])
    if (owner === undefined) continue
    const last = out.at(-1)
    if (last !== undefined && last.to === edges[i] && last.meterPoint === owner.meterPoint && last.tariff === owner.tariff && last.meters === owner.meters) last.to = edges[i + 1]
    else out.push({ ...owner, from: edges[i], to: edges[i + 1] })
  }
  return out
}

/** The period in force at `ms`: where periods overlap, the one that started last. */
export function periodAt<P extends { from: number, to: number }> (periods: readonly P[], ms: number): P | undefined {
  let found: P | undefined
  for (const p of periods) if (p.from <= ms && ms < p.to) found = p
  return found
}

/** What a source reads of the account: its periods over [from, to), each with a comparable key. */
export type AccountView = (account: Account, from: number, to: number) => AccountPeriod[]

/**
 * The payment method the rates are chosen by: the account's (GraphQL's word or the
 * OCTOPUS_PAYMENT_METHOD it was decided with, processors/account/facts.ts), else
 * OCTOPUS_PAYMENT_METHOD (no account, or a record from before the schema's version 2).
 */
export function paymentMethodOf (account: Pick<Account, 'payment_method'> | undefined, config: Pick<Config, 'octopusPaymentMethod'>): 'DIRECT_DEBIT' | 'NON_DIRECT_DEBIT' {
  return account?.payment_method?.method ?? config.octopusPaymentMethod
}

// A priced view's key names the payment method (a change re-prices every day: the rates are
// the other method's), '' when the record does not say (before version 2).
const paidBy = (account: Account): string => account.payment_method?.method ?? ''

/** The import tariff in force and how it is paid: what pricing reads. */
export const importTariffView: AccountView = (account, from, to) => meterPeriods(account, 'import', from, to).map(p => ({ from: p.from, to: p.to, key: `${p.tariff}|${paidBy(account)}` }))

/**
 * A kind's meter point and meters in force (gas: with each meter's unit, so a unit learnt or
 * corrected re-requests the meter's days), and its tariff and payment method when the source
 * prices the readings (export, gas; usage only meters them: pricing prices import).
 */
export function meterView (kind: MeterKind, priced: boolean): AccountView {
  return (account, from, to) => meterPeriods(account, kind, from, to).map(p => {
    const units = p.units === undefined || p.units.length === 0 ? '' : `|${p.units.map(u => u.unit).join(',')}`
    return { from: p.from, to: p.to, key: `${p.meterPoint}|${p.meters.join(',')}${units}${priced ? `|${p.tariff}|${paidBy(account)}` : ''}` }
  })
}

/**
 * The London dates before `until` (UTC ms) on which some instant reads differently in `next`
 * than in `previous` through `view` (or is covered in one and not the other): the days a
 * changed account (a back-dated switch, a move, a meter exchange) changes for that source.
 * Ascending.
 */
export function repricedDates (previous: Account, next: Account, until: number, view: AccountView = importTariffView): string[] {
  const before = view(previous, -Infinity, until)
  const after = view(next, -Infinity, until)
  const edges = [...new Set([...before, ...after].flatMap(p => [p.from, p.to]))].sort((a, b) => a - b)
  const dates = new Set<string>()
  for (let i = 0; i + 1 < edges.length; i++) {
    const [from, to] = [edges[i], edges[i + 1]]
    if (periodAt(before, from)?.key === periodAt(after, from)?.key) continue
    for (const date of datesBetween(localDateOf(from), localDateOf(to - 1))) dates.add(date)
  }
  return [...dates].sort()
}
