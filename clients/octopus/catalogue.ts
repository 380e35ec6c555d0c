import { asObject, malformed } from '../../lib/answer.ts'
import type { Config } from '../../lib/config.ts'
import { OCTOPUS_CODE } from '../../lib/config.ts'
import { isEnergyError } from '../../lib/errors.ts'
import { getJson, httpSettings } from '../../lib/http.ts'
import type { ClientContext } from '../types.ts'
import { fetchOctopusPages, octopusTime } from './pages.ts'
import { parseProductList } from './products.ts'
import { parseTariffCode } from './tariff-code.ts'

// A tariff's product and rate links come from the product catalogue, never from the code's shape
// alone: `GET /v1/products/{code}/` lists each tariff by region and payment method under
// single_register_electricity_tariffs, dual_register_electricity_tariffs, single_register_gas_tariffs
// (…), each with links of rel standard_unit_rates, day_unit_rates, night_unit_rates,
// standing_charges (recorded answers: ryanw-mobile/OctoMeter apiSampleResponse/products_AGILE-FLEX-22-11-25.json;
// HomeAssistant-OctopusEnergy api_client `_async_get_tariff_code_rate_links` reads them the same way).
// An E-1R code may be priced on day and night links only (Intelligent Octopus Go 2026,
// E-1R-IOG-SMB-TOU-25-12-12-E: HomeAssistant-OctopusEnergy commit 8b087373), and a product may
// answer 404 for weeks while customers are on it (HomeAssistant-OctopusEnergy #1311, #1680, #1739).

export type Fuel = 'electricity' | 'gas'

/** Where a tariff's rates are: one standard list, or day and night registers. */
export interface TariffRates {
  tariff: string
  product: string
  fuel: Fuel
  structure: 'standard' | 'day-night'
  urls: { standard?: string, day?: string, night?: string, standingCharges: string }
  /** How it was found, for logs: "catalogue", "catalogue search", "OCTOPUS_TARIFF_PRODUCTS", "not listed: links by the code's shape". */
  how: string
}

/** A tariff that cannot be priced, and why (the ENERGY_UNPRICED message names it). */
export interface TariffUnpriced { tariff: string, unpriced: string }

export type TariffResolution = TariffRates | TariffUnpriced

export const isUnpriced = (r: TariffResolution): r is TariffUnpriced => 'unpriced' in r

/** A product as energy.products keeps it (schemas/energy.products.avsc): links as paths below the API's base. */
export interface ProductRecord { code: string, fetched_at: number, tariffs: ProductTariffRecord[] }
export interface ProductTariffRecord {
  code: string
  fuel: Fuel
  standard_unit_rates: string | null
  day_unit_rates: string | null
  night_unit_rates: string | null
  standing_charges: string | null
  /** false: its product does not list it; the links are the conventional ones. */
  listed: boolean
}

/** A resolved tariff as energy.products keeps it: the URLs without the configured base. */
export function tariffRecord (config: Pick<Config, 'octopusApiUrl'>, rates: TariffRates): ProductTariffRecord {
  const path = (url: string | undefined): string | null => url === undefined ? null : url.slice(config.octopusApiUrl.length)
  return {
    code: rates.tariff,
    fuel: rates.fuel,
    standard_unit_rates: path(rates.urls.standard),
    day_unit_rates: path(rates.urls.day),
    night_unit_rates: path(rates.urls.night),
    standing_charges: path(rates.urls.standingCharges),
    listed: !rates.how.startsWith('not listed')
  }
}

/** A tariff of energy.products as the catalogue resolves it, on the configured base. */
function fromRecord (config: Readonly<Config>, product: string, t: ProductTariffRecord): TariffRates | undefined {
  const url = (path: string | null): string | undefined => path === null ? undefined : `${config.octopusApiUrl}${path}`
  const standingCharges = url(t.standing_charges)
  if (standingCharges === undefined) return undefined
  const [standard, day, night] = [url(t.standard_unit_rates), url(t.day_unit_rates), url(t.night_unit_rates)]
  const how = 'energy.products'
  if (day !== undefined && night !== undefined) return { tariff: t.code, product, fuel: t.fuel, structure: 'day-night', urls: { day, night, standingCharges }, how }
  if (standard !== undefined) return { tariff: t.code, product, fuel: t.fuel, structure: 'standard', urls: { standard, standingCharges }, how }
  return undefined
}

