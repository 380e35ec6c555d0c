import { availableAt, explicitProducts, findProduct, LISTED_GENERATED, productOfTariff, type CatalogueProduct, type CatalogueTariff, type TariffGroup, type TariffList } from './catalogue.ts'
import { DEFAULT_PAGE_SIZE, REAL_EXPORT_AGREEMENTS, REAL_GAS_AGREEMENTS, REAL_IMPORT_AGREEMENTS, REAL_TARIFF_PRODUCTS, SAMPLE_EXPORT_MPAN, SAMPLE_MPAN, SAMPLE_MPRN, SAMPLE_PREVIOUS_MPAN } from './options.ts'
import { pagedReply, parsePage } from './paging.ts'
import { tariffPrices, type TariffPrices } from './tariffs.ts'
import type { Agreement, Reply, RouteContext, UnitRate } from './types.ts'

// GET /products/ and GET /products/{code}/ of the Octopus API, in the shapes of recorded answers:
// ryanw-mobile/OctoMeter apiSampleResponse/products_AGILE-FLEX-22-11-25.json and
// GetProductSampleData.kt (VAR-22-11-01), apiSampleResponse/products.json (the list), and
// viralganatra/octopus-tariff-switcher src/mocks/fixtures.ts.

const NO_PRODUCT: Reply = { status: 404, body: { detail: 'No EnergyProduct matches the given query.' } }
const GROUPS: readonly TariffGroup[] = ['single_register_electricity_tariffs', 'dual_register_electricity_tariffs', 'single_register_gas_tariffs']
// A list's link `rel` (href …/{list}/).
const RELS: Record<TariffList, string> = {
  'standard-unit-rates': 'standard_unit_rates',
  'day-unit-rates': 'day_unit_rates',
  'night-unit-rates': 'night_unit_rates',
  'standing-charges': 'standing_charges'
}
// The product detail's sample_consumption (kWh a year), as recorded for VAR-22-11-01.
const SAMPLE_CONSUMPTION = {
  electricity_single_rate: { electricity_standard: 2700 },
  electricity_dual_rate: { electricity_day: 2262, electricity_night: 1638 },
  dual_fuel_single_rate: { electricity_standard: 2700, gas_standard: 11500 },
  dual_fuel_dual_rate: { electricity_day: 2262, electricity_night: 1638, gas_standard: 11500 }
}
const BOOLEAN_FILTERS = ['is_variable', 'is_green', 'is_tracker', 'is_prepay', 'is_business'] as const

/**
 * GET /products/{code}/?tariffs_active_at=: the product with its tariffs by group, region (`_A`…)
 * and payment method, each tariff's prices at `tariffs_active_at` (default now, echoed with
 * microseconds as the API does) and links to its rate lists on this server.
 */
export function productReply (ctx: RouteContext, code: string): Reply {
  const product = findProduct(code)
  if (product === undefined) return NO_PRODUCT
  const active = instantParam(ctx.url, 'tariffs_active_at', ctx.nowMs)
  if (typeof active !== 'number') return active
  const base = apiBase(ctx.url)
  const groups = Object.fromEntries(GROUPS.map(group => [group, tariffGroup(ctx.seed, product, group, active, base)]))
  return {
    status: 200,
    body: {
      ...productFacts(product),
      tariffs_active_at: microseconds(active),
      ...groups,
      sample_quotes: sampleQuotes(ctx.seed, product, active),
      sample_consumption: SAMPLE_CONSUMPTION,
      links: [selfLink(base, product.code)],
      brand: product.brand
    }
  }
}

/**
 * GET /products/?is_variable&is_green&is_tracker&is_prepay&is_business&available_at&brand&page&page_size:
 * the catalogue's listed products and every product of the accounts' agreements, those available
 * at `available_at` (default now) and matching the filters, sorted by code, paged.
 */
