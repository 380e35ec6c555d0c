import { londonDay } from '../lib/london-day.ts'
import { consumption, exportConsumption, gasConsumption, oldMeterConsumption, smets1GasConsumption } from './data.ts'
import {
  REAL_EXPORT_FROM_DATE, REAL_EXPORT_MPAN, REAL_EXPORT_SERIAL, REAL_GAS_EXCHANGE_DATE, REAL_GAS_GAP, REAL_GAS_SMETS1_SERIAL,
  REAL_GAS_SMETS2_SERIAL, REAL_IMPORT_GAP, REAL_MOVED_IN_AT, REAL_MPAN, REAL_MPRN, REAL_SERIAL, SAMPLE_EXCHANGE_DATE, SAMPLE_EXPORT_MPAN, SAMPLE_EXPORT_SERIAL, SAMPLE_GAS_SERIAL, SAMPLE_MOVED_IN_AT, SAMPLE_MPAN, SAMPLE_MPRN,
  SAMPLE_OLD_SERIAL, SAMPLE_PREVIOUS_MOVED_IN_AT, SAMPLE_PREVIOUS_MPAN, SAMPLE_PREVIOUS_SERIAL, SAMPLE_SERIAL, SAMPLE_SOLAR_DATE
} from './options.ts'
import type { MeterFuel, RequestSource, SampleMeter } from './types.ts'

// The account's meters and the slots each one has readings for.

const HOUR_MS = 60 * 60 * 1000
const MOVED_IN_MS = Date.parse(SAMPLE_MOVED_IN_AT)
// The exchange day is in GMT (no clock change), so its local hours are plain offsets.
const EXCHANGE_MS = londonDay(SAMPLE_EXCHANGE_DATE).startMs
/** The old meter's last slot ends at 12:00 London time on the exchange day. */
const OLD_METER_UNTIL_MS = EXCHANGE_MS + 12 * HOUR_MS
/** The new meter's first slot starts at 10:00: both meters read 10:00-12:00. */
const NEW_METER_FROM_MS = EXCHANGE_MS + 10 * HOUR_MS

/** Every meter with readings, with the half-open range [fromMs, toMs) of slot starts it has. */
export const SAMPLE_METERS: readonly SampleMeter[] = [
  {
    fuel: 'electricity',
    point: SAMPLE_PREVIOUS_MPAN,
    serial: SAMPLE_PREVIOUS_SERIAL,
    fromMs: Date.parse(SAMPLE_PREVIOUS_MOVED_IN_AT),
    toMs: MOVED_IN_MS,
    source: 'usage',
    reading: consumption
  },
  {
    fuel: 'electricity',
    point: SAMPLE_MPAN,
    serial: SAMPLE_OLD_SERIAL,
    fromMs: MOVED_IN_MS,
    toMs: OLD_METER_UNTIL_MS,
    source: 'usage',
    reading: oldMeterConsumption
  },
  {
    fuel: 'electricity',
    point: SAMPLE_MPAN,
    serial: SAMPLE_SERIAL,
    fromMs: NEW_METER_FROM_MS,
    toMs: Infinity,
    source: 'usage',
    reading: consumption
  },
  {
    fuel: 'electricity',
    point: SAMPLE_EXPORT_MPAN,
    serial: SAMPLE_EXPORT_SERIAL,
    fromMs: londonDay(SAMPLE_SOLAR_DATE).startMs,
    toMs: Infinity,
    source: 'export',
    reading: exportConsumption
  },
  {
    fuel: 'gas',
    point: SAMPLE_MPRN,
    serial: SAMPLE_GAS_SERIAL,
    fromMs: MOVED_IN_MS,
    toMs: Infinity,
    source: 'gas',
    reading: gasConsumption
  }
]

// The second account's gas meter exchange day has no clock change: its local hours are plain offsets from local midnight.
const GAS_EXCHANGE_MS = londonDay(REAL_GAS_EXCHANGE_DATE).startMs
const gapOf = ({ from, to }: { from: string, to: string }): { fromMs: number, toMs: number } => ({ fromMs: londonDay(from).startMs, toMs: londonDay(to).endMs })

/**
 * The second account's meters with readings. Its legacy import meter (REAL_LEGACY_SERIAL) is
 * listed on the account but has none: its consumption is 404 like any unknown meter.
 */
export const REAL_METERS: readonly SampleMeter[] = [
  {
    fuel: 'electricity',
    point: REAL_MPAN,
    serial: REAL_SERIAL,
    fromMs: Date.parse(REAL_MOVED_IN_AT),
    toMs: Infinity,
    source: 'usage',
    reading: consumption,
    gaps: [gapOf(REAL_IMPORT_GAP)]
  },
  {
    fuel: 'electricity',
    point: REAL_EXPORT_MPAN,
    serial: REAL_EXPORT_SERIAL,
    fromMs: londonDay(REAL_EXPORT_FROM_DATE).startMs,
    toMs: Infinity,
    source: 'export',
    reading: exportConsumption
  },
  // SMETS2 gas meters read m³, SMETS1 ones kWh (Octopus API docs, consumption endpoint, as
  // quoted in moohan/octopusR get_consumption): the two overlap 10:00-12:00 in different units.
  {
    fuel: 'gas',
    point: REAL_MPRN,
    serial: REAL_GAS_SMETS2_SERIAL,
    fromMs: GAS_EXCHANGE_MS + 10 * HOUR_MS,
    toMs: Infinity,
    source: 'gas',
    reading: gasConsumption,
    gaps: [gapOf(REAL_GAS_GAP)]
  },
  {
    fuel: 'gas',
    point: REAL_MPRN,
    serial: REAL_GAS_SMETS1_SERIAL,
    fromMs: Date.parse(REAL_MOVED_IN_AT),
    toMs: GAS_EXCHANGE_MS + 12 * HOUR_MS,
    source: 'gas',
    reading: smets1GasConsumption,
    gaps: [gapOf(REAL_GAS_GAP)]
  }
]

const ALL_METERS = [...SAMPLE_METERS, ...REAL_METERS]

/** The meter `serial` of meter point `point`, if an account has it and it has readings. */
export function findMeter (fuel: MeterFuel, point: string, serial: string): SampleMeter | undefined {
  return ALL_METERS.find(m => m.fuel === fuel && m.point === point && m.serial === serial)
}

/** Fault source of a consumption request: that of the meter point's meters (import by default, gas for gas). */
export function consumptionSource (fuel: MeterFuel, point: string): RequestSource {
  return ALL_METERS.find(m => m.fuel === fuel && m.point === point)?.source ?? (fuel === 'gas' ? 'gas' : 'usage')
}
