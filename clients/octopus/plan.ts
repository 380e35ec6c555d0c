import type { Config } from '../../lib/config.ts'
import type { SlotRange } from '../../lib/london-day.ts'
import { meterPeriods } from './account-view.ts'
import { readingSpans, type MeterSpan } from './readings.ts'
import type { Account, MeterPeriod, TariffPeriod } from './types.ts'

// The one place that asks "an account or a single meter?". With OCTOPUS_ACCOUNT every slot is
// metered and priced by the account's agreement in force at it (a switch may fall mid-day, a
// move or a meter exchange changes the meters); without, by the one configured meter
// (OCTOPUS_MPAN, OCTOPUS_SERIAL) and tariff (OCTOPUS_TARIFF, OCTOPUS_PRODUCT), which has no
// export or gas meter.

export type PlanConfig = Pick<Config, 'octopusAccount' | 'octopusTariff' | 'octopusProduct' | 'octopusMpan' | 'octopusSerial'>

/** Whether the pipeline reads an Octopus account (OCTOPUS_ACCOUNT) rather than one configured meter. */
export function readsAccount (config: Pick<Config, 'octopusAccount'>): boolean {
  return config.octopusAccount !== ''
}

export interface TariffPlan {
  /** The import tariffs over `range`, each over the part where it is in force (none: no import agreement). */
  importTariffs (range: SlotRange): TariffPeriod[]
  /** The product tried first for the import tariff: OCTOPUS_PRODUCT for the single meter; the catalogue finds the account's. */
  importProduct: string | undefined
  /** The import meters over `range`, as the readings ask for them. */
  importMeters (range: SlotRange): MeterSpan[]
  /** The agreements of the account's export or gas meter points over `range`; undefined for the single meter (it has none). */
  otherMeters (kind: 'export' | 'gas', range: SlotRange): MeterPeriod[] | undefined
}

/**
 * The plan of `config`. `account` is called only with OCTOPUS_ACCOUNT, when a period is asked
 * for: it returns the account to read, or throws the caller's error for one not published yet.
 */
export function tariffPlan (config: PlanConfig, account: () => Account): TariffPlan {
  if (!readsAccount(config)) {
    return {
      importTariffs: range => [{ tariff: config.octopusTariff, from: range.startMs, to: range.endMs }],
      importProduct: config.octopusProduct,
      importMeters: range => [{ meterPoint: config.octopusMpan, meters: [config.octopusSerial], from: range.startMs, to: range.endMs }],
      otherMeters: () => undefined
    }
  }
  return {
    importTariffs: range => meterPeriods(account(), 'import', range.startMs, range.endMs).map(({ tariff, from, to }) => ({ tariff, from, to })),
    importProduct: undefined,
    importMeters: range => readingSpans(meterPeriods(account(), 'import', range.startMs, range.endMs)),
    otherMeters: (kind, range) => meterPeriods(account(), kind, range.startMs, range.endMs)
  }
}
