import { londonDay } from '../lib/london-day.ts'
import { londonTime } from './format.ts'
import { isAgileProduct, isExportProduct, isTwoRateTariff, productLaunch } from './products.ts'

// The product catalogue of /products/ and /products/{code}/: which products exist, which
// tariffs each one lists (by region and payment method) and which rate lists each tariff links.
// Sources, as docs/sample-api.md cites them: recorded answers of GET /v1/products/{code}/ in
// ryanw-mobile/OctoMeter (apiSampleResponse/products_AGILE-FLEX-22-11-25.json, test samples
// GetProductSampleData.kt for VAR-22-11-01) and viralganatra/octopus-tariff-switcher
// (src/mocks/fixtures.ts: the product list, AGILE-24-10-01, COSY-22-12-08 and Cosy unit rates).

/** The 14 GSP groups a product lists its tariffs under, as `_A`…`_P` (no I, no O). */
export const GSP_REGIONS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'L', 'M', 'N', 'P'] as const

export type TariffList = 'standard-unit-rates' | 'day-unit-rates' | 'night-unit-rates' | 'standing-charges'
export type TariffGroup = 'single_register_electricity_tariffs' | 'dual_register_electricity_tariffs' | 'single_register_gas_tariffs'
/** The payment-method key under a region: Flexible (VAR) products use `varying`, the others `direct_debit_monthly`. */
export type PaymentKey = 'direct_debit_monthly' | 'varying'
/**
 * How a tariff's rates are generated: `quarterly` (a rate per quarter and payment method; day and
 * night ones for two registers), `flat-two-rate` (E-FLAT2R: day = night = the standard rate),
 * `agile`, `agile-outgoing`, `outgoing-fixed`, `export-fixed` (one flat export rate), `cosy` and
 * `flux-export` (time-of-use windows each day, split at midnight), `go`, `intelligent-go`, `flux`
 * and `flux-outgoing` (bands from one change of rate to the next, across midnight), `fixed` (one
 * rate for the product's life), `tracker` (one rate per London day), `gas` (quarterly),
 * `gas-fixed` and `gas-tracker` (gas like `fixed` and `tracker`).
 */
export type Pricing = 'quarterly' | 'flat-two-rate' | 'agile' | 'agile-outgoing' | 'outgoing-fixed' | 'export-fixed' | 'cosy' | 'flux-export' |
  'go' | 'intelligent-go' | 'flux' | 'flux-outgoing' | 'fixed' | 'tracker' | 'gas' | 'gas-fixed' | 'gas-tracker'

export interface CatalogueTariff {
  code: string
  region: string
  group: TariffGroup
  paymentKey: PaymentKey
  /** The rate lists its `links` name, in the recorded order (standing charges first). */
  lists: readonly TariffList[]
  pricing: Pricing
}

export interface CatalogueProduct {
  code: string
  direction: 'IMPORT' | 'EXPORT'
  full_name: string
  display_name: string
  description: string
  is_variable: boolean
  is_green: boolean
  is_tracker: boolean
  is_prepay: boolean
  is_business: boolean
  is_restricted: boolean
  term: number | null
  available_from: string
  available_to: string | null
  brand: string
  /** First instant with rates (UTC ms): nothing of the product is valid before. */
  launchMs: number
  /** In GET /products/ (when available at `available_at`); a hidden product answers only by its code. */
  listed: boolean
  /** One of the catalogue's own products: serves only the tariffs it lists. A generated one serves any tariff code. */
  explicit: boolean
  /**
   * standard-unit-rates of one of its tariffs that links only day and night rates: `refuse`
   * (400, as for Economy 7) or `empty` (200 with no results, as Intelligent Octopus Go's E-1R
   * tariffs answer: HomeAssistant-OctopusEnergy issues #1784, #1417).
   */
  standardOfTwoRate: 'refuse' | 'empty'
  tariffs: readonly CatalogueTariff[]
}

const SINGLE: readonly TariffList[] = ['standing-charges', 'standard-unit-rates']
const DUAL: readonly TariffList[] = ['standing-charges', 'day-unit-rates', 'night-unit-rates']
const OCTOPUS = 'OCTOPUS_ENERGY'
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

type ProductFacts = Omit<CatalogueProduct, 'tariffs' | 'launchMs' | 'listed' | 'explicit' | 'standardOfTwoRate'>
type TariffTemplate = Omit<CatalogueTariff, 'code' | 'region'> & { code: (region: string) => string }

