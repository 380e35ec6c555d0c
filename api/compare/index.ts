import type { Pool } from '../../lib/db.ts'
import { describeError, EnergyError } from '../../lib/errors.ts'
import { londonDay } from '../../lib/london-day.ts'
import { isUnpriced } from '../../clients/octopus/catalogue.ts'
import { listProducts, regionOfPostcode, type ListedProduct } from '../../clients/octopus/products.ts'
import type { RatesContext } from '../../clients/octopus/rates.ts'
import { familyOf, FAMILIES, regionOfTariff, tariffCodeOf, type Direction, type Family, type Fuel } from './families.ts'
import { ensurePrices } from './prices.ts'

// What the household's own half-hours would have cost on other tariffs (GET /api/compare):
// each candidate priced per half-hour from its own rates (kept in compare_prices), over the
// days where it has a price for every read half-hour and the household's actual figure is known,
// beside what the household paid on those same days (daily_summary).

export interface Candidate {
  /** What was asked: a family name (agile) or a product code. */
  name: string
  label: string
  fuel: Fuel
  direction: Direction
  product: string | null
  tariff_code: string | null
  /** Days of the period with readings of this meter, and of them those compared. */
  days_with_readings: number
  days_compared: number
  /** The first and last compared dates (null: none). */
  first_compared: string | null
  last_compared: string | null
  /** Pence inc VAT over the compared days: the candidate's (unit costs and standing charges; export: earnings), and the actual. */
  value_inc_vat: number
  actual_inc_vat: number
  /** Pence the candidate would have saved (import, gas) or earned more (export); negative: dearer. */
  better_by: number
  /** Why it was not compared at all or over fewer days, in a sentence. */
  note: string
}

export interface CompareResult {
  from: string
  to: string
  region: string
  /** Best first within each of import, export, gas. */
  candidates: Candidate[]
}

export interface CompareDeps {
  pool: Pool
  context: RatesContext
  /** The household's region letter when known without asking (an account tariff code's last letter). */
  region?: string
  postcode?: string
}

/** The household's region: its own tariffs' letter, else the GSP of its postcode. */
async function regionOf (deps: CompareDeps): Promise<string> {
  const { rows } = await deps.pool.query<{ tariff_code: string }>(`SELECT tariff_code FROM energy_usage.agreements
    WHERE kind = 'import' ORDER BY valid_from DESC LIMIT 1`).catch(() => ({ rows: [] as Array<{ tariff_code: string }> }))
  const region = regionOfTariff(rows[0]?.tariff_code) ?? deps.region
  if (region !== undefined) return region
  if (deps.postcode !== undefined && deps.postcode !== '') {
    const found = await regionOfPostcode(deps.context, deps.postcode)
    if (found !== undefined) return found
  }
  throw new EnergyError('ENERGY_USAGE', 'the household\'s region is unknown: set OCTOPUS_ACCOUNT, OCTOPUS_TARIFF or CARBON_POSTCODE')
}

/** What a candidate name asks: a family, or a product code taken as import electricity unless its family says otherwise. */
function specOf (name: string): { family?: Family, product?: string, fuel: Fuel, direction: Direction, label: string } {
  const family = FAMILIES.find(f => f.name === name)
  if (family !== undefined) return { family, fuel: family.fuel, direction: family.direction, label: family.label }
  const known = familyOf(name, 'EXPORT') ?? familyOf(name, 'IMPORT')
  return { product: name, fuel: 'electricity', direction: known?.direction ?? 'IMPORT', label: name }
}

/** The newest product of the family on sale at `at`. */
function newestOf (family: Family, listed: readonly ListedProduct[]): string | undefined {
  return listed.filter(p => p.direction === family.direction && family.match.test(p.code))
    .sort((a, b) => (b.availableFrom ?? 0) - (a.availableFrom ?? 0) || (a.code < b.code ? 1 : -1))[0]?.code
}

const READINGS: Record<string, { table: string, kwh: string, actual: string, known: string }> = {
  'electricity IMPORT': { table: 'energy_usage.consumption', kwh: 'kwh', actual: 'ds.cost_inc_vat + ds.standing_charge_inc_vat', known: 'ds.standing_charge_inc_vat IS NOT NULL' },
  'electricity EXPORT': { table: 'energy_usage.export_readings', kwh: 'kwh', actual: 'ds.export_value', known: 'true' },
  'gas IMPORT': { table: 'energy_usage.gas_readings', kwh: 'kwh', actual: 'ds.gas_cost_inc_vat + ds.gas_standing_charge_inc_vat', known: 'true' }
}

interface Priced { days_with_readings: number, days_compared: number, first_compared: string | null, last_compared: string | null, value: number | null, actual: number | null }

/**
 * Sums the candidate over the compared days: a day with readings where every read half-hour has
 * the candidate's price (and, but for export, its standing charge at the day's first half-hour),
 * and whose actual figure daily_summary knows. Unread half-hours (export and gas `read = false`)
 * are not readings.
 */
