import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from '../lib/log.ts'

export type FaultSource = 'co2' | 'mix' | 'regional' | 'forecast' | 'pricing' | 'usage' | 'account' | 'export' | 'gas' | 'catalogue' | 'graphql' | '*'
export type FaultKind = '500' | '429' | 'malformed' | 'slow' | 'missing' | '401' | 'oversized' | 'control' | 'out-of-range' | 'junk-fuels' | 'empty'
/** The source of a real request (faults may also name '*'). */
export type RequestSource = Exclude<FaultSource, '*'>

export interface Fault {
  source: FaultSource
  /** London local date: hits a request covering it; omitted = every request. */
  date?: string
  kind: FaultKind
  /** How many matching requests it affects before it is used up; omitted = forever. */
  times?: number
  /** 429 only: the Retry-After header (seconds, default 1). */
  retryAfterSeconds?: number
  /** 429 only: send Retry-After as an HTTP-date that many seconds ahead instead of seconds. */
  retryAfterAsDate?: boolean
  /** slow only: delay before answering (ms, default 30000). */
  delayMs?: number
  /** missing only: readings dropped from the end of its date (default 2). */
  missingSlots?: number
}

export type IntensityIndex = 'very low' | 'low' | 'moderate' | 'high' | 'very high'

export interface Intensity {
  forecast: number
  actual: number
  index: IntensityIndex
}

export type Fuel = 'biomass' | 'coal' | 'imports' | 'gas' | 'nuclear' | 'other' | 'hydro' | 'solar' | 'wind'

export interface FuelShare {
  fuel: Fuel
  perc: number
}

export interface UnitRate {
  value_exc_vat: number
  value_inc_vat: number
}

/** A tariff agreement as the account lists it; times are ISO 8601 strings, kept as given. */
export interface Agreement {
  tariff_code: string
  valid_from: string
  /** null = open-ended. */
  valid_to: string | null
}

/** An agreement to record on an account meter point (POST /_admin/agreements body). */
export interface AgreementChange extends Agreement {
  /** An electricity meter point; omitted (and no mprn) = the import one. */
  mpan?: string
  /** A gas meter point instead (never with mpan). */
  mprn?: string
}

export type MeterFuel = 'electricity' | 'gas'

/** A meter of the account whose half-hourly readings are served, and the slots it has. */
export interface SampleMeter {
  fuel: MeterFuel
  /** Its meter point: mpan, or mprn for gas. */
  point: string
  serial: string
  /** Start of its first slot (UTC ms). */
  fromMs: number
  /** End of its last slot (UTC ms, exclusive); Infinity = still read. */
  toMs: number
  /** Fault and counter source of its consumption requests. */
  source: Extract<RequestSource, 'usage' | 'export' | 'gas'>
  /** A slot's reading (kWh, m³ for gas) at that day's usage revision. */
  reading: (seed: number, slotStartMs: number, revision: number) => number
  /** Spans [fromMs, toMs) of slot starts it has no readings for, in time order. */
  gaps?: ReadonlyArray<{ fromMs: number, toMs: number }>
}

/** A meter point, or one meter of it, left out of the account answers (POST /_admin/account). */
export interface AccountDrop {
  /** An electricity meter point (never with mprn). */
  mpan?: string
  /** A gas meter point (never with mpan). */
  mprn?: string
  /** Only this meter of the meter point; omitted = the whole meter point. */
  serial?: string
}

/** London local dates a request covers, inclusive (YYYY-MM-DD). */
export interface DateRange {
  from: string
  to: string
}

export interface RequestCounters {
  total: number
  bySource: Partial<Record<RequestSource, number>>
  /** Keyed by URL path without the query; carbon ranges and forecasts by their template (`/carbon/generation/{from}/{to}`). */
  byPath: Record<string, number>
}

