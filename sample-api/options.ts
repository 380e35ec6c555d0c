import { DEFAULTS } from '../lib/config.ts'
import type { Agreement } from './types.ts'

// Defaults and fixed facts of the sample server. The Octopus identities are the defaults of
// the OCTOPUS_* variables (DESIGN.md: "the sample server accepts the defaults").

/** Earliest London day the sample server has data for (any source). */
export const HISTORY_START_DATE = '2010-01-01'
/** Page size when the request gives none (Octopus default). */
export const DEFAULT_PAGE_SIZE = 100
/** Octopus clamps page_size to 1500 for unit rates. */
export const MAX_RATES_PAGE_SIZE = 1500
/** Octopus clamps page_size to 25000 for consumption. */
export const MAX_CONSUMPTION_PAGE_SIZE = 25000
/** The API key always accepted as Basic auth user (more can be passed to createSampleApi). */
export const SAMPLE_API_KEY = DEFAULTS.OCTOPUS_API_KEY
/** The current property's import meter point. */
export const SAMPLE_MPAN = DEFAULTS.OCTOPUS_MPAN
/** The import meter's serial number: the meter fitted on SAMPLE_EXCHANGE_DATE. */
export const SAMPLE_SERIAL = DEFAULTS.OCTOPUS_SERIAL
/** London date the import meter was exchanged: the old one reads until 12:00, the new one from 10:00. */
export const SAMPLE_EXCHANGE_DATE = '2019-03-14'
/** The import meter taken out on SAMPLE_EXCHANGE_DATE. */
export const SAMPLE_OLD_SERIAL = '19E0000001'
/** The account number served by /accounts/{number}/. */
export const SAMPLE_ACCOUNT = 'A-1234ABCD'
/** Move-in of the current property (the move-out of the previous one). */
export const SAMPLE_MOVED_IN_AT = '2016-01-01T00:00:00Z'
/** Move-in of the previous property. */
export const SAMPLE_PREVIOUS_MOVED_IN_AT = '2013-06-01T00:00:00+01:00'
/** The previous property's import meter point (Economy 7, day and night registers). */
export const SAMPLE_PREVIOUS_MPAN = '1013000000001'
/** The previous property's meter serial number. */
export const SAMPLE_PREVIOUS_SERIAL = '13E7000001'
/** The previous property's one agreement, a two-rate variable tariff over the whole stay. */
export const SAMPLE_PREVIOUS_AGREEMENTS: ReadonlyArray<Readonly<Agreement>> = [
  { tariff_code: 'E-2R-VAR-13-06-01-N', valid_from: SAMPLE_PREVIOUS_MOVED_IN_AT, valid_to: SAMPLE_MOVED_IN_AT }
]
/** The export meter point of the current property (solar panels). */
export const SAMPLE_EXPORT_MPAN = '1170000000001'
/** The export meter's serial number. */
export const SAMPLE_EXPORT_SERIAL = '21L0000002'
/** London date the solar panels were installed: the export meter reads from its midnight. */
export const SAMPLE_SOLAR_DATE = '2020-01-01'
/** The Agile tariff the account's import meter is on from 2024-10-01 (its own, not OCTOPUS_TARIFF). */
export const SAMPLE_ACCOUNT_AGILE_TARIFF = 'E-1R-AGILE-24-10-01-C'
/** The import meter's agreements at start and after a reset: ten years, two variable tariffs then Agile. */
export const SAMPLE_IMPORT_AGREEMENTS: ReadonlyArray<Readonly<Agreement>> = [
  { tariff_code: 'E-1R-VAR-16-01-01-C', valid_from: SAMPLE_MOVED_IN_AT, valid_to: '2022-11-01T00:00:00Z' },
  { tariff_code: 'E-1R-VAR-22-11-01-C', valid_from: '2022-11-01T00:00:00Z', valid_to: '2024-10-01T00:00:00+01:00' },
  { tariff_code: SAMPLE_ACCOUNT_AGILE_TARIFF, valid_from: '2024-10-01T00:00:00+01:00', valid_to: null }
]
/** The export meter's agreements at start and after a reset: Outgoing Fixed, then Agile Outgoing. */
export const SAMPLE_EXPORT_AGREEMENTS: ReadonlyArray<Readonly<Agreement>> = [
  { tariff_code: 'E-1R-OUTGOING-FIX-12M-19-05-13-C', valid_from: '2020-01-01T00:00:00Z', valid_to: '2024-10-01T00:00:00+01:00' },
  { tariff_code: 'E-1R-AGILE-OUTGOING-19-05-13-C', valid_from: '2024-10-01T00:00:00+01:00', valid_to: null }
]
/** Outgoing Fixed pays one flat rate over its whole life (p/kWh; export has no VAT). */
export const SAMPLE_OUTGOING_FIXED_RATE = 15
/** The current property's gas meter point (a SMETS2 meter: readings in m³). */
export const SAMPLE_MPRN = '3000000000001'
/** The gas meter's serial number. */
export const SAMPLE_GAS_SERIAL = 'G4P0000001'
/** The gas meter's agreements at start and after a reset: two variable tariffs. */
export const SAMPLE_GAS_AGREEMENTS: ReadonlyArray<Readonly<Agreement>> = [
  { tariff_code: 'G-1R-VAR-16-01-01-C', valid_from: SAMPLE_MOVED_IN_AT, valid_to: '2022-11-01T00:00:00Z' },
  { tariff_code: 'G-1R-VAR-22-11-01-C', valid_from: '2022-11-01T00:00:00Z', valid_to: null }
]
/** Retry-After of a 429 fault when it gives none (seconds). */
export const DEFAULT_RETRY_AFTER_SECONDS = 1
/** Delay of a slow fault when it gives none (ms). */
export const DEFAULT_DELAY_MS = 30000
/** Readings a missing fault drops from the end of the day when it gives none. */
export const DEFAULT_MISSING_SLOTS = 2

