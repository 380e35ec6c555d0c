import { asArray, asBounded, asInstant, asObject, asText, malformed, MAX_TEXT } from '../../lib/answer.ts'
import type { GasUnit } from '../../lib/config.ts'
import type { ClientContext } from '../types.ts'
import { krakenQuery } from './graphql.ts'

// What the pipeline reads of Octopus's GraphQL API (clients/octopus/graphql.ts runs the
// queries): the account's smart devices, their planned and completed dispatches, half-hourly
// measurements with Octopus's own cost statistics, and the facts REST does not give (gas
// meters' units). Every answer is checked like a REST one (lib/answer.ts): bounded lists,
// finite numbers in physical bounds, short strings without control characters.

const SOURCE = 'octopus graphql'
const MAX_ITEMS = 2000
const MAX_LABEL = 64
// A dispatch is at most a day long and moves at most ~22 kW × 24 h; a statistic's cost is pence.
const DISPATCH_KWH = { min: -1000, max: 1000 }
const COST_PENCE = { min: -100000, max: 100000 }
// Kraken's `first` must be below 100 (Octopus's API basics guide).
const PAGE_SIZE = 96
const MAX_PAGES = 400

export interface Device {
  id: string
  /** Kraken's KrakenFlexDeviceTypes, e.g. ELECTRIC_VEHICLES, CHARGE_POINTS, BATTERIES. */
  deviceType: string
  provider: string | null
  name: string | null
  /** status.current as given, e.g. LIVE; null when not given. */
  status: string | null
}

export interface Dispatch {
  deviceId: string
  /** UTC ms. */
  start: number
  end: number
  /** Energy into the device, kWh (Kraken's delta is negative for a charge; this is its opposite). */
  kwh: number
  /** As Octopus gives it: 'smart-charge', 'bump-charge', … (null when absent). */
  source: string | null
  /** As Octopus gives it, e.g. 'AT_HOME'; null when absent. */
  location: string | null
}

export interface Dispatches {
  planned: Dispatch[]
  /** Octopus keeps them about 12 hours, then they vanish from the answer. */
  completed: Dispatch[]
}

export interface Statistic {
  label: string | null
  /** CONSUMPTION_COST, STANDING_CHARGE_COST, … as given; unknown ones are kept. */
  type: string | null
  /** costInclTax.estimatedAmount: pence, VAT included; null when not given. */
  costIncTaxPence: number | null
  value: number | null
}

export interface Measurement {
  /** UTC ms. */
  start: number
  end: number
  /** The reading: kWh, or m³ for a gas meter that reads m³ (`unit` says which). */
  kwh: number
  unit: string
  statistics: Statistic[]
}

export interface MeasurementQuery {
  /** MPAN (13 digits, electricity) or MPRN (gas). */
  mpxn: string
  /** The meter the caller files the readings under (Kraken selects by meter point). */
  serial: string
  /** UTC ms, [from, to). */
  from: number
  to: number
}

export interface AccountFacts {
  /**
   * Each gas meter's consumptionUnits by serial, as the pipeline names them: 'm3' (Kraken's
   * 'm³') or 'kWh'. A meter whose consumptionUnits is null (Kraken: "the units of consumption
   * for a smart meter", so a dumb meter has none) is not listed.
   */
  gasMeterUnits: Record<string, GasUnit>
  agreements: Array<{ mpxn: string, fuel: 'electricity' | 'gas', tariffCode: string, validFrom: number, validTo: number | null }>
}

/** The payment method Octopus's REST rates are listed by (`payment_method` of a unit rate). */
export type PaymentMethod = 'DIRECT_DEBIT' | 'NON_DIRECT_DEBIT'

const DEVICES_QUERY = `query Devices($accountNumber: String!) {
  devices(accountNumber: $accountNumber) { id name deviceType provider status { current } }
}`

/** The account's smart devices (an EV, a charge point, a battery). */
export async function fetchDevices (ctx: ClientContext, account: string): Promise<Device[]> {
  const data = await krakenQuery(ctx, { query: DEVICES_QUERY, variables: { accountNumber: account }, what: `devices of ${account}` })
  return parseDevices(data)
}

