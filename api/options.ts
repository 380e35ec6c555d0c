// Defaults of the API (docs/api.md). The listening address comes from config (API_HOST,
// API_PORT); these are the fixed limits of the routes.

export interface ApiOptions {
  /** Milliseconds one status probe (broker, registry, Postgres) may take before it reports ok:false. */
  probeTimeoutMs: number
  /** Most days GET /api/days and GET /api/billed answer in one request. */
  maxRangeDays: number
  /** Failed token attempts per client and window before 429, and how many clients are remembered. */
  auth: { maxFailures: number, windowMs: number, maxClients: number }
  /** Most months GET /api/months answers in one request. */
  maxRangeMonths: number
  /** Days GET /api/days and GET /api/billed cover when `from` is not given. */
  defaultRangeDays: number
  /** Most offsets one GET /api/status reads to count records; larger backlogs report offsets. */
  maxCountedOffsets: number
}

export const DEFAULT_API_OPTIONS: ApiOptions = {
  // Short enough that the dashboard's 5 s status refresh never queues behind a dead probe.
  probeTimeoutMs: 2000,
  // A leap year: a whole year's view in one request, bounded so the query stays small.
  maxRangeDays: 366,
  // Ten guesses a minute per address: a person mistyping is never blocked, a guesser is.
  auth: { maxFailures: 10, windowMs: 60000, maxClients: 10000 },
  // Twenty years: more than any household's history, and still a few thousand rows to sum.
  maxRangeMonths: 240,
  // The dashboard's default view: the last 30 days that have data.
  defaultRangeDays: 30,
  // Bounded: counting stays well inside probeTimeoutMs and a few MB of records (docs/bench.md).
  maxCountedOffsets: 20000
}
