import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { inspect } from 'node:util'
import { configErrorLines, DEFAULTS, loadConfig, loadConfigOrExit } from '../../../lib/config.ts'

// loadConfig(env) reads only the object it is given, so these tests do not depend on the
// machine's environment or .env.

test('defaults: an empty environment gives the local stack and the sample server', () => {
  const config = loadConfig({})
  const expected = {
    kafkaBrokers: ['127.0.0.1:9092'],
    schemaRegistryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
    databaseUrl: 'postgres://postgres@127.0.0.1:5432/energy',
    carbonApiUrl: 'http://127.0.0.1:8090/carbon',
    octopusApiUrl: 'http://127.0.0.1:8090/octopus/v1',
    octopusApiKey: 'sk_live_sample0000000000000000',
    octopusMpan: '1900000000001',
    octopusSerial: '21L0000001',
    octopusProduct: 'AGILE-FLEX-22-11-25',
    octopusTariff: 'E-1R-AGILE-FLEX-22-11-25-C',
    octopusPaymentMethod: 'DIRECT_DEBIT',
    sampleApiPort: 8090,
    sampleApiSeed: 42,
    sampleApiFaults: '[]',
    apiHost: '127.0.0.1',
    apiPort: 3000,
    logLevel: 'info',
    topicPartitions: 4,
    sources: [],
    httpTimeoutMs: 10000,
    httpRetries: 5,
    sinkBatchSize: 500,
    sinkBatchMs: 200
  }
  // Options added later are not listed here; these are the ones the design and .env.example fix.
  const picked = Object.fromEntries(Object.keys(expected).map(k => [k, config[k as keyof typeof config]]))
  assert.deepStrictEqual(picked, expected)
  for (const [key, value] of Object.entries(config)) assert.notEqual(value, undefined, `config.${key} has a default`)
})

test('.env.example lists every variable with its default', () => {
  const text = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8')
  const listed = new Map<string, string>()
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line)
    if (m !== null) listed.set(m[1], m[2])
  }
  const missing = Object.keys(DEFAULTS).filter(name => !listed.has(name))
  assert.deepStrictEqual(missing, [], 'variables missing from .env.example')
  for (const [name, value] of Object.entries(DEFAULTS)) assert.equal(listed.get(name), value, `${name} in .env.example`)
})

test('blank values fall back to defaults, values are trimmed, URLs lose trailing slashes', () => {
  const config = loadConfig({
    KAFKA_BROKERS: ' 10.0.0.1:9092, 10.0.0.2:9093 ',
    SCHEMA_REGISTRY_URL: 'http://registry:8081/',
    SAMPLE_API_PORT: '   ',
    SOURCES: 'usage, co2',
    TOPIC_PARTITIONS: '12'
  })
  assert.deepStrictEqual(config.kafkaBrokers, ['10.0.0.1:9092', '10.0.0.2:9093'])
  assert.equal(config.schemaRegistryUrl, 'http://registry:8081')
  assert.equal(config.sampleApiPort, 8090)
  assert.deepStrictEqual(config.sources, ['usage', 'co2'])
  assert.equal(config.topicPartitions, 12)
})

test('an unparseable URL is refused with the variable name', () => {
  assert.throws(() => loadConfig({ SCHEMA_REGISTRY_URL: 'not a url' }), {
    name: 'EnergyError',
    code: 'ENERGY_CONFIG',
    message: 'invalid configuration:\n  SCHEMA_REGISTRY_URL must be a URL, got "not a url"'
  })
})

test('a URL with the wrong scheme is refused without printing its password', () => {
  assert.throws(() => loadConfig({ DATABASE_URL: 'ftp://user:hunter2@db.example/energy' }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ENERGY_CONFIG')
    assert.equal(err.message, 'invalid configuration:\n  DATABASE_URL must be a URL, got "ftp://user:***@db.example/energy"')
    return true
  })
})

