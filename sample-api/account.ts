import {
  SAMPLE_ACCOUNT, SAMPLE_EXPORT_MPAN, SAMPLE_EXPORT_SERIAL, SAMPLE_GAS_SERIAL, SAMPLE_MOVED_IN_AT, SAMPLE_MPAN, SAMPLE_MPRN,
  SAMPLE_OLD_SERIAL, SAMPLE_PREVIOUS_MOVED_IN_AT, SAMPLE_PREVIOUS_MPAN, SAMPLE_PREVIOUS_SERIAL, SAMPLE_SERIAL
} from './options.ts'
import type { RouteContext } from './types.ts'

// The body of GET /accounts/{number}/: properties oldest first, each with its meter points,
// their meters (the current one first) and the agreements in force now.

const STANDARD = [{ identifier: '1', rate: 'STANDARD', is_settlement_register: true }]
// Economy 7: a day and a night register, both settled.
const DAY_NIGHT = [
  { identifier: '1', rate: 'DAY', is_settlement_register: true },
  { identifier: '2', rate: 'NIGHT', is_settlement_register: true }
]

export function accountBody ({ agreementsOf, gasAgreementsOf }: RouteContext): object {
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
