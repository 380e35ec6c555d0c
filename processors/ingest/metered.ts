import { slotStarts, type DaySpan } from '../../lib/london-day.ts'
import { meterPeriods, periodAt } from '../account/agreements.ts'
import { accountOf } from '../account/table.ts'
import type { MeterKind, MeterPeriod } from '../account/types.ts'
import { fetchTariffSlots, type TariffSlots } from '../../clients/octopus/rates.ts'
import { fetchReadings, readingSpans, type ReadingPath } from '../../clients/octopus/readings.ts'
import type { FetchContext, PricingValues, SlotValues, UsageValues } from './types.ts'

// A span of days of one of the account's other meters (export, gas): every slot with a meter point of
// the kind in force is its reading priced by that agreement's tariff; every slot without one,
// and every slot without OCTOPUS_ACCOUNT, is the source's "no meter" value, so a household
// without solar or gas gets whole days of zeros.

export interface MeteredSpan<V extends SlotValues> {
  kind: MeterKind
  path: ReadingPath
  tariffs: TariffSlots
  none (slotStart: number): V
  value (reading: UsageValues, rate: PricingValues, period: MeterPeriod): V
}

export async function fetchMeteredSpan<V extends SlotValues> (span: DaySpan, context: FetchContext, metered: MeteredSpan<V>): Promise<V[]> {
  if (context.config.octopusAccount === '') return slotStarts(span).map(metered.none)
  const periods = meterPeriods(accountOf(span.from, context), metered.kind, span.startMs, span.endMs)
  const values = new Map<number, V>()
  for (const start of slotStarts(span)) if (periodAt(periods, start) === undefined) values.set(start, metered.none(start))
  const readings = await fetchReadings(span, readingSpans(periods), metered.path, metered.tariffs.source, context)
  for (const period of periods) {
    // Each agreement prices the readings of its period (asked for only where there are some).
    const inPeriod = readings.filter(r => r.slot_start >= period.from && r.slot_start < period.to)
    if (inPeriod.length === 0) continue
    const rates = new Map((await fetchTariffSlots(span, period, context, metered.tariffs)).map(r => [r.slot_start, r]))
    // A reading without a rate is left out: the day shows incomplete rather than unpriced.
    for (const reading of inPeriod) {
      const rate = rates.get(reading.slot_start)
      if (rate !== undefined) values.set(reading.slot_start, metered.value(reading, rate, period))
    }
  }
  return [...values.values()].sort((a, b) => a.slot_start - b.slot_start)
}
