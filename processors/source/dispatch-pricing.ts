import { DISPATCH_COLUMNS, PRICING_COLUMNS } from './shared-columns.ts'
import type { JoinDay, SourceBatch } from './types.ts'

// Intelligent Octopus Go bills every half-hour that a completed smart charge at home touches at
// the off-peak rate, whole half-hours, even outside 23:30-05:30; bump (boost) charges and charges
// away from home are billed at the rate of the time (Octopus, "Intelligent Octopus Go"
// terms and help: docs/processors.md "Dispatches"). Read by the electricity fold (join/aggregate.ts,
// for cost) and by the dispatches input's fold (dispatch_kwh, dispatch_saving).

/** Intelligent tariffs: IOG-… and INTELLI-… products (as rates.ts reads their night window); not export. */
export function isIntelligentTariff (code: string | null): boolean {
  return code !== null && /(^|-)(IOG|INTELLI)-/.test(code) && !code.includes('EXPORT')
}

export interface Repricing {
  /** The day's off-peak rate inc and exc VAT: its lowest unit rate (the night rate on Intelligent Octopus Go). */
  offPeakInc: number
  offPeakExc: number
  /** Per slot: 1 when re-priced (a smart charge at home touches it and its rate is above off-peak). */
  slots: Uint8Array
}

/** The day's re-priced slots, or undefined when nothing is (no dispatches in, not an Intelligent tariff). */
export function dispatchRepricing (day: JoinDay, pricing: SourceBatch): Repricing | undefined {
  const dispatches = day.whole('dispatches')
  if (dispatches === undefined || !isIntelligentTariff(pricing.label)) return undefined
  let cheapest = -1
  for (let i = 0; i < day.slots; i++) {
    if (pricing.present[i] === 1 && (cheapest < 0 || PRICING_COLUMNS.inc.get(pricing, i) < PRICING_COLUMNS.inc.get(pricing, cheapest))) cheapest = i
  }
  if (cheapest < 0) return undefined
  const offPeakInc = PRICING_COLUMNS.inc.get(pricing, cheapest)
  const offPeakExc = PRICING_COLUMNS.exc.get(pricing, cheapest)
  const slots = new Uint8Array(day.slots)
  for (let i = 0; i < day.slots; i++) {
    if (pricing.present[i] === 1 && dispatches.present[i] === 1 && DISPATCH_COLUMNS.smart_home.get(dispatches, i) === 1 &&
      PRICING_COLUMNS.inc.get(pricing, i) > offPeakInc) slots[i] = 1
  }
  return { offPeakInc, offPeakExc, slots }
}
