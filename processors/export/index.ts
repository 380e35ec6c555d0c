import { meterView } from '../../clients/octopus/account-view.ts'
import { BOUNDS, MAX_TEXT, textProblem } from '../../lib/answer.ts'
import { EnergyError } from '../../lib/errors.ts'
import { columnLayout, joinInput } from '../source/columns.ts'
import type { FieldsBy } from '../source/fields.ts'
import { checkValue } from '../source/join-input.ts'
import { slotKeyValues } from '../source/keys.ts'
import { fetchMeteredSpan, meteredDayMissing } from '../source/metered.ts'
import type { ExportValues, SourceDeclaration } from '../source/types.ts'

/** The join's export columns: kWh exported (NaN: in force, not read), p/kWh. */
export const EXPORT_COLUMNS = columnLayout(['kwh', 'rate'])

/** A slot without an export meter in force: nothing exported, nothing earned. */
const noExport = (slotStart: number): ExportValues => ({ slot_start: slotStart, kwh: 0, meter_serial: null, tariff_code: null, rate: 0, read: true })

/**
 * Solar export per half-hour (kWh) of the account's export meter points (`is_export`), each
 * slot valued at the rate of the export agreement in force (Outgoing Fixed: flat; Agile
 * Outgoing: half-hourly; no VAT on export). Slots without an export agreement in force, and
 * every slot without OCTOPUS_ACCOUNT, are 0: a household without solar sees zeros.
 */
export const exportSource: SourceDeclaration<ExportValues> = {
  name: 'export',
  topic: 'energy.export',
  accountView: meterView('export', true),
  whyMissing: meteredDayMissing('export'),
  fetchSpan: async (span, context) => await fetchMeteredSpan(span, context, {
    kind: 'export',
    path: 'electricity-meter-points',
    tariffs: { source: 'export', standingCharges: false },
    none: noExport,
    value: (r, rate, period) => ({ slot_start: rate.slot_start, kwh: r?.consumption ?? 0, meter_serial: r?.meter_serial ?? null, tariff_code: period.tariff, rate: rate.value_exc_vat, read: r !== undefined })
  }),
  sink: {
    name: 'export_readings',
    spec: {
      table: 'energy_usage.export_readings',
      columns: ['slot_start', 'slot_end', 'local_date', 'kwh', 'meter_serial', 'tariff_code', 'rate', 'batch_id', 'read'],
      types: ['timestamptz', 'timestamptz', 'date', 'float8', 'text', 'text', 'float8', 'text', 'bool'],
      rowKey: ['slot_start']
    },
    toRows: r => [[r.slot_start, r.slot_end, r.local_date, r.kwh, r.meter_serial, r.tariff_code, r.rate, r.batch_id, r.read]],
    keyValues: slotKeyValues
  },
  // Optional: a day whose export is missing (its meter's API failing) is still computed,
  // without export, and shows incomplete.
  join: joinInput({
    columns: EXPORT_COLUMNS,
    optional: true,
    check (r) {
      checkValue(r, 'kwh', r.kwh, BOUNDS.consumptionKwh)
      checkValue(r, 'rate', r.rate, BOUNDS.price)
      const problem = r.tariff_code === null ? undefined : textProblem(r.tariff_code, MAX_TEXT.tariffCode)
      if (problem !== undefined) throw new EnergyError('ENERGY_INVALID_RECORD', `tariff_code ${problem}`, { date: r.local_date })
    },
    write (r, batch, slot) {
      // A slot in force without a reading (read false) is NaN: owed its standing charge, not read.
      EXPORT_COLUMNS.kwh.set(batch, slot, r.read === false ? NaN : r.kwh)
      EXPORT_COLUMNS.rate.set(batch, slot, r.rate)
    },
    read: (batch, slot) => batch.present[slot] === 1 && !Number.isNaN(EXPORT_COLUMNS.kwh.get(batch, slot)),
    // Over the read slots: export_kwh = Σ kWh, export_value = Σ kWh × rate.
    fold (day, batch): FieldsBy<'export'> {
      let kwh = 0
      let value = 0
      for (let i = 0; i < day.slots; i++) {
        if (batch.present[i] === 0 || Number.isNaN(EXPORT_COLUMNS.kwh.get(batch, i))) continue
        kwh += EXPORT_COLUMNS.kwh.get(batch, i)
        value += EXPORT_COLUMNS.kwh.get(batch, i) * EXPORT_COLUMNS.rate.get(batch, i)
      }
      return { export_kwh: kwh, export_value: value }
    }
  })
}
