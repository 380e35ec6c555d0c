import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import { inspect } from 'node:util'
import { loadConfig, redactUrl, redactUrls, splitCredentials } from '../../../lib/config.ts'
import { dlqMessage } from '../../../lib/dlq.ts'
import { EnergyError } from '../../../lib/errors.ts'
import { getJson } from '../../../lib/http.ts'
import { createLogger } from '../../../lib/log.ts'

// URL credentials are never printed (redactUrl, redactUrls and where they are applied), and
// the registry's are taken out of the URL into config.schemaRegistryAuth.

test('redactUrl masks the password, keeps the user, and the rest of the URL', () => {
  assert.equal(redactUrl('http://user:hunter2@registry.example:8081/apis/ccompat/v7'), 'http://user:***@registry.example:8081/apis/ccompat/v7')
  assert.equal(redactUrl('postgres://postgres:pw@127.0.0.1:5432/energy'), 'postgres://postgres:***@127.0.0.1:5432/energy')
  assert.equal(redactUrl('http://registry.example:8081/apis/ccompat/v7'), 'http://registry.example:8081/apis/ccompat/v7', 'nothing to mask')
})

test('redactUrl: a password holding @ or /, raw or percent-encoded', () => {
  // The last '@' ends the user info (WHATWG URL), so a raw '@' belongs to the password.
  assert.equal(redactUrl('http://user:p@ss@host/x'), 'http://user:***@host/x')
  // A raw '/' ends the authority: the value does not parse as a URL, and is masked anyway.
  assert.equal(redactUrl('http://user:pa/ss@host/x'), 'http://user:***@host/x')
  assert.equal(redactUrl('http://user:pa/ss/more@host/x?y=1'), 'http://user:***@host/x?y=1')
  // Parses as port 1234 and path '/x@host': the ':' before the '@' is taken as a password.
  assert.equal(redactUrl('http://user:1234/x@host'), 'http://user:***@host')
  assert.equal(redactUrl('http://user:p#ss@host/'), 'http://user:***@host/')
  assert.equal(redactUrl('http://user:s3cr%2Ft%40x@127.0.0.1:8081/apis'), 'http://user:***@127.0.0.1:8081/apis')
  assert.equal(redactUrl('http://us%40er:p%3Ass@host/'), 'http://us%40er:***@host/', 'an encoded user stays encoded')
})

test('redactUrl: a user without a password is masked (a user name alone is often a token)', () => {
  assert.equal(redactUrl('http://sk_live_abc@host/v1'), 'http://***@host/v1')
  assert.equal(redactUrl('https://user:@host/'), 'https://***@host/', 'an empty password is no password')
  assert.equal(redactUrl('http://:pw@host/'), 'http://:***@host/')
})

test('redactUrl: strings that are not URLs', () => {
  assert.equal(redactUrl('not a url'), 'not a url')
  assert.equal(redactUrl(''), '')
  assert.equal(redactUrl('localhost:8081'), 'localhost:8081')
  // Parses with scheme 'user:'; the password is still masked.
  assert.equal(redactUrl('user:pass@host:8081'), 'user:***@host:8081')
  assert.equal(redactUrl('token@host'), '***@host')
  assert.equal(redactUrl('http://user:pa ss word@host'), 'http://user:***@host/')
  // A '@' in the path of a URL without credentials is left alone.
  assert.equal(redactUrl('https://registry.npmjs.org/@scope/pkg'), 'https://registry.npmjs.org/@scope/pkg')
})

test('redactUrls masks every URL\'s credentials inside free text', () => {
  assert.equal(redactUrls('Request cannot be constructed from a URL that includes credentials: http://user:s3cr%2Ft@127.0.0.1:8081/apis/ccompat/v7/subjects'),
    'Request cannot be constructed from a URL that includes credentials: http://user:***@127.0.0.1:8081/apis/ccompat/v7/subjects')
  assert.equal(redactUrls('{"a":"http://u:p@h/x","b":"https://t@h2"} and postgres://pg:pw/x@db/e'),
    '{"a":"http://u:***@h/x","b":"https://***@h2"} and postgres://pg:***@db/e')
  assert.equal(redactUrls('no URL here, just a@b'), 'no URL here, just a@b')
  assert.equal(redactUrls('http://host/path and more'), 'http://host/path and more')
})