export function productListReply (ctx: RouteContext): Reply {
  const page = parsePage(ctx.url, DEFAULT_PAGE_SIZE)
  if ('status' in page) return page
  const at = instantParam(ctx.url, 'available_at', ctx.nowMs)
  if (typeof at !== 'number') return at
  const filters: Array<(p: CatalogueProduct) => boolean> = []
  for (const name of BOOLEAN_FILTERS) {
    const text = ctx.url.searchParams.get(name)
    if (text === null || text === '') continue
    // DRF's BooleanFilter takes true/false (any case) and 1/0.
    const value = /^(true|1)$/i.test(text) ? true : /^(false|0)$/i.test(text) ? false : undefined
    if (value === undefined) return { status: 400, body: { [name]: ['Enter a valid boolean.'] } }
    filters.push(p => p[name] === value)
  }
  const brand = ctx.url.searchParams.get('brand')
  if (brand !== null && brand !== '') filters.push(p => p.brand === brand)
  const base = apiBase(ctx.url)
  const products = catalogueProducts(ctx).filter(p => p.listed && availableAt(p, at) && filters.every(f => f(p)))
  return pagedReply(ctx.url, page, products.length, i => {
    const p = products[i]
    // List items carry `direction`, the detail does not (recorded answers).
    const { code, full_name: fullName, display_name: displayName, description, ...flags } = productFacts(p)
    return { code, direction: p.direction, full_name: fullName, display_name: displayName, description, ...flags, links: [selfLink(base, p.code)], brand: p.brand }
  })
}

/** The catalogue's own products and those of the accounts' agreements, once each, sorted by code. */
function catalogueProducts (ctx: RouteContext): CatalogueProduct[] {
  const first = [SAMPLE_PREVIOUS_MPAN, SAMPLE_EXPORT_MPAN, SAMPLE_MPAN].flatMap(mpan => ctx.agreementsOf(mpan)).concat(ctx.gasAgreementsOf(SAMPLE_MPRN))
  const real: ReadonlyArray<Readonly<Agreement>> = [...REAL_IMPORT_AGREEMENTS, ...REAL_EXPORT_AGREEMENTS, ...REAL_GAS_AGREEMENTS]
  const codes = new Set([
    ...explicitProducts().map(p => p.code),
    ...LISTED_GENERATED,
    ...first.map(a => productOfTariff(a.tariff_code)),
    ...real.map(a => REAL_TARIFF_PRODUCTS[a.tariff_code] ?? productOfTariff(a.tariff_code))
  ])
  return [...codes].sort().flatMap(code => findProduct(code) ?? [])
}

function productFacts (p: CatalogueProduct): object & Record<string, unknown> {
  return {
    code: p.code,
    full_name: p.full_name,
    display_name: p.display_name,
    description: p.description,
    is_variable: p.is_variable,
    is_green: p.is_green,
    is_tracker: p.is_tracker,
    is_prepay: p.is_prepay,
    is_business: p.is_business,
    is_restricted: p.is_restricted,
    term: p.term,
    available_from: p.available_from,
    available_to: p.available_to
  }
}

/** One group's tariffs: `{_E: {direct_debit_monthly: {code, standing_charge_…, links, …rates}}}`, regions in order. */
function tariffGroup (seed: number, product: CatalogueProduct, group: TariffGroup, at: number, base: string): object {
  const entries = product.tariffs.filter(t => t.group === group).map(t => [`_${t.region}`, { [t.paymentKey]: tariffEntry(seed, product, t, at, base) }])
  return Object.fromEntries(entries)
}

/** A tariff entry, fields in the recorded order: code, standing charge, discounts, exit fees, links, rates. */
function tariffEntry (seed: number, product: CatalogueProduct, tariff: CatalogueTariff, at: number, base: string): object {
  const prices = tariffPrices(seed, product, tariff, at)
  const fuel = tariff.group === 'single_register_gas_tariffs' ? 'gas' : 'electricity'
  return {
    code: tariff.code,
    ...priceFields('standing_charge', prices.standing),
    online_discount_exc_vat: 0,
    online_discount_inc_vat: 0,
    dual_fuel_discount_exc_vat: 0,
    dual_fuel_discount_inc_vat: 0,
    exit_fees_exc_vat: 0,
    exit_fees_inc_vat: 0,
    exit_fees_type: 'NONE',
    links: tariff.lists.map(list => ({ href: `${base}/products/${product.code}/${fuel}-tariffs/${tariff.code}/${list}/`, method: 'GET', rel: RELS[list] })),
    ...rateFields(prices)
  }
}

