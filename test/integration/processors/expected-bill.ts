import assert from 'node:assert/strict'
import { londonDay, slotStarts } from '../../../lib/london-day.ts'
import { REAL_TARIFF_PRODUCTS } from '../../../sample-api/index.ts'
import type { SampleServer } from '../../pipeline.ts'

// The independent computation of a day's bill (DESIGN.md "The account") for the integration
// tests: from the sample API's HTTP answers, with this file's own reading of which meter point,
// meter and agreement is in force at each slot and where each tariff's rates are, never from the
// pipeline's code. A tariff's product is the fixture's own record (REAL_TARIFF_PRODUCTS), else
// the code without fuel, register and region; its rate links are its catalogue entry's, else
// (listed by no product) the conventional ones, day and night for a code with "2R".

export const ACCOUNT = 'A-1234ABCD'
const KEY = `Basic ${Buffer.from('sk_live_sample0000000000000000:').toString('base64')}`
/** The defaults: GAS_UNIT m3, GAS_CALORIFIC_VALUE 39.5, GAS_CARBON_G_PER_KWH 182.9. */
const CALORIFIC = 39.5
const GAS_CARBON = 182.9
/** Smart-meter Economy 7 (Octopus's help page): 00:30-07:30 UTC. */
const E7_NIGHT = { from: 30, to: 7 * 60 + 30, zone: 'UTC' }
/** Intelligent Octopus Go's off-peak: 23:30-05:30 UK clock. */
const IOG_NIGHT = { from: 23 * 60 + 30, to: 5 * 60 + 30, zone: 'London' }

export interface AnswerAgreement { tariff_code: string, valid_from: string, valid_to: string | null }
interface AnswerPoint { mpan?: string, mprn?: string, is_export?: boolean, meters: Array<{ serial_number: string }>, agreements: AnswerAgreement[] }
export interface AnswerProperty { moved_in_at: string | null, moved_out_at: string | null, electricity_meter_points: AnswerPoint[], gas_meter_points: AnswerPoint[] }
export interface Rate { valid_from: string, valid_to: string | null, value_inc_vat: number, value_exc_vat: number, payment_method?: string | null }
interface InForce { point: string, meters: string[], tariff: string }
type Kind = 'import' | 'export' | 'gas'

/** A sample API answer (with the API key, which the open endpoints ignore); must be 200. */
export async function answer<T> (url: string): Promise<T> {
  const res = await fetch(url, { headers: { authorization: KEY } })
  assert.equal(res.status, 200, url)
  return await res.json() as T
}

/** Every result of a paged Octopus list. */
export async function allResults<T> (url: string): Promise<T[]> {
  const results: T[] = []
  for (let next: string | null = url; next !== null;) {
    const page: { results: T[], next: string | null } = await answer(next)
    results.push(...page.results)
    next = page.next
  }
  return results
}

/** Whether [from, to) (null: open) covers the instant. */
export const covers = (from: string | null, to: string | null, ms: number): boolean => (from === null || Date.parse(from) <= ms) && (to === null || ms < Date.parse(to))

