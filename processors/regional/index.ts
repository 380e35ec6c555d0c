import { beforeCarbonHistory, streamCarbonRanges } from '../../clients/carbon/ranges.ts'
import { regionFor, regionPath } from '../../clients/carbon/region.ts'
import { parseRegionalSlots } from '../../clients/carbon/regional.ts'
import type { RegionalValues } from '../../clients/carbon/types.ts'
import { readsAccount } from '../../clients/octopus/plan.ts'
import { BOUNDS } from '../../lib/answer.ts'
import { EnergyError } from '../../lib/errors.ts'
import { slotStarts } from '../../lib/london-day.ts'
import { columnLayout, joinInput } from '../source/columns.ts'
import type { FieldsBy } from '../source/fields.ts'
import { checkValue } from '../source/join-input.ts'
import { slotKeyValues } from '../source/keys.ts'
import { USAGE_COLUMNS } from '../source/shared-columns.ts'
import type { SourceDeclaration } from '../source/types.ts'
import { regionalPeriods, regionParts } from './region.ts'

export { regionalPeriods, regionParts, type RegionPart } from './region.ts'

/** The join's regional column: the region's forecast intensity (gCO2/kWh). */
export const REGIONAL_COLUMNS = columnLayout(['intensity'])

/** What to set for regional carbon: named in its dead letters and in `unavailable`. */
const REGION_VARIABLES = 'set CARBON_REGION_ID (1-17) or CARBON_POSTCODE (an outward code such as SW1A), or OCTOPUS_ACCOUNT with the property\'s postcode'

/**
 * Regional carbon, the household's own grid region: the regional forecast (the regional
 * endpoints have no actual), index and generation mix per half-hour. The region is
 * CARBON_REGION_ID, else CARBON_POSTCODE, else the outward postcode of the account's property
 * in force at the slot (region.ts); a span across a move is asked for in parts, one per region.
 */
export const regionalSource: SourceDeclaration<RegionalValues> = {
  name: 'regional',
  topic: 'energy.regional',
  // Without any way to know the region every day would be a dead letter: left out unless named.
  unavailable: config => config.carbonRegionId === null && config.carbonPostcode === null && !readsAccount(config)
    ? `no region is known: ${REGION_VARIABLES}`
    : undefined,
  // A move to another outward code (or a postcode corrected) requests those days again.
  accountView: regionalPeriods,
  // A region's part after another's: in time order, one range at a time.
  async * fetchSpan (span, context) {
    for (const part of regionParts(context.config, context.account, span)) {
      yield * streamCarbonRanges(part, 'regional/intensity', context, (range, body) => parseRegionalSlots(range, body, part.region), regionPath(part.region))
    }
  },
  whyMissing: (day, { config, account }) => {
    const before = beforeCarbonHistory('regional', day, 'regional')
    if (before !== undefined) return before
    if (slotStarts(day).some(ms => regionFor(config, account, ms) !== undefined)) {
      return new EnergyError('ENERGY_NO_DATA', `regional has no data for ${day.date} yet`, { date: day.date })
    }
    const why = !readsAccount(config)
      ? 'no region is known'
      : account === undefined
        ? `no region is known (account ${config.octopusAccount} not published on energy.account yet)`
        : `no region is known (no property of account ${config.octopusAccount} with a postcode is in force that day)`
    return new EnergyError('ENERGY_NO_DATA', `regional has no data for ${day.date}: ${why}; ${REGION_VARIABLES}`, { date: day.date })
  },
  sink: {
    name: 'regional_intensity',
    spec: {
      table: 'energy_usage.regional_intensity',
      columns: ['slot_start', 'slot_end', 'local_date', 'region_id', 'region', 'forecast', 'intensity_index', 'mix', 'batch_id'],
      types: ['timestamptz', 'timestamptz', 'date', 'int4', 'text', 'int4', 'text', 'jsonb', 'text'],
      rowKey: ['slot_start']
    },
    // The slot's mix as {fuel: perc}, as daily_summary.mix (fuel names are checked, never twice).
    toRows: r => [[r.slot_start, r.slot_end, r.local_date, r.region_id, r.region, r.forecast, r.index,
      JSON.stringify(Object.fromEntries(r.generationmix.map(f => [f.fuel, f.perc]))), r.batch_id]],
    keyValues: slotKeyValues
  },
  // Optional: a day is computed without it (the regional API failing, no region for the day)
  // and again when it arrives.
  join: joinInput({
    columns: REGIONAL_COLUMNS,
    optional: true,
    check (r) {
      checkValue(r, 'forecast', r.forecast, BOUNDS.intensity)
    },
    write (r, batch, slot) {
      REGIONAL_COLUMNS.intensity.set(batch, slot, r.forecast)
    },
    // Over the money slots (priced, with usage) it has: carbon_g_regional = Σ u × regional
    // intensity, avg_intensity_regional = that / Σ u; null when it has none of them.
    fold (day, batch): FieldsBy<'regional'> {
      const pricing = day.whole('pricing')
      const usage = day.whole('usage')
      let kwh = 0
      let carbon = 0
      let slots = 0
      for (let i = 0; i < day.slots; i++) {
        if (pricing === undefined || usage === undefined) break
        if (pricing.present[i] === 0 || usage.present[i] === 0 || batch.present[i] === 0) continue
        const u = USAGE_COLUMNS.kwh.get(usage, i)
        slots++
        kwh += u
        carbon += u * REGIONAL_COLUMNS.intensity.get(batch, i)
      }
      return {
        carbon_g_regional: slots === 0 ? null : carbon,
        avg_intensity_regional: slots > 0 && kwh > 0 ? carbon / kwh : null
      }
    }
  })
}
