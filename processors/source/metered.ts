import { meterPeriods, periodAt } from '../../clients/octopus/account-view.ts'
import { fetchTariffSlots, unpricedDay, type TariffSlots } from '../../clients/octopus/rates.ts'
import { fetchReadings, readingSpans, type ReadingPath } from '../../clients/octopus/readings.ts'
import type { MeterPeriod, PricingValues, UsageValues } from '../../clients/octopus/types.ts'
import { EnergyError } from '../../lib/errors.ts'
import { slotStarts, type DaySpan } from '../../lib/london-day.ts'
import { planOf } from './plan.ts'
import type { FetchContext, SlotValues, SourceDeclaration } from './types.ts'

// A span of days of one of the account's other meters (export, gas): every slot with a meter point of
// the kind in force is its reading priced by that agreement's tariff, or, without a reading, an
// unread value that still carries the agreement's standing charge (owed every day an agreement
// is in force); every slot without one, and every slot without OCTOPUS_ACCOUNT, is the source's
// "no meter" value, so a household without solar or gas gets whole days of zeros.

export interface MeteredSpan<V extends SlotValues> {
  kind: 'export' | 'gas'
  path: ReadingPath
  tariffs: TariffSlots
  none (slotStart: number): V
  /** A slot in force: its reading, or undefined when the meter has none for it (unread). */
  value (reading: UsageValues | undefined, rate: PricingValues, period: MeterPeriod): V
}

/**
 * Why a day of a metered source has no values: the unpriced tariffs of its agreements when the
 * catalogue or their rates said so (see unpricedDay), else not read yet (ENERGY_NO_DATA).
 */
export function meteredDayMissing (kind: 'export' | 'gas'): NonNullable<SourceDeclaration['whyMissing']> {
  return (day, context) => {
    const periods = context.account === undefined ? [] : meterPeriods(context.account, kind, day.startMs, day.endMs)
    if (periods.some(p => context.tariffs?.unpriced(p.tariff) !== undefined)) return unpricedDay(day.date, periods, context)
    return new EnergyError('ENERGY_NO_DATA', `${kind} has no data for ${day.date} yet`, { date: day.date })
  }
}

export async function fetchMeteredSpan<V extends SlotValues> (span: DaySpan, context: FetchContext, metered: MeteredSpan<V>): Promise<V[]> {
  const periods = planOf(span.from, context).otherMeters(metered.kind, span)
  if (periods === undefined) return slotStarts(span).map(metered.none)
  const values = new Map<number, V>()
  for (const start of slotStarts(span)) if (periodAt(periods, start) === undefined) values.set(start, metered.none(start))
  const readings = await fetchReadings(span, readingSpans(periods), metered.path, metered.tariffs.source, context)
  const bySlot = new Map(readings.map(r => [r.slot_start, r]))
  for (const period of periods) {
    // Each agreement prices its period's slots; a slot without a rate is left out: the day
    // shows incomplete rather than priced at nothing.
    for (const rate of await fetchTariffSlots(span, period, context, metered.tariffs)) {
      values.set(rate.slot_start, metered.value(bySlot.get(rate.slot_start), rate, period))
    }
  }
  return [...values.values()].sort((a, b) => a.slot_start - b.slot_start)
}