/** The product records of `known` updated with what `resolved` found: only those that changed, fetched at `now`. */
export function changedProducts (config: Pick<Config, 'octopusApiUrl'>, known: (product: string) => ProductRecord | undefined, resolved: readonly TariffRates[], now: number): ProductRecord[] {
  const updated = new Map<string, ProductRecord>()
  for (const rates of resolved) {
    const record = updated.get(rates.product) ?? structuredClone(known(rates.product)) ?? { code: rates.product, fetched_at: now, tariffs: [] }
    const tariff = tariffRecord(config, rates)
    const at = record.tariffs.findIndex(t => t.code === tariff.code)
    if (at >= 0 && JSON.stringify(record.tariffs[at]) === JSON.stringify(tariff)) continue
    if (at >= 0) record.tariffs[at] = tariff
    else record.tariffs.push(tariff)
    updated.set(rates.product, { ...record, fetched_at: now })
  }
  return [...updated.values()]
}

const RATE_RELS = { standard_unit_rates: 'standard', day_unit_rates: 'day', night_unit_rates: 'night', standing_charges: 'standingCharges' } as const
type RateRel = keyof typeof RATE_RELS
// How many other products a search looks into for a tariff (each is one request).
const MAX_SEARCHED = 5
// A product found is kept a day; one not found is asked again after an hour (products that 404
// come back: HomeAssistant-OctopusEnergy #1311).
const FOUND_TTL_MS = 24 * 3600 * 1000
const MISSING_TTL_MS = 3600 * 1000
const MAX_ENTRIES = 2000

/** A product's tariffs by code: the fuel, and the rate links of the entry. */
export interface ProductTariffs {
  code: string
  tariffs: Map<string, { fuel: Fuel, links: Partial<Record<RateRel, string>> }>
}

/**
 * A product detail answer → its tariffs. Every `*_tariffs` map is read (single and dual register,
 * gas, four-rate EV), region → payment method → entry; an entry's links are kept by rel.
 * Bounded: a product lists 14 regions × a few payment methods.
 */
export function parseProduct (body: unknown): ProductTariffs {
  const answer = asObject(body, 'catalogue', 'product')
  const code = typeof answer.code === 'string' ? answer.code : ''
  const tariffs: ProductTariffs['tariffs'] = new Map()
  let entries = 0
  for (const [map, regions] of Object.entries(answer)) {
    if (!map.endsWith('_tariffs') || typeof regions !== 'object' || regions === null) continue
    const fuel: Fuel = map.includes('gas') ? 'gas' : 'electricity'
    for (const methods of Object.values(regions)) {
      if (typeof methods !== 'object' || methods === null) continue
      for (const entry of Object.values(methods)) {
        if (++entries > MAX_ENTRIES) throw malformed('catalogue', `product ${code} lists more than ${MAX_ENTRIES} tariffs`)
        if (typeof entry !== 'object' || entry === null) continue
        const { code: tariff, links } = entry as { code?: unknown, links?: unknown }
        if (typeof tariff !== 'string' || !OCTOPUS_CODE.test(tariff) || !Array.isArray(links)) continue
        const found = tariffs.get(tariff) ?? { fuel, links: {} }
        for (const link of links) {
          const { rel, href } = (link ?? {}) as { rel?: unknown, href?: unknown }
          if (typeof rel === 'string' && rel in RATE_RELS && typeof href === 'string') found.links[rel as RateRel] ??= href
        }
        tariffs.set(tariff, found)
      }
    }
  }
  return { code, tariffs }
}

export type CatalogueDeps = ClientContext

export interface TariffCatalogue {
  /**
   * The tariff's rate links (`at`: when it was in force, asked as tariffs_active_at), or why it
   * cannot be priced. `product`: the configured one (OCTOPUS_PRODUCT), tried first. Transient
   * failures (5xx, timeouts, 429) throw and are not remembered.
   */
  resolve (tariff: string, at: number, deps: CatalogueDeps, product?: string): Promise<TariffResolution>
  /** Marks a tariff unpriced for a reason its rates gave (a 4xx from a rates link). */
  markUnpriced (tariff: string, reason: string): void
  /** Why the tariff is unpriced, when resolve or a rates link said so. */
  unpriced (tariff: string): string | undefined
  /** Every tariff resolved (what energy.products keeps). */
  resolved (): TariffRates[]
}

export interface CatalogueOptions {
  now?: () => number
  /**
   * energy.products, read as a global table: the product that holds a tariff, if one does. A
   * tariff found there costs no request, and a product retired or gone since still prices.
   */
  products?: () => Iterable<ProductRecord>
}