function rateFields ({ standard, day, night }: TariffPrices): object {
  return {
    ...(standard === undefined ? {} : priceFields('standard_unit_rate', standard)),
    ...(day === undefined ? {} : priceFields('day_unit_rate', day)),
    ...(night === undefined ? {} : priceFields('night_unit_rate', night))
  }
}

function priceFields (name: string, { value_exc_vat: exc, value_inc_vat: inc }: UnitRate): object {
  return { [`${name}_exc_vat`]: exc, [`${name}_inc_vat`]: inc }
}

/**
 * sample_quotes: per region and payment method, a year's cost in pence (whole) of the
 * sample_consumption at the tariffs' prices; dual-fuel quotes where the product has gas too.
 * Export products quote nothing.
 */
function sampleQuotes (seed: number, product: CatalogueProduct, at: number): object {
  if (product.direction === 'EXPORT') return {}
  const quotes: Record<string, Record<string, Record<string, object>>> = {}
  const byRegion = (group: TariffGroup, region: string): CatalogueTariff | undefined => product.tariffs.find(t => t.group === group && t.region === region)
  for (const t of product.tariffs) {
    if (quotes[`_${t.region}`] !== undefined) continue
    const single = byRegion('single_register_electricity_tariffs', t.region)
    const dual = byRegion('dual_register_electricity_tariffs', t.region)
    const gas = byRegion('single_register_gas_tariffs', t.region)
    const cost = (tariff: CatalogueTariff | undefined, kwh: (p: TariffPrices, vat: 'value_exc_vat' | 'value_inc_vat') => number): ((vat: 'value_exc_vat' | 'value_inc_vat') => number) | undefined => {
      if (tariff === undefined) return undefined
      const prices = tariffPrices(seed, product, tariff, at)
      return vat => kwh(prices, vat) + 365 * prices.standing[vat]
    }
    const elecSingle = cost(single, (p, vat) => 2700 * (p.standard?.[vat] ?? 0))
    const elecDual = cost(dual, (p, vat) => 2262 * (p.day?.[vat] ?? 0) + 1638 * (p.night?.[vat] ?? 0))
    const gasCost = cost(gas, (p, vat) => 11500 * (p.standard?.[vat] ?? 0))
    const quote = (...parts: Array<((vat: 'value_exc_vat' | 'value_inc_vat') => number) | undefined>): object | undefined =>
      parts.some(p => p === undefined)
        ? undefined
        : { annual_cost_inc_vat: Math.round(parts.reduce((s, p) => s + (p as (v: string) => number)('value_inc_vat'), 0)), annual_cost_exc_vat: Math.round(parts.reduce((s, p) => s + (p as (v: string) => number)('value_exc_vat'), 0)) }
    const kinds = {
      electricity_single_rate: quote(elecSingle),
      electricity_dual_rate: quote(elecDual),
      dual_fuel_single_rate: quote(elecSingle, gasCost),
      dual_fuel_dual_rate: quote(elecDual, gasCost)
    }
    const present = Object.fromEntries(Object.entries(kinds).filter(([, q]) => q !== undefined)) as Record<string, object>
    quotes[`_${t.region}`] = { [t.paymentKey]: present }
  }
  return quotes
}

function selfLink (base: string, code: string): object {
  return { href: `${base}/products/${code}/`, method: 'GET', rel: 'self' }
}

/** The API's own absolute base, built from the request's Host like the paging links: http://host/octopus/v1. */
function apiBase (url: URL): string {
  return `${url.origin}/octopus/v1`
}

/** An optional datetime query parameter (ms); 400 as DRF words it when invalid. */
function instantParam (url: URL, name: string, fallback: number): number | Reply {
  const text = url.searchParams.get(name)
  if (text === null || text === '') return fallback
  // An unencoded `+01:00` offset arrives as a space.
  const iso = text.replace(' ', '+')
  const ms = /^\d{4}-\d{2}-\d{2}(T|$)/.test(iso) ? Date.parse(iso) : NaN
  return Number.isNaN(ms) ? { status: 400, body: { [name]: ['Enter a valid date/time.'] } } : ms
}

/** `2024-05-28T05:45:30.834473Z`: the API echoes tariffs_active_at with microseconds. */
function microseconds (ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z')
}