/** A product of the catalogue's own, with the same tariff in all 14 regions. */
function explicitProduct (facts: ProductFacts, launchMs: number, templates: TariffTemplate[], extra: Partial<Pick<CatalogueProduct, 'listed' | 'standardOfTwoRate'>> = {}): CatalogueProduct {
  const tariffs = templates.flatMap(t => GSP_REGIONS.map(region => ({ ...t, code: t.code(region), region })))
  return { ...facts, launchMs, listed: extra.listed ?? true, explicit: true, standardOfTwoRate: extra.standardOfTwoRate ?? 'refuse', tariffs }
}

const common = { is_green: false, is_tracker: false, is_prepay: false, is_business: false, is_restricted: false, brand: OCTOPUS }
const single = (code: (r: string) => string, pricing: Pricing, paymentKey: PaymentKey = 'direct_debit_monthly'): TariffTemplate =>
  ({ code, group: 'single_register_electricity_tariffs', paymentKey, lists: SINGLE, pricing })
const gas = (code: (r: string) => string, pricing: Pricing): TariffTemplate =>
  ({ code, group: 'single_register_gas_tariffs', paymentKey: 'direct_debit_monthly', lists: SINGLE, pricing })

/**
 * The catalogue's own products: those of the second account whose tariffs do not follow the
 * generated rule (docs/sample-api.md, "Catalogue").
 */
