import type { IncomingMessage, ServerResponse } from 'node:http'
import { isLocalDate } from '../lib/london-day.ts'
import { ACCOUNT_METER_POINTS } from './account.ts'
import { adminReply } from './admin.ts'
import { checkAgreementChange, spliceAgreement } from './agreements.ts'
import { carbonRoute } from './carbon.ts'
import { checkFaults, takeFault } from './faults.ts'
import { HOSTILE_KINDS, makeHostile, type HostileKind } from './hostile.ts'
import { checkDirectDebit, graphqlFaultReply, graphqlReply } from './graphql.ts'
import { octopusRoute } from './octopus.ts'
import {
  CARBON_NATIONAL_START_DATE, CARBON_REGIONAL_START_DATE, DEFAULT_DELAY_MS, DEFAULT_MISSING_SLOTS, DEFAULT_RETRY_AFTER_SECONDS, SAMPLE_ACCOUNT, SAMPLE_API_KEY, SAMPLE_EXPORT_AGREEMENTS,
  SAMPLE_EXPORT_MPAN, SAMPLE_GAS_AGREEMENTS, SAMPLE_IMPORT_AGREEMENTS, SAMPLE_MPAN, SAMPLE_MPRN, SAMPLE_PREVIOUS_AGREEMENTS,
  SAMPLE_PREVIOUS_MPAN
} from './options.ts'
import type { AccountDrop, Agreement, CarbonStarts, Fault, MeterFuel, Reply, RequestCounters, Route, SampleApi, SampleApiOptions } from './types.ts'

const INTERNAL_ERROR: Reply = { status: 500, body: { detail: 'Internal server error' } }