/** Clock minute of an instant on UTC or on the London clock (the answers' own offsets). */
function minuteOf (ms: number, zone: string): number {
  const text = new Date(ms).toLocaleString('en-GB', { timeZone: zone === 'UTC' ? 'UTC' : 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
  const [h, m] = text.split(':').map(Number)
  return h * 60 + m
}

function inWindow (ms: number, w: { from: number, to: number, zone: string }): boolean {
  const m = minuteOf(ms, w.zone)
  return w.from < w.to ? m >= w.from && m < w.to : m >= w.from || m < w.to
}

interface Links { standard?: string, day?: string, night?: string, standing: string, product: string }

/** What is in force at a slot and what it read, from the sample API's answers for one London day. */
interface DayAnswers {
  inForce (kind: Kind, ms: number): InForce | undefined
  reading (kind: Kind, f: InForce, ms: number): Promise<{ consumption: number, serial: string } | undefined>
  /** The unit rate of a slot (the register of its window, for day/night tariffs), or undefined when none is listed. */
  unitRate (fuel: 'electricity' | 'gas', tariff: string, ms: number): Promise<Rate | undefined>
  standingCharge (fuel: 'electricity' | 'gas', tariff: string, ms: number): Promise<Rate>
}

async function dayAnswers (sample: SampleServer, day: ReturnType<typeof londonDay>, method: 'DIRECT_DEBIT' | 'NON_DIRECT_DEBIT', account: string): Promise<DayAnswers> {
  const window = `period_from=${new Date(day.startMs).toISOString()}&period_to=${new Date(day.endMs).toISOString()}`
  const answered: { properties: AnswerProperty[] } = await answer(`${sample.octopusApiUrl}/accounts/${account}/`)
  const inForce = (kind: Kind, ms: number): InForce | undefined => {
    let found: (InForce & { from: number }) | undefined
    for (const p of answered.properties) {
      if (!covers(p.moved_in_at, p.moved_out_at, ms)) continue
      const points = kind === 'gas' ? p.gas_meter_points : p.electricity_meter_points.filter(e => (e.is_export === true) === (kind === 'export'))
      for (const point of points) {
        for (const a of point.agreements) {
          if (covers(a.valid_from, a.valid_to, ms) && (found === undefined || Date.parse(a.valid_from) >= found.from)) {
            found = { point: (point.mpan ?? point.mprn) as string, meters: point.meters.map(m => m.serial_number), tariff: a.tariff_code, from: Date.parse(a.valid_from) }
          }
        }
      }
    }
    return found
  }
  const cache = new Map<string, Promise<unknown[]>>()
  const cached = <T>(url: string, missing: 'empty' | 'fail' = 'fail'): Promise<T[]> => {
    if (!cache.has(url)) {
      cache.set(url, (async () => {
        // A meter the API does not know answers 404: it has no readings.
        if (missing === 'empty' && (await fetch(url, { headers: { authorization: KEY } })).status === 404) return []
        return await allResults(url)
      })())
    }
    return cache.get(url) as Promise<T[]>
  }
  const reading = async (kind: Kind, f: InForce, ms: number): Promise<{ consumption: number, serial: string } | undefined> => {
    for (const serial of f.meters) {
      const list = await cached<{ consumption: number, interval_start: string }>(
        `${sample.octopusApiUrl}/${kind === 'gas' ? 'gas' : 'electricity'}-meter-points/${f.point}/meters/${serial}/consumption/?${window}&page_size=25000`, 'empty')
      const r = list.find(x => Date.parse(x.interval_start) === ms)
      if (r !== undefined) return { consumption: r.consumption, serial }
    }
    return undefined
  }
  const links = new Map<string, Promise<Links>>()
  const linksOf = (fuel: 'electricity' | 'gas', tariff: string): Promise<Links> => {
    if (!links.has(tariff)) {
      links.set(tariff, (async () => {
        const product = REAL_TARIFF_PRODUCTS[tariff] ?? tariff.replace(/^[EG]-[0-9A-Z]+-/, '').slice(0, -2)
        const detail: Record<string, unknown> = await answer(`${sample.octopusApiUrl}/products/${product}/`)
        for (const [map, regions] of Object.entries(detail)) {
          if (!map.endsWith('_tariffs')) continue
          for (const methods of Object.values(regions as Record<string, Record<string, { code: string, links: Array<{ rel: string, href: string }> }>>)) {
            for (const entry of Object.values(methods)) {
              if (entry.code !== tariff) continue
              const rel = (name: string): string | undefined => entry.links.find(l => l.rel === name)?.href
              return { product, standard: rel('standard_unit_rates'), day: rel('day_unit_rates'), night: rel('night_unit_rates'), standing: rel('standing_charges') as string }
            }
          }
        }
        const base = `${sample.octopusApiUrl}/products/${product}/${fuel}-tariffs/${tariff}`
        return tariff.includes('2R-')
          ? { product, day: `${base}/day-unit-rates/`, night: `${base}/night-unit-rates/`, standing: `${base}/standing-charges/` }
          : { product, standard: `${base}/standard-unit-rates/`, standing: `${base}/standing-charges/` }
      })())
    }
    return links.get(tariff) as Promise<Links>
  }
  const listed = async (url: string, ms: number): Promise<Rate | undefined> => {
    const rates = await cached<Rate>(`${url}?${window}&page_size=1500`)
    return rates.find(r => (r.payment_method === null || r.payment_method === undefined || r.payment_method === method) && covers(r.valid_from, r.valid_to, ms))
  }
  const unitRate = async (fuel: 'electricity' | 'gas', tariff: string, ms: number): Promise<Rate | undefined> => {
    const l = await linksOf(fuel, tariff)
    if (l.day !== undefined && l.night !== undefined) return await listed(inWindow(ms, l.product.startsWith('IOG-') ? IOG_NIGHT : E7_NIGHT) ? l.night : l.day, ms)
    return await listed(l.standard as string, ms)
  }
  const standingCharge = async (fuel: 'electricity' | 'gas', tariff: string, ms: number): Promise<Rate> => {
    const rate = await listed((await linksOf(fuel, tariff)).standing, ms)
    assert.ok(rate !== undefined, `${tariff} standing charge at ${new Date(ms).toISOString()}`)
    return rate
  }
  return { inForce, reading, unitRate, standingCharge }
}

export interface ExpectOptions {
  method?: 'DIRECT_DEBIT' | 'NON_DIRECT_DEBIT'
  account?: string
  /** Gas meters' units by serial (GAS_METER_UNITS); others m³. */
  gasUnits?: Record<string, 'm3' | 'kWh'>
}

/** The import meter's kWh per slot of a London date (slot start → kWh), from the account's answers alone. */
export async function expectedImportUsage (sample: SampleServer, date: string, account = ACCOUNT): Promise<Map<number, number>> {
  const day = londonDay(date)
  const { inForce, reading } = await dayAnswers(sample, day, 'DIRECT_DEBIT', account)
  const usage = new Map<number, number>()
  for (const ms of slotStarts(day)) usage.set(ms, (await reading('import', inForce('import', ms) as InForce, ms))?.consumption as number)
  return usage
}

/** The unit rate of every slot of a date priced by the import agreement in force (slot start → p/kWh inc and exc VAT, the standing charge). */
export async function expectedImportRates (sample: SampleServer, date: string, options: ExpectOptions = {}): Promise<Map<number, [number, number, number, number]>> {
  const day = londonDay(date)
  const { inForce, unitRate, standingCharge } = await dayAnswers(sample, day, options.method ?? 'DIRECT_DEBIT', options.account ?? ACCOUNT)
  const rates = new Map<number, [number, number, number, number]>()
  for (const ms of slotStarts(day)) {
    const imp = inForce('import', ms)
    const p = imp === undefined ? undefined : await unitRate('electricity', imp.tariff, ms)
    if (imp === undefined || p === undefined) continue
    const s = await standingCharge('electricity', imp.tariff, ms)
    rates.set(ms, [p.value_inc_vat, p.value_exc_vat, s.value_inc_vat, s.value_exc_vat])
  }
  return rates
}

/**
 * The bill figures of a London date from the sample API's answers alone: the account, every
 * meter's readings (the first meter listed with a reading wins; a meter answering 404 has none),
 * every tariff's rates. A slot without a reading adds nothing; the standing charges are owed for
 * every day an agreement is in force, readings or not.
 */
export async function expectedDay (sample: SampleServer, date: string, options: ExpectOptions = {}): Promise<Record<string, number | string | null>> {
  const day = londonDay(date)
  const { inForce, reading, unitRate, standingCharge } = await dayAnswers(sample, day, options.method ?? 'DIRECT_DEBIT', options.account ?? ACCOUNT)
  const f = { kwh: 0, cost_inc_vat: 0, cost_exc_vat: 0, export_kwh: 0, export_value: 0, gas_kwh: 0, gas_cost_inc_vat: 0, gas_cost_exc_vat: 0, gas_carbon_g: 0 }
  let gasStanding = { value_inc_vat: 0, value_exc_vat: 0 }
  let gasStandingFound = false
  for (const ms of slotStarts(day)) {
    const imp = inForce('import', ms) as InForce
    const u = await reading('import', imp, ms)
    if (u !== undefined) {
      const p = await unitRate('electricity', imp.tariff, ms) as Rate
      f.kwh += u.consumption
      f.cost_inc_vat += u.consumption * p.value_inc_vat
      f.cost_exc_vat += u.consumption * p.value_exc_vat
    }
    const exp = inForce('export', ms)
    const e = exp === undefined ? undefined : await reading('export', exp, ms)
    if (exp !== undefined && e !== undefined) {
      f.export_kwh += e.consumption
      f.export_value += e.consumption * (await unitRate('electricity', exp.tariff, ms) as Rate).value_exc_vat
    }
    const gas = inForce('gas', ms)
    if (gas === undefined) continue
    if (!gasStandingFound) {
      gasStanding = await standingCharge('gas', gas.tariff, ms)
      gasStandingFound = true
    }
    const g = await reading('gas', gas, ms)
    if (g === undefined) continue
    const kwh = (options.gasUnits?.[g.serial] ?? 'm3') === 'kWh' ? g.consumption : g.consumption * 1.02264 * CALORIFIC / 3.6
    const rate = await unitRate('gas', gas.tariff, ms) as Rate
    f.gas_kwh += kwh
    f.gas_cost_inc_vat += kwh * rate.value_inc_vat
    f.gas_cost_exc_vat += kwh * rate.value_exc_vat
    f.gas_carbon_g += kwh * GAS_CARBON
  }
  const imp = inForce('import', day.startMs) as InForce
  const standing = await standingCharge('electricity', imp.tariff, day.startMs)
  return {
    ...f,
    import_tariff_code: imp.tariff,
    standing_charge_inc_vat: standing.value_inc_vat,
    standing_charge_exc_vat: standing.value_exc_vat,
    gas_standing_charge_inc_vat: gasStanding.value_inc_vat,
    gas_standing_charge_exc_vat: gasStanding.value_exc_vat,
    bill_inc_vat: f.cost_inc_vat + standing.value_inc_vat + f.gas_cost_inc_vat + gasStanding.value_inc_vat - f.export_value
  }
}

/** The daily_summary columns of the bill, compared figure by figure. */
export const FIGURES = ['kwh', 'cost_inc_vat', 'cost_exc_vat', 'import_tariff_code', 'standing_charge_inc_vat', 'standing_charge_exc_vat', 'export_kwh', 'export_value',
  'gas_kwh', 'gas_cost_inc_vat', 'gas_cost_exc_vat', 'gas_standing_charge_inc_vat', 'gas_standing_charge_exc_vat', 'gas_carbon_g', 'bill_inc_vat']