const EXPLICIT: ReadonlyMap<string, CatalogueProduct> = new Map([
  // A supplier taken over keeps its own tariff codes, `E1R-` without a dash after the fuel: HA
  // issue #90 (E1R-AEVAR-1201-J, an Affect Energy tariff). Its product code, dates and brand are ours.
  explicitProduct({
    ...common,
    code: 'AEVAR-1201',
    direction: 'IMPORT',
    full_name: 'Affect Variable January 2012',
    display_name: 'Affect Variable',
    description: 'The variable tariff of customers who joined from Affect Energy.',
    is_variable: true,
    is_restricted: true,
    term: null,
    available_from: '2012-01-01T00:00:00Z',
    available_to: '2019-06-01T00:00:00+01:00',
    brand: 'AFFECT_ENERGY'
  }, londonDay('2012-01-01').startMs, [single(r => `E1R-AEVAR-1201-${r}`, 'quarterly', 'varying')]),
  // Serves E-1R-GONE-19-06-01-… although GONE-19-06-01 is no product: found only by mapping the
  // tariff to this product (as the account's GraphQL productCode does), never listed.
  explicitProduct({
    ...common,
    code: 'HIDDEN-19-06-01',
    direction: 'IMPORT',
    full_name: 'Octopus Closed June 2019',
    display_name: 'Octopus Closed',
    description: 'A product withdrawn from sale whose tariff codes name another product.',
    is_variable: true,
    is_restricted: true,
    term: null,
    available_from: '2019-06-01T00:00:00+01:00',
    available_to: '2019-07-01T00:00:00+01:00'
  }, londonDay('2019-06-01').startMs, [single(r => `E-1R-GONE-19-06-01-${r}`, 'quarterly')], { listed: false }),
  // Cosy: available from 2022-12-13T00:00:00Z (recorded list), time-of-use standard unit rates.
  explicitProduct({
    ...common,
    code: 'COSY-22-12-08',
    direction: 'IMPORT',
    full_name: 'Cosy Octopus',
    display_name: 'Cosy Octopus',
    description: 'A heat pump tariff: cheap electricity in three windows a day, dearer from 16:00 to 19:00.',
    is_variable: true,
    term: null,
    available_from: '2022-12-13T00:00:00Z',
    available_to: null
  }, londonDay('2022-12-08').startMs, [single(r => `E-1R-COSY-22-12-08-${r}`, 'cosy')]),
  // Tracker products are SILVER-…; E-1R-SILVER-24-12-31-C appears in real agreements of 2025.
  explicitProduct({
    ...common,
    code: 'SILVER-24-12-31',
    direction: 'IMPORT',
    full_name: 'Octopus Tracker December 2024 v1',
    display_name: 'Octopus Tracker',
    description: 'A price for each day that follows the wholesale market.',
    is_variable: true,
    is_tracker: true,
    term: 12,
    available_from: '2024-12-31T00:00:00Z',
    available_to: null
  }, londonDay('2024-12-31').startMs, [single(r => `E-1R-SILVER-24-12-31-${r}`, 'tracker'), gas(r => `G-1R-SILVER-24-12-31-${r}`, 'gas-tracker')]),
  // Intelligent Octopus Go from 2025-12-12: an E-1R tariff code listed with day and night links
  // only (HomeAssistant-OctopusEnergy commit 8b087373 and its integration tests).
  explicitProduct({
    ...common,
    code: 'IOG-SMB-TOU-25-12-12',
    direction: 'IMPORT',
    full_name: 'Intelligent Octopus Go December 2025 v1',
    display_name: 'Intelligent Octopus Go',
    description: 'A smart EV tariff with a cheap rate from 23:30 to 05:30 every night.',
    is_variable: true,
    term: null,
    available_from: '2025-12-12T00:00:00Z',
    available_to: null
  }, londonDay('2025-12-12').startMs, [{ code: r => `E-1R-IOG-SMB-TOU-25-12-12-${r}`, group: 'dual_register_electricity_tariffs', paymentKey: 'direct_debit_monthly', lists: DUAL, pricing: 'quarterly' }], { standardOfTwoRate: 'empty' }),
  // Beta tariff codes without fuel and register (V2G-EXPORT-12M-FIXED-22-12-01-C): HA
  // tests/unit/utils/test_tariff_parts.py.
  explicitProduct({
    ...common,
    code: 'V2G-EXPORT-12M-FIXED-22-12-01',
    direction: 'EXPORT',
    full_name: 'Octopus Power Loop V2G Export 12M Fixed December 2022',
    display_name: 'V2G Export Fixed',
    description: 'A fixed export rate for vehicle-to-grid chargers.',
    is_variable: false,
    is_restricted: true,
    term: 12,
    available_from: '2022-12-01T00:00:00Z',
    available_to: null
  }, londonDay('2022-12-01').startMs, [single(r => `V2G-EXPORT-12M-FIXED-22-12-01-${r}`, 'export-fixed')]),
  // INTELLI-FLUX-EXPORT-23-07-14 is missing from the public API (HA issues #472, #1680;
  // springfall2008/batpred PR #4046). Listing its tariffs under the BB product is ours.
  explicitProduct({
    ...common,
    code: 'INTELLI-FLUX-EXPORT-BB-23-07-14',
    direction: 'EXPORT',
    full_name: 'Intelligent Octopus Flux Export July 2023',
    display_name: 'Intelligent Octopus Flux Export',
    description: 'Export paid at the Intelligent Flux import rates, by time of day.',
    is_variable: true,
    term: null,
    available_from: '2023-07-14T00:00:00+01:00',
    available_to: null
  }, londonDay('2023-07-14').startMs, [single(r => `E-1R-INTELLI-FLUX-EXPORT-23-07-14-${r}`, 'flux-export')]),
  // The families a household can choose (issue 24's tariff comparison). Octopus Go, Flux import
  // and export: code, names, description, flags and dates as in the recorded product list
  // (viralganatra/octopus-tariff-switcher src/mocks/fixtures.ts); Go lists single-register
  // tariffs only, its dual-register and gas groups empty (the recorded GO-VAR-22-10-14 detail).
  explicitProduct({
    ...common,
    code: 'GO-VAR-22-10-14',
    direction: 'IMPORT',
    full_name: 'Octopus Go',
    display_name: 'Octopus Go',
    description: 'The smart EV tariff with super cheap electricity between 00:30 - 05:30 every night',
    is_variable: true,
    term: null,
    available_from: '2022-10-14T00:00:00+01:00',
    available_to: null
  }, londonDay('2022-10-14').startMs, [single(r => `E-1R-GO-VAR-22-10-14-${r}`, 'go')]),
  // Intelligent Octopus Go: INTELLI-VAR-22-10-14 (HA tests), then INTELLI-VAR-24-10-29 (a real
  // agreement's E-1R-INTELLI-VAR-24-10-29-B, HA issue #1356). Names and dates are ours.
  explicitProduct({
    ...common,
    code: 'INTELLI-VAR-22-10-14',
    direction: 'IMPORT',
    full_name: 'Intelligent Octopus Go',
    display_name: 'Intelligent Octopus Go',
    description: 'A smart EV tariff with a cheap rate for the whole home from 23:30 to 05:30 every night.',
    is_variable: true,
    term: null,
    available_from: '2022-10-14T00:00:00+01:00',
    available_to: '2024-10-29T00:00:00Z'
  }, londonDay('2022-10-14').startMs, [single(r => `E-1R-INTELLI-VAR-22-10-14-${r}`, 'intelligent-go')]),
  explicitProduct({
    ...common,
    code: 'INTELLI-VAR-24-10-29',
    direction: 'IMPORT',
    full_name: 'Intelligent Octopus Go October 2024 v1',
    display_name: 'Intelligent Octopus Go',
    description: 'A smart EV tariff with a cheap rate for the whole home from 23:30 to 05:30 every night.',
    is_variable: true,
    term: null,
    available_from: '2024-10-29T00:00:00Z',
    available_to: null
  }, londonDay('2024-10-29').startMs, [single(r => `E-1R-INTELLI-VAR-24-10-29-${r}`, 'intelligent-go')]),
  explicitProduct({
    ...common,
    code: 'FLUX-IMPORT-23-02-14',
    direction: 'IMPORT',
    full_name: 'Octopus Flux Import',
    display_name: 'Octopus Flux Import',
    description: 'Power your home with 100% renewable energy on this Octopus Energy electricity tariff designed exclusively for solar and battery owners.',
    is_variable: true,
    term: null,
    available_from: '2023-02-14T00:00:00Z',
    available_to: null
  }, londonDay('2023-02-14').startMs, [single(r => `E-1R-FLUX-IMPORT-23-02-14-${r}`, 'flux')]),
  explicitProduct({
    ...common,
    code: 'FLUX-EXPORT-23-02-14',
    direction: 'EXPORT',
    full_name: 'Octopus Flux Export',
    display_name: 'Octopus Flux Export',
    description: 'Octopus Flux Export February 2023 v1',
    is_variable: true,
    term: null,
    available_from: '2023-02-14T00:00:00Z',
    available_to: null
  }, londonDay('2023-02-14').startMs, [single(r => `E-1R-FLUX-EXPORT-23-02-14-${r}`, 'flux-outgoing')]),
  // A 12-month fix: OE-FIX-12M-24-12-14 (HA integration test test_get_gas_rates asks for
  // G-1R-OE-FIX-12M-24-12-14-A on 2025-09-06). Names and dates are ours; one price for its life.
  explicitProduct({
    ...common,
    code: 'OE-FIX-12M-24-12-14',
    direction: 'IMPORT',
    full_name: 'Octopus 12M Fixed December 2024 v1',
    display_name: 'Octopus 12M Fixed',
    description: 'Prices fixed for 12 months.',
    is_variable: false,
    term: 12,
    available_from: '2024-12-14T00:00:00Z',
    available_to: null
  }, londonDay('2024-12-14').startMs, [single(r => `E-1R-OE-FIX-12M-24-12-14-${r}`, 'fixed'), gas(r => `G-1R-OE-FIX-12M-24-12-14-${r}`, 'gas-fixed')])
].map(p => [p.code, p]))