export function parseDevices (data: Record<string, unknown>): Device[] {
  return list(data.devices ?? [], 'devices').map((item, i) => {
    const d = asObject(item, SOURCE, `devices[${i}]`)
    const status = d.status === null || d.status === undefined ? null : asObject(d.status, SOURCE, `devices[${i}].status`).current
    return {
      id: asText(d.id, SOURCE, `devices[${i}].id`, MAX_LABEL),
      deviceType: asText(d.deviceType, SOURCE, `devices[${i}].deviceType`, MAX_LABEL),
      provider: optionalText(d.provider, `devices[${i}].provider`),
      name: optionalText(d.name, `devices[${i}].name`),
      status: optionalText(status, `devices[${i}].status.current`)
    }
  })
}

const DISPATCHES_QUERY = `query Dispatches($accountNumber: String!, $deviceId: String!) {
  flexPlannedDispatches(deviceId: $deviceId) { start end type energyAddedKwh }
  completedDispatches(accountNumber: $accountNumber) { start end delta meta { source location } }
}`

const DISPATCHING = new Set(['ELECTRIC_VEHICLES', 'CHARGE_POINTS'])

/**
 * Planned (flexPlannedDispatches of the device) and completed dispatches (completedDispatches
 * of the account: Kraken does not say which device; they are filed under `deviceId`). Without
 * `deviceId`, the account's first EV or charge point; none: no dispatches.
 */
export async function fetchDispatches (ctx: ClientContext, account: string, deviceId?: string): Promise<Dispatches> {
  const id = deviceId ?? (await fetchDevices(ctx, account)).find(d => DISPATCHING.has(d.deviceType))?.id
  if (id === undefined) return { planned: [], completed: [] }
  const data = await krakenQuery(ctx, { query: DISPATCHES_QUERY, variables: { accountNumber: account, deviceId: id }, what: `dispatches of ${account}` })
  return parseDispatches(data, id)
}

// flexPlannedDispatches' type → the source names completedDispatches uses.
const FLEX_TYPES: Record<string, string> = { SMART: 'smart-charge', BOOST: 'bump-charge', TEST: 'test' }

export function parseDispatches (data: Record<string, unknown>, deviceId: string): Dispatches {
  const planned = list(data.flexPlannedDispatches ?? [], 'flexPlannedDispatches').map((item, i) => {
    const where = `flexPlannedDispatches[${i}]`
    const d = asObject(item, SOURCE, where)
    const type = optionalText(d.type, `${where}.type`)
    return {
      deviceId,
      ...span(d, where),
      kwh: decimal(d.energyAddedKwh, `${where}.energyAddedKwh`, DISPATCH_KWH) ?? 0,
      source: type === null ? null : FLEX_TYPES[type] ?? type,
      location: null
    }
  })
  const completed = list(data.completedDispatches ?? [], 'completedDispatches').map((item, i) => {
    const where = `completedDispatches[${i}]`
    const d = asObject(item, SOURCE, where)
    const meta = d.meta === null || d.meta === undefined ? {} : asObject(d.meta, SOURCE, `${where}.meta`)
    const delta = decimal(d.delta, `${where}.delta`, DISPATCH_KWH) ?? 0
    return {
      deviceId,
      ...span(d, where),
      kwh: delta === 0 ? 0 : -delta,
      source: optionalText(meta.source, `${where}.meta.source`),
      location: optionalText(meta.location, `${where}.meta.location`)
    }
  })
  const byStart = (a: Dispatch, b: Dispatch): number => a.start - b.start
  return { planned: planned.sort(byStart), completed: completed.sort(byStart) }
}

const MEASUREMENTS_QUERY = (fuel: 'electricity' | 'gas'): string => `query Measurements($accountNumber: String!, $mpxn: String!, $startAt: DateTime!, $endAt: DateTime!, $first: Int!, $after: String) {
  account(accountNumber: $accountNumber) {
    properties {
      measurements(first: $first, after: $after, startAt: $startAt, endAt: $endAt,
        utilityFilters: [{${fuel}Filters: {readingFrequencyType: HALF_HOURLY, marketSupplyPointId: $mpxn}}]) {
        edges { node { value unit ... on IntervalMeasurementType { startAt endAt }
          metaData { statistics { label type value costInclTax { estimatedAmount costCurrency } } } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`

