import {
  REAL_ACCOUNT, REAL_EXPORT_AGREEMENTS, REAL_EXPORT_MPAN, REAL_EXPORT_SERIAL, REAL_GAS_AGREEMENTS, REAL_GAS_SMETS1_SERIAL, REAL_GAS_SMETS2_SERIAL,
  REAL_IMPORT_AGREEMENTS, REAL_LEGACY_SERIAL, REAL_MOVED_IN_AT, REAL_MPAN, REAL_MPRN, REAL_POSTCODE, REAL_SERIAL, SAMPLE_ACCOUNT, SAMPLE_EXPORT_MPAN, SAMPLE_EXPORT_SERIAL, SAMPLE_GAS_SERIAL, SAMPLE_MOVED_IN_AT, SAMPLE_MPAN, SAMPLE_MPRN,
  SAMPLE_OLD_SERIAL, SAMPLE_PREVIOUS_MOVED_IN_AT, SAMPLE_PREVIOUS_MPAN, SAMPLE_PREVIOUS_SERIAL, SAMPLE_SERIAL
} from './options.ts'
import type { AccountDrop, Agreement, RouteContext } from './types.ts'

// The body of GET /accounts/{number}/: properties oldest first, each with its meter points,
// their meters (the current one first) and the agreements in force now.

const STANDARD = [{ identifier: '1', rate: 'STANDARD', is_settlement_register: true }]
// Economy 7: a day and a night register, both settled.
const DAY_NIGHT = [
  { identifier: '1', rate: 'DAY', is_settlement_register: true },
  { identifier: '2', rate: 'NIGHT', is_settlement_register: true }
]

/** The body of an account's GET /accounts/{number}/, without what `dropped` leaves out; undefined for another number. */
export function accountBody (ctx: RouteContext, number: string): object | undefined {
  if (number === SAMPLE_ACCOUNT) return withoutDropped(sampleAccountBody(ctx), ctx.dropped)
  if (number === REAL_ACCOUNT) return withoutDropped(realAccountBody(), ctx.dropped)
  return undefined
}

function sampleAccountBody ({ agreementsOf, gasAgreementsOf }: RouteContext): AccountBody {
  return {
    number: SAMPLE_ACCOUNT,
    properties: [
      {
        id: 2,
        moved_in_at: SAMPLE_PREVIOUS_MOVED_IN_AT,
        moved_out_at: SAMPLE_MOVED_IN_AT,
        address_line_1: '13 Example Road',
        town: 'Manchester',
        postcode: 'M1 1AE',
        electricity_meter_points: [{
          mpan: SAMPLE_PREVIOUS_MPAN,
          profile_class: 2,
          consumption_standard: 3300,
          meters: [{ serial_number: SAMPLE_PREVIOUS_SERIAL, registers: DAY_NIGHT }],
          agreements: agreementsOf(SAMPLE_PREVIOUS_MPAN),
          is_export: false
        }],
        gas_meter_points: []
      },
      {
        id: 1,
        moved_in_at: SAMPLE_MOVED_IN_AT,
        moved_out_at: null,
        address_line_1: '1 Sample Street',
        town: 'London',
        postcode: 'SW1A 1AA',
        electricity_meter_points: [
          {
            mpan: SAMPLE_EXPORT_MPAN,
            profile_class: 8,
            consumption_standard: 0,
            meters: [{ serial_number: SAMPLE_EXPORT_SERIAL, registers: STANDARD }],
            agreements: agreementsOf(SAMPLE_EXPORT_MPAN),
            is_export: true
          },
          {
            mpan: SAMPLE_MPAN,
            profile_class: 1,
            consumption_standard: 2900,
            // Exchanged on SAMPLE_EXCHANGE_DATE: the new meter first, then the old one.
            meters: [{ serial_number: SAMPLE_SERIAL, registers: STANDARD }, { serial_number: SAMPLE_OLD_SERIAL, registers: STANDARD }],
            agreements: agreementsOf(SAMPLE_MPAN),
            is_export: false
          }
        ],
        gas_meter_points: [{
          mprn: SAMPLE_MPRN,
          meters: [{ serial_number: SAMPLE_GAS_SERIAL }],
          agreements: gasAgreementsOf(SAMPLE_MPRN)
        }]
      }
    ]
  }
}

const copy = (list: ReadonlyArray<Readonly<Agreement>>): Agreement[] => list.map(a => ({ ...a }))

/**
 * The second account, in the field shapes of a recorded answer (ryanw-mobile/OctoMeter
 * GetAccountSampleData.kt): address lines 1-3, county, `consumption_standard` on the gas meter
 * point too, `is_export` on the meter point. Its import meter point lists the current smart
 * meter first, then the legacy one with no registers, as real accounts list an old meter
 * (JosephRPalmer/octopus-usage-exporter issue #75); the smart meter also serves the export
 * meter point (one meter, two MPANs).
 */
