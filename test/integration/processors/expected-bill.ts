import assert from 'node:assert/strict'
import { londonDay, slotStarts } from '../../../lib/london-day.ts'
import type { SampleServer } from '../../pipeline.ts'

// The independent computation of a day's bill (DESIGN.md "The account") for the integration
// tests: from the sample API's HTTP answers, with this file's own reading of which meter point,
// meter and agreement is in force at each slot, never from the pipeline's code.

export const ACCOUNT = 'A-1234ABCD'
const KEY = `Basic ${Buffer.from('sk_live_sample0000000000000000:').toString('base64')}`
/** The defaults: GAS_UNIT m3, GAS_CALORIFIC_VALUE 39.5, GAS_CARBON_G_PER_KWH 182.9, TWO_RATE_NIGHT 00:30-07:30. */
const CALORIFIC = 39.5
const GAS_CARBON = 182.9
const NIGHT = { from: 30, to: 7 * 60 + 30 }

export interface AnswerAgreement { tariff_code: string, valid_from: string, valid_to: string | null }
interface AnswerPoint { mpan?: string, mprn?: string, is_export?: boolean, meters: Array<{ serial_number: string }>, agreements: AnswerAgreement[] }
export interface AnswerProperty { moved_in_at: string | null, moved_out_at: string | null, electricity_meter_points: AnswerPoint[], gas_meter_points: AnswerPoint[] }
export interface Rate { valid_from: string, valid_to: string | null, value_inc_vat: number, value_exc_vat: number, payment_method?: string | null }
interface InForce { point: string, meters: string[], tariff: string }

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

/** London clock minute of an instant, from the UTC offset the answers' own timestamps show. */
function localMinute (ms: number): number {
  const text = new Date(ms).toLocaleString('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
  const [h, m] = text.split(':').map(Number)
  return h * 60 + m
}

/** What is in force at a slot and what it read, from the sample API's answers for one London day. */
interface DayAnswers {
  inForce (kind: 'import' | 'export' | 'gas', ms: number): InForce | undefined
  reading (kind: 'import' | 'export' | 'gas', f: InForce, ms: number): Promise<number | undefined>
  rateOf (fuel: 'electricity' | 'gas', tariff: string, list: string, ms: number): Promise<Rate>
}

async function dayAnswers (sample: SampleServer, day: ReturnType<typeof londonDay>, method: 'DIRECT_DEBIT' | 'NON_DIRECT_DEBIT'): Promise<DayAnswers> {
  const window = `period_from=${new Date(day.startMs).toISOString()}&period_to=${new Date(day.endMs).toISOString()}`
  const account: { properties: AnswerProperty[] } = await answer(`${sample.octopusApiUrl}/accounts/${ACCOUNT}/`)
  const inForce = (kind: 'import' | 'export' | 'gas', ms: number): InForce | undefined => {
    let found: (InForce & { from: number }) | undefined
    for (const p of account.properties) {
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
  const cached = <T>(url: string): Promise<T[]> => {
    if (!cache.has(url)) cache.set(url, allResults(url))
    return cache.get(url) as Promise<T[]>
  }
  const reading = async (kind: 'import' | 'export' | 'gas', f: InForce, ms: number): Promise<number | undefined> => {
    for (const serial of f.meters) {
      const list = await cached<{ consumption: number, interval_start: string }>(
        `${sample.octopusApiUrl}/${kind === 'gas' ? 'gas' : 'electricity'}-meter-points/${f.point}/meters/${serial}/consumption/?${window}&page_size=25000`)
      const r = list.find(x => Date.parse(x.interval_start) === ms)
      if (r !== undefined) return r.consumption
    }
    return undefined
  }
  const rateOf = async (fuel: 'electricity' | 'gas', tariff: string, list: string, ms: number): Promise<Rate> => {
    const rates = await cached<Rate>(`${sample.octopusApiUrl}/products/${tariff.slice(5, -2)}/${fuel}-tariffs/${tariff}/${list}/?${window}&page_size=1500`)
    const rate = rates.find(r => (r.payment_method === null || r.payment_method === undefined || r.payment_method === method) && covers(r.valid_from, r.valid_to, ms))
    assert.ok(rate !== undefined, `${tariff} ${list} at ${new Date(ms).toISOString()}`)
    return rate
  }
  return { inForce, reading, rateOf }
}

/** The import meter's kWh per slot of a London date (slot start → kWh), from the account's answers alone. */
export async function expectedImportUsage (sample: SampleServer, date: string): Promise<Map<number, number>> {
  const day = londonDay(date)
  const { inForce, reading } = await dayAnswers(sample, day, 'DIRECT_DEBIT')
  const usage = new Map<number, number>()
  for (const ms of slotStarts(day)) usage.set(ms, await reading('import', inForce('import', ms) as InForce, ms) as number)
  return usage
}

/**
 * The bill figures of a London date from the sample API's answers alone: the account, every
 * meter's readings (the first meter listed with a reading wins), every tariff's rates.
 */
export async function expectedDay (sample: SampleServer, date: string, method: 'DIRECT_DEBIT' | 'NON_DIRECT_DEBIT' = 'DIRECT_DEBIT'): Promise<Record<string, number | string | null>> {
  const day = londonDay(date)
  const { inForce, reading, rateOf } = await dayAnswers(sample, day, method)
  const f = { kwh: 0, cost_inc_vat: 0, cost_exc_vat: 0, export_kwh: 0, export_value: 0, gas_kwh: 0, gas_cost_inc_vat: 0, gas_cost_exc_vat: 0, gas_carbon_g: 0 }
  for (const ms of slotStarts(day)) {
    const imp = inForce('import', ms) as InForce
    const u = await reading('import', imp, ms) as number
    const list = imp.tariff.startsWith('E-2R-') ? (localMinute(ms) >= NIGHT.from && localMinute(ms) < NIGHT.to ? 'night-unit-rates' : 'day-unit-rates') : 'standard-unit-rates'
    const p = await rateOf('electricity', imp.tariff, list, ms)
    f.kwh += u
    f.cost_inc_vat += u * p.value_inc_vat
    f.cost_exc_vat += u * p.value_exc_vat
    const exp = inForce('export', ms)
    if (exp !== undefined) {
      const e = await reading('export', exp, ms) as number
      f.export_kwh += e
      f.export_value += e * (await rateOf('electricity', exp.tariff, 'standard-unit-rates', ms)).value_exc_vat
    }
    const gas = inForce('gas', ms)
    if (gas !== undefined) {
      const kwh = (await reading('gas', gas, ms) as number) * 1.02264 * CALORIFIC / 3.6
      const g = await rateOf('gas', gas.tariff, 'standard-unit-rates', ms)
      f.gas_kwh += kwh
      f.gas_cost_inc_vat += kwh * g.value_inc_vat
      f.gas_cost_exc_vat += kwh * g.value_exc_vat
      f.gas_carbon_g += kwh * GAS_CARBON
    }
  }
  const imp = inForce('import', day.startMs) as InForce
  const standing = await rateOf('electricity', imp.tariff, 'standing-charges', day.startMs)
  const gas = inForce('gas', day.startMs)
  const gasStanding = gas === undefined ? { value_inc_vat: 0, value_exc_vat: 0 } : await rateOf('gas', gas.tariff, 'standing-charges', day.startMs)
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
