import { slotStarts, type LondonDay } from '../../lib/london-day.ts'
import { meterPeriods, periodAt } from '../account/agreements.ts'
import { accountOf } from '../account/table.ts'
import type { MeterKind, MeterPeriod } from '../account/types.ts'
import { fetchTariffSlots, type TariffSlots } from '../pricing/rates.ts'
import { fetchReadings, type ReadingPath } from './readings.ts'
import type { FetchContext, PricingValues, SlotValues, UsageValues } from './types.ts'

// A day of one of the account's other meters (export, gas): every slot with a meter point of
// the kind in force is its reading priced by that agreement's tariff; every slot without one,
// and every slot without OCTOPUS_ACCOUNT, is the source's "no meter" value, so a household
// without solar or gas gets whole days of zeros.

export interface MeteredDay<V extends SlotValues> {
  kind: MeterKind
  path: ReadingPath
  tariffs: TariffSlots
  none (slotStart: number): V
  value (reading: UsageValues, rate: PricingValues, period: MeterPeriod): V
}

export async function fetchMeteredDay<V extends SlotValues> (day: LondonDay, context: FetchContext, metered: MeteredDay<V>): Promise<V[]> {
  if (context.config.octopusAccount === '') return slotStarts(day).map(metered.none)
  const periods = meterPeriods(accountOf(day.date, context), metered.kind, day.startMs, day.endMs)
  const values = new Map<number, V>()
  for (const start of slotStarts(day)) if (periodAt(periods, start) === undefined) values.set(start, metered.none(start))
  for (const period of periods) {
    const readings = await fetchReadings(day, [period], metered.path, metered.tariffs.source, context)
    if (readings.length === 0) continue
    const rates = new Map((await fetchTariffSlots(day, period, context, metered.tariffs)).map(r => [r.slot_start, r]))
    // A reading without a rate is left out: the day shows incomplete rather than unpriced.
    for (const reading of readings) {
      const rate = rates.get(reading.slot_start)
      if (rate !== undefined) values.set(reading.slot_start, metered.value(reading, rate, period))
    }
  }
  return [...values.values()].sort((a, b) => a.slot_start - b.slot_start)
}
