import { accountBody } from './account.ts'
import { consumptionReply } from './consumption.ts'
import { consumptionSource, findMeter } from './meters.ts'
import { findProduct } from './catalogue.ts'
import { gridSupplyPointsReply } from './gsp.ts'
import { periodDates } from './period.ts'
import { productListReply, productReply } from './product-replies.ts'
import { isExportProduct } from './products.ts'
import { ELECTRICITY_LISTS, electricityRates, GAS_LISTS, gasRates, type ElectricityList, type GasList } from './tariffs.ts'
import type { MeterFuel, Reply, Route, RouteContext } from './types.ts'

// Octopus Energy REST API (api.octopus.energy/v1), mounted under /octopus/v1.

const NOT_FOUND: Reply = { status: 404, body: { detail: 'Not found.' } }
const METER_POINTS = new Map<string, MeterFuel>([['electricity-meter-points', 'electricity'], ['gas-meter-points', 'gas']])

/** The route for a path below /octopus/v1 (segments without empty ones), if any. */
export function octopusRoute (segments: string[], url: URL): Route | undefined {
  const [a, b, c, d, e] = segments
  const dates = periodDates(url)
  // The catalogue (products and their tariffs' links) is a source of its own, apart from rates.
  if (segments.length === 1 && a === 'products') return { source: 'catalogue', respond: productListReply }
  if (segments.length === 2 && a === 'products') return { source: 'catalogue', respond: ctx => productReply(ctx, b) }
  if (segments.length === 2 && a === 'industry' && b === 'grid-supply-points') return { source: 'catalogue', respond: gridSupplyPointsReply }
  if (segments.length === 5 && a === 'products' && c === 'electricity-tariffs' && ELECTRICITY_LISTS.includes(e as ElectricityList)) {
    // Export products (Outgoing, V2G, Intelligent Flux export) are priced apart from import tariffs.
    const exporting = (findProduct(b)?.direction ?? (isExportProduct(b) ? 'EXPORT' : 'IMPORT')) === 'EXPORT'
    return { source: exporting ? 'export' : 'pricing', dates, respond: ctx => electricityRates(ctx, b, d, e as ElectricityList) }
  }
  if (segments.length === 5 && a === 'products' && c === 'gas-tariffs' && GAS_LISTS.includes(e as GasList)) {
    return { source: 'gas', dates, respond: ctx => gasRates(ctx, b, d, e as GasList) }
  }
  const fuel = METER_POINTS.get(a)
  if (segments.length === 5 && fuel !== undefined && c === 'meters' && e === 'consumption') {
    const meter = findMeter(fuel, b, d)
    return { source: consumptionSource(fuel, b), dates, readings: true, respond: ctx => authorised(ctx) ?? consumptionReply(ctx, meter) }
  }
  if (segments.length === 2 && a === 'accounts') {
    return {
      source: 'account',
      respond: ctx => {
        const body = accountBody(ctx, b)
        return authorised(ctx) ?? (body === undefined ? NOT_FOUND : { status: 200, body })
      }
    }
  }
  return undefined
}

/** Basic auth with the API key as user name: undefined when accepted, else the 401 reply. */
function authorised ({ authorization, apiKeys }: RouteContext): Reply | undefined {
  const headers = { 'www-authenticate': 'Basic realm="api"' }
  if (authorization === undefined || authorization === '') {
    return { status: 401, headers, body: { detail: 'Authentication credentials were not provided.' } }
  }
  const [scheme, token = ''] = authorization.split(' ')
  const user = Buffer.from(token, 'base64').toString('utf8').split(':')[0]
  if (scheme.toLowerCase() === 'basic' && apiKeys.has(user)) return undefined
  return { status: 401, headers, body: { detail: 'Invalid API key.' } }
}