// Carbon Intensity API history: the national data set is taken to start on 2017-09-26 and the
// regional one on 2018-05-10 (the API's launch and its regional release; not confirmed from a
// recorded answer, see docs/sample-api.md); before that both answer no slots.
// createSampleApi takes other starts (carbonNationalStart, carbonRegionalStart).

/** First UTC day (slots starting at or after its 00:00Z) of national intensity and generation data. */
export const CARBON_NATIONAL_START_DATE = '2017-09-26'
/** First UTC day (slots starting at or after its 00:00Z) of regional data. */
export const CARBON_REGIONAL_START_DATE = '2018-05-10'

// The second account, built from the real catalogue's shapes (docs/sample-api.md, "Second
// account"): a region E (West Midlands) home whose tariff history runs through a legacy Affect
// Energy code, a product missing from the catalogue, a flat-rate two-register tariff, Cosy,
// Tracker and Intelligent Octopus Go, with an export meter point and a gas meter exchange.

/** The second account's number: not A- and 8 hex digits, as real ones may not be. */
export const REAL_ACCOUNT = 'A-REAL2026'
/** The region letter of every tariff of the second account (West Midlands, GSP group _E). */
export const REAL_REGION = 'E'
/** Move-in of the second account's one property (still lived in). */
export const REAL_MOVED_IN_AT = '2017-06-01T00:00:00+01:00'
/** The property's postcode (B: West Midlands). */
export const REAL_POSTCODE = 'B1 1AA'
/** The import meter point (13 digits; 14 is the West Midlands distributor). */
export const REAL_MPAN = '1400000000002'
/** The current (smart) import meter: readings every half-hour from move-in, bar REAL_IMPORT_GAP. */
export const REAL_SERIAL = '23L0000003'
/** The legacy import meter, listed after the current one: its consumption is always 404. */
export const REAL_LEGACY_SERIAL = 'S17K000004'
/** The export meter point. */
export const REAL_EXPORT_MPAN = '1430000000002'
/** The export meter: the import smart meter itself, as real export meter points share it (HA issue #472). */
export const REAL_EXPORT_SERIAL = REAL_SERIAL
/** London date the export meter starts reading (its local midnight). */
export const REAL_EXPORT_FROM_DATE = '2023-01-01'
/** The gas meter point. */
export const REAL_MPRN = '7000000002'
/** The SMETS2 gas meter (m³), fitted on REAL_GAS_EXCHANGE_DATE, reading from 10:00 London time. */
export const REAL_GAS_SMETS2_SERIAL = 'E6S20000000026'
/** The SMETS1 gas meter (kWh), reading from move-in until 12:00 London time on REAL_GAS_EXCHANGE_DATE. */
export const REAL_GAS_SMETS1_SERIAL = 'G4P10000000017'
/** London date of the gas meter exchange: both meters read 10:00-12:00 (BST), in different units. */
export const REAL_GAS_EXCHANGE_DATE = '2023-06-15'
/** Whole London days (inclusive) without any import reading. */
export const REAL_IMPORT_GAP = { from: '2024-02-10', to: '2024-02-12' } as const
/** Whole London days (inclusive) without any gas reading, on both gas meters. */
export const REAL_GAS_GAP = { from: '2024-02-20', to: '2024-02-21' } as const
/** A legacy tariff code of a supplier Octopus took over (Affect Energy; shape of HA issue #90's E1R-AEVAR-1201-J). */
export const REAL_LEGACY_TARIFF = 'E1R-AEVAR-1201-E'
/** The import meter point's agreements, oldest first (times as Octopus writes them, with offsets). */
export const REAL_IMPORT_AGREEMENTS: ReadonlyArray<Readonly<Agreement>> = [
  { tariff_code: REAL_LEGACY_TARIFF, valid_from: REAL_MOVED_IN_AT, valid_to: '2019-06-01T00:00:00+01:00' },
  { tariff_code: 'E-1R-GONE-19-06-01-E', valid_from: '2019-06-01T00:00:00+01:00', valid_to: '2019-07-01T00:00:00+01:00' },
  { tariff_code: 'E-1R-VAR-19-07-01-E', valid_from: '2019-07-01T00:00:00+01:00', valid_to: '2022-12-01T00:00:00Z' },
  { tariff_code: 'E-FLAT2R-VAR-22-11-01-E', valid_from: '2022-12-01T00:00:00Z', valid_to: '2024-01-01T00:00:00Z' },
  { tariff_code: 'E-1R-COSY-22-12-08-E', valid_from: '2024-01-01T00:00:00Z', valid_to: '2025-04-01T00:00:00+01:00' },
  { tariff_code: 'E-1R-SILVER-24-12-31-E', valid_from: '2025-04-01T00:00:00+01:00', valid_to: '2025-12-12T00:00:00Z' },
  { tariff_code: 'E-1R-IOG-SMB-TOU-25-12-12-E', valid_from: '2025-12-12T00:00:00Z', valid_to: null }
]
/** The export meter point's agreements: a V2G fixed export (code without fuel prefix), then Intelligent Flux export. */
export const REAL_EXPORT_AGREEMENTS: ReadonlyArray<Readonly<Agreement>> = [
  { tariff_code: 'V2G-EXPORT-12M-FIXED-22-12-01-E', valid_from: '2023-01-01T00:00:00Z', valid_to: '2024-01-01T00:00:00Z' },
  { tariff_code: 'E-1R-INTELLI-FLUX-EXPORT-23-07-14-E', valid_from: '2024-01-01T00:00:00Z', valid_to: null }
]
/** The gas meter point's agreements: two generated variable products. */
export const REAL_GAS_AGREEMENTS: ReadonlyArray<Readonly<Agreement>> = [
  { tariff_code: 'G-1R-VAR-17-01-11-E', valid_from: REAL_MOVED_IN_AT, valid_to: '2022-12-01T00:00:00Z' },
  { tariff_code: 'G-1R-VAR-22-11-01-E', valid_from: '2022-12-01T00:00:00Z', valid_to: null }
]
/**
 * The product whose catalogue entry serves each of the second account's tariffs (the one to
 * put in rate URLs). Not always the code with fuel, register and region stripped: GONE-19-06-01
 * and INTELLI-FLUX-EXPORT-23-07-14 are 404, and E-FLAT2R-VAR-22-11-01-E is served by
 * VAR-22-11-01 without being listed in it.
 */
