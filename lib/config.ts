import { readFileSync } from 'node:fs'
import { isIPv6 } from 'node:net'
import { config as loadDotenv } from 'dotenv'
import { EnergyError } from './errors.ts'
import { topicsFor, type Topics } from './topics.ts'

// The only reader of process.env. Every variable is checked once at start-up and every
// problem is reported in one ENERGY_CONFIG error that names the variable.

/** HTTP basic-auth credentials (RFC 7617), sent as an Authorization header. */
export interface BasicAuth {
  username: string
  password: string
}

export interface Config {
  kafkaBrokers: string[]
  /** Registry base URL without credentials: safe to print and to hand to fetch(). */
  schemaRegistryUrl: string
  /**
   * Registry basic auth: SCHEMA_REGISTRY_USERNAME / SCHEMA_REGISTRY_PASSWORD, each falling
   * back to the user:password of SCHEMA_REGISTRY_URL. Not enumerable (a secret).
   */
  schemaRegistryAuth?: BasicAuth
  databaseUrl: string
  carbonApiUrl: string
  octopusApiUrl: string
  /** OCTOPUS_GRAPHQL_URL: Octopus's GraphQL endpoint (Kraken), with its trailing slash. */
  octopusGraphqlUrl: string
  octopusApiKey: string
  octopusMpan: string
  octopusSerial: string
  octopusProduct: string
  octopusTariff: string
  octopusPaymentMethod: 'DIRECT_DEBIT' | 'NON_DIRECT_DEBIT'
  /** OCTOPUS_ACCOUNT: the account whose agreements price each slot; '' = the single-tariff variables. */
  octopusAccount: string
  /** How often a running pipeline re-reads the account (ACCOUNT_REFRESH_HOURS). */
  accountRefreshMs: number
  /** What gas meters read unless GAS_METER_UNITS names the meter: m³ (SMETS2) or kWh (SMETS1). */
  gasUnit: GasUnit
  /** GAS_METER_UNITS: a meter's own unit by serial (a SMETS1 → SMETS2 exchange has one of each). */
  gasMeterUnits: Readonly<Record<string, GasUnit>>
  /** MJ/m³, to turn m³ into kWh. */
  gasCalorificValue: number
  /** gCO2e per kWh of gas burnt. */
  gasCarbonGPerKwh: number
  /** The night register's window of two-rate tariffs without a window of their own (smart Economy 7: 00:30-07:30 UTC). */
  twoRateNight: ClockWindow
  /** OCTOPUS_NIGHT_WINDOWS: the night window by tariff or product code, over every default. */
  nightWindows: Readonly<Record<string, ClockWindow>>
  /** OCTOPUS_TARIFF_PRODUCTS: the product of a tariff code the catalogue cannot find. */
  tariffProducts: Readonly<Record<string, string>>
  /** Outward postcode for regional carbon (CARBON_POSTCODE); null: the account property's, if any. */
  carbonPostcode: string | null
  /** Carbon Intensity region id 1..17 (CARBON_REGION_ID); wins over any postcode. */
  carbonRegionId: number | null
  /** How often the 48-hour forecast is fetched again (FORECAST_REFRESH_MINUTES). */
  forecastRefreshMs: number
  /** How often the Intelligent Octopus dispatches are polled (DISPATCH_POLL_MINUTES). */
  dispatchPollMs: number
  sampleApiHost: string
  sampleApiPort: number
  sampleApiSeed: number
  /** JSON list of faults the sample server starts with (sample-api/faults.ts). */
  sampleApiFaults: string
  apiHost: string
  apiPort: number
  /** Bearer token / basic-auth password of the API ('' = none); required off loopback (api/auth.ts). */
  apiToken: string
  logLevel: string
  topicPartitions: number
  /** Prefix of every topic, consumer group and transactional id ('' = the contract names). */
  namespace: string
  /** The namespace's topic names. */
  topics: Topics
  /** Source processors `npm start` runs by default (SOURCES); empty = every declared source. */
  sources: string[]
  httpTimeoutMs: number
  httpRetries: number
  /** Longest Retry-After the sources' client waits; a longer one gives the day up for now. */
  httpMaxRetryAfterMs: number
  /** Most requests in flight per upstream host, process-wide (HTTP_MAX_IN_FLIGHT). */
  httpMaxInFlight: number
  /** Most requests started per upstream host per second, process-wide (HTTP_MAX_PER_SECOND). */
  httpMaxPerSecond: number
  sinkBatchSize: number
  sinkBatchMs: number
}