/**
 * Generated products GET /products/ lists whatever the accounts' agreements: the current Agile,
 * Flexible, Outgoing Fixed and Agile Outgoing products (codes as in the recorded product list,
 * viralganatra/octopus-tariff-switcher src/mocks/fixtures.ts; OUTGOING-FIX-12M-19-05-13: HA tests).
 */
export const LISTED_GENERATED: readonly string[] = ['AGILE-24-10-01', 'AGILE-OUTGOING-19-05-13', 'OUTGOING-FIX-12M-19-05-13', 'VAR-22-11-01']

/** Codes ending in a launch date that are no product all the same (404). */
const MISSING = new Set(['GONE-19-06-01', 'INTELLI-FLUX-EXPORT-23-07-14'])

/** A product of the catalogue: its own, or one generated for any code ending in a launch date; undefined = 404. */
export function findProduct (code: string): CatalogueProduct | undefined {
  const own = EXPLICIT.get(code)
  if (own !== undefined) return own
  if (MISSING.has(code)) return undefined
  const launch = productLaunch(code)
  return launch === undefined ? undefined : generatedProduct(code, launch)
}

/** The catalogue's own products (hidden ones included). */
export function explicitProducts (): CatalogueProduct[] {
  return [...EXPLICIT.values()]
}

/**
 * The product a tariff code names: the code without fuel and register (`E-1R-`, `E-FLAT2R-`,
 * `G-1R-`, `E1R-`) and without the region letter. HA's REGEX_TARIFF_PARTS makes fuel and
 * register optional the same way (codes such as V2G-EXPORT-12M-FIXED-22-12-01-C have none).
 */
export function productOfTariff (tariff: string): string {
  const m = /^(?:(?:[EG]-[0-9A-Z]+|[EG][12]R)-)?(.+)-[A-P]$/.exec(tariff)
  return m === null ? tariff : m[1]
}

/**
 * The tariff `code` of `product` for the fuel asked: a catalogue product's own tariff (undefined
 * if it lists no such code); for a generated product any code, shaped by its prefix.
 */
