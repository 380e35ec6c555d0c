import { asArray, asInstant, asObject, asText, malformed, MAX_TEXT } from '../../lib/answer.ts'
import { isEnergyError } from '../../lib/errors.ts'
import { getJson, httpSettings } from '../../lib/http.ts'
import type { ClientContext } from '../types.ts'
import { octopusAuthorization } from './pages.ts'
import type { Account, Agreement, ElectricityMeterPoint, GasMeterPoint, Property } from './types.ts'

// The account answer is untrusted like every other: lists are bounded (a household has a few
// properties, meter points and meters, and a few dozen agreements over decades), every string
// is short text, every time a timestamp. One bad entry costs itself only: an agreement, meter,
// meter point or property that cannot be used is left out with a problem naming it (logged and
// dead-lettered by the refresh), never the whole account. Tariff codes of any shape are kept
// (E-FLAT2R-…, V2G-EXPORT-…, legacy E1R-…): the catalogue says whether one can be priced.

const SOURCE = 'account'
const MAX_ITEMS = { properties: 50, meterPoints: 20, meters: 20, agreements: 500 } as const
// Identifiers go into URL paths with the API key: letters, digits, '-', '_', '.', starting with a
// letter or digit (so never '..' or '/'), bounded. Real ones: 13-digit MPANs, 6-10 digit MPRNs,
// serials like 21L4381884 or E6S12345678961, but nothing promises those shapes.
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]*$/
// Times the history can hold: Octopus agreements, moves and fetches, not year 1 or 9999 (a
// change spanning millennia would re-request every day in between).
const EARLIEST = Date.UTC(1990, 0, 1)
const LATEST = Date.UTC(2100, 0, 1)

/** The account, and what was left out of it and why (one line each). */
export interface ParsedAccount { account: Account, problems: string[] }

function list (value: unknown, where: string, max: number): unknown[] {
  const items = value === undefined || value === null ? [] : asArray(value, SOURCE, where)
  if (items.length > max) throw malformed(SOURCE, `${where} has ${items.length} entries, more than ${max}`)
  return items
}

/** The entries that parse; each one that does not is a problem, and left out. */
function each<T> (items: unknown[], where: string, problems: string[], parse: (entry: unknown, where: string) => T): T[] {
  return items.flatMap((entry, i) => {
    try {
      return [parse(entry, `${where}[${i}]`)]
    } catch (err) {
      if (!isEnergyError(err, 'ENERGY_MALFORMED')) throw err
      problems.push(`${err.message.replace(/^account answer is malformed: /, '')}: left out`)
      return []
    }
  })
}

function instant (value: unknown, where: string): number {
  const ms = asInstant(value, SOURCE, where)
  if (ms < EARLIEST || ms >= LATEST) throw malformed(SOURCE, `${where} ${new Date(ms).toISOString()} is outside 1990..2100`)
  return ms
}

function optionalInstant (value: unknown, where: string): number | null {
  return value === null || value === undefined ? null : instant(value, where)
}

function identifier (value: unknown, where: string, max: number): string {
  const text = asText(value, SOURCE, where, max)
  if (!IDENTIFIER.test(text)) throw malformed(SOURCE, `${where} "${text}" may hold letters, digits, '-', '_' and '.' only`)
  return text
}

function agreement (entry: unknown, where: string): Agreement {
  const a = asObject(entry, SOURCE, where)
  const parsed = { tariff_code: asText(a.tariff_code, SOURCE, `${where}.tariff_code`, MAX_TEXT.tariffCode), valid_from: instant(a.valid_from, `${where}.valid_from`), valid_to: optionalInstant(a.valid_to, `${where}.valid_to`) }
  if (parsed.valid_to !== null && parsed.valid_to <= parsed.valid_from) throw malformed(SOURCE, `${where} ends before it starts`)
  return parsed
}

function agreementsOf (value: unknown, where: string, problems: string[]): Agreement[] {
  return each(list(value, where, MAX_ITEMS.agreements), where, problems, agreement).sort((a, b) => a.valid_from - b.valid_from)
}

function metersOf (value: unknown, where: string, problems: string[]): string[] {
  return each(list(value, where, MAX_ITEMS.meters), where, problems, (entry, at) => identifier(asObject(entry, SOURCE, at).serial_number, `${at}.serial_number`, MAX_TEXT.serial))
}

function electricityPoint (entry: unknown, where: string, problems: string[]): ElectricityMeterPoint {
  const p = asObject(entry, SOURCE, where)
  return {
    mpan: identifier(p.mpan, `${where}.mpan`, MAX_TEXT.meterPoint),
    is_export: p.is_export === true,
    meters: metersOf(p.meters, `${where}.meters`, problems),
    agreements: agreementsOf(p.agreements, `${where}.agreements`, problems)
  }
}

function gasPoint (entry: unknown, where: string, problems: string[]): GasMeterPoint {
  const p = asObject(entry, SOURCE, where)
  return {
    mprn: identifier(p.mprn, `${where}.mprn`, MAX_TEXT.meterPoint),
    meters: metersOf(p.meters, `${where}.meters`, problems),
    agreements: agreementsOf(p.agreements, `${where}.agreements`, problems)
  }
}

function property (entry: unknown, where: string, problems: string[]): Property {
  const p = asObject(entry, SOURCE, where)
  return {
    moved_in_at: optionalInstant(p.moved_in_at, `${where}.moved_in_at`),
    moved_out_at: optionalInstant(p.moved_out_at, `${where}.moved_out_at`),
    postcode: p.postcode === null || p.postcode === undefined ? null : asText(p.postcode, SOURCE, `${where}.postcode`, MAX_TEXT.postcode),
    electricity_meter_points: each(list(p.electricity_meter_points, `${where}.electricity_meter_points`, MAX_ITEMS.meterPoints),
      `${where}.electricity_meter_points`, problems, (point, at) => electricityPoint(point, at, problems)),
    gas_meter_points: each(list(p.gas_meter_points, `${where}.gas_meter_points`, MAX_ITEMS.meterPoints),
      `${where}.gas_meter_points`, problems, (point, at) => gasPoint(point, at, problems))
  }
}

/** Octopus `GET /v1/accounts/{number}/` → the account, properties in moved-in order, and what was left out. */
export function parseAccount (body: unknown, number: string, fetchedAt: number): ParsedAccount {
  const answer = asObject(body, SOURCE, 'answer')
  const problems: string[] = []
  const properties = each(list(answer.properties, 'properties', MAX_ITEMS.properties), 'properties', problems, (p, at) => property(p, at, problems))
  properties.sort((a, b) => (a.moved_in_at ?? -Infinity) - (b.moved_in_at ?? -Infinity))
  return { account: { number, fetched_at: fetchedAt, properties }, problems }
}

/** GET /v1/accounts/{OCTOPUS_ACCOUNT}/, normalised, with what was left out of it. */
export async function fetchAccount ({ config, log }: Pick<ClientContext, 'config' | 'log'>, signal?: AbortSignal): Promise<ParsedAccount> {
  const body = await getJson(`${config.octopusApiUrl}/accounts/${encodeURIComponent(config.octopusAccount)}/`, {
    ...httpSettings(config), log, signal, headers: octopusAuthorization(config), authHint: 'check OCTOPUS_API_KEY and OCTOPUS_ACCOUNT'
  })
  return parseAccount(body, config.octopusAccount, Date.now())
}
