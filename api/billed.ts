// Computed vs billed (issue 23): why a day's bill as the pipeline computed it differs from what
// Octopus billed (GraphQL `measurements`, the `billed` source; docs/processors.md "Billed"). Pure:
// api/queries.ts billedDays gathers each differing day's facts from the tables, this names the
// likely reasons. docs/api.md "GET /api/billed" lists the codes.

/** A day differs when |billed − computed| exceeds this many pence (issue 23: "more than 1p"). */
export const DIFFERENCE_PENCE = 1

// Octopus gives each half-hour's cost in pence to 2 decimals (the sample's CONSUMPTION_COST
// estimatedAmount, docs/sample-api.md "GraphQL"): up to 0.005p of rounding a half-hour, so a
// figure summed over n half-hours is the same figure within n × 0.005p.
export const ROUNDING_PENCE = 0.005

/** What the tables say about one day whose billed and computed figures differ (api/queries.ts billedDays). */
export interface BilledDayFacts {
  date: string
  /** 46, 48 or 50. */
  slots_expected: number
  /** daily_summary: the import's unit cost and standing charge, pence inc VAT. */
  cost_inc_vat: number
  standing_charge_inc_vat: number
  billed_inc_vat: number
  /** billed_inc_vat − (cost_inc_vat + standing_charge_inc_vat). */
  billed_difference: number
  dispatch_kwh: number
  dispatch_saving: number
  /** daily_summary.dispatch_note: set when the day was priced without dispatches (older than the first snapshot); null otherwise. */
  dispatch_note: string | null
  /** Half-hours with a reading in consumption, and with a measurement in billed. */
  usage_slots: number
  billed_slots: number
  /** Measured by Octopus, no reading in consumption: how many, and Octopus's consumption cost of them. */
  unread_slots: number
  unread_cost: number
  /** A reading in consumption, not measured by Octopus: how many, and their kWh × unit rate. */
  unmeasured_slots: number
  unmeasured_cost: number
  /** Both have the half-hour with kWh differing (over 0.0005 kWh): how many, Σ (billed − read) kWh, and × unit rate. */
  kwh_differs_slots: number
  kwh_difference: number
  kwh_difference_cost: number
  /** Measured with kWh but no consumption cost given: how many, and their kWh × unit rate. */
  uncosted_slots: number
  uncosted_cost: number
  /** Half-hours whose billed cost is not billed kWh × the unit rate the pipeline used (dispatch half-hours left out). */
  repriced_slots: number
  /** Σ (billed cost − billed kWh × unit rate) over them. */
  repriced_pence: number
  /** The half-hour of them that differs most: p/kWh as billed and as the pipeline priced it. */
  repriced_example: { start: string, billed_rate: number, computed_rate: number } | null
  /** Measured half-hours with a standing charge given, and its sum. */
  standing_slots: number
  billed_standing: number
  /** The day's unit-rate tariff codes (unit_rates), in the order they came into force. */
  tariffs: string[]
  /** Statistics of other types or labels (billed.other_statistics), by type and label. */
  other_statistics: OtherStatistic[]
}

export interface OtherStatistic {
  type: string | null
  label: string | null
  /** Half-hours carrying it. */
  slots: number
  /** Σ of its cost, pence inc VAT; null when none is given. */
  cost_pence: number | null
}

export type ReasonCode =
  | 'readings_missing' | 'not_measured' | 'readings_differ' | 'no_consumption_cost' | 'dispatch' | 'dispatches_unknown'
  | 'tariff_switch' | 'priced_differently' | 'standing_missing' | 'standing_differs' | 'other_statistics' | 'unexplained'

export interface Reason {
  code: ReasonCode
  text: string
  /**
   * Pence of billed − computed this reason accounts for, estimated from the half-hours it names
   * (same sign as the difference when it explains it); null when it cannot be put in pence.
   */
  pence: number | null
}

const p = (pence: number): string => `${pence.toFixed(2)}p`
const signed = (pence: number): string => `${pence >= 0 ? '+' : '−'}${p(Math.abs(pence))}`
// A half-hour named as people read it: London time (the clock-change hour says GMT or BST).
const londonTime = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
const londonZone = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', timeZoneName: 'short' })
function slotName (iso: string, slotsExpected: number): string {
  const at = new Date(iso)
  const zone = slotsExpected === 50 ? ` ${londonZone.formatToParts(at).find(x => x.type === 'timeZoneName')?.value ?? ''}` : ''
  return `${londonTime.format(at)}${zone}`
}
const halfHours = (n: number): string => `${n} half-hour${n === 1 ? '' : 's'}`

/**
 * The likely reasons, from the data the pipeline has, that a day's billed and computed figures
 * differ; `unexplained` alone when none applies. Order: readings first (the commonest cause),
 * then pricing, then what Octopus's answer itself lacks or adds.
 */