export interface SampleApiOptions {
  seed: number
  faults?: Fault[]
  /** Clock (ms since epoch) deciding which actuals, rates and consumption exist yet. */
  now?: () => number
  log?: Logger
  /** API keys accepted besides the default OCTOPUS_API_KEY. */
  apiKeys?: string[]
  /** Delay before every non-admin answer, as a distant upstream has (ms, default 0). */
  latencyMs?: number
  /** First UTC day (YYYY-MM-DD) of national carbon data (default CARBON_NATIONAL_START_DATE, 2017-09-26). */
  carbonNationalStart?: string
  /** First UTC day (YYYY-MM-DD) of regional carbon data (default CARBON_REGIONAL_START_DATE, 2018-05-10). */
  carbonRegionalStart?: string
}

export interface SampleApi {
  handler: (req: IncomingMessage, res: ServerResponse) => void
  /** Replaces the fault list (validated like SAMPLE_API_FAULTS). */
  setFaults: (faults: Fault[]) => void
  /** The active faults, `times` counting down. */
  faults: () => Fault[]
  /** Bumps a date's usage revision, so its consumption values change; returns the new revision. */
  revise: (date: string) => number
  /** An account electricity meter point's agreements (default: the import one), sorted by valid_from; RangeError for an unknown mpan. */
  agreements: (mpan?: string) => Agreement[]
  /** A gas meter point's agreements (default: the account's one), sorted by valid_from; RangeError for an unknown mprn. */
  gasAgreements: (mprn?: string) => Agreement[]
  /**
   * Records a (back-dated) switch: over [valid_from, valid_to) the new agreement replaces what
   * was in force. Returns the meter point's agreements after it; RangeError for a bad change.
   */
  addAgreement: (change: AgreementChange) => Agreement[]
  /** The delay before every non-admin answer (ms). */
  latency: () => number
  /** Sets that delay; RangeError unless a whole number of ms >= 0. */
  setLatency: (ms: number) => void
  /** The meter points and meters left out of the account answers. */
  accountDrops: () => AccountDrop[]
  /** Leaves a meter point (or one of its meters) out of the account answers; RangeError for one no account has. */
  dropFromAccount: (drop: AccountDrop) => AccountDrop[]
  /** Puts every dropped meter point and meter back. */
  restoreAccount: () => void
  /**
   * The status of an account's one direct debit instruction (GraphQL `directDebitInstructions`):
   * ACTIVE (the default), PROVISIONAL, FAILED or ACCOUNT_CLOSED, or null for none. RangeError
   * for another account or status.
   */
  setDirectDebit: (account: string, status: string | null) => void
  /** Clears faults, revisions, counters and drops, restores the account's agreements and the latency option. */
  reset: () => void
  /** Live counts of every non-admin request. */
  requests: RequestCounters
}

/** A response before serialisation; faults may still change it. */
export interface Reply {
  status: number
  body: unknown
  headers?: Record<string, string>
}

/** What a matched API route needs to answer. */
export interface RouteContext {
  seed: number
  nowMs: number
  url: URL
  /** The Authorization header, if any. */
  authorization: string | undefined
  /** Consumption slots to drop from the end of a date (missing fault); undefined = none. */
  missing: { date: string, slots: number } | undefined
  apiKeys: ReadonlySet<string>
  revisionOf: (date: string) => number
  /** The current agreements of an account electricity meter point. */
  agreementsOf: (mpan: string) => Agreement[]
  /** The current agreements of an account gas meter point. */
  gasAgreementsOf: (mprn: string) => Agreement[]
  /** Meter points and meters left out of the account answers. */
  dropped: readonly AccountDrop[]
  /** An account's direct debit instruction status (null: none); absent: ACTIVE. */
  directDebitOf?: (account: string) => string | null
}

/** First slot starts (UTC ms) with carbon data. */
export interface CarbonStarts {
  nationalMs: number
  regionalMs: number
}

/** A matched API route: which source and dates it covers, and how to answer. */
export interface Route {
  source: RequestSource
  /** The London dates the answer covers; undefined: none in particular (only undated faults hit it). */
  dates?: DateRange
  /** Counter key instead of the URL path (a template for paths with instants in them). */
  path?: string
  /** A consumption request: the only kind a missing fault hits. */
  readings?: boolean
  respond: (ctx: RouteContext) => Reply
}