test('a non-numeric port is refused with the variable name', () => {
  assert.throws(() => loadConfig({ SAMPLE_API_PORT: '80a' }), {
    code: 'ENERGY_CONFIG',
    message: 'invalid configuration:\n  SAMPLE_API_PORT must be a whole number from 1 to 65535, got "80a"'
  })
  assert.throws(() => loadConfig({ API_PORT: '70000' }), {
    code: 'ENERGY_CONFIG',
    message: 'invalid configuration:\n  API_PORT must be a whole number from 1 to 65535, got "70000"'
  })
})

test('SOURCES is a list of names; which names exist is the topology\'s to check (test/unit/processors/topology.test.ts)', () => {
  assert.deepStrictEqual(loadConfig({ SOURCES: ' usage, co2 ' }).sources, ['usage', 'co2'])
  assert.throws(() => loadConfig({ SOURCES: 'co2,Wind Farm' }), {
    code: 'ENERGY_CONFIG',
    message: 'invalid configuration:\n  SOURCES must be a comma list of source names, got "Wind Farm"'
  })
})

test('several problems at once give one error naming every variable', () => {
  assert.throws(() => loadConfig({
    SCHEMA_REGISTRY_URL: 'not a url',
    SAMPLE_API_PORT: 'eighty',
    SOURCES: 'co2,Wind!',
    LOG_LEVEL: 'loud',
    KAFKA_BROKERS: 'localhost'
  }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ENERGY_CONFIG')
    const [head, ...lines] = err.message.split('\n  ')
    assert.equal(head, 'invalid configuration:')
    assert.deepStrictEqual(lines.sort(), [
      'KAFKA_BROKERS must be host:port[,host:port], got "localhost"',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'SAMPLE_API_PORT must be a whole number from 1 to 65535, got "eighty"',
      'SCHEMA_REGISTRY_URL must be a URL, got "not a url"',
      'SOURCES must be a comma list of source names, got "Wind!"'
    ])
    return true
  })
})

test('the returned config is frozen', () => {
  const config = loadConfig({})
  assert.equal(Object.isFrozen(config), true)
  assert.throws(() => { (config as { apiPort: number }).apiPort = 1 }, TypeError)
  assert.equal(config.apiPort, 3000)
})

test('the config is frozen all the way down (lists too)', () => {
  const config = loadConfig({})
  assert.equal(Object.isFrozen(config.sources), true)
  assert.equal(Object.isFrozen(config.kafkaBrokers), true)
  assert.equal(Object.isFrozen(config.topics), true)
})

test('the Octopus API key is readable but never serialised or inspected', () => {
  const key = 'sk_live_do_not_print_4242'
  const config = loadConfig({ OCTOPUS_API_KEY: key })
  assert.equal(config.octopusApiKey, key)
  assert.equal(JSON.stringify(config).includes(key), false)
  assert.equal(inspect(config).includes(key), false)
  assert.equal(inspect(config, { depth: Infinity }).includes(key), false)
  assert.equal(JSON.stringify({ config }).includes(key), false)
  assert.equal(Object.keys(config).includes('octopusApiKey'), false)
})

test('the DATABASE_URL password is never serialised or inspected', () => {
  const config = loadConfig({ DATABASE_URL: 'postgres://energy:hunter2@db.example:5432/energy' })
  assert.equal(JSON.stringify(config).includes('hunter2'), false)
  assert.equal(inspect(config).includes('hunter2'), false)
})

