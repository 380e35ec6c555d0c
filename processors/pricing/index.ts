import { importTariffView } from '../../clients/octopus/account-view.ts'
import { fetchTariffSlots, unpricedDay } from '../../clients/octopus/rates.ts'
import type { PricingValues } from '../../clients/octopus/types.ts'
import { BOUNDS, MAX_TEXT, textProblem } from '../../lib/answer.ts'
import { EnergyError } from '../../lib/errors.ts'
import { joinInput } from '../source/columns.ts'
import { checkValue } from '../source/join-input.ts'
import { slotKeyValues } from '../source/keys.ts'
import { planOf } from '../source/plan.ts'
import { PRICING_COLUMNS } from '../source/shared-columns.ts'
import type { SourceDeclaration } from '../source/types.ts'

/**
 * Octopus unit rates per half-hour (p/kWh), each with the standing charge in force at the slot
 * (p/day, for OCTOPUS_PAYMENT_METHOD). With OCTOPUS_ACCOUNT every slot is priced by the import
 * agreement in force at it (a switch may fall mid-day); without, by OCTOPUS_TARIFF.
 */
export const pricingSource: SourceDeclaration<PricingValues> = {
  name: 'pricing',
  topic: 'energy.pricing',
  accountView: importTariffView,
  async fetchSpan (span, context) {
    const values: PricingValues[] = []
    const plan = planOf(span.from, context, 'ENERGY_UNPRICED')
    for (const period of plan.importTariffs(span)) values.push(...await fetchTariffSlots(span, period, context, { source: 'pricing', product: plan.importProduct }))
    return values.sort((a, b) => a.slot_start - b.slot_start)
  },
  // A day without rates cannot be priced: say by which agreement, or that none is in force.
  whyMissing (day, context) {
    const periods = planOf(day.date, context, 'ENERGY_UNPRICED').importTariffs(day)
    if (periods.length === 0) return new EnergyError('ENERGY_UNPRICED', `${day.date}: no import agreement of account ${context.config.octopusAccount} is in force on this day`, { date: day.date })
    return unpricedDay(day.date, periods, context)
  },
  sink: {
    name: 'unit_rates',
    spec: {
      table: 'energy_usage.unit_rates',
      columns: ['slot_start', 'slot_end', 'local_date', 'tariff_code', 'value_exc_vat', 'value_inc_vat', 'batch_id', 'standing_charge_exc_vat', 'standing_charge_inc_vat'],
      types: ['timestamptz', 'timestamptz', 'date', 'text', 'float8', 'float8', 'text', 'float8', 'float8'],
      rowKey: ['slot_start']
    },
    toRows: r => [[r.slot_start, r.slot_end, r.local_date, r.tariff_code, r.value_exc_vat, r.value_inc_vat, r.batch_id, r.standing_charge_exc_vat, r.standing_charge_inc_vat]],
    keyValues: slotKeyValues
  },
  // The tariff code is text, so not a column: the batch keeps the code of its earliest slot
  // (batch.label), which is what the day's import_tariff_code reports.
  join: joinInput({
    columns: PRICING_COLUMNS,
    check (r) {
      checkValue(r, 'value_inc_vat', r.value_inc_vat, BOUNDS.price)
      checkValue(r, 'value_exc_vat', r.value_exc_vat, BOUNDS.price)
      checkValue(r, 'standing_charge_inc_vat', r.standing_charge_inc_vat, BOUNDS.standingCharge)
      checkValue(r, 'standing_charge_exc_vat', r.standing_charge_exc_vat, BOUNDS.standingCharge)
      // The code goes into the day's aggregate as import_tariff_code: the same text bounds as an answer's.
      const problem = textProblem(r.tariff_code, MAX_TEXT.tariffCode)
      if (problem !== undefined) throw new EnergyError('ENERGY_INVALID_RECORD', `tariff_code ${problem}`, { date: r.local_date })
    },
    write (r, batch, slot) {
      PRICING_COLUMNS.inc.set(batch, slot, r.value_inc_vat)
      PRICING_COLUMNS.exc.set(batch, slot, r.value_exc_vat)
      PRICING_COLUMNS.standing_inc.set(batch, slot, r.standing_charge_inc_vat ?? NaN)
      PRICING_COLUMNS.standing_exc.set(batch, slot, r.standing_charge_exc_vat ?? NaN)
      if (batch.label === null || slot <= batch.labelSlot) {
        batch.label = r.tariff_code
        batch.labelSlot = slot
      }
    }
  })
}
