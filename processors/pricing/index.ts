import type { SlotRange } from '../../lib/london-day.ts'
import { importTariffView, meterPeriods } from '../account/agreements.ts'
import type { TariffPeriod } from '../account/types.ts'
import { accountOf } from '../account/table.ts'
import type { FetchContext, PricingValues, SourceDeclaration } from '../ingest/types.ts'
import { slotKeyValues } from '../ingest/keys.ts'
import { EnergyError } from '../../lib/errors.ts'
import { BOUNDS, MAX_TEXT, textProblem } from '../ingest/normalise.ts'
import { checkValue } from '../join/state.ts'
import { columnLayout, joinInput } from '../join/columns.ts'
import { fetchTariffSlots, unpricedDay } from '../../clients/octopus/rates.ts'

/** The join's pricing columns: price inc VAT, exc VAT (p/kWh), standing charge inc VAT, exc VAT (p/day; NaN: unknown). */
export const PRICING_COLUMNS = columnLayout(['inc', 'exc', 'standing_inc', 'standing_exc'])

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
    const product = context.config.octopusAccount === '' ? context.config.octopusProduct : undefined
    for (const period of tariffPeriods(span.from, span, context)) values.push(...await fetchTariffSlots(span, period, context, { source: 'pricing', product }))
    return values.sort((a, b) => a.slot_start - b.slot_start)
  },
  // A day without rates cannot be priced: say by which agreement, or that none is in force.
  whyMissing (day, context) {
    const periods = tariffPeriods(day.date, day, context)
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

/** The tariffs pricing a day or span (from `date` on), each over the part where it is in force (none: no agreement). */
function tariffPeriods (date: string, range: SlotRange, context: FetchContext): TariffPeriod[] {
  if (context.config.octopusAccount === '') return [{ tariff: context.config.octopusTariff, from: range.startMs, to: range.endMs }]
  return meterPeriods(accountOf(date, context, 'ENERGY_UNPRICED'), 'import', range.startMs, range.endMs)
}
