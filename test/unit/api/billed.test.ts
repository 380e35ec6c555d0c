import assert from 'node:assert/strict'
import { test } from 'node:test'
import { billedReasons, type BilledDayFacts } from '../../../api/billed.ts'
import { billedSourceState } from '../../../api/routes/billed.ts'

// The reasons a day's billed and computed figures differ (api/billed.ts): each code from the
// facts that call for it, the pence it accounts for, and "unexplained" only when none applies.

/** A 48-slot day on which everything agrees but the difference itself. */
function facts (over: Partial<BilledDayFacts> = {}): BilledDayFacts {
  return {
    date: '2026-01-15',
    slots_expected: 48,
    cost_inc_vat: 500,
    standing_charge_inc_vat: 48,
    billed_inc_vat: 553,
    billed_difference: 5,
    dispatch_kwh: 0,
    dispatch_saving: 0,
    dispatch_note: null,
    usage_slots: 48,
    billed_slots: 48,
    unread_slots: 0,
    unread_cost: 0,
    unmeasured_slots: 0,
    unmeasured_cost: 0,
    kwh_differs_slots: 0,
    kwh_difference: 0,
    kwh_difference_cost: 0,
    uncosted_slots: 0,
    uncosted_cost: 0,
    repriced_slots: 0,
    repriced_pence: 0,
    repriced_example: null,
    standing_slots: 48,
    billed_standing: 48,
    tariffs: ['E-1R-VAR-22-11-01-C'],
    other_statistics: [],
    ...over
  }
}

const codes = (f: BilledDayFacts): string[] => billedReasons(f).map(r => r.code)

test('nothing in the facts: unexplained, with the difference', () => {
  assert.deepStrictEqual(billedReasons(facts()), [{ code: 'unexplained', text: 'unexplained: every half-hour read, measured and priced alike; +5.00p not traced to a half-hour', pence: null }])
  assert.equal(billedReasons(facts({ billed_difference: -2.5 }))[0].text, 'unexplained: every half-hour read, measured and priced alike; −2.50p not traced to a half-hour')
})

test('readings missing: usage short of the day\'s slots, with what Octopus billed for the unread half-hours (46- and 50-slot days)', () => {
  assert.deepStrictEqual(billedReasons(facts({ slots_expected: 50, usage_slots: 48, billed_slots: 50, unread_slots: 2, unread_cost: 16.67, standing_slots: 50, billed_standing: 48 })), [{
    code: 'readings_missing',
    text: 'readings missing: usage has 48 of 50 half-hours; Octopus billed 16.67p for the 2 half-hours it measured and the pipeline has no reading of',
    pence: 16.67
  }])
  // Neither has the half-hour: readings missing, and Octopus measured only 45 of 46 (its standing share missing too).
  const spring = billedReasons(facts({ slots_expected: 46, usage_slots: 45, billed_slots: 45, standing_slots: 45, billed_standing: 46 * 45 / 46, standing_charge_inc_vat: 46 }))
  assert.deepStrictEqual(spring.map(r => [r.code, r.pence]), [['readings_missing', null], ['not_measured', -1]])
  assert.equal(spring[0].text, 'readings missing: usage has 45 of 46 half-hours')
  assert.equal(spring[1].text, 'Octopus measured 45 of 46 half-hours: their share of the standing charge is 1.00p')
})

test('not measured: what the pipeline priced that Octopus has not billed, and their standing-charge share', () => {
  const [reason] = billedReasons(facts({ billed_slots: 46, unmeasured_slots: 2, unmeasured_cost: 11.18, standing_slots: 46, billed_standing: 46 }))
  assert.deepStrictEqual(reason, {
    code: 'not_measured',
    text: 'Octopus measured 46 of 48 half-hours: the pipeline priced 2 half-hours Octopus has not billed (yet) at 11.18p; their share of the standing charge is 2.00p',
    pence: -13.18
  })
})