/** The sample server as a plain node:http request handler (the caller listens). */
export function createSampleApi (options: SampleApiOptions): SampleApi {
  const { seed, now = Date.now, log } = options
  const initialLatency = checkLatency(options.latencyMs ?? 0)
  let latencyMs = initialLatency
  const apiKeys = new Set([SAMPLE_API_KEY, ...(options.apiKeys ?? [])])
  let faults = checkFaults(options.faults ?? [])
  let revisions = new Map<string, number>()
  let counters: RequestCounters = { total: 0, bySource: {}, byPath: {} }
  let agreements = initialAgreements()
  let drops: AccountDrop[] = []
  let directDebits = new Map<string, string | null>()
  const carbonStarts: CarbonStarts = {
    nationalMs: carbonStart(options.carbonNationalStart ?? CARBON_NATIONAL_START_DATE, 'carbonNationalStart'),
    regionalMs: carbonStart(options.carbonRegionalStart ?? CARBON_REGIONAL_START_DATE, 'carbonRegionalStart')
  }

  const api: SampleApi = {
    handler (req, res) {
      handle(req, res).catch((err: unknown) => {
        log?.error({ err }, 'sample API request failed')
        if (res.headersSent) res.destroy()
        else send(res, INTERNAL_ERROR)
      })
    },
    setFaults (list) {
      faults = checkFaults(list)
      log?.info({ faults }, 'sample API faults set')
    },
    faults: () => faults.map(f => ({ ...f })),
    revise (date) {
      if (!isLocalDate(date)) throw new RangeError(`"${date}" is not a date (expected YYYY-MM-DD)`)
      const revision = (revisions.get(date) ?? 0) + 1
      revisions.set(date, revision)
      log?.info({ date, revision }, 'sample API usage revised')
      return revision
    },
    agreements (mpan = SAMPLE_MPAN) {
      return meterPoint('electricity', mpan).map(a => ({ ...a }))
    },
    gasAgreements (mprn = SAMPLE_MPRN) {
      return meterPoint('gas', mprn).map(a => ({ ...a }))
    },
    addAgreement (change) {
      const { mpan = SAMPLE_MPAN, mprn, ...agreement } = checkAgreementChange(change)
      const [fuel, point] = mprn === undefined ? ['electricity', mpan] as const : ['gas', mprn] as const
      const list = spliceAgreement(meterPoint(fuel, point), agreement)
      agreements[fuel].set(point, list)
      log?.info({ fuel, point, agreement }, 'sample API agreement added')
      return list.map(a => ({ ...a }))
    },
    latency: () => latencyMs,
    setLatency (ms) {
      latencyMs = checkLatency(ms)
      log?.info({ latencyMs }, 'sample API latency set')
    },
    accountDrops: () => drops.map(d => ({ ...d })),
    dropFromAccount (drop) {
      drops = [...drops, checkDrop(drop)]
      log?.info({ drop }, 'sample API account meter dropped')
      return api.accountDrops()
    },
    restoreAccount () {
      drops = []
      log?.info('sample API account meters restored')
    },
    setDirectDebit (account, status) {
      directDebits.set(...checkDirectDebit(account, status))
      log?.info({ account, status }, 'sample API direct debit instruction set')
    },
    reset () {
      faults = []
      drops = []
      directDebits = new Map()
      revisions = new Map()
      counters = { total: 0, bySource: {}, byPath: {} }
      agreements = initialAgreements()
      latencyMs = initialLatency
    },
    get requests () { return counters }
  }

  function meterPoint (fuel: MeterFuel, point: string): Agreement[] {
    const points = agreements[fuel]
    const list = points.get(point)
    const name = fuel === 'gas' ? 'mprn' : 'mpan'
    if (list === undefined) throw new RangeError(`${name} "${point}" is not a meter point of account ${SAMPLE_ACCOUNT} (${[...points.keys()].join(', ')})`)
    return list
  }

  async function handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`)
    const method = req.method ?? 'GET'
    if (url.pathname.startsWith('/_admin/')) {
      const body = method === 'PUT' || method === 'POST' ? await readBody(req) : ''
      return send(res, adminReply(api, method, url, body))
    }
    if (/^\/octopus\/v1\/graphql\/?$/.test(url.pathname)) return await handleGraphql(req, res)
    const route = findRoute(url, carbonStarts)
    count(route?.path ?? url.pathname, route)
    // Upstream latency comes before everything else the server does, faults included; a
    // request whose client leaves meanwhile takes no fault.
    if (latencyMs > 0 && !await delay(latencyMs, res)) return
    if (route === undefined) return send(res, { status: 404, body: { detail: 'Not found.' } })
    if (method !== 'GET') return send(res, { status: 405, headers: { allow: 'GET' }, body: { detail: `Method "${method}" not allowed.` } })

    const { source, dates } = route
    const fault = takeFault(faults, source, dates, route.readings === true)
    if (fault !== undefined) log?.debug({ source, dates, kind: fault.kind }, 'sample API fault injected')
    const early = faultReply(fault)
    if (early !== undefined) return send(res, early)
    if (fault?.kind === 'slow' && !await delay(fault.delayMs ?? DEFAULT_DELAY_MS, res)) return

    // A dated missing fault drops slots at the end of its date; an undated one at the end of
    // the request's last date.
    const missingDate = fault?.date ?? dates?.to
    const reply = route.respond({
      seed,
      nowMs: now(),
      url,
      authorization: req.headers.authorization,
      missing: fault?.kind === 'missing' && missingDate !== undefined ? { date: missingDate, slots: fault.missingSlots ?? DEFAULT_MISSING_SLOTS } : undefined,
      apiKeys,
      revisionOf: date => revisions.get(date) ?? 0,
      agreementsOf: mpan => api.agreements(mpan),
      gasAgreementsOf: mprn => api.gasAgreements(mprn),
      dropped: drops
    })
    const hostile = HOSTILE_KINDS.find(k => k === fault?.kind)
    send(res, hostile === undefined ? reply : { ...reply, body: makeHostile(hostile as HostileKind, source, reply.body, fault?.date) }, fault?.kind === 'malformed')
  }

  // Octopus's GraphQL API: POST only, one source for faults and counters. A 429 or 401 fault
  // answers Kraken's own error (KT-CT-1199, KT-CT-1139 / KT-CT-1111) in a 200 answer.
  async function handleGraphql (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const route: Route = { source: 'graphql', path: '/octopus/v1/graphql/', respond: () => INTERNAL_ERROR }
    count(route.path as string, route)
    if (latencyMs > 0 && !await delay(latencyMs, res)) return
    if (req.method !== 'POST') return send(res, { status: 405, headers: { allow: 'POST' }, body: { detail: `Method "${req.method ?? ''}" not allowed.` } })
    const body = await readBody(req)
    const fault = takeFault(faults, 'graphql', undefined, false)
    if (fault !== undefined) log?.debug({ source: 'graphql', kind: fault.kind }, 'sample API fault injected')
    if (fault?.kind === '429' || fault?.kind === '401') return send(res, graphqlFaultReply(fault.kind, body.includes('obtainKrakenToken')))
    const early = faultReply(fault)
    if (early !== undefined) return send(res, early)
    if (fault?.kind === 'slow' && !await delay(fault.delayMs ?? DEFAULT_DELAY_MS, res)) return
    const reply = await graphqlReply({
      seed,
      nowMs: now(),
      url: new URL(req.url ?? '/', 'http://127.0.0.1'),
      authorization: req.headers.authorization,
      missing: undefined,
      apiKeys,
      revisionOf: date => revisions.get(date) ?? 0,
      agreementsOf: mpan => api.agreements(mpan),
      gasAgreementsOf: mprn => api.gasAgreements(mprn),
      dropped: drops,
      directDebitOf: account => directDebits.has(account) ? directDebits.get(account) as string | null : 'ACTIVE'
    }, body)
    send(res, reply, fault?.kind === 'malformed')
  }

  function count (path: string, route: Route | undefined): void {
    counters.total++
    counters.byPath[path] = (counters.byPath[path] ?? 0) + 1
    if (route !== undefined) counters.bySource[route.source] = (counters.bySource[route.source] ?? 0) + 1
  }

  return api
}

/** The account's meter points by fuel (in the order the account lists them) and their agreements at start. */
function initialAgreements (): Record<MeterFuel, Map<string, Agreement[]>> {
  const copy = (list: ReadonlyArray<Readonly<Agreement>>): Agreement[] => list.map(a => ({ ...a }))
  return {
    electricity: new Map([
      [SAMPLE_PREVIOUS_MPAN, copy(SAMPLE_PREVIOUS_AGREEMENTS)],
      [SAMPLE_EXPORT_MPAN, copy(SAMPLE_EXPORT_AGREEMENTS)],
      [SAMPLE_MPAN, copy(SAMPLE_IMPORT_AGREEMENTS)]
    ]),
    gas: new Map([[SAMPLE_MPRN, copy(SAMPLE_GAS_AGREEMENTS)]])
  }
}

function findRoute (url: URL, carbonStarts: CarbonStarts): Route | undefined {
  const [mount, ...segments] = url.pathname.split('/').filter(Boolean)
  if (mount === 'carbon') return carbonRoute(segments, carbonStarts)
  if (mount === 'octopus' && segments[0] === 'v1') return octopusRoute(segments.slice(1), url)
  return undefined
}

/** The reply of a fault that answers instead of the route, if it is one. */
function faultReply (fault: Fault | undefined): Reply | undefined {
  switch (fault?.kind) {
    case '500': return INTERNAL_ERROR
    case '401': return { status: 401, body: { detail: 'Invalid API key.' } }
    // The Carbon Intensity API now and then answers 200 with no data at all.
    case 'empty': return { status: 200, body: { data: [] } }
    case '429': {
      // DRF throttling: Retry-After header plus a sentence saying the same.
      const seconds = fault.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS
      const retryAfter = fault.retryAfterAsDate === true ? new Date(Date.now() + seconds * 1000).toUTCString() : String(seconds)
      return {
        status: 429,
        headers: { 'retry-after': retryAfter },
        body: { detail: `Request was throttled. Expected available in ${seconds} second${seconds === 1 ? '' : 's'}.` }
      }
    }
    default: return undefined
  }
}

/** UTC midnight (ms) of a carbon data set's first day, YYYY-MM-DD; RangeError otherwise. */
function carbonStart (date: unknown, name: string): number {
  const ms = typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : NaN
  if (Number.isNaN(ms)) throw new RangeError(`${name} must be a date YYYY-MM-DD, got ${JSON.stringify(date)}`)
  return ms
}

/**
 * A drop of a meter point (`mpan` or `mprn`) of either account, or of one of its meters
 * (`serial`); RangeError naming the problem.
 */
function checkDrop (value: unknown): AccountDrop {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RangeError('drop must be an object {"mpan"|"mprn": "…", "serial"?: "…"}')
  const drop = value as Record<string, unknown>
  const unknown = Object.keys(drop).filter(k => k !== 'mpan' && k !== 'mprn' && k !== 'serial')
  if (unknown.length > 0) throw new RangeError(`drop has unknown field ${unknown.map(k => `"${k}"`).join(', ')}`)
  const { mpan, mprn, serial } = drop
  if ((mpan === undefined) === (mprn === undefined)) throw new RangeError('drop needs mpan (electricity) or mprn (gas), one of them')
  const point = mpan ?? mprn
  if (typeof point !== 'string') throw new RangeError(`${mpan === undefined ? 'mprn' : 'mpan'} must be a string, got ${JSON.stringify(point)}`)
  if (serial !== undefined && typeof serial !== 'string') throw new RangeError(`serial must be a string, got ${JSON.stringify(serial)}`)
  const fuel = mpan === undefined ? 'gas' : 'electricity'
  const known = ACCOUNT_METER_POINTS.find(p => p.fuel === fuel && p.point === point)
  if (known === undefined) throw new RangeError(`${mpan === undefined ? 'mprn' : 'mpan'} "${point}" is not a meter point of any account`)
  if (serial !== undefined && !known.serials.includes(serial)) throw new RangeError(`serial "${serial}" is not a meter of ${known.point} (${known.serials.join(', ')})`)
  return { ...(mpan === undefined ? { mprn: point } : { mpan: point }), ...(serial === undefined ? {} : { serial }) }
}

/** A latency in ms: a whole number >= 0, else RangeError. */
function checkLatency (ms: unknown): number {
  if (!Number.isInteger(ms) || (ms as number) < 0) throw new RangeError(`latency must be a whole number of ms >= 0, got ${JSON.stringify(ms)}`)
  return ms as number
}

/** Waits `ms`; resolves false as soon as the client goes away (the timer never holds the process). */
function delay (ms: number, res: ServerResponse): Promise<boolean> {
  return new Promise(resolve => {
    const onClose = (): void => {
      clearTimeout(timer)
      resolve(false)
    }
    const timer = setTimeout(() => {
      res.off('close', onClose)
      resolve(true)
    }, ms).unref()
    res.once('close', onClose)
  })
}

async function readBody (req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** Writes a JSON reply; `malformed` cuts the body in half so it no longer parses. */
function send (res: ServerResponse, reply: Reply, malformed = false): void {
  const json = JSON.stringify(reply.body)
  const text = malformed ? json.slice(0, Math.max(1, Math.floor(json.length / 2))) : json
  res.writeHead(reply.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...reply.headers
  })
  res.end(text)
}