test('KAFKA_BROKERS: hostnames and IPv4 addresses with ports 1-65535; anything else is named', () => {
  assert.deepStrictEqual(loadConfig({ KAFKA_BROKERS: 'kafka-1.internal:9092,redpanda:1,my_kafka:65535,10.0.0.1:9093,broker.example.:9092' }).kafkaBrokers,
    ['kafka-1.internal:9092', 'redpanda:1', 'my_kafka:65535', '10.0.0.1:9093', 'broker.example.:9092'])
  const cases: Array<[string, string]> = [
    ['x:99999', 'port must be from 1 to 65535'],
    ['x:0', 'port must be from 1 to 65535'],
    ['x:000009092', 'port must be from 1 to 65535'],
    ['localhost', 'must be host:port[,host:port]'],
    ['x:', 'must be host:port[,host:port]'],
    ['http://x:9092', 'must be host:port[,host:port]'],
    ['::1:9092', 'must be host:port[,host:port]'],
    ['[::1]:9092', 'cannot hold an IPv6 address (the local stack splits host:port at the first \':\'): use a hostname'],
    ['[nope]:9092', 'host must be a hostname or an IPv4 address'],
    ['999.1.1.1:9092', 'host must be a hostname or an IPv4 address'],
    ['10.0.0:9092', 'host must be a hostname or an IPv4 address'],
    ['-kafka:9092', 'host must be a hostname or an IPv4 address'],
    ['ka fka:9092', 'host must be a hostname or an IPv4 address'],
    ['a..b:9092', 'host must be a hostname or an IPv4 address'],
    [`${'a'.repeat(64)}:9092`, 'host must be a hostname or an IPv4 address']
  ]
  for (const [value, problem] of cases) {
    assert.throws(() => loadConfig({ KAFKA_BROKERS: value }), {
      code: 'ENERGY_CONFIG',
      message: `invalid configuration:\n  KAFKA_BROKERS ${problem}, got "${value}"`
    }, value)
  }
  // One problem per bad entry, the good ones say nothing.
  assert.throws(() => loadConfig({ KAFKA_BROKERS: 'ok:9092,x:99999,y' }), {
    message: 'invalid configuration:\n  KAFKA_BROKERS port must be from 1 to 65535, got "x:99999"\n  KAFKA_BROKERS must be host:port[,host:port], got "y"'
  })
})

test('API_HOST: a hostname or an IP address; a port, scheme, path or brackets are refused', () => {
  for (const good of ['127.0.0.1', '0.0.0.0', 'localhost', 'api.example.com', 'sample_api', '::', '::1', 'fe80::1']) {
    assert.equal(loadConfig({ API_HOST: good }).apiHost, good, good)
  }
  for (const bad of ['0.0.0.0:3000', 'http://x', 'x/api', '[::1]', '256.0.0.1', 'a b', 'localhost:', '::1:x']) {
    assert.throws(() => loadConfig({ API_HOST: bad }), {
      code: 'ENERGY_CONFIG',
      message: `invalid configuration:\n  API_HOST must be a hostname or an IP address (no port, scheme or brackets), got "${bad}"`
    }, bad)
  }
})

test('configErrorLines: one `<command>: invalid configuration: …` line per problem; other errors are not its business', () => {
  let err: unknown
  try {
    loadConfig({ KAFKA_BROKERS: 'x:99999', API_HOST: '0.0.0.0:3000' })
  } catch (e) {
    err = e
  }
  assert.deepStrictEqual(configErrorLines('start', err), [
    'start: invalid configuration: KAFKA_BROKERS port must be from 1 to 65535, got "x:99999"',
    'start: invalid configuration: API_HOST must be a hostname or an IP address (no port, scheme or brackets), got "0.0.0.0:3000"'
  ])
  assert.equal(configErrorLines('start', new Error('invalid configuration:\n  X')), undefined)
  assert.equal(loadConfigOrExit('start', {}).apiHost, '127.0.0.1')
})

