import { londonDay } from '../lib/london-day.ts'
import { consumption, exportConsumption, gasConsumption, oldMeterConsumption } from './data.ts'
import {
  SAMPLE_EXCHANGE_DATE, SAMPLE_EXPORT_MPAN, SAMPLE_EXPORT_SERIAL, SAMPLE_GAS_SERIAL, SAMPLE_MOVED_IN_AT, SAMPLE_MPAN, SAMPLE_MPRN,
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

/** The meter `serial` of meter point `point`, if the account has it. */
export function findMeter (fuel: MeterFuel, point: string, serial: string): SampleMeter | undefined {
  return SAMPLE_METERS.find(m => m.fuel === fuel && m.point === point && m.serial === serial)
}

/** Fault source of a consumption request: that of the meter point's meters (import by default, gas for gas). */
export function consumptionSource (fuel: MeterFuel, point: string): RequestSource {
  return SAMPLE_METERS.find(m => m.fuel === fuel && m.point === point)?.source ?? (fuel === 'gas' ? 'gas' : 'usage')
}