export const REAL_TARIFF_PRODUCTS: Readonly<Record<string, string>> = {
  [REAL_LEGACY_TARIFF]: 'AEVAR-1201',
  'E-1R-GONE-19-06-01-E': 'HIDDEN-19-06-01',
  'E-1R-VAR-19-07-01-E': 'VAR-19-07-01',
  'E-FLAT2R-VAR-22-11-01-E': 'VAR-22-11-01',
  'E-1R-COSY-22-12-08-E': 'COSY-22-12-08',
  'E-1R-SILVER-24-12-31-E': 'SILVER-24-12-31',
  'E-1R-IOG-SMB-TOU-25-12-12-E': 'IOG-SMB-TOU-25-12-12',
  'V2G-EXPORT-12M-FIXED-22-12-01-E': 'V2G-EXPORT-12M-FIXED-22-12-01',
  'E-1R-INTELLI-FLUX-EXPORT-23-07-14-E': 'INTELLI-FLUX-EXPORT-BB-23-07-14',
  'G-1R-VAR-17-01-11-E': 'VAR-17-01-11',
  'G-1R-VAR-22-11-01-E': 'VAR-22-11-01'
}
/** What the V2G fixed export pays, p/kWh (no VAT on export). */
export const REAL_V2G_EXPORT_RATE = 20
