import assert from 'node:assert/strict'
import { test } from 'node:test'
import { graphqlReply, sampleToken } from '../../../sample-api/graphql.ts'
import { SAMPLE_API_KEY } from '../../../sample-api/options.ts'
import type { RouteContext } from '../../../sample-api/types.ts'

const NOW = Date.parse('2026-01-16T19:00:00Z')
const route = (authorization?: string): RouteContext => ({
  seed: 42,
  nowMs: NOW,
  url: new URL('http://127.0.0.1/octopus/v1/graphql/'),
  authorization,
  missing: undefined,
  apiKeys: new Set([SAMPLE_API_KEY]),
  revisionOf: () => 0,
  agreementsOf: () => [],
  gasAgreementsOf: () => [],
  dropped: []
})
const ask = async (query: string, authorization?: string): Promise<{ data?: unknown, errors?: Array<{ message: string, extensions?: Record<string, unknown> }> }> =>
  (await graphqlReply(route(authorization), JSON.stringify({ query }))).body as { data?: unknown, errors?: Array<{ message: string, extensions?: Record<string, unknown> }> }

test('a field Kraken lacks fails validation, as on the real API', async () => {
  const body = await ask('{ devices(accountNumber: "A-REAL2026") { id nope } }', sampleToken(42, NOW / 1000))
  assert.equal(body.data, undefined)
  assert.match(body.errors?.[0].message ?? '', /Cannot query field "nope"/)
})

test('token mutation: expiry in the payload; a wrong key is KT-CT-1139', async () => {
  const ok = await ask(`mutation { obtainKrakenToken(input: {APIKey: "${SAMPLE_API_KEY}"}) { token payload } }`)
  const token = (ok.data as { obtainKrakenToken: { token: string, payload: { exp: number, iat: number } } }).obtainKrakenToken
  assert.equal(token.token, sampleToken(42, NOW / 1000))
  assert.equal(token.payload.exp - token.payload.iat, 3600)
  const bad = await ask('mutation { obtainKrakenToken(input: {APIKey: "sk_wrong"}) { token } }')
  assert.deepEqual([bad.errors?.[0].message, bad.errors?.[0].extensions?.errorCode, bad.errors?.[0].extensions?.errorDescription], ['Invalid data.', 'KT-CT-1139', 'Authentication failed.'])
  const none = await ask('{ devices(accountNumber: "A-REAL2026") { id } }')
  assert.equal(none.errors?.[0].extensions?.errorCode, 'KT-CT-1111')
  const old = await ask('{ devices(accountNumber: "A-REAL2026") { id } }', sampleToken(42, NOW / 1000 - 3600))
  assert.equal(old.errors?.[0].extensions?.errorCode, 'KT-CT-1124')
})

test('directDebitInstructions: Kraken\'s connection shape, one ACTIVE instruction unless set otherwise, statuses filter, first below 100', async () => {
  const token = sampleToken(42, NOW / 1000)
  const query = (account: string, args = ''): string => `{ account(accountNumber: "${account}") { directDebitInstructions${args} { totalCount edgeCount pageInfo { hasNextPage } edges { cursor node { status instructionType } } } } }`
  type Answer = { account: { directDebitInstructions: { totalCount: number, edges: Array<{ node: { status: string } }> } } }
  const answer = async (account: string, args = '', directDebitOf?: RouteContext['directDebitOf']): Promise<Answer> =>
    ((await graphqlReply({ ...route(token), ...(directDebitOf === undefined ? {} : { directDebitOf }) }, JSON.stringify({ query: query(account, args) }))).body as { data: Answer }).data
  const active = await answer('A-REAL2026')
  assert.deepEqual(active.account.directDebitInstructions.edges.map(e => e.node.status), ['ACTIVE'])
  assert.equal(active.account.directDebitInstructions.totalCount, 1)
  assert.deepEqual((await answer('A-REAL2026', '(statuses: [FAILED])')).account.directDebitInstructions.edges, [])
  assert.deepEqual((await answer('A-1234ABCD', '', () => 'FAILED')).account.directDebitInstructions.edges.map(e => e.node.status), ['FAILED'])
  assert.deepEqual((await answer('A-1234ABCD', '', () => null)).account.directDebitInstructions.edges, [])
  const bad = (await graphqlReply(route(token), JSON.stringify({ query: query('A-REAL2026', '(first: 100)') }))).body as { errors?: Array<{ extensions?: Record<string, unknown> }> }
  assert.equal(bad.errors?.[0].extensions?.errorCode, 'KT-CT-1189')
})
