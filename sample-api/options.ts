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