test('real-account variables: account numbers of any safe shape, night windows with a zone, tariff products and gas units by code', () => {
  const config = loadConfig({
    OCTOPUS_ACCOUNT: 'a-real2026',
    TWO_RATE_NIGHT: '23:00-06:00 London',
    OCTOPUS_NIGHT_WINDOWS: 'E-2R-VAR-22-11-01-A=00:00-07:00 London, IOG-SMB-TOU-25-12-12=23:30-05:30',
    OCTOPUS_TARIFF_PRODUCTS: 'E-1R-GONE-19-06-01-E=HIDDEN-19-06-01',
    GAS_METER_UNITS: 'G4P10000000017=kWh,E6S20000000026=m3'
  })
  assert.equal(config.octopusAccount, 'A-REAL2026')
  assert.deepStrictEqual(config.twoRateNight, { from: 23 * 60, to: 6 * 60, zone: 'London' })
  assert.deepStrictEqual(config.nightWindows, { 'E-2R-VAR-22-11-01-A': { from: 0, to: 7 * 60, zone: 'London' }, 'IOG-SMB-TOU-25-12-12': { from: 23 * 60 + 30, to: 5 * 60 + 30, zone: 'UTC' } })
  assert.deepStrictEqual(config.tariffProducts, { 'E-1R-GONE-19-06-01-E': 'HIDDEN-19-06-01' })
  assert.deepStrictEqual(config.gasMeterUnits, { G4P10000000017: 'kWh', E6S20000000026: 'm3' })
  // Smart-meter Economy 7 by default: 00:30-07:30 UTC.
  assert.deepStrictEqual(loadConfig({}).twoRateNight, { from: 30, to: 7 * 60 + 30, zone: 'UTC' })
})

test('real-account variables that could break a URL path or are not windows are refused, each named', () => {
  assert.throws(() => loadConfig({
    OCTOPUS_ACCOUNT: 'A-12/34',
    TWO_RATE_NIGHT: '07:30-07:30',
    OCTOPUS_NIGHT_WINDOWS: 'E-2R-X-A=late',
    OCTOPUS_TARIFF_PRODUCTS: 'E-1R-X-A=../admin',
    GAS_METER_UNITS: 'G1=litres'
  }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ENERGY_CONFIG')
    assert.deepStrictEqual(err.message.split('\n  ').slice(1).sort(), [
      'GAS_METER_UNITS must be a comma list of SERIAL=m3 or SERIAL=kWh, got "G1=litres"',
      'OCTOPUS_ACCOUNT must be an Octopus account number like A-1234ABCD, got "A-12/34"',
      'OCTOPUS_NIGHT_WINDOWS must be a comma list of CODE=HH:MM-HH:MM UTC|London (CODE a tariff or product code), got "E-2R-X-A=late"',
      'OCTOPUS_TARIFF_PRODUCTS must be a comma list of TARIFF=PRODUCT codes, got "E-1R-X-A=../admin"',
      'TWO_RATE_NIGHT must be a clock window HH:MM-HH:MM [UTC|London] that is not empty, e.g. 00:30-07:30 UTC, got "07:30-07:30"'
    ])
    return true
  })
})

test('API_TOKEN_FILE: the token from a file (a Docker secret), never both, refused unreadable or short, never enumerable', t => {
  const dir = mkdtempSync(join(tmpdir(), 'energy-token-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'api_token')
  writeFileSync(file, 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6\n')
  const config = loadConfig({ API_TOKEN_FILE: file })
  assert.equal(config.apiToken, 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6')
  assert.equal(JSON.stringify(config).includes('a1b2c3d4'), false)
  assert.throws(() => loadConfig({ API_TOKEN_FILE: file, API_TOKEN: 'another-token-of-length' }), { code: 'ENERGY_CONFIG', message: /API_TOKEN and API_TOKEN_FILE are both set: set one/ })
  assert.throws(() => loadConfig({ API_TOKEN_FILE: join(dir, 'missing') }), { code: 'ENERGY_CONFIG', message: new RegExp(`API_TOKEN_FILE ${join(dir, 'missing')} cannot be read: ENOENT`) })
  writeFileSync(file, 'short\n')
  assert.throws(() => loadConfig({ API_TOKEN_FILE: file }), { code: 'ENERGY_CONFIG', message: new RegExp(`API_TOKEN_FILE ${file} must hold 16 to 256 printable ASCII characters`) })
})