export function billedReasons (f: BilledDayFacts): Reason[] {
  const reasons: Reason[] = []
  if (f.usage_slots < f.slots_expected) {
    reasons.push({
      code: 'readings_missing',
      text: `readings missing: usage has ${f.usage_slots} of ${f.slots_expected} half-hours` +
        (f.unread_slots > 0 ? `; Octopus billed ${p(f.unread_cost)} for the ${halfHours(f.unread_slots)} it measured and the pipeline has no reading of` : ''),
      pence: f.unread_slots > 0 ? f.unread_cost : null
    })
  } else if (f.unread_slots > 0) {
    // Every slot read, yet Octopus measured one more (a half-hour outside the day's slots): rare.
    reasons.push({ code: 'readings_missing', text: `Octopus billed ${p(f.unread_cost)} for ${halfHours(f.unread_slots)} the pipeline has no reading of`, pence: f.unread_cost })
  }
  // Octopus shares the day's standing charge over the half-hours it measures (STANDING_CHARGE_COST
  // per half-hour: docs/sample-api.md "GraphQL"; our reading of the statistic, not documented by
  // Octopus), so a half-hour it has not measured lacks its share too.
  const share = f.standing_slots > 0 ? f.standing_charge_inc_vat / f.slots_expected : 0
  if (f.billed_slots < f.slots_expected) {
    const standing = share * (f.slots_expected - f.billed_slots)
    const parts = [f.unmeasured_slots > 0 ? `the pipeline priced ${halfHours(f.unmeasured_slots)} Octopus has not billed (yet) at ${p(f.unmeasured_cost)}` : '',
      standing > 0 ? `their share of the standing charge is ${p(standing)}` : ''].filter(Boolean)
    reasons.push({
      code: 'not_measured',
      text: `Octopus measured ${f.billed_slots} of ${f.slots_expected} half-hours${parts.length === 0 ? '' : `: ${parts.join('; ')}`}`,
      pence: -(f.unmeasured_cost + standing)
    })
  }
  if (f.kwh_differs_slots > 0) {
    reasons.push({
      code: 'readings_differ',
      text: `Octopus's readings differ from the pipeline's in ${halfHours(f.kwh_differs_slots)} by ${f.kwh_difference >= 0 ? '+' : '−'}${Math.abs(f.kwh_difference).toFixed(3)} kWh (revised after the pipeline fetched them), ${signed(f.kwh_difference_cost)} at the unit rate`,
      pence: f.kwh_difference_cost
    })
  }
  if (f.uncosted_slots > 0) {
    reasons.push({
      code: 'no_consumption_cost',
      text: `Octopus gave no consumption cost for ${halfHours(f.uncosted_slots)} it measured; the pipeline priced them at ${p(f.uncosted_cost)}`,
      pence: -f.uncosted_cost
    })
  }
  if (f.dispatch_kwh > 0) {
    reasons.push({
      code: 'dispatch',
      text: `a smart charge re-priced ${f.dispatch_kwh.toFixed(3)} kWh to the off-peak rate (${p(f.dispatch_saving)} off the computed cost): Octopus may not have applied it yet, or applied it differently`,
      pence: f.dispatch_saving
    })
  }
  // Octopus lists a completed dispatch for about 12 hours (docs/processors.md "Dispatches"): a day
  // seeded later was priced without them, while Octopus billed its smart-charge half-hours
  // off-peak. Named only with the evidence: half-hours Octopus billed for less than the pipeline.
  if (f.dispatch_note !== null && f.dispatch_note !== '' && f.repriced_slots > 0 && f.repriced_pence < 0) {
    reasons.push({
      code: 'dispatches_unknown',
      text: `${f.dispatch_note}: a smart charge outside the off-peak window, billed off-peak by Octopus, is priced at the day rate here`,
      pence: null
    })
  }
  if (f.tariffs.length > 1) {
    reasons.push({ code: 'tariff_switch', text: `tariff switch that day: ${f.tariffs.join(' → ')}`, pence: null })
  }
  if (f.repriced_slots > 0) {
    const example = f.repriced_example
    reasons.push({
      code: 'priced_differently',
      text: `Octopus priced ${halfHours(f.repriced_slots)} at another rate than the pipeline (${signed(f.repriced_pence)})` +
        (example === null ? '' : `, e.g. ${slotName(example.start, f.slots_expected)}: billed ${example.billed_rate.toFixed(2)} p/kWh, computed ${example.computed_rate.toFixed(2)} p/kWh`) +
        (f.tariffs.length > 0 ? ` (tariff ${f.tariffs.join(', ')})` : ''),
      pence: f.repriced_pence
    })
  }
  if (f.standing_slots === 0 && f.standing_charge_inc_vat > 0) {
    reasons.push({ code: 'standing_missing', text: `standing charge not given by Octopus; the pipeline counts ${p(f.standing_charge_inc_vat)}`, pence: -f.standing_charge_inc_vat })
  } else if (f.standing_slots > 0 && Math.abs(f.billed_standing - share * f.standing_slots) > f.standing_slots * ROUNDING_PENCE + 1e-9) {
    const pence = f.billed_standing - share * f.standing_slots
    const over = f.standing_slots < f.slots_expected ? ` for the ${halfHours(f.standing_slots)} it gave one` : ''
    reasons.push({ code: 'standing_differs', text: `standing charge: Octopus ${p(f.billed_standing)}, the pipeline ${p(share * f.standing_slots)}${over} (${signed(pence)})`, pence })
  }
  if (f.other_statistics.length > 0) {
    const named = f.other_statistics.map(s => `${s.type ?? '?'}${s.label === null ? '' : ` "${s.label}"`}${s.cost_pence === null ? '' : ` ${p(s.cost_pence)}`}`)
    reasons.push({ code: 'other_statistics', text: `statistics the comparison does not read (kept, not counted; Octopus renames labels): ${named.join(', ')}`, pence: null })
  }
  if (reasons.length === 0) {
    reasons.push({ code: 'unexplained', text: `unexplained: every half-hour read, measured and priced alike; ${signed(f.billed_difference)} not traced to a half-hour`, pence: null })
  }
  return reasons
}