test('splitCredentials: the URL without them, and them percent-decoded', () => {
  assert.deepStrictEqual(splitCredentials('http://user:s3cr%2Ft@127.0.0.1:8081/apis/ccompat/v7'),
    { url: 'http://127.0.0.1:8081/apis/ccompat/v7', auth: { username: 'user', password: 's3cr/t' }, malformed: false })
  assert.deepStrictEqual(splitCredentials('https://key@host'), { url: 'https://host', auth: { username: 'key', password: '' }, malformed: false })
  assert.deepStrictEqual(splitCredentials('http://host:8081'), { url: 'http://host:8081', malformed: false })
  assert.deepStrictEqual(splitCredentials('not a url'), { url: 'not a url', malformed: false })
  assert.deepStrictEqual(splitCredentials('http://user:%zz@host/x'), { url: 'http://host/x', auth: undefined, malformed: true })
})

const SECRET = 's3cr%2Ft'
const DECODED = 's3cr/t'

/** Asserts none of the forms of the test password, nor user:password, is in `text`. */
function assertNoSecret (text: string, what: string): void {
  for (const needle of [SECRET, DECODED, 'user:s3cr', Buffer.from(`user:${DECODED}`).toString('base64')]) {
    assert.ok(!text.includes(needle), `${what} contains ${needle}: ${text}`)
  }
}

test('config: the registry URL loses its credentials; they become non-enumerable basic auth', () => {
  const config = loadConfig({ SCHEMA_REGISTRY_URL: `http://user:${SECRET}@registry.example:8081/apis/ccompat/v7/` })
  assert.equal(config.schemaRegistryUrl, 'http://registry.example:8081/apis/ccompat/v7')
  assert.deepStrictEqual(config.schemaRegistryAuth, { username: 'user', password: DECODED })
  assert.equal(Object.keys(config).includes('schemaRegistryAuth'), false)
  assertNoSecret(JSON.stringify(config), 'JSON of the config')
  assertNoSecret(inspect(config, { depth: 5 }), 'inspect of the config')
  assert.equal(loadConfig({}).schemaRegistryAuth, undefined, 'no credentials by default')
})

test('config: SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD win over the URL\'s, each on its own', () => {
  const url = `https://user:${SECRET}@psrc-123.eu-west-1.aws.confluent.cloud`
  assert.deepStrictEqual(loadConfig({ SCHEMA_REGISTRY_URL: url, SCHEMA_REGISTRY_USERNAME: 'KEY', SCHEMA_REGISTRY_PASSWORD: 'p@ss/w:rd' }).schemaRegistryAuth,
    { username: 'KEY', password: 'p@ss/w:rd' })
  assert.deepStrictEqual(loadConfig({ SCHEMA_REGISTRY_URL: 'https://KEY@psrc-123.example', SCHEMA_REGISTRY_PASSWORD: 'secret' }).schemaRegistryAuth,
    { username: 'KEY', password: 'secret' })
  const config = loadConfig({ SCHEMA_REGISTRY_URL: 'https://psrc-123.example', SCHEMA_REGISTRY_USERNAME: 'KEY', SCHEMA_REGISTRY_PASSWORD: 'secret' })
  assert.equal(config.schemaRegistryUrl, 'https://psrc-123.example')
  assert.deepStrictEqual(config.schemaRegistryAuth, { username: 'KEY', password: 'secret' })
})

test('config: registry credentials that cannot work are refused without printing them', () => {
  assert.throws(() => loadConfig({ SCHEMA_REGISTRY_PASSWORD: 'secret' }), {
    code: 'ENERGY_CONFIG',
    message: 'invalid configuration:\n  SCHEMA_REGISTRY_PASSWORD is set but there is no user name: set SCHEMA_REGISTRY_USERNAME (or user@ in SCHEMA_REGISTRY_URL)'
  })
  assert.throws(() => loadConfig({ SCHEMA_REGISTRY_URL: 'http://user:%zz@registry.example/' }), {
    code: 'ENERGY_CONFIG',
    message: 'invalid configuration:\n  SCHEMA_REGISTRY_URL has a malformed percent-encoding in its user name or password'
  })
  assert.throws(() => loadConfig({ SCHEMA_REGISTRY_URL: `http://user:${DECODED}@registry.example/` }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ENERGY_CONFIG')
    assert.equal(err.message, 'invalid configuration:\n  SCHEMA_REGISTRY_URL must be a URL, got "http://user:***@registry.example/"')
    return true
  })
})