/** Half-hourly measurements of a meter point over [from, to), with Octopus's cost statistics, in time order. */
export async function fetchMeasurements (ctx: ClientContext, account: string, query: MeasurementQuery): Promise<Measurement[]> {
  const fuel = /^\d{13}$/.test(query.mpxn) ? 'electricity' : 'gas'
  const out: Measurement[] = []
  let after: string | null = null
  for (let page = 0; ; page++) {
    if (page >= MAX_PAGES) throw malformed(SOURCE, `measurements of ${query.mpxn} run to more than ${MAX_PAGES} pages`)
    const data = await krakenQuery(ctx, {
      query: MEASUREMENTS_QUERY(fuel),
      variables: { accountNumber: account, mpxn: query.mpxn, startAt: new Date(query.from).toISOString(), endAt: new Date(query.to).toISOString(), first: PAGE_SIZE, after },
      what: `measurements of ${query.mpxn}`
    })
    const { measurements, next } = parseMeasurementsPage(data)
    out.push(...measurements.filter(m => m.start >= query.from && m.start < query.to))
    if (next === null) break
    if (next === after) throw malformed(SOURCE, `measurements of ${query.mpxn} repeat the cursor ${JSON.stringify(next)}`)
    after = next
  }
  const seen = new Set<number>()
  return out.sort((a, b) => a.start - b.start).filter(m => !seen.has(m.start) && seen.add(m.start) !== undefined)
}

/** One page's measurements across the account's properties, and the next cursor (null: none). */
export function parseMeasurementsPage (data: Record<string, unknown>): { measurements: Measurement[], next: string | null } {
  const account = asObject(data.account, SOURCE, 'account')
  const measurements: Measurement[] = []
  let next: string | null = null
  list(account.properties ?? [], 'account.properties').forEach((item, p) => {
    const property = asObject(item, SOURCE, `properties[${p}]`)
    if (property.measurements === null || property.measurements === undefined) return
    const connection = asObject(property.measurements, SOURCE, `properties[${p}].measurements`)
    const edges = list(connection.edges, `properties[${p}].measurements.edges`)
    edges.forEach((edge, i) => measurements.push(parseMeasurement(asObject(asObject(edge, SOURCE, `edges[${i}]`).node, SOURCE, `edges[${i}].node`), `edges[${i}].node`)))
    const info = asObject(connection.pageInfo, SOURCE, `properties[${p}].measurements.pageInfo`)
    if (info.hasNextPage === true && edges.length > 0) next = asText(info.endCursor, SOURCE, 'pageInfo.endCursor', 256)
  })
  return { measurements, next }
}

function parseMeasurement (node: Record<string, unknown>, where: string): Measurement {
  const { start, end } = span(node, where, 'startAt', 'endAt')
  const meta = node.metaData === null || node.metaData === undefined ? {} : asObject(node.metaData, SOURCE, `${where}.metaData`)
  const statistics = list(meta.statistics ?? [], `${where}.metaData.statistics`).slice(0, 50).map((item, i) => {
    const s = asObject(item, SOURCE, `${where}.statistics[${i}]`)
    const cost = s.costInclTax === null || s.costInclTax === undefined ? {} : asObject(s.costInclTax, SOURCE, `${where}.statistics[${i}].costInclTax`)
    return {
      label: optionalText(s.label, `${where}.statistics[${i}].label`),
      type: optionalText(s.type, `${where}.statistics[${i}].type`),
      costIncTaxPence: decimal(cost.estimatedAmount, `${where}.statistics[${i}].costInclTax.estimatedAmount`, COST_PENCE),
      value: decimal(s.value, `${where}.statistics[${i}].value`, COST_PENCE)
    }
  })
  return {
    start,
    end,
    kwh: decimal(node.value, `${where}.value`, { min: 0, max: 100 }) ?? 0,
    unit: asText(node.unit, SOURCE, `${where}.unit`, 16),
    statistics
  }
}