async function priceReadings (pool: Pool, tariff: string, fuel: Fuel, direction: Direction, from: string, to: string): Promise<Priced> {
  const r = READINGS[`${fuel} ${direction}`]
  const read = r.table === 'energy_usage.consumption' ? 'true' : 'u.read'
  const standing = direction === 'EXPORT' ? '0' : '(array_agg(p.standing_inc_vat ORDER BY u.slot_start))[1]'
  const { rows } = await pool.query<Priced>(`WITH days AS (
      SELECT u.local_date, count(*) AS slots, count(p.price_inc_vat) AS priced,
        sum(u.${r.kwh} * p.price_inc_vat) AS units, ${standing} AS standing
      FROM ${r.table} u
      LEFT JOIN energy_usage.compare_prices p ON p.tariff_code = $1 AND p.slot_start = u.slot_start
      WHERE u.local_date BETWEEN $2::date AND $3::date AND ${read} AND u.${r.kwh} <> 'NaN'
      GROUP BY u.local_date
    ), compared AS (
      SELECT d.local_date, d.units + d.standing AS value, ${r.actual} AS actual
      FROM days d JOIN energy_usage.daily_summary ds ON ds.date = d.local_date
      WHERE d.priced = d.slots AND d.standing IS NOT NULL AND ${r.known}
    )
    SELECT (SELECT count(*)::int FROM days) AS days_with_readings, count(*)::int AS days_compared,
      to_char(min(local_date), 'YYYY-MM-DD') AS first_compared, to_char(max(local_date), 'YYYY-MM-DD') AS last_compared,
      sum(value) AS value, sum(actual) AS actual
    FROM compared`, [tariff, from, to])
  return rows[0]
}

function noteOf (c: Omit<Candidate, 'note'>, from: string, to: string): string {
  if (c.days_with_readings === 0) return `no ${c.direction === 'EXPORT' ? 'export' : c.fuel} readings from ${from} to ${to}`
  if (c.days_compared === c.days_with_readings) return `compared over all ${c.days_compared} days with readings`
  const before = c.first_compared !== null && c.first_compared > from ? `no rates before ${c.first_compared}; ` : ''
  return `${before}compared over ${c.days_compared} of ${c.days_with_readings} days with readings`
}

/** Compares the asked candidates (family names or product codes) over from..to (dates, inclusive). */
export async function compareTariffs (deps: CompareDeps, from: string, to: string, names: readonly string[]): Promise<CompareResult> {
  const { pool, context } = deps
  const region = await regionOf(deps)
  const at = londonDay(to).startMs
  let listed: ListedProduct[] | undefined
  const candidates: Candidate[] = []
  for (const name of names) {
    const spec = specOf(name)
    const base = { name, label: spec.label, fuel: spec.fuel, direction: spec.direction }
    const empty = { days_with_readings: 0, days_compared: 0, first_compared: null, last_compared: null, value_inc_vat: 0, actual_inc_vat: 0, better_by: 0 }
    let product = spec.product
    if (spec.family !== undefined) {
      try {
        listed ??= await listProducts(context, at)
      } catch (err) {
        if (context.signal.aborted) throw err
        candidates.push({ ...base, ...empty, product: null, tariff_code: null, note: `not compared: the product list could not be fetched (${describeError(err)})` })
        continue
      }
      product = newestOf(spec.family, listed)
    }
    if (product === undefined) {
      candidates.push({ ...base, ...empty, product: null, tariff_code: null, note: `no ${spec.label} product on sale at ${to}` })
      continue
    }
    const tariff = tariffCodeOf(product, spec.fuel, region)
    try {
      const resolved = await context.tariffs?.resolve(tariff, at, context, product)
      if (resolved !== undefined && isUnpriced(resolved)) {
        candidates.push({ ...base, ...empty, product, tariff_code: tariff, note: `not compared: ${resolved.unpriced}` })
        continue
      }
      await ensurePrices(pool, tariff, product, from, to, context)
    } catch (err) {
      if (context.signal.aborted) throw err
      candidates.push({ ...base, ...empty, product, tariff_code: tariff, note: `not compared: its rates could not be fetched (${describeError(err)})` })
      continue
    }
    const priced = await priceReadings(pool, tariff, spec.fuel, spec.direction, from, to)
    const value = priced.value ?? 0
    const actual = priced.actual ?? 0
    const candidate = {
      ...base,
      product,
      tariff_code: tariff,
      days_with_readings: priced.days_with_readings,
      days_compared: priced.days_compared,
      first_compared: priced.first_compared,
      last_compared: priced.last_compared,
      value_inc_vat: value,
      actual_inc_vat: actual,
      better_by: spec.direction === 'EXPORT' ? value - actual : actual - value
    }
    candidates.push({ ...candidate, note: noteOf(candidate, from, to) })
  }
  const kind = (c: Candidate): number => c.fuel === 'gas' ? 2 : c.direction === 'EXPORT' ? 1 : 0
  // Best first: by saving per compared day, so a candidate compared over fewer days is not favoured.
  const perDay = (c: Candidate): number => c.days_compared === 0 ? -Infinity : c.better_by / c.days_compared
  candidates.sort((a, b) => kind(a) - kind(b) || perDay(b) - perDay(a))
  return { from, to, region, candidates }
}
