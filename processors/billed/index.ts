import { meterPeriods } from '../../clients/octopus/account-view.ts'
import { graphqlUnavailable } from '../../clients/octopus/graphql.ts'
import { fetchMeasurements, type Measurement, type Statistic } from '../../clients/octopus/kraken.ts'
import { EnergyError } from '../../lib/errors.ts'
import { columnLayout, joinInput } from '../source/columns.ts'
import { slotKeyValues } from '../source/keys.ts'
import type { SourceDeclaration } from '../source/types.ts'

/** A half-hour as Octopus measured and costed it (schemas/energy.billed.avsc). */
export interface BilledValues {
  slot_start: number
  mpan: string
  kwh: number
  consumption_cost: number | null
  standing_cost: number | null
  other_statistics: string
}

/** The statistic types the comparison reads; any other is kept in other_statistics. */
const CONSUMPTION = 'CONSUMPTION_COST'
const STANDING = 'STANDING_CHARGE_COST'

/** The join's billed columns: pence inc VAT (NaN: none given), and how many other statistics the slot has. */
export const BILLED_COLUMNS = columnLayout(['consumption', 'standing', 'other'])

const costOf = (stats: readonly Statistic[], type: string): number | null => {
  const given = stats.filter(s => s.type === type && s.label === null && s.costIncTaxPence !== null)
  return given.length === 0 ? null : given.reduce((sum, s) => sum + (s.costIncTaxPence as number), 0)
}

/** A measurement as a record's values: the two costs the bill compares with, every other statistic kept. */
export function billedValues (mpan: string, m: Measurement): BilledValues {
  const known = (s: Statistic): boolean => s.label === null && (s.type === CONSUMPTION || s.type === STANDING)
  return {
    slot_start: m.start,
    mpan,
    kwh: m.kwh,
    consumption_cost: costOf(m.statistics, CONSUMPTION),
    standing_cost: costOf(m.statistics, STANDING),
    other_statistics: JSON.stringify(m.statistics.filter(s => !known(s)).map(s => ({ type: s.type, label: s.label, value: s.value, cost_pence: s.costIncTaxPence })))
  }
}

/**
 * Octopus's own figures: the half-hours of the electricity import meter point in force as
 * GraphQL `measurements` gives them, with its cost statistics (CONSUMPTION_COST,
 * STANDING_CHARGE_COST; docs/sample-api.md "GraphQL"), so the day's computed bill can be
 * checked against what Octopus billed. A half-hour Octopus did not measure has no record.
 */
export const billedSource: SourceDeclaration<BilledValues> = {
  name: 'billed',
  topic: 'energy.billed',
  // On when SOURCES names it: an Intelligent Octopus or billed-check household turns it on.
  optIn: true,
  unavailable: config => {
    const why = graphqlUnavailable(config)
    return why === undefined ? undefined : `billed figures need Octopus's GraphQL API: ${why}`
  },
  async fetchSpan (span, context) {
    const { config, account } = context
    if (account === undefined) return []
    const out: BilledValues[] = []
    for (const period of meterPeriods(account, 'import', span.startMs, span.endMs)) {
      const measured = await fetchMeasurements(context, config.octopusAccount, { mpxn: period.meterPoint, serial: period.meters.at(-1) ?? '', from: period.from, to: period.to })
      out.push(...measured.map(m => billedValues(period.meterPoint, m)))
    }
    return out.sort((a, b) => a.slot_start - b.slot_start)
  },
  whyMissing: (day, { config, account }) => new EnergyError('ENERGY_NO_DATA', account === undefined
    ? `billed has no data for ${day.date}: account ${config.octopusAccount} not published on energy.account yet`
    : `billed has no data for ${day.date}: Octopus measured no half-hour of the import meter point (none in force, or not measured yet)`, { date: day.date }),
  // The import meter point in force: a change re-requests those days.
  accountView: (account, from, to) => meterPeriods(account, 'import', from, to).map(p => ({ from: p.from, to: p.to, key: p.meterPoint })),
  sink: {
    name: 'billed',
    spec: {
      table: 'energy_usage.billed',
      columns: ['slot_start', 'slot_end', 'local_date', 'mpan', 'kwh', 'consumption_cost', 'standing_cost', 'other_statistics', 'batch_id'],
      types: ['timestamptz', 'timestamptz', 'date', 'text', 'float8', 'float8', 'float8', 'jsonb', 'text'],
      rowKey: ['slot_start']
    },
    toRows: r => [[r.slot_start, r.slot_end, r.local_date, r.mpan, r.kwh, r.consumption_cost, r.standing_cost, r.other_statistics, r.batch_id]],
    keyValues: slotKeyValues
  },
  // Optional: a day never waits for Octopus's figures; they compare when they are in.
  join: joinInput({
    columns: BILLED_COLUMNS,
    optional: true,
    write (r, batch, slot) {
      BILLED_COLUMNS.consumption.set(batch, slot, r.consumption_cost ?? Number.NaN)
      BILLED_COLUMNS.standing.set(batch, slot, r.standing_cost ?? Number.NaN)
      BILLED_COLUMNS.other.set(batch, slot, (JSON.parse(r.other_statistics) as unknown[]).length)
    },
    fields: [
      { name: 'billed_inc_vat', avro: ['null', 'double'], default: null, sql: 'float8', migration: '012_billed.sql', doc: 'pence inc VAT as Octopus billed the import meter point (GraphQL measurements): its consumption cost plus standing charge where given; null when no half-hour was measured' },
      { name: 'billed_difference', avro: ['null', 'double'], default: null, sql: 'float8', migration: '012_billed.sql', doc: 'pence: billed_inc_vat - bill_inc_vat; null when either is unknown' },
      { name: 'billed_other_statistics', avro: 'int', default: 0, sql: 'int2', migration: '012_billed.sql', doc: 'statistics of other types or labels the day\'s measurements carry (kept in energy_usage.billed.other_statistics)' }
    ],
    fold (day, batch) {
      let billed = 0
      let measured = 0
      let other = 0
      for (let i = 0; i < day.slots; i++) {
        if (batch.present[i] === 0) continue
        measured++
        for (const cost of [BILLED_COLUMNS.consumption.get(batch, i), BILLED_COLUMNS.standing.get(batch, i)]) if (!Number.isNaN(cost)) billed += cost
        other += BILLED_COLUMNS.other.get(batch, i)
      }
      return { billed_inc_vat: measured === 0 ? null : billed, billed_difference: null, billed_other_statistics: other }
    },
    // Like with like: measurements cover the import meter point only, so the difference is
    // against the import's computed cost and standing charge, not the bill (which adds gas and
    // takes export off).
    settle (figures) {
      const billed = figures.billed_inc_vat
      const cost = figures.cost_inc_vat
      const standing = figures.standing_charge_inc_vat
      return { billed_difference: typeof billed === 'number' && typeof cost === 'number' && typeof standing === 'number' ? billed - (cost + standing) : null }
    }
  })
}
