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
/** The import meter point whose consumption is served. */
export const SAMPLE_MPAN = DEFAULTS.OCTOPUS_MPAN
/** The import meter's serial number. */
export const SAMPLE_SERIAL = DEFAULTS.OCTOPUS_SERIAL
/** The account number served by /accounts/{number}/. */
export const SAMPLE_ACCOUNT = 'A-1234ABCD'
/** The export meter point listed on the account (no consumption is served for it). */
export const SAMPLE_EXPORT_MPAN = '1170000000001'
/** The export meter's serial number. */
export const SAMPLE_EXPORT_SERIAL = '21L0000002'
/** The Agile tariff the account's import meter is on from 2024-10-01 (its own, not OCTOPUS_TARIFF). */
export const SAMPLE_ACCOUNT_AGILE_TARIFF = 'E-1R-AGILE-24-10-01-C'
/** The import meter's agreements at start and after a reset: ten years, two variable tariffs then Agile. */
export const SAMPLE_IMPORT_AGREEMENTS: ReadonlyArray<Readonly<Agreement>> = [
  { tariff_code: 'E-1R-VAR-16-01-01-C', valid_from: '2016-01-01T00:00:00Z', valid_to: '2022-11-01T00:00:00Z' },
  { tariff_code: 'E-1R-VAR-22-11-01-C', valid_from: '2022-11-01T00:00:00Z', valid_to: '2024-10-01T00:00:00+01:00' },
  { tariff_code: SAMPLE_ACCOUNT_AGILE_TARIFF, valid_from: '2024-10-01T00:00:00+01:00', valid_to: null }
]
/** The export meter's agreements at start and after a reset. */
export const SAMPLE_EXPORT_AGREEMENTS: ReadonlyArray<Readonly<Agreement>> = [
  { tariff_code: 'E-1R-OUTGOING-FIX-12M-19-05-13-C', valid_from: '2020-01-01T00:00:00Z', valid_to: null }
]
/** Retry-After of a 429 fault when it gives none (seconds). */
export const DEFAULT_RETRY_AFTER_SECONDS = 1
/** Delay of a slow fault when it gives none (ms). */
export const DEFAULT_DELAY_MS = 30000
/** Consumption slots a missing fault drops from the end of the day when it gives none. */
export const DEFAULT_MISSING_SLOTS = 2
