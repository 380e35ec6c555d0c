import { isLocalDate } from '../lib/london-day.ts'
import { isEnergyError } from '../lib/errors.ts'
import { parseAgreementChange } from './agreements.ts'
import { parseFaults } from './faults.ts'
import type { AccountDrop, Agreement, Reply, SampleApi } from './types.ts'

// Test and demo controls under /_admin: never faulted, never counted.

/** The reply to an admin request; `body` is the raw request body (PUT and POST only). */
export function adminReply (api: SampleApi, method: string, url: URL, body: string): Reply {
  const segments = url.pathname.split('/').filter(Boolean).slice(1)
  const [what, arg] = segments
  if (what === 'faults' && segments.length === 1) return faultsReply(api, method, body)
  if (what === 'revise' && segments.length === 2) {
    if (method !== 'POST') return notAllowed(method, 'POST')
    if (!isLocalDate(arg)) return { status: 400, body: { detail: `"${arg}" is not a date (expected YYYY-MM-DD)` } }
    return { status: 200, body: { date: arg, revision: api.revise(arg) } }
  }
  if (what === 'agreements' && segments.length === 1) return agreementsReply(api, method, url.searchParams, body)
  if (what === 'latency' && segments.length === 1) return latencyReply(api, method, body)
  if (what === 'account' && segments.length === 1) return accountReply(api, method, body)
  if (what === 'direct-debit' && segments.length === 1) return directDebitReply(api, method, body)
  if (what === 'requests' && segments.length === 1) {
    return method === 'GET' ? { status: 200, body: api.requests } : notAllowed(method, 'GET')
  }
  if (what === 'reset' && segments.length === 1) {
    if (method !== 'POST') return notAllowed(method, 'POST')
    api.reset()
    return { status: 200, body: { reset: true } }
  }
  return { status: 404, body: { detail: 'Not found.' } }
}

function faultsReply (api: SampleApi, method: string, body: string): Reply {
  if (method === 'GET') return { status: 200, body: api.faults() }
  if (method === 'DELETE') {
    api.setFaults([])
    return { status: 200, body: [] }
  }
  if (method !== 'PUT') return notAllowed(method, 'GET, PUT, DELETE')
  try {
    api.setFaults(parseFaults(body, 'PUT /_admin/faults body'))
  } catch (err) {
    if (isEnergyError(err, 'ENERGY_CONFIG')) return { status: 400, body: { detail: err.message } }
    throw err
  }
  return { status: 200, body: api.faults() }
}

/** A JSON body and its fields (none unless it is an object), or the 400 reply saying it is not JSON. */
function jsonObject (body: string, origin: string): { value: unknown, fields: string[] } | Reply {
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch (err) {
    return { status: 400, body: { detail: `${origin} is not valid JSON: ${(err as Error).message}` } }
  }
  return { value, fields: typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value) : [] }
}

/** GET answers `{"ms":150}`; PUT takes the same body and answers it. */
function latencyReply (api: SampleApi, method: string, body: string): Reply {
  if (method === 'GET') return { status: 200, body: { ms: api.latency() } }
  if (method !== 'PUT') return notAllowed(method, 'GET, PUT')
  const origin = 'PUT /_admin/latency body'
  const parsed = jsonObject(body, origin)
  if ('status' in parsed) return parsed
  const { value, fields } = parsed
  if (fields.length !== 1 || fields[0] !== 'ms') return { status: 400, body: { detail: `${origin} must be {"ms": N}, got ${JSON.stringify(value)}` } }
  try {
    api.setLatency((value as { ms: number }).ms)
  } catch (err) {
    if (err instanceof RangeError) return { status: 400, body: { detail: `${origin}: ${err.message}` } }
    throw err
  }
  return { status: 200, body: { ms: api.latency() } }
}

/**
 * GET answers `{"dropped": [...]}`; POST takes `{"drop": {"mpan"|"mprn": "…", "serial"?: "…"}}`
 * (leave that meter point, or that meter, out of the account answers) or `{"restore": true}`
 * (put every one back) and answers the same.
 */
function accountReply (api: SampleApi, method: string, body: string): Reply {
  if (method === 'GET') return { status: 200, body: { dropped: api.accountDrops() } }
  if (method !== 'POST') return notAllowed(method, 'GET, POST')
  const origin = 'POST /_admin/account body'
  const parsed = jsonObject(body, origin)
  if ('status' in parsed) return parsed
  const { value, fields } = parsed
  const { drop, restore } = value as { drop?: unknown, restore?: unknown }
  if (fields.length === 1 && restore === true) {
    api.restoreAccount()
    return { status: 200, body: { dropped: [] } }
  }
  if (fields.length !== 1 || drop === undefined) return { status: 400, body: { detail: `${origin} must be {"drop": {"mpan"|"mprn": "…", "serial"?: "…"}} or {"restore": true}, got ${JSON.stringify(value)}` } }
  try {
    return { status: 200, body: { dropped: api.dropFromAccount(drop as AccountDrop) } }
  } catch (err) {
    if (err instanceof RangeError) return { status: 400, body: { detail: `${origin}: ${err.message}` } }
    throw err
  }
}

/** PUT `{"account": "A-…", "status": "ACTIVE"|"PROVISIONAL"|"FAILED"|"ACCOUNT_CLOSED"|null}`: the account's direct debit instruction (GraphQL). */
function directDebitReply (api: SampleApi, method: string, body: string): Reply {
  if (method !== 'PUT') return notAllowed(method, 'PUT')
  const origin = 'PUT /_admin/direct-debit body'
  const parsed = jsonObject(body, origin)
  if ('status' in parsed) return parsed
  const { account, status } = (parsed.fields.length === 0 ? {} : parsed.value) as { account?: unknown, status?: unknown }
  if (typeof account !== 'string' || (status !== null && typeof status !== 'string')) return { status: 400, body: { detail: `${origin} must be {"account": "A-…", "status": "ACTIVE"|"PROVISIONAL"|"FAILED"|"ACCOUNT_CLOSED"|null}, got ${JSON.stringify(parsed.value)}` } }
  try {
    api.setDirectDebit(account, status)
    return { status: 200, body: { account, status } }
  } catch (err) {
    if (err instanceof RangeError) return { status: 400, body: { detail: `${origin}: ${err.message}` } }
    throw err
  }
}

function agreementsReply (api: SampleApi, method: string, query: URLSearchParams, body: string): Reply {
  if (method !== 'GET' && method !== 'POST') return notAllowed(method, 'GET, POST')
  try {
    return { status: 200, body: method === 'GET' ? meterPointAgreements(api, query) : api.addAgreement(parseAgreementChange(body)) }
  } catch (err) {
    // A bad body or query, or an unknown meter point.
    if (err instanceof RangeError) return { status: 400, body: { detail: err.message } }
    throw err
  }
}

/** The agreements of the meter point `?mpan=` or `?mprn=` names (neither: the import one). */
function meterPointAgreements (api: SampleApi, query: URLSearchParams): Agreement[] {
  const mpan = query.get('mpan')
  const mprn = query.get('mprn')
  if (mpan !== null && mprn !== null) throw new RangeError('give mpan (electricity) or mprn (gas), not both')
  return mprn !== null ? api.gasAgreements(mprn) : api.agreements(mpan ?? undefined)
}

function notAllowed (method: string, allow: string): Reply {
  return { status: 405, headers: { allow }, body: { detail: `Method "${method}" not allowed.` } }
}
