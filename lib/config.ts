import { config as loadDotenv } from 'dotenv'
import { EnergyError } from './errors.ts'
import { topicsFor, type Topics } from './topics.ts'

// The only reader of process.env. Every variable is checked once at start-up and every
// problem is reported in one ENERGY_CONFIG error that names the variable.

export interface Config {
  kafkaBrokers: string[]
  schemaRegistryUrl: string
  databaseUrl: string
  carbonApiUrl: string
  octopusApiUrl: string
  octopusApiKey: string
  octopusMpan: string
  octopusSerial: string
  octopusProduct: string
  octopusTariff: string
  octopusPaymentMethod: 'DIRECT_DEBIT' | 'NON_DIRECT_DEBIT'
  sampleApiHost: string
  sampleApiPort: number
  sampleApiSeed: number
  /** JSON list of faults the sample server starts with (sample-api/faults.ts). */
  sampleApiFaults: string
  apiHost: string
  apiPort: number
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
  sinkBatchSize: number
  sinkBatchMs: number
}

type Env = Record<string, string | undefined>

// Defaults for the local stack (.env.example repeats them with a line of meaning each).
export const DEFAULTS: Record<string, string> = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/energy',
  CARBON_API_URL: 'http://127.0.0.1:8090/carbon',
  OCTOPUS_API_URL: 'http://127.0.0.1:8090/octopus/v1',
  OCTOPUS_API_KEY: 'sk_live_sample0000000000000000',
  OCTOPUS_MPAN: '1900000000001',
  OCTOPUS_SERIAL: '21L0000001',
  OCTOPUS_PRODUCT: 'AGILE-24-10-01',
  OCTOPUS_TARIFF: 'E-1R-AGILE-24-10-01-C',
  OCTOPUS_PAYMENT_METHOD: 'DIRECT_DEBIT',
  SAMPLE_API_HOST: '127.0.0.1',
  SAMPLE_API_PORT: '8090',
  SAMPLE_API_SEED: '42',
  SAMPLE_API_FAULTS: '[]',
  API_HOST: '127.0.0.1',
  API_PORT: '3000',
  LOG_LEVEL: 'info',
  TOPIC_PARTITIONS: '4',
  PIPELINE_NAMESPACE: '',
  SOURCES: '',
  HTTP_TIMEOUT_MS: '10000',
  HTTP_RETRIES: '5',
  SINK_BATCH_SIZE: '5000',
  SINK_BATCH_MS: '200'
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

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
  const int = (name: string, min: number, max: number): number => {
    const value = get(name)
    const n = Number(value)
    if (!/^\d+$/.test(value) || n < min || n > max) problems.push(`${name} must be a whole number from ${min} to ${max}, got "${value}"`)
    return n
  }
  const oneOf = <T extends string>(name: string, allowed: readonly T[]): T => {
    const value = get(name)
    if (!allowed.includes(value as T)) problems.push(`${name} must be one of ${allowed.join(', ')}, got "${value}"`)
    return value as T
  }

  const brokers = get('KAFKA_BROKERS').split(',').map(b => b.trim()).filter(Boolean)
  for (const b of brokers) {
    if (!/^[\w.-]+:\d{1,5}$/.test(b)) problems.push(`KAFKA_BROKERS must be host:port[,host:port], got "${b}"`)
  }
  // Names only: which sources exist is the topology's to say (processors/topology.ts checks them).
  const sources = get('SOURCES').split(',').map(s => s.trim()).filter(Boolean)
  for (const name of sources) {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) problems.push(`SOURCES must be a comma list of source names, got "${name}"`)
  }
  const namespace = env.PIPELINE_NAMESPACE?.trim() ?? ''
  if (!/^[\w.-]*$/.test(namespace)) problems.push(`PIPELINE_NAMESPACE may hold letters, digits, '.', '_' and '-', got "${namespace}"`)

  const config: Config = {
    kafkaBrokers: brokers,
    schemaRegistryUrl: url('SCHEMA_REGISTRY_URL'),
    databaseUrl: url('DATABASE_URL'),
    carbonApiUrl: url('CARBON_API_URL'),
    octopusApiUrl: url('OCTOPUS_API_URL'),
    octopusApiKey: get('OCTOPUS_API_KEY'),
    octopusMpan: get('OCTOPUS_MPAN'),
    octopusSerial: get('OCTOPUS_SERIAL'),
    octopusProduct: get('OCTOPUS_PRODUCT'),
    octopusTariff: get('OCTOPUS_TARIFF'),
    octopusPaymentMethod: oneOf('OCTOPUS_PAYMENT_METHOD', ['DIRECT_DEBIT', 'NON_DIRECT_DEBIT'] as const),
    sampleApiHost: get('SAMPLE_API_HOST'),
    sampleApiPort: int('SAMPLE_API_PORT', 1, 65535),
    sampleApiSeed: int('SAMPLE_API_SEED', 0, 2 ** 31),
    sampleApiFaults: get('SAMPLE_API_FAULTS'),
    apiHost: get('API_HOST'),
    apiPort: int('API_PORT', 1, 65535),
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS),
    topicPartitions: int('TOPIC_PARTITIONS', 1, 1000),
    namespace,
    topics: topicsFor(namespace),
    sources,
    httpTimeoutMs: int('HTTP_TIMEOUT_MS', 100, 600000),
    httpRetries: int('HTTP_RETRIES', 0, 100),
    sinkBatchSize: int('SINK_BATCH_SIZE', 1, 1000000),
    sinkBatchMs: int('SINK_BATCH_MS', 1, 600000)
  }
  if (problems.length > 0) {
    throw new EnergyError('ENERGY_CONFIG', `invalid configuration:\n  ${problems.join('\n  ')}`)
  }
  // Secrets are kept off enumerable properties so that logging, serialising or inspecting
  // the config can never print them: the API key, and the database URL (it may hold a password).
  Object.defineProperty(config, 'octopusApiKey', { enumerable: false })
  Object.defineProperty(config, 'databaseUrl', { enumerable: false })
  Object.freeze(config.kafkaBrokers)
  Object.freeze(config.sources)
  Object.freeze(config.topics)
  return Object.freeze(config)
}

/** A URL with its password replaced, safe to print. */
export function redactUrl (value: string): string {
  try {
    const u = new URL(value)
    if (u.password !== '') u.password = '***'
    return u.toString()
  } catch {
    return value.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@')
  }
}

function readProcessEnv (): Env {
  loadDotenv({ quiet: true })
  return process.env
}