/** One per processor: resolutions are kept, so a span costs no catalogue request after the first. */
export function createTariffCatalogue ({ now = Date.now, products }: CatalogueOptions = {}): TariffCatalogue {
  const kept = new Map<string, { resolution: TariffResolution, until: number }>()
  const inFlight = new Map<string, Promise<TariffResolution>>()
  // Product answers by product and instant asked: the tariffs of one product (E-1R-, E-2R-, G-1R-
  // of a variable product) cost one request. Forgotten with the resolutions' lifetime.
  const answers = new Map<string, { answer: Promise<ProductTariffs | undefined>, until: number }>()
  const ask: ProductAsk = (deps, product, at) => {
    const key = `${product}@${at}`
    const held = answers.get(key)
    if (held !== undefined && held.until > now()) return held.answer
    const answer = fetchProduct(deps, product, at)
    // A failure is not kept: the next resolve asks again.
    answer.catch(() => answers.delete(key))
    answers.set(key, { answer, until: now() + MISSING_TTL_MS })
    return answer
  }
  const keep = (resolution: TariffResolution): TariffResolution => {
    kept.set(resolution.tariff, { resolution, until: now() + (isUnpriced(resolution) ? MISSING_TTL_MS : FOUND_TTL_MS) })
    return resolution
  }
  return {
    async resolve (tariff, at, deps, product) {
      const held = kept.get(tariff)
      if (held !== undefined && held.until > now()) return held.resolution
      for (const record of products?.() ?? []) {
        const t = record.tariffs.find(t => t.code === tariff)
        const rates = t === undefined ? undefined : fromRecord(deps.config, record.code, t)
        if (rates !== undefined) return keep(rates)
      }
      let pending = inFlight.get(tariff)
      if (pending === undefined) {
        pending = findTariff(tariff, at, deps, ask, product).then(keep).finally(() => inFlight.delete(tariff))
        inFlight.set(tariff, pending)
      }
      return await pending
    },
    markUnpriced (tariff, reason) {
      keep({ tariff, unpriced: reason })
    },
    unpriced (tariff) {
      const held = kept.get(tariff)?.resolution
      return held !== undefined && isUnpriced(held) ? held.unpriced : undefined
    },
    resolved () {
      return [...kept.values()].flatMap(({ resolution }) => isUnpriced(resolution) ? [] : [resolution])
    }
  }
}

/** A link's path on the configured API: the real answer links https://api.octopus.energy/v1/…, a proxy or the sample server another origin. */
function onApi (config: Readonly<Config>, href: string): string | undefined {
  let path: string
  try {
    path = new URL(href).pathname
  } catch {
    return undefined
  }
  const at = path.indexOf('/products/')
  return at < 0 ? undefined : `${config.octopusApiUrl}${path.slice(at)}`
}

/** The conventional links of a tariff of `product` (what the API answers on, listed or not). */
function conventional (config: Readonly<Config>, product: string, tariff: string, fuel: Fuel): (name: string) => string {
  return name => `${config.octopusApiUrl}/products/${encodeURIComponent(product)}/${fuel}-tariffs/${encodeURIComponent(tariff)}/${name}/`
}

function fromLinks (config: Readonly<Config>, tariff: string, product: string, fuel: Fuel, links: Partial<Record<RateRel, string>>, how: string): TariffRates | undefined {
  const url = (rel: RateRel): string | undefined => links[rel] === undefined ? undefined : onApi(config, links[rel])
  const standingCharges = url('standing_charges') ?? conventional(config, product, tariff, fuel)('standing-charges')
  const [standard, day, night] = [url('standard_unit_rates'), url('day_unit_rates'), url('night_unit_rates')]
  // Day and night links win: a tariff priced by registers answers 400 or nothing on standard.
  if (day !== undefined && night !== undefined) return { tariff, product, fuel, structure: 'day-night', urls: { day, night, standingCharges }, how }
  if (standard !== undefined) return { tariff, product, fuel, structure: 'standard', urls: { standard, standingCharges }, how }
  return undefined
}

/** The product answer, or undefined when the API answers 404 (a product it does not know, now). */
async function fetchProduct ({ config, log, signal }: CatalogueDeps, product: string, at: number): Promise<ProductTariffs | undefined> {
  const query = new URLSearchParams({ tariffs_active_at: octopusTime(at) })
  try {
    return parseProduct(await getJson(`${config.octopusApiUrl}/products/${encodeURIComponent(product)}/?${query}`, { ...httpSettings(config), log, signal }))
  } catch (err) {
    if (isEnergyError(err, 'ENERGY_FETCH') && err.status === 404) return undefined
    throw err
  }
}