type Env = Record<string, string | undefined>

export type GasUnit = 'm3' | 'kWh'

/** Minutes [from, to) of a day on the UTC or the London clock; wraps midnight when from > to. */
export interface ClockWindow { from: number, to: number, zone: 'UTC' | 'London' }

/**
 * An Octopus account number (A-1234ABCD). Real ones are A- and eight letters or digits, but
 * nothing promises the length: any short run of letters and digits after A- is accepted (it goes
 * into a URL path with the API key, so nothing else).
 */
export const ACCOUNT_NUMBER = /^A-[0-9A-Z]{1,20}$/i
/** A tariff or product code as it may go into a URL path: letters, digits, '-', '_', '.', starting with a letter or digit. */
export const OCTOPUS_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/

// Defaults for the local stack (.env.example repeats them with a line of meaning each).
export const DEFAULTS: Record<string, string> = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
  SCHEMA_REGISTRY_USERNAME: '',
  SCHEMA_REGISTRY_PASSWORD: '',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/energy',
  CARBON_API_URL: 'http://127.0.0.1:8090/carbon',
  OCTOPUS_API_URL: 'http://127.0.0.1:8090/octopus/v1',
  OCTOPUS_GRAPHQL_URL: 'http://127.0.0.1:8090/octopus/v1/graphql/',
  OCTOPUS_API_KEY: 'sk_live_sample0000000000000000',
  OCTOPUS_MPAN: '1900000000001',
  OCTOPUS_SERIAL: '21L0000001',
  OCTOPUS_PRODUCT: 'AGILE-FLEX-22-11-25',
  OCTOPUS_TARIFF: 'E-1R-AGILE-FLEX-22-11-25-C',
  OCTOPUS_PAYMENT_METHOD: 'DIRECT_DEBIT',
  OCTOPUS_ACCOUNT: '',
  ACCOUNT_REFRESH_HOURS: '6',
  GAS_UNIT: 'm3',
  GAS_CALORIFIC_VALUE: '39.5',
  GAS_CARBON_G_PER_KWH: '182.9',
  TWO_RATE_NIGHT: '00:30-07:30 UTC',
  OCTOPUS_NIGHT_WINDOWS: '',
  OCTOPUS_TARIFF_PRODUCTS: '',
  GAS_METER_UNITS: '',
  CARBON_POSTCODE: '',
  CARBON_REGION_ID: '',
  FORECAST_REFRESH_MINUTES: '30',
  DISPATCH_POLL_MINUTES: '15',
  SAMPLE_API_HOST: '127.0.0.1',
  SAMPLE_API_PORT: '8090',
  SAMPLE_API_SEED: '42',
  SAMPLE_API_FAULTS: '[]',
  API_HOST: '127.0.0.1',
  API_PORT: '3000',
  API_TOKEN: '',
  API_TOKEN_FILE: '',
  LOG_LEVEL: 'info',
  TOPIC_PARTITIONS: '4',
  PIPELINE_NAMESPACE: '',
  SOURCES: '',
  HTTP_TIMEOUT_MS: '10000',
  HTTP_RETRIES: '5',
  HTTP_MAX_RETRY_AFTER_S: '60',
  HTTP_MAX_IN_FLIGHT: '4',
  HTTP_MAX_PER_SECOND: '20',
  SINK_BATCH_SIZE: '500',
  SINK_BATCH_MS: '200'
}

const GAS_UNITS = ['m3', 'kWh'] as const

/** HH:MM-HH:MM with an optional zone, UTC (the default) or London; undefined when not one or empty. */
export function parseClockWindow (text: string): ClockWindow | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)(?:\s+(UTC|London|Europe\/London))?$/i.exec(text.trim())
  if (m === null) return undefined
  const window: ClockWindow = { from: Number(m[1]) * 60 + Number(m[2]), to: Number(m[3]) * 60 + Number(m[4]), zone: m[5] === undefined || m[5].toUpperCase() === 'UTC' ? 'UTC' : 'London' }
  return window.from === window.to ? undefined : window
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']
/** The outward part of a UK postcode: area letters, district digit(s), maybe a letter (RG41, SW1A, M1). */
export const OUTWARD_CODE = /^[A-Z]{1,2}\d[A-Z\d]?$/

