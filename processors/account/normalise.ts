import { asArray, asInstant, asObject, asText, malformed, MAX_TEXT } from '../ingest/normalise.ts'
import { TARIFF_CODE } from './agreements.ts'
import type { Account, Agreement, ElectricityMeterPoint, GasMeterPoint, Property } from './types.ts'

// The account answer is untrusted like every other: lists are bounded (a household has a few
// properties, meter points and meters, and a few dozen agreements over decades), every string
// is short text, every time a timestamp.

const SOURCE = 'account'
const MAX_ITEMS = { properties: 50, meterPoints: 20, meters: 20, agreements: 500 } as const
// Identifiers go into URL paths with the API key: digits and letters only, never '..' or '/'.
const MPAN = /^\d{13}$/
const MPRN = /^\d{6,15}$/
const SERIAL = /^[A-Za-z0-9]{1,32}$/
// Times the history can hold: Octopus agreements, moves and fetches, not year 1 or 9999 (a
// change spanning millennia would re-request every day in between).
const EARLIEST = Date.UTC(1990, 0, 1)
const LATEST = Date.UTC(2100, 0, 1)

function list (value: unknown, where: string, max: number): unknown[] {
  const items = value === undefined || value === null ? [] : asArray(value, SOURCE, where)
  if (items.length > max) throw malformed(SOURCE, `${where} has ${items.length} entries, more than ${max}`)
  return items
}

function instant (value: unknown, where: string): number {
  const ms = asInstant(value, SOURCE, where)
  if (ms < EARLIEST || ms >= LATEST) throw malformed(SOURCE, `${where} ${new Date(ms).toISOString()} is outside 1990..2100`)
  return ms
}

function optionalInstant (value: unknown, where: string): number | null {
  return value === null || value === undefined ? null : instant(value, where)
}

function identifier (value: unknown, where: string, pattern: RegExp, what: string): string {
  const text = asText(value, SOURCE, where, MAX_TEXT.meterPoint)
  if (!pattern.test(text)) throw malformed(SOURCE, `${where} "${text}" is not ${what}`)
  return text
}

function agreementsOf (value: unknown, where: string): Agreement[] {
  return list(value, where, MAX_ITEMS.agreements).map((entry, i): Agreement => {
    const a = asObject(entry, SOURCE, `${where}[${i}]`)
    const tariff = asText(a.tariff_code, SOURCE, `${where}[${i}].tariff_code`, MAX_TEXT.tariffCode)
    if (!TARIFF_CODE.test(tariff)) throw malformed(SOURCE, `${where}[${i}].tariff_code "${tariff}" is not a tariff code (E-1R-<product>-<region letter>)`)
    const agreement = { tariff_code: tariff, valid_from: instant(a.valid_from, `${where}[${i}].valid_from`), valid_to: optionalInstant(a.valid_to, `${where}[${i}].valid_to`) }
    if (agreement.valid_to !== null && agreement.valid_to <= agreement.valid_from) throw malformed(SOURCE, `${where}[${i}] ends before it starts`)
    return agreement
  }).sort((a, b) => a.valid_from - b.valid_from)
}

function metersOf (value: unknown, where: string): string[] {
  return list(value, where, MAX_ITEMS.meters).map((entry, i) => identifier(asObject(entry, SOURCE, `${where}[${i}]`).serial_number, `${where}[${i}].serial_number`, SERIAL, 'a meter serial (letters and digits)'))
}

function electricityPoint (entry: unknown, where: string): ElectricityMeterPoint {
  const p = asObject(entry, SOURCE, where)
  return {
    mpan: identifier(p.mpan, `${where}.mpan`, MPAN, 'an MPAN (13 digits)'),
    is_export: p.is_export === true,
    meters: metersOf(p.meters, `${where}.meters`),
    agreements: agreementsOf(p.agreements, `${where}.agreements`)
  }
}

function gasPoint (entry: unknown, where: string): GasMeterPoint {
  const p = asObject(entry, SOURCE, where)
  return {
    mprn: identifier(p.mprn, `${where}.mprn`, MPRN, 'an MPRN (6-15 digits)'),
    meters: metersOf(p.meters, `${where}.meters`),
    agreements: agreementsOf(p.agreements, `${where}.agreements`)
  }
}

function property (entry: unknown, where: string): Property {
  const p = asObject(entry, SOURCE, where)
  return {
    moved_in_at: optionalInstant(p.moved_in_at, `${where}.moved_in_at`),
    moved_out_at: optionalInstant(p.moved_out_at, `${where}.moved_out_at`),
    postcode: p.postcode === null || p.postcode === undefined ? null : asText(p.postcode, SOURCE, `${where}.postcode`, MAX_TEXT.postcode),
    electricity_meter_points: list(p.electricity_meter_points, `${where}.electricity_meter_points`, MAX_ITEMS.meterPoints)
      .map((point, i) => electricityPoint(point, `${where}.electricity_meter_points[${i}]`)),
    gas_meter_points: list(p.gas_meter_points, `${where}.gas_meter_points`, MAX_ITEMS.meterPoints)
      .map((point, i) => gasPoint(point, `${where}.gas_meter_points[${i}]`))
  }
}

/** Octopus `GET /v1/accounts/{number}/` → the account, properties in moved-in order. */
export function parseAccount (body: unknown, number: string, fetchedAt: number): Account {
  const answer = asObject(body, SOURCE, 'answer')
  const properties = list(answer.properties, 'properties', MAX_ITEMS.properties).map((p, i) => property(p, `properties[${i}]`))
  properties.sort((a, b) => (a.moved_in_at ?? -Infinity) - (b.moved_in_at ?? -Infinity))
  return { number, fetched_at: fetchedAt, properties }
}