export function findTariff (product: CatalogueProduct, code: string, fuel: 'electricity' | 'gas'): CatalogueTariff | undefined {
  if (product.explicit) {
    const gas = fuel === 'gas'
    return product.tariffs.find(t => t.code === code && (t.group === 'single_register_gas_tariffs') === gas)
  }
  const region = code.slice(-1)
  if (fuel === 'gas') return { code, region, group: 'single_register_gas_tariffs', paymentKey: paymentKeyOf(product.code), lists: SINGLE, pricing: 'gas' }
  if (isTwoRateTariff(code)) {
    const pricing = code.startsWith('E-FLAT2R-') ? 'flat-two-rate' : 'quarterly'
    return { code, region, group: 'dual_register_electricity_tariffs', paymentKey: paymentKeyOf(product.code), lists: DUAL, pricing }
  }
  return { code, region, group: 'single_register_electricity_tariffs', paymentKey: paymentKeyOf(product.code), lists: SINGLE, pricing: singlePricing(product.code) }
}

function paymentKeyOf (product: string): PaymentKey {
  // The recorded VAR-22-11-01 (Flexible Octopus) lists `varying`, AGILE-FLEX-22-11-25 `direct_debit_monthly`.
  return product.startsWith('VAR-') ? 'varying' : 'direct_debit_monthly'
}

function singlePricing (product: string): Pricing {
  if (isExportProduct(product)) return isAgileProduct(product) ? 'agile-outgoing' : 'outgoing-fixed'
  return isAgileProduct(product) ? 'agile' : 'quarterly'
}

/**
 * A product for a code ending in a launch date (VAR-22-11-01, AGILE-24-10-01,
 * OUTGOING-FIX-12M-19-05-13, …), available from its launch: `E-1R-{code}-{R}` single-register
 * tariffs in all 14 regions; an import product that is not Agile also `E-2R-{code}-{R}` dual
 * register and `G-1R-{code}-{R}` gas tariffs, as the recorded VAR-22-11-01 lists all three.
 */
function generatedProduct (code: string, launchMs: number): CatalogueProduct {
  const exporting = isExportProduct(code)
  const agile = isAgileProduct(code)
  const paymentKey = paymentKeyOf(code)
  const templates: TariffTemplate[] = [single(r => `E-1R-${code}-${r}`, singlePricing(code), paymentKey)]
  if (!exporting && !agile) {
    templates.push(
      { code: r => `E-2R-${code}-${r}`, group: 'dual_register_electricity_tariffs', paymentKey, lists: DUAL, pricing: 'quarterly' },
      { code: r => `G-1R-${code}-${r}`, group: 'single_register_gas_tariffs', paymentKey, lists: SINGLE, pricing: 'gas' }
    )
  }
  const name = generatedName(code)
  const date = new Date(launchMs + 12 * 60 * 60 * 1000)
  const fixed = code.includes('FIX')
  return {
    code,
    direction: exporting ? 'EXPORT' : 'IMPORT',
    full_name: `${name} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`,
    display_name: name,
    description: `${name}: the sample server's generated product ${code}.`,
    is_variable: !fixed,
    is_green: agile,
    is_tracker: false,
    is_prepay: false,
    is_business: false,
    is_restricted: false,
    // The recorded list gives Agile products a 12-month term and Flexible ones none.
    term: agile || /-12M-/.test(code) ? 12 : null,
    available_from: londonTime(launchMs),
    available_to: null,
    brand: OCTOPUS,
    launchMs,
    listed: true,
    explicit: false,
    standardOfTwoRate: 'refuse',
    tariffs: templates.flatMap(t => GSP_REGIONS.map(region => ({ ...t, code: t.code(region), region })))
  }
}

function generatedName (code: string): string {
  if (code.includes('AGILE-OUTGOING')) return 'Agile Outgoing Octopus'
  if (code.includes('OUTGOING')) return code.includes('FIX') ? 'Outgoing Octopus Fixed' : 'Outgoing Octopus'
  if (code.includes('AGILE')) return 'Agile Octopus'
  if (code.startsWith('VAR-')) return 'Flexible Octopus'
  if (code.includes('FIX')) return 'Octopus Fixed'
  return 'Octopus'
}

/** True when the product can be signed up to at `atMs`: [available_from, available_to). */
export function availableAt (product: CatalogueProduct, atMs: number): boolean {
  return Date.parse(product.available_from) <= atMs && (product.available_to === null || atMs < Date.parse(product.available_to))
}