function realAccountBody (): AccountBody {
  return {
    number: REAL_ACCOUNT,
    properties: [{
      id: 3,
      moved_in_at: REAL_MOVED_IN_AT,
      moved_out_at: null,
      address_line_1: '7 Real Street',
      address_line_2: '',
      address_line_3: '',
      town: 'BIRMINGHAM',
      county: '',
      postcode: REAL_POSTCODE,
      electricity_meter_points: [
        {
          mpan: REAL_MPAN,
          profile_class: 1,
          consumption_standard: 3100,
          meters: [{ serial_number: REAL_SERIAL, registers: STANDARD }, { serial_number: REAL_LEGACY_SERIAL, registers: [] }],
          agreements: copy(REAL_IMPORT_AGREEMENTS),
          is_export: false
        },
        {
          mpan: REAL_EXPORT_MPAN,
          profile_class: 8,
          consumption_standard: 0,
          meters: [{ serial_number: REAL_EXPORT_SERIAL, registers: STANDARD }],
          agreements: copy(REAL_EXPORT_AGREEMENTS),
          is_export: true
        }
      ],
      gas_meter_points: [{
        mprn: REAL_MPRN,
        consumption_standard: 11500,
        // The SMETS2 meter fitted on REAL_GAS_EXCHANGE_DATE first, then the SMETS1 one.
        meters: [{ serial_number: REAL_GAS_SMETS2_SERIAL }, { serial_number: REAL_GAS_SMETS1_SERIAL }],
        agreements: copy(REAL_GAS_AGREEMENTS)
      }]
    }]
  }
}

interface MeterPointBody extends Record<string, unknown> {
  mpan?: string
  mprn?: string
  meters: Array<{ serial_number: string } & Record<string, unknown>>
}

interface AccountBody {
  number: string
  properties: Array<{ electricity_meter_points: MeterPointBody[], gas_meter_points: MeterPointBody[] } & Record<string, unknown>>
}

/** Every account meter point with its meters' serials, for checking a drop. */
export const ACCOUNT_METER_POINTS: ReadonlyArray<{ account: string, fuel: 'electricity' | 'gas', point: string, serials: readonly string[] }> = [
  { account: SAMPLE_ACCOUNT, fuel: 'electricity', point: SAMPLE_PREVIOUS_MPAN, serials: [SAMPLE_PREVIOUS_SERIAL] },
  { account: SAMPLE_ACCOUNT, fuel: 'electricity', point: SAMPLE_EXPORT_MPAN, serials: [SAMPLE_EXPORT_SERIAL] },
  { account: SAMPLE_ACCOUNT, fuel: 'electricity', point: SAMPLE_MPAN, serials: [SAMPLE_SERIAL, SAMPLE_OLD_SERIAL] },
  { account: SAMPLE_ACCOUNT, fuel: 'gas', point: SAMPLE_MPRN, serials: [SAMPLE_GAS_SERIAL] },
  { account: REAL_ACCOUNT, fuel: 'electricity', point: REAL_MPAN, serials: [REAL_SERIAL, REAL_LEGACY_SERIAL] },
  { account: REAL_ACCOUNT, fuel: 'electricity', point: REAL_EXPORT_MPAN, serials: [REAL_EXPORT_SERIAL] },
  { account: REAL_ACCOUNT, fuel: 'gas', point: REAL_MPRN, serials: [REAL_GAS_SMETS2_SERIAL, REAL_GAS_SMETS1_SERIAL] }
]

/**
 * The body without the dropped meter points and meters, as Octopus now and then leaves a meter
 * point out of an account (HomeAssistant-OctopusEnergy issues #1051, #1808, #1239).
 */
function withoutDropped (body: AccountBody, dropped: readonly AccountDrop[]): AccountBody {
  if (dropped.length === 0) return body
  const keep = (point: MeterPointBody): MeterPointBody | [] => {
    const id = point.mpan ?? point.mprn
    const drops = dropped.filter(d => (d.mpan ?? d.mprn) === id && (point.mpan === undefined) === (d.mpan === undefined))
    if (drops.some(d => d.serial === undefined)) return []
    const serials = new Set(drops.map(d => d.serial))
    return { ...point, meters: point.meters.filter(m => !serials.has(m.serial_number)) }
  }
  return {
    ...body,
    properties: body.properties.map(p => ({ ...p, electricity_meter_points: p.electricity_meter_points.flatMap(keep), gas_meter_points: p.gas_meter_points.flatMap(keep) }))
  }
}
