import { FUEL_NAME_RULE, isFuelName, parseMixSlots } from '../../clients/carbon/generation.ts'
import { beforeCarbonHistory, streamCarbonRanges } from '../../clients/carbon/ranges.ts'
import type { MixValues } from '../../clients/carbon/types.ts'
import { BOUNDS } from '../../lib/answer.ts'
import { EnergyError } from '../../lib/errors.ts'
import { joinInput, widenBatch } from '../source/columns.ts'
import { checkValue, MAX_FUELS, slotIndex } from '../source/join-input.ts'
import { slotKeyValues } from '../source/keys.ts'
import { MIX_COLUMNS } from '../source/shared-columns.ts'
import type { SourceBatch, SourceDeclaration } from '../source/types.ts'

/** Grid generation mix, national: each fuel's share per half-hour (%). */
export const mixSource: SourceDeclaration<MixValues> = {
  name: 'mix',
  topic: 'energy.mix',
  whyMissing: day => beforeCarbonHistory('mix', day, 'national') ?? new EnergyError('ENERGY_NO_DATA', `mix has no data for ${day.date} yet`, { date: day.date }),
  fetchSpan: (span, context) => streamCarbonRanges(span, 'generation', context, parseMixSlots),
  // One row per slot and fuel: a re-delivered slot replaces all its fuel rows.
  sink: {
    name: 'generation_mix',
    spec: {
      table: 'energy_usage.generation_mix',
      columns: ['slot_start', 'fuel', 'perc', 'slot_end', 'local_date', 'batch_id'],
      types: ['timestamptz', 'text', 'float8', 'timestamptz', 'date', 'text'],
      rowKey: ['slot_start', 'fuel'],
      recordKey: ['slot_start']
    },
    toRows: r => r.generationmix.map(f => [r.slot_start, f.fuel, f.perc, r.slot_end, r.local_date, r.batch_id]),
    keyValues: slotKeyValues
  },
  // Columns: one per fuel, in the order the batch's records named them (batch.columns): a day's
  // names are that day's alone, so junk names on some days never take another day's columns,
  // and a fuel the API adds later lands on the first day it appears. A batch holds only the
  // columns its records named (dictionary): ~9 doubles per slot, not MAX_FUELS.
  join: joinInput({
    columns: MIX_COLUMNS,
    dictionary: true,
    check (r, batchOf) {
      const fuels = r.generationmix.map(f => f.fuel)
      for (const { fuel, perc } of r.generationmix) {
        if (!isFuelName(fuel)) throw new EnergyError('ENERGY_INVALID_RECORD', `fuel ${JSON.stringify(fuel.slice(0, 40))} is not a fuel name (${FUEL_NAME_RULE})`, { date: r.local_date })
        checkValue(r, `perc of ${fuel}`, perc, BOUNDS.perc)
      }
      if (fuels.length > MAX_FUELS) throw new EnergyError('ENERGY_INVALID_RECORD', `slot ${slotIndex(r)} lists more than ${MAX_FUELS} fuels`, { date: r.local_date })
      if (batchOf === undefined) return
      // Reserve the record's names in its batch, so write() never meets a name without a column.
      const batch = batchOf()
      const { columns } = batch
      const added = [...new Set(fuels.filter(f => !columns.includes(f)))]
      if (columns.length + added.length > MAX_FUELS) {
        throw new EnergyError('ENERGY_INVALID_RECORD', `fuels ${added.join(', ')} would exceed the ${MAX_FUELS} fuel columns of batch ${r.batch_id} (known: ${columns.join(', ')})`, { date: r.local_date })
      }
      columns.push(...added)
      widenBatch(batch, columns.length)
    },
    write (r, batch, slot) {
      MIX_COLUMNS.fill(batch, slot, 0)
      for (const { fuel, perc } of r.generationmix) {
        const f = fuelColumn(batch, fuel)
        MIX_COLUMNS.at(f).set(batch, slot, perc)
        batch.columnMask |= 1 << f
      }
    }
  })
}

function fuelColumn (batch: SourceBatch, fuel: string): number {
  let i = batch.columns.indexOf(fuel)
  if (i === -1) {
    if (batch.columns.length >= MAX_FUELS) throw new EnergyError('ENERGY_INVALID_RECORD', `more than ${MAX_FUELS} distinct fuels in batch ${batch.id}; "${fuel}" has no column`)
    i = batch.columns.push(fuel) - 1
    widenBatch(batch, batch.columns.length)
  }
  return i
}