/**
 * Finds the tariff: the product OCTOPUS_TARIFF_PRODUCTS names, else the products its code
 * suggests, asked at `at`. A product that does not list the code (E-FLAT2R-VAR-22-11-01-H under
 * VAR-22-11-01: Yanson/octograph#7) is priced on the conventional links its code's registers
 * suggest, as HomeAssistant-OctopusEnergy falls back. No product found: the catalogue of products
 * available at `at` is searched for one that lists the code, a few most alike first.
 */
type ProductAsk = (deps: CatalogueDeps, product: string, at: number) => Promise<ProductTariffs | undefined>

async function findTariff (tariff: string, at: number, deps: CatalogueDeps, ask: ProductAsk, configured?: string): Promise<TariffResolution> {
  const { config, log } = deps
  if (!OCTOPUS_CODE.test(tariff)) return { tariff, unpriced: 'the code cannot be used in a URL (letters, digits, - _ . only, at most 80)' }
  const hint = parseTariffCode(tariff)
  const mapped = config.tariffProducts[tariff] ?? configured
  const candidates = mapped !== undefined ? [mapped] : hint.products
  const tried: string[] = []
  for (const product of candidates) {
    const found = await ask(deps, product, at)
    if (found === undefined) {
      tried.push(`product ${product}: not found (404)`)
      continue
    }
    const entry = found.tariffs.get(tariff)
    const how = mapped !== undefined ? 'configured product' : 'catalogue'
    const rates = entry === undefined ? undefined : fromLinks(config, tariff, product, entry.fuel, entry.links, how)
    if (rates !== undefined) return rates
    // Listed nowhere in a product that exists: its conventional links, by the code's registers.
    const fuel = entry?.fuel ?? hint.fuel ?? 'electricity'
    const link = conventional(config, product, tariff, fuel)
    log.info({ tariff, product }, 'tariff not listed by its product: priced on the links its code suggests')
    return hint.twoRegisters && fuel === 'electricity'
      ? { tariff, product, fuel, structure: 'day-night', urls: { day: link('day-unit-rates'), night: link('night-unit-rates'), standingCharges: link('standing-charges') }, how: 'not listed: links by the code\'s shape' }
      : { tariff, product, fuel, structure: 'standard', urls: { standard: link('standard-unit-rates'), standingCharges: link('standing-charges') }, how: 'not listed: links by the code\'s shape' }
  }
  if (mapped === undefined) {
    const searched = await searchCatalogue(deps, ask, tariff, at, new Set(candidates))
    if (searched.rates !== undefined) {
      log.info({ tariff, product: searched.rates.product }, 'tariff found by searching the product catalogue')
      return searched.rates
    }
    tried.push(searched.tried)
  }
  return { tariff, unpriced: `no product lists tariff ${tariff} (${tried.join('; ') || 'its code names no product'}); set OCTOPUS_TARIFF_PRODUCTS=${tariff}=<product code>` }
}

/** Products available at `at` (GET /v1/products/?available_at=), the most alike the code first, asked until one lists it. */
async function searchCatalogue (deps: CatalogueDeps, ask: ProductAsk, tariff: string, at: number, skip: ReadonlySet<string>): Promise<{ rates?: TariffRates, tried: string }> {
  const { config } = deps
  const listed = await fetchOctopusPages(`${config.octopusApiUrl}/products/?${new URLSearchParams({ available_at: octopusTime(at), page_size: '1500' })}`, deps, { source: 'catalogue', auth: false })
  const tokens = new Set(tariff.toUpperCase().split('-'))
  const likeness = (code: string): number => code.toUpperCase().split('-').filter(t => tokens.has(t)).length
  const codes = parseProductList(listed).map(p => p.code)
    .filter(code => !skip.has(code) && likeness(code) >= 2)
    .sort((a, b) => likeness(b) - likeness(a))
    .slice(0, MAX_SEARCHED)
  for (const product of codes) {
    const entry = (await ask(deps, product, at))?.tariffs.get(tariff)
    const rates = entry === undefined ? undefined : fromLinks(config, tariff, product, entry.fuel, entry.links, 'catalogue search')
    if (rates !== undefined) return { rates, tried: '' }
  }
  return { tried: `${listed.length} products available at ${octopusTime(at)}, ${codes.length} alike searched (${codes.join(', ') || 'none'})` }
}