test('config: source API URLs with credentials are refused, the password never printed', () => {
  assert.throws(() => loadConfig({ CARBON_API_URL: `http://user:${SECRET}@carbon.example/carbon`, OCTOPUS_API_URL: 'https://sk_live_abc@api.octopus.energy/v1' }),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ENERGY_CONFIG')
      assert.equal(err.message, 'invalid configuration:\n' +
        '  CARBON_API_URL must not hold credentials (user:password@): the Carbon Intensity API needs none and Octopus takes its key from OCTOPUS_API_KEY, got "http://user:***@carbon.example/carbon"\n' +
        '  OCTOPUS_API_URL must not hold credentials (user:password@): the Carbon Intensity API needs none and Octopus takes its key from OCTOPUS_API_KEY, got "https://***@api.octopus.energy/v1"')
      assertNoSecret(err.message, 'the config error')
      return true
    })
})

test('getJson refuses a URL with credentials before any request, and says so without them', async () => {
  const chunks: string[] = []
  const log = createLogger('debug', new Writable({ write (c, _e, cb) { chunks.push(String(c)); cb() } }))
  await assert.rejects(getJson(`http://user:${SECRET}@127.0.0.1:9/octopus/v1/products/?page=2`, { timeoutMs: 1000, retries: 3, log, baseDelayMs: 1 }), (err: EnergyError) => {
    assert.equal(err.code, 'ENERGY_FETCH')
    assert.equal(err.retryable, false)
    assert.equal(err.message, '127.0.0.1:9/octopus/v1/products/?page=2 has credentials in its URL (user:password@); refused, they are never sent')
    return true
  })
  assert.deepStrictEqual(chunks, [], 'not retried, nothing logged')
})

test('a dead letter\'s dlq.error never holds URL credentials, whatever the error says', () => {
  const error = new EnergyError('ENERGY_FETCH', `http://user:${SECRET}@host/carbon is unreachable: fetch to https://user:${DECODED}@host/x failed`)
  const message = dlqMessage({ dlqTopic: 'energy.dlq', topic: 'energy_processor', partition: 0, offset: 1n, key: '2024-06-15', value: undefined, error }, 0)
  const headers = message.headers as Record<string, string>
  assert.equal(headers['dlq.error'], 'ENERGY_FETCH: http://user:***@host/carbon is unreachable: fetch to https://user:***@host/x failed')
  assertNoSecret(JSON.stringify(headers), 'the headers')
})

test('a log line never holds URL credentials: message, error, cause, stack and fields', () => {
  const chunks: string[] = []
  const log = createLogger('debug', new Writable({ write (c, _e, cb) { chunks.push(String(c)); cb() } }))
  const cause = new TypeError(`Request cannot be constructed from a URL that includes credentials: http://user:${SECRET}@127.0.0.1:8081/apis/ccompat/v7/subjects`)
  const err = new EnergyError('ENERGY_SCHEMA', 'schema registry is unreachable', { cause, url: `http://user:${SECRET}@127.0.0.1:8081/` })
  log.error({ err, registry: `https://user:${DECODED}@registry.example/` }, 'registry failed')
  log.warn(cause)
  log.child({ registry: `http://user:${SECRET}@h/` }).info('child')
  const text = chunks.join('')
  assertNoSecret(text, 'the log')
  const lines = text.trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>)
  assert.equal(lines.length, 3)
  assert.equal(lines[0].registry, 'https://user:***@registry.example/')
  assert.match((lines[0].err as { message: string }).message, /http:\/\/user:\*\*\*@127\.0\.0\.1:8081\/apis\/ccompat\/v7\/subjects/)
  assert.equal(lines[1].msg, 'Request cannot be constructed from a URL that includes credentials: http://user:***@127.0.0.1:8081/apis/ccompat/v7/subjects')
  assert.equal(lines[2].registry, 'http://user:***@h/')
})