test('a dispatch day, a revised reading, a half-hour without a consumption cost', () => {
  const [dispatch] = billedReasons(facts({ dispatch_kwh: 13.9, dispatch_saving: 246.9 }))
  assert.deepStrictEqual([dispatch.code, dispatch.pence], ['dispatch', 246.9])
  assert.match(dispatch.text, /^a smart charge re-priced 13\.900 kWh to the off-peak rate \(246\.90p off the computed cost\): Octopus may not have applied it yet/)
  // A day older than the first dispatch snapshot: the pipeline could not know its dispatches.
  const unknown = billedReasons(facts({ dispatch_note: 'priced without dispatches: the day is older than the first dispatch snapshot (Octopus lists completed dispatches about 12 hours)', repriced_slots: 2, repriced_pence: -7.4 }))
  assert.deepStrictEqual(unknown.map(r => [r.code, r.pence]), [['dispatches_unknown', null], ['priced_differently', -7.4]])
  assert.equal(unknown[0].text, 'priced without dispatches: the day is older than the first dispatch snapshot (Octopus lists completed dispatches about 12 hours): a smart charge outside the off-peak window, billed off-peak by Octopus, is priced at the day rate here')
  // Without half-hours Octopus billed for less, the note alone is no reason.
  assert.deepStrictEqual(codes(facts({ dispatch_note: 'priced without dispatches', usage_slots: 47, billed_slots: 48, unread_slots: 1, unread_cost: 5 })), ['readings_missing'])
  assert.deepStrictEqual(billedReasons(facts({ kwh_differs_slots: 1, kwh_difference: -0.25, kwh_difference_cost: -6.125 })), [{
    code: 'readings_differ',
    text: 'Octopus\'s readings differ from the pipeline\'s in 1 half-hour by −0.250 kWh (revised after the pipeline fetched them), −6.13p at the unit rate',
    pence: -6.125
  }])
  assert.deepStrictEqual(billedReasons(facts({ uncosted_slots: 3, uncosted_cost: 20 })), [{
    code: 'no_consumption_cost', text: 'Octopus gave no consumption cost for 3 half-hours it measured; the pipeline priced them at 20.00p', pence: -20
  }])
})

test('a tariff priced differently names its worst half-hour in London time (GMT/BST on the autumn change), and a switch that day', () => {
  const example = { start: '2026-07-01T16:00:00.000Z', billed_rate: 27.956, computed_rate: 25.11 }
  const summer = billedReasons(facts({ repriced_slots: 6, repriced_pence: 3.93, repriced_example: example, tariffs: ['E-1R-AGILE-24-10-01-C', 'E-1R-VAR-22-11-01-C'] }))
  assert.deepStrictEqual(summer.map(r => r.code), ['tariff_switch', 'priced_differently'])
  assert.equal(summer[0].text, 'tariff switch that day: E-1R-AGILE-24-10-01-C → E-1R-VAR-22-11-01-C')
  assert.equal(summer[1].text, 'Octopus priced 6 half-hours at another rate than the pipeline (+3.93p), e.g. 17:00: billed 27.96 p/kWh, computed 25.11 p/kWh (tariff E-1R-AGILE-24-10-01-C, E-1R-VAR-22-11-01-C)')
  // 2025-10-26: 01:00 happens twice; the second is GMT.
  const autumn = billedReasons(facts({ slots_expected: 50, usage_slots: 50, billed_slots: 50, standing_slots: 50, standing_charge_inc_vat: 50, billed_standing: 50, repriced_slots: 1, repriced_pence: 1.5, repriced_example: { ...example, start: '2025-10-26T01:00:00.000Z' } }))
  assert.deepStrictEqual(autumn.map(r => r.code), ['priced_differently'])
  assert.match(autumn[0].text, /e\.g\. 01:00 GMT: billed/)
})

test('the standing charge: not given, or given otherwise than the pipeline\'s share (beyond 4-decimal rounding)', () => {
  assert.deepStrictEqual(billedReasons(facts({ standing_slots: 0, billed_standing: 0 })), [{
    code: 'standing_missing', text: 'standing charge not given by Octopus; the pipeline counts 48.00p', pence: -48
  }])
  // Rounding of 48 shares (0.005p each at most) is no reason.
  assert.deepStrictEqual(codes(facts({ billed_standing: 48.2 })), ['unexplained'])
  assert.deepStrictEqual(billedReasons(facts({ billed_standing: 52.5 })), [{
    code: 'standing_differs', text: 'standing charge: Octopus 52.50p, the pipeline 48.00p (+4.50p)', pence: 4.5
  }])
})

test('unknown statistic labels are shown, with their cost, never dropped', () => {
  const [reason] = billedReasons(facts({ other_statistics: [{ type: 'TOU_BUCKET_COST', label: 'EV LOW RATE', slots: 4, cost_pence: 12 }, { type: 'NEW_KIND', label: null, slots: 1, cost_pence: null }] }))
  assert.deepStrictEqual(reason, {
    code: 'other_statistics',
    text: 'statistics the comparison does not read (kept, not counted; Octopus renames labels): TOU_BUCKET_COST "EV LOW RATE" 12.00p, NEW_KIND',
    pence: null
  })
})

test('the source\'s state says plainly what to do when nothing has landed', () => {
  assert.deepStrictEqual(billedSourceState(false, ['co2', 'usage']), { running: false, in_sources: false, note: 'billed source not running: add billed to SOURCES' })
  assert.deepStrictEqual(billedSourceState(true, ['billed']), { running: true, in_sources: true, note: null })
  assert.match(billedSourceState(false, ['billed']).note as string, /^billed is in SOURCES but nothing has landed yet/)
})