/** Reads `.env` (without overriding the real environment) and returns the process config. */
export function loadConfig (env: Env = readProcessEnv()): Readonly<Config> {
  const problems: string[] = []
  const get = (name: string): string => {
    const value = env[name]
    return value === undefined || value.trim() === '' ? DEFAULTS[name] : value.trim()
  }
  const url = (name: string): string => {
    const value = get(name)
    try {
      const parsed = new URL(value)
      if (!['http:', 'https:', 'postgres:', 'postgresql:'].includes(parsed.protocol)) throw new Error('protocol')
    } catch {
      problems.push(`${name} must be a URL, got "${redactUrl(value)}"`)
    }
    return value.replace(/\/+$/, '')
  }
  // The source APIs take no credentials in their URL: the Carbon Intensity API is open and
  // Octopus takes its key from OCTOPUS_API_KEY (docs/configuration.md). Refused, not printed.
  const sourceUrl = (name: string): string => {
    const value = url(name)
    const parsed = URL.parse(value)
    if (parsed !== null && (parsed.username !== '' || parsed.password !== '')) {
      problems.push(`${name} must not hold credentials (user:password@): the Carbon Intensity API needs none and Octopus takes its key from OCTOPUS_API_KEY, got "${redactUrl(value)}"`)
    }
    return value
  }
  // A managed registry (Confluent Cloud, Redpanda Cloud) wants basic auth. The credentials
  // leave the URL, which is what requests and messages use (fetch() refuses a URL with
  // credentials, and its error repeats the whole URL); the variables win over the URL's.
  const registryUrl = url('SCHEMA_REGISTRY_URL')
  const registry = splitCredentials(registryUrl)
  if (registry.malformed) problems.push('SCHEMA_REGISTRY_URL has a malformed percent-encoding in its user name or password')
  const registryAuth: BasicAuth = {
    username: get('SCHEMA_REGISTRY_USERNAME') || (registry.auth?.username ?? ''),
    password: get('SCHEMA_REGISTRY_PASSWORD') || (registry.auth?.password ?? '')
  }
  // RFC 7617: the user-id cannot contain a colon; a password alone names nobody.
  if (registryAuth.username.includes(':')) problems.push('SCHEMA_REGISTRY_USERNAME (or the user name in SCHEMA_REGISTRY_URL) must not contain ":"')
  if (registryAuth.username === '' && registryAuth.password !== '') {
    problems.push('SCHEMA_REGISTRY_PASSWORD is set but there is no user name: set SCHEMA_REGISTRY_USERNAME (or user@ in SCHEMA_REGISTRY_URL)')
  }
  const int = (name: string, min: number, max: number): number => {
    const value = get(name)
    const n = Number(value)
    if (!/^\d+$/.test(value) || n < min || n > max) problems.push(`${name} must be a whole number from ${min} to ${max}, got "${value}"`)
    return n
  }
  // A guessable token is no door: at least 16 characters, printable ASCII (it travels in a
  // header). API_TOKEN_FILE (a Docker secret) holds it instead, one line.
  const apiToken = (): string => {
    const file = get('API_TOKEN_FILE')
    let value = get('API_TOKEN')
    if (file !== '') {
      if (value !== '') problems.push('API_TOKEN and API_TOKEN_FILE are both set: set one')
      try {
        value = readFileSync(file, 'utf8').trim()
      } catch (err) {
        problems.push(`API_TOKEN_FILE ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
        return ''
      }
    }
    if (value !== '' && !/^[\x21-\x7e]{16,256}$/.test(value)) problems.push(`${file === '' ? 'API_TOKEN' : `API_TOKEN_FILE ${file}`} must hold 16 to 256 printable ASCII characters without spaces (e.g. \`openssl rand -hex 24\`)`)
    return value
  }
  // A listening address: a hostname or an IP address, nothing else (no port, scheme or brackets).
  const host = (name: string): string => {
    const value = get(name)
    if (!isHostname(value) && !isIPv6(value)) problems.push(`${name} must be a hostname or an IP address (no port, scheme or brackets), got "${value}"`)
    return value
  }
  const decimal = (name: string, min: number, max: number): number => {
    const value = get(name)
    const n = Number(value)
    if (!/^\d+(\.\d+)?$/.test(value) || n < min || n > max) problems.push(`${name} must be a number from ${min} to ${max}, got "${value}"`)
    return n
  }
  const clockWindow = (name: string, value = get(name)): ClockWindow => {
    const window = parseClockWindow(value)
    if (window === undefined) problems.push(`${name} must be a clock window HH:MM-HH:MM [UTC|London] that is not empty, e.g. 00:30-07:30 UTC, got "${value.slice(0, 40)}"`)
    return window ?? { from: 0, to: 0, zone: 'UTC' }
  }
  // KEY=VALUE,KEY=VALUE: per-tariff and per-meter overrides.
  const pairs = <T>(name: string, key: RegExp, parse: (value: string) => T | undefined, shape: string): Record<string, T> => {
    const out: Record<string, T> = {}
    for (const item of get(name).split(',').map(i => i.trim()).filter(Boolean)) {
      const at = item.indexOf('=')
      const [k, v] = at < 0 ? [item, ''] : [item.slice(0, at).trim(), item.slice(at + 1).trim()]
      const parsed = key.test(k) ? parse(v) : undefined
      if (parsed === undefined) problems.push(`${name} must be a comma list of ${shape}, got "${item.slice(0, 80)}"`)
      else out[k] = parsed
    }
    return Object.freeze(out)
  }
  // The Carbon Intensity API takes the outward part of a postcode only (RG41, SW1, TF8).
  const outwardCode = (name: string): string | null => {
    const value = get(name).toUpperCase()
    if (value === '') return null
    if (!OUTWARD_CODE.test(value)) problems.push(`${name} must be the outward part of a UK postcode (e.g. RG41, SW1A, M1), got "${value.slice(0, 20)}"`)
    return value
  }
  const oneOf = <T extends string>(name: string, allowed: readonly T[]): T => {
    const value = get(name)
    if (!allowed.includes(value as T)) problems.push(`${name} must be one of ${allowed.join(', ')}, got "${value}"`)
    return value as T
  }

  const brokers = get('KAFKA_BROKERS').split(',').map(b => b.trim()).filter(Boolean)
  for (const b of brokers) {
    const problem = brokerProblem(b)
    if (problem !== undefined) problems.push(`KAFKA_BROKERS ${problem}, got "${b}"`)
  }
  // Names only: which sources exist is the topology's to say (processors/topology.ts checks them).
  const sources = get('SOURCES').split(',').map(s => s.trim()).filter(Boolean)
  for (const name of sources) {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) problems.push(`SOURCES must be a comma list of source names, got "${name}"`)
  }
  const account = get('OCTOPUS_ACCOUNT')
  if (account !== '' && !ACCOUNT_NUMBER.test(account)) problems.push(`OCTOPUS_ACCOUNT must be an Octopus account number like A-1234ABCD, got "${account}"`)
  const namespace = env.PIPELINE_NAMESPACE?.trim() ?? ''
  if (!/^[\w.-]*$/.test(namespace)) problems.push(`PIPELINE_NAMESPACE may hold letters, digits, '.', '_' and '-', got "${namespace}"`)

  const config: Config = {
    kafkaBrokers: brokers,
    schemaRegistryUrl: registry.url,
    schemaRegistryAuth: registryAuth.username === '' ? undefined : registryAuth,
    databaseUrl: url('DATABASE_URL'),
    carbonApiUrl: sourceUrl('CARBON_API_URL'),
    octopusApiUrl: sourceUrl('OCTOPUS_API_URL'),
    // Kraken answers its endpoint with the trailing slash only (a POST to …/graphql is redirected).
    octopusGraphqlUrl: `${sourceUrl('OCTOPUS_GRAPHQL_URL')}/`,
    octopusApiKey: get('OCTOPUS_API_KEY'),
    octopusMpan: get('OCTOPUS_MPAN'),
    octopusSerial: get('OCTOPUS_SERIAL'),
    octopusProduct: get('OCTOPUS_PRODUCT'),
    octopusTariff: get('OCTOPUS_TARIFF'),
    octopusPaymentMethod: oneOf('OCTOPUS_PAYMENT_METHOD', ['DIRECT_DEBIT', 'NON_DIRECT_DEBIT'] as const),
    octopusAccount: account.toUpperCase(),
    accountRefreshMs: int('ACCOUNT_REFRESH_HOURS', 1, 24 * 7) * 3600 * 1000,
    gasUnit: oneOf('GAS_UNIT', GAS_UNITS),
    gasMeterUnits: pairs('GAS_METER_UNITS', OCTOPUS_CODE, v => GAS_UNITS.find(u => u === v), 'SERIAL=m3 or SERIAL=kWh'),
    gasCalorificValue: decimal('GAS_CALORIFIC_VALUE', 30, 50),
    gasCarbonGPerKwh: decimal('GAS_CARBON_G_PER_KWH', 0, 1000),
    twoRateNight: clockWindow('TWO_RATE_NIGHT'),
    nightWindows: pairs('OCTOPUS_NIGHT_WINDOWS', OCTOPUS_CODE, parseClockWindow, 'CODE=HH:MM-HH:MM UTC|London (CODE a tariff or product code)'),
    tariffProducts: pairs('OCTOPUS_TARIFF_PRODUCTS', OCTOPUS_CODE, v => OCTOPUS_CODE.test(v) ? v : undefined, 'TARIFF=PRODUCT codes'),
    carbonPostcode: outwardCode('CARBON_POSTCODE'),
    carbonRegionId: get('CARBON_REGION_ID') === '' ? null : int('CARBON_REGION_ID', 1, 17),
    forecastRefreshMs: int('FORECAST_REFRESH_MINUTES', 1, 24 * 60) * 60 * 1000,
    dispatchPollMs: int('DISPATCH_POLL_MINUTES', 1, 12 * 60) * 60 * 1000,
    sampleApiHost: get('SAMPLE_API_HOST'),
    sampleApiPort: int('SAMPLE_API_PORT', 1, 65535),
    sampleApiSeed: int('SAMPLE_API_SEED', 0, 2 ** 31),
    sampleApiFaults: get('SAMPLE_API_FAULTS'),
    apiHost: host('API_HOST'),
    apiPort: int('API_PORT', 1, 65535),
    apiToken: apiToken(),
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS),
    topicPartitions: int('TOPIC_PARTITIONS', 1, 1000),
    namespace,
    topics: topicsFor(namespace),
    sources,
    httpTimeoutMs: int('HTTP_TIMEOUT_MS', 100, 600000),
    httpRetries: int('HTTP_RETRIES', 0, 100),
    httpMaxRetryAfterMs: int('HTTP_MAX_RETRY_AFTER_S', 0, 3600) * 1000,
    httpMaxInFlight: int('HTTP_MAX_IN_FLIGHT', 1, 64),
    httpMaxPerSecond: int('HTTP_MAX_PER_SECOND', 1, 1000),
    sinkBatchSize: int('SINK_BATCH_SIZE', 1, 1000000),
    sinkBatchMs: int('SINK_BATCH_MS', 1, 600000)
  }
  if (problems.length > 0) {
    throw new EnergyError('ENERGY_CONFIG', `invalid configuration:\n  ${problems.join('\n  ')}`)
  }
  // Secrets are kept off enumerable properties so that logging, serialising or inspecting
  // the config can never print them: the API key, the database URL (it may hold a password)
  // and the registry's credentials.
  Object.defineProperty(config, 'octopusApiKey', { enumerable: false })
  Object.defineProperty(config, 'databaseUrl', { enumerable: false })
  Object.defineProperty(config, 'schemaRegistryAuth', { enumerable: false })
  Object.defineProperty(config, 'apiToken', { enumerable: false })
  if (config.schemaRegistryAuth !== undefined) Object.freeze(config.schemaRegistryAuth)
  Object.freeze(config.kafkaBrokers)
  Object.freeze(config.sources)
  Object.freeze(config.topics)
  return Object.freeze(config)
}

const MASK = '***'

/** `user:***`, or `***` when there is no password: a user name alone is often a token. */
function maskUserinfo (userinfo: string): string {
  const colon = userinfo.indexOf(':')
  return colon < 0 ? MASK : `${userinfo.slice(0, colon)}:${MASK}`
}

/**
 * A URL with its credentials replaced, safe to print: the password becomes `***`, or the
 * user name when there is no password. Also for values that are not (quite) URLs, where the
 * parser cannot say where the credentials are: whatever precedes the last '@' is masked.
 */
export function redactUrl (value: string): string {
  const url = URL.parse(value)
  if (url !== null && (url.username !== '' || url.password !== '')) {
    if (url.password !== '') url.password = MASK
    else url.username = MASK
    return url.href
  }
  // The authority ends at the first '/', '?' or '#', so 'http://user:pa/ss@host' does not
  // parse and 'http://user:1234/x@host' parses as port 1234 and path '/x@host'; 'user:pass@host'
  // parses with scheme 'user:'. Masked too: a ':' before the last '@' of a parsed value, and
  // anything before the last '@' of one that does not parse.
  const m = /^(\s*(?:[a-z][a-z\d+.-]*:\/\/)?)([\s\S]*)@/i.exec(value)
  if (m === null || (url !== null && !m[2].includes(':'))) return value
  return m[1] + maskUserinfo(m[2]) + value.slice(m[0].length - 1)
}

/**
 * Free text (an error message, a log line) with the credentials of every `scheme://…@` in it
 * masked as redactUrl() masks them. A run without whitespace or quotes is taken up to its
 * last '@', since a raw password may hold '@' or '/'.
 */
export function redactUrls (text: string): string {
  if (!text.includes('://')) return text
  return text.replace(/([a-z][a-z\d+.-]*:\/\/)([^\s"'<>]*)@/gi, (_match, scheme: string, userinfo: string) => `${scheme}${maskUserinfo(userinfo)}@`)
}

/**
 * A URL split into the URL without credentials and its percent-decoded user:password;
 * `malformed` when those do not decode. A value that is not a URL comes back as it is.
 */
export function splitCredentials (value: string): { url: string, auth?: BasicAuth, malformed: boolean } {
  const url = URL.parse(value)
  if (url === null || (url.username === '' && url.password === '')) return { url: value, malformed: false }
  let auth: BasicAuth | undefined
  try {
    auth = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
  } catch {
    auth = undefined
  }
  url.username = ''
  url.password = ''
  return { url: url.href.replace(/\/+$/, ''), auth, malformed: auth === undefined }
}

function readProcessEnv (): Env {
  loadDotenv({ quiet: true })
  return process.env
}

/** The process's variables (and `.env`) with some set by the command itself (a flag's value). */
export function processEnvWith (overrides: Env): Env {
  return { ...readProcessEnv(), ...overrides }
}

// Hosts: RFC 1123 names (letters, digits, '-' inside a label; '_' too, which Docker Compose
// service and container names use), or an IPv4 address. A name made only of digits and dots
// must be a valid IPv4 address: 999.1.1.1 or 10.0.0 is a typo, not a name.
const LABEL_RE = /^[a-z\d_]([a-z\d_-]{0,61}[a-z\d_])?$/i
const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

/** True for a DNS hostname or an IPv4 address (not an IPv6 address). */
export function isHostname (value: string): boolean {
  if (/^[\d.]+$/.test(value)) return IPV4_RE.test(value)
  const name = value.endsWith('.') ? value.slice(0, -1) : value
  return name.length > 0 && name.length <= 253 && name.split('.').every(label => LABEL_RE.test(label))
}

/** What is wrong with one KAFKA_BROKERS entry (host:port), or undefined. */
function brokerProblem (entry: string): string | undefined {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d+)$/.exec(entry)
  if (m === null) return 'must be host:port[,host:port]'
  // @platformatic/kafka 1.35 split a bootstrap broker at ':', so '[::1]:9092' connected to host
  // '['. 2.x reads the bracketed form (parseBroker, platformatic/kafka#365), but the local
  // stack still splits the first entry at ':' (scripts/stack/services.ts hostPort): refused.
  if (m[1] !== undefined) return isIPv6(m[1]) ? 'cannot hold an IPv6 address (the local stack splits host:port at the first \':\'): use a hostname' : 'host must be a hostname or an IPv4 address'
  if (!isHostname(m[2])) return 'host must be a hostname or an IPv4 address'
  const port = Number(m[3])
  if (m[3].length > 5 || port < 1 || port > 65535) return 'port must be from 1 to 65535'
  return undefined
}

/**
 * The lines an entry point prints for an ENERGY_CONFIG error: `<command>: invalid
 * configuration: <problem>`, one per problem; undefined for any other error.
 */
export function configErrorLines (command: string, err: unknown): string[] | undefined {
  if (!(err instanceof EnergyError) || err.code !== 'ENERGY_CONFIG') return undefined
  const problems = err.message.replace(/^invalid configuration:\n {2}/, '').split('\n  ')
  return problems.map(problem => `${command}: invalid configuration: ${problem}`)
}

/** Ends the process (exit code 1) with configErrorLines() on stderr when `err` is ENERGY_CONFIG; returns otherwise. */
export function exitOnConfigError (command: string, err: unknown): void {
  const lines = configErrorLines(command, err)
  if (lines === undefined) return
  process.stderr.write(`${lines.join('\n')}\n`)
  process.exit(1)
}

/**
 * loadConfig() for an entry point: a bad variable prints one line per problem, naming the
 * variable, and exits 1 (no stack trace: it is the user's to fix, not a crash).
 */
export function loadConfigOrExit (command: string, env?: Env): Readonly<Config> {
  try {
    return loadConfig(env)
  } catch (err) {
    exitOnConfigError(command, err)
    throw err
  }
}