// GasMeterType.consumptionUnits is a String (Kraken's schema, as introspected in
// bruceskingle/marco-sparko graphql/octopus/octopus-schema.graphql); the answers recorded there
// (docs/octopus/webUiQueriesMyEnergy.md) and HomeAssistant-OctopusEnergy (gas/__init__.py
// compares it with "m³", anything else read as kWh) give exactly "m³" and "kWh".
const FACTS_QUERY = `query AccountFacts($accountNumber: String!) {
  account(accountNumber: $accountNumber) {
    electricityAgreements { validFrom validTo meterPoint { mpan } tariff { ... on TariffType { tariffCode } } }
    gasAgreements { validFrom validTo meterPoint { mprn meters { serialNumber consumptionUnits } } tariff { tariffCode } }
  }
}`

/** Gas meters' units and the agreements, as GraphQL gives them. */
export async function fetchAccountFacts (ctx: ClientContext, account: string): Promise<AccountFacts> {
  const data = await krakenQuery(ctx, { query: FACTS_QUERY, variables: { accountNumber: account }, what: `account facts of ${account}` })
  return parseAccountFacts(data)
}

// Kraken's units, as given, → the pipeline's (lib/config.ts GasUnit); 'm3', the ASCII spelling
// Kraken's measurements use for their `unit`, is our leniency. Nothing else is guessed: an
// unknown unit refuses the answer, so a meter is never converted by a misread unit.
const GAS_UNITS: Record<string, GasUnit> = { 'm³': 'm3', m3: 'm3', kWh: 'kWh' }

/** A consumptionUnits string → 'm3' or 'kWh'; null when Kraken gives none; anything else is malformed. */
export function parseGasUnit (value: unknown, where: string): GasUnit | null {
  const text = optionalText(value, where)
  if (text === null) return null
  const unit = GAS_UNITS[text.trim()]
  if (unit === undefined) throw malformed(SOURCE, `${where} ${JSON.stringify(text)} is not a gas meter unit (m³ or kWh)`)
  return unit
}

export function parseAccountFacts (data: Record<string, unknown>): AccountFacts {
  const account = asObject(data.account, SOURCE, 'account')
  const gasMeterUnits: Record<string, GasUnit> = {}
  const agreements: AccountFacts['agreements'] = []
  for (const fuel of ['electricity', 'gas'] as const) {
    list(account[`${fuel}Agreements`] ?? [], `${fuel}Agreements`).forEach((item, i) => {
      const where = `${fuel}Agreements[${i}]`
      const a = asObject(item, SOURCE, where)
      const point = asObject(a.meterPoint, SOURCE, `${where}.meterPoint`)
      const mpxn = asText(fuel === 'gas' ? point.mprn : point.mpan, SOURCE, `${where}.meterPoint.${fuel === 'gas' ? 'mprn' : 'mpan'}`, MAX_TEXT.meterPoint)
      for (const [m, meter] of list(point.meters ?? [], `${where}.meterPoint.meters`).entries()) {
        const o = asObject(meter, SOURCE, `${where}.meters[${m}]`)
        const serial = asText(o.serialNumber, SOURCE, `${where}.meters[${m}].serialNumber`, MAX_TEXT.serial)
        const unit = fuel === 'gas' ? parseGasUnit(o.consumptionUnits, `${where}.meters[${m}].consumptionUnits`) : null
        if (unit === null) continue
        // The same meter under two agreements is listed twice; two units for it is a contradiction.
        const known = gasMeterUnits[serial]
        if (known !== undefined && known !== unit) throw malformed(SOURCE, `gas meter ${serial} is said to read both ${known} and ${unit}`)
        gasMeterUnits[serial] = unit
      }
      agreements.push({
        mpxn,
        fuel,
        tariffCode: asText(asObject(a.tariff, SOURCE, `${where}.tariff`).tariffCode, SOURCE, `${where}.tariff.tariffCode`, MAX_TEXT.tariffCode),
        validFrom: asInstant(a.validFrom, SOURCE, `${where}.validFrom`),
        validTo: a.validTo === null || a.validTo === undefined ? null : asInstant(a.validTo, SOURCE, `${where}.validTo`)
      })
    })
  }
  return { gasMeterUnits, agreements }
}

