import { createCodec, loadLocalSchemas, type Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import { londonDay } from '../../lib/london-day.ts'
import { createRegistryClient } from '../../lib/registry.ts'
import { topicIn } from '../names.ts'
import { joinInput } from '../source/columns.ts'
import { dispatchRepricing } from '../source/dispatch-pricing.ts'
import { slotKeyValues } from '../source/keys.ts'
import { DISPATCH_COLUMNS, PRICING_COLUMNS, USAGE_COLUMNS } from '../source/shared-columns.ts'
import type { SourceDeclaration } from '../source/types.ts'
import { readSnapshots } from './read.ts'
import { daySlots, knownFrom } from './snapshot.ts'
import { DISPATCHES_TOPIC } from './sink.ts'
import type { DispatchSlotValues } from './types.ts'

export { createDispatchPoller, dispatchesPollerGroup, DISPATCHES_POLLER_TASK, pollDispatches, type DispatchPollDeps, type PollReport } from './poller.ts'
export { DISPATCHES_SPEC, DISPATCHES_TOPIC, dispatchesTarget } from './sink.ts'
export { billedOffPeak, daySlots, datesOf, knownFrom, mergeSnapshots, snapshotKey } from './snapshot.ts'
export { readSnapshots } from './read.ts'
export type * from './types.ts'

// The source's records are read from energy.dispatches, not from Octopus (which forgets a
// completed dispatch after ~12 hours): a codec per configuration, made on first use. The runner
// hands a source no codec; a `tables` hook on SourceDeclaration (the runner keeping a topic as a
// global table and passing it in FetchContext, as it does energy.products) would replace this.
const codecs = new WeakMap<Readonly<Config>, Codec>()
function codecFor (config: Readonly<Config>): Codec {
  let codec = codecs.get(config)
  if (codec === undefined) {
    codec = createCodec(createRegistryClient(config), loadLocalSchemas(), config.namespace)
    codecs.set(config, codec)
  }
  return codec
}

// Declared in shared-columns.ts: the electricity fold reads them too.
const COLUMNS = DISPATCH_COLUMNS

/**
 * Intelligent Octopus dispatches per half-hour, for the join: every half-hour of the day with
 * whether a completed smart charge at home (re-priced off-peak) or another completed dispatch
 * touches it, from the snapshots the poller keeps on energy.dispatches. The poller requests a
 * day from this source when its dispatches arrive or change; a seed requests it like any source.
 */
export const dispatchesSource: SourceDeclaration<DispatchSlotValues> = {
  name: 'dispatches',
  topic: 'energy.dispatch_slots',
  // On when SOURCES names it: an Intelligent Octopus or billed-check household turns it on.
  optIn: true,
  unavailable: config => config.octopusAccount === '' ? 'dispatches need OCTOPUS_ACCOUNT (the account\'s smart devices, over GraphQL)' : undefined,
  async fetchSpan (span, context) {
    const { config, log } = context
    const snapshots = [...(await readSnapshots(config, codecFor(config), topicIn(config, DISPATCHES_TOPIC), log)).values()]
    const from = knownFrom(snapshots)
    return span.days.flatMap(day => daySlots(snapshots, londonDay(day.date), from))
  },
  sink: {
    name: 'dispatch_slots',
    spec: {
      table: 'energy_usage.dispatch_slots',
      columns: ['slot_start', 'slot_end', 'local_date', 'smart_home', 'other', 'known', 'batch_id'],
      types: ['timestamptz', 'timestamptz', 'date', 'bool', 'bool', 'bool', 'text'],
      rowKey: ['slot_start']
    },
    toRows: r => [[r.slot_start, r.slot_end, r.local_date, r.smart_home, r.other, r.known, r.batch_id]],
    keyValues: slotKeyValues
  },
  // Optional: a day never waits for dispatches; when they arrive or change, it is emitted again.
  join: joinInput({
    columns: COLUMNS,
    optional: true,
    write (r, batch, slot) {
      COLUMNS.smart_home.set(batch, slot, r.smart_home ? 1 : 0)
      COLUMNS.other.set(batch, slot, r.other ? 1 : 0)
      COLUMNS.known.set(batch, slot, r.known ? 1 : 0)
    },
    fields: [
      { name: 'dispatch_kwh', avro: 'double', default: 0, sql: 'float8', migration: '011_dispatches.sql', doc: 'kWh imported in the half-hours a completed smart charge at home re-priced to the off-peak rate (Intelligent tariffs)' },
      { name: 'dispatch_saving', avro: 'double', default: 0, sql: 'float8', migration: '011_dispatches.sql', doc: 'pence inc VAT the re-pricing took off cost_inc_vat: sum of kWh x (rate - off-peak rate) over those half-hours' },
      { name: 'dispatch_note', avro: ['null', 'string'], default: null, sql: 'text', migration: '011_dispatches.sql', doc: 'why dispatches may be missing from the day (before the first dispatch snapshot); null otherwise' }
    ],
    fold (day, batch) {
      const pricing = day.whole('pricing')
      const usage = day.whole('usage')
      const repriced = pricing === undefined ? undefined : dispatchRepricing(day, pricing)
      let kwh = 0
      let saving = 0
      if (repriced !== undefined && pricing !== undefined && usage !== undefined) {
        for (let i = 0; i < day.slots; i++) {
          if (repriced.slots[i] === 0 || usage.present[i] === 0) continue
          const u = USAGE_COLUMNS.kwh.get(usage, i)
          kwh += u
          saving += u * (PRICING_COLUMNS.inc.get(pricing, i) - repriced.offPeakInc)
        }
      }
      const known = batch.present.indexOf(1) >= 0 && COLUMNS.known.get(batch, batch.present.indexOf(1)) === 1
      return {
        dispatch_kwh: kwh,
        dispatch_saving: saving,
        dispatch_note: known ? null : 'priced without dispatches: the day is older than the first dispatch snapshot (Octopus lists completed dispatches about 12 hours)'
      }
    }
  })
}