// Kraken has no payment method on an agreement or its tariff (ElectricityAgreementType,
// GasAgreementType and the tariff types list none: the introspected schema above). What it has
// is the account's direct debit instructions: AccountType.directDebitInstructions, a connection
// of DirectDebitInstructionType { status } with statuses ACTIVE, PROVISIONAL, FAILED,
// ACCOUNT_CLOSED (same schema). A Kraken client for EDF (Bobby5291/HomeAssistant-EDF-UK,
// custom_components/edf_energy/api_client/__init__.py) prices by the direct debit rates exactly
// when the first instruction's status is ACTIVE. Asked on its own, so a refusal of this field
// costs the payment method only.
const PAYMENT_QUERY = `query PaymentMethod($accountNumber: String!) {
  account(accountNumber: $accountNumber) {
    directDebitInstructions(first: ${PAGE_SIZE}) { edges { node { status } } }
  }
}`

/** How the account pays, as its direct debit instructions say (see parsePaymentMethod). */
export async function fetchPaymentMethod (ctx: ClientContext, account: string): Promise<PaymentMethod> {
  const data = await krakenQuery(ctx, { query: PAYMENT_QUERY, variables: { accountNumber: account }, what: `payment method of ${account}` })
  return parsePaymentMethod(data)
}

/**
 * DIRECT_DEBIT when an instruction is ACTIVE; NON_DIRECT_DEBIT when none is (none listed, or
 * only provisional, failed or closed ones): our reading, after the EDF client above, that an
 * account without an active instruction pays on receipt of its bill.
 */
export function parsePaymentMethod (data: Record<string, unknown>): PaymentMethod {
  const account = asObject(data.account, SOURCE, 'account')
  if (account.directDebitInstructions === null || account.directDebitInstructions === undefined) return 'NON_DIRECT_DEBIT'
  const connection = asObject(account.directDebitInstructions, SOURCE, 'account.directDebitInstructions')
  const statuses = list(connection.edges ?? [], 'directDebitInstructions.edges').map((edge, i) =>
    asText(asObject(asObject(edge, SOURCE, `directDebitInstructions.edges[${i}]`).node, SOURCE, `directDebitInstructions.edges[${i}].node`).status, SOURCE, `directDebitInstructions.edges[${i}].node.status`, MAX_LABEL))
  return statuses.includes('ACTIVE') ? 'DIRECT_DEBIT' : 'NON_DIRECT_DEBIT'
}

function list (value: unknown, where: string): unknown[] {
  const items = asArray(value, SOURCE, where)
  if (items.length > MAX_ITEMS) throw malformed(SOURCE, `${where} has ${items.length} entries, more than ${MAX_ITEMS}`)
  return items
}

function optionalText (value: unknown, where: string): string | null {
  return value === null || value === undefined ? null : asText(value, SOURCE, where, MAX_LABEL)
}

/** Kraken's Decimal: a string ("-3.50") or a number; null when absent. */
function decimal (value: unknown, where: string, bounds: { min: number, max: number }): number | null {
  if (value === null || value === undefined) return null
  const n = typeof value === 'string' && /^-?\d{1,12}(\.\d{1,20})?$/.test(value.trim()) ? Number(value) : value
  return asBounded(n, SOURCE, where, bounds)
}

function span (o: Record<string, unknown>, where: string, from = 'start', to = 'end'): { start: number, end: number } {
  const start = asInstant(o[from], SOURCE, `${where}.${from}`)
  const end = asInstant(o[to], SOURCE, `${where}.${to}`)
  if (end <= start || end - start > 48 * 3600 * 1000) throw malformed(SOURCE, `${where} runs from ${o[from] as string} to ${o[to] as string}`)
  return { start, end }
}
