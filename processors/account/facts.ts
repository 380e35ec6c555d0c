import type { Config, GasUnit } from '../../lib/config.ts'
import type { Device, PaymentMethod } from '../../clients/octopus/kraken.ts'
import type { Account, AccountDevice, AccountPaymentMethod, MeterUnit } from '../../clients/octopus/types.ts'

// What Octopus's GraphQL API knows that the REST account answer does not, put on the account of
// record: each gas meter's unit, how the account pays, its smart devices. Each fact is what
// GraphQL said this time, else what it said before (the account of record never forgets, as
// processors/account/history.ts), else the configuration's guess, with its origin.
//
// Precedence of a gas meter's unit: GAS_METER_UNITS naming the meter, then GraphQL, then
// GAS_UNIT. GAS_METER_UNITS exists only to state one meter's unit, so an entry is the user's
// deliberate word, and is the way out when Octopus's own record is wrong (a meter exchanged
// but not yet re-recorded); GAS_UNIT is a default every install has, so it is a guess.
// OCTOPUS_PAYMENT_METHOD also has a default (DIRECT_DEBIT) and cannot be told from a choice:
// what GraphQL says wins, the variable prices only what GraphQL could not check.

/** The facts one refresh obtained; undefined: not asked, or refused (the reason is the refresh's). */
export interface GraphqlFacts {
  gasMeterUnits?: Readonly<Record<string, GasUnit>>
  paymentMethod?: PaymentMethod
  devices?: readonly Device[]
}

/** The facts the account record carries, in order: what /api/status names when unchecked. */
export const FACTS = ['gas meter units', 'payment method', 'devices'] as const
export type Fact = typeof FACTS[number]

/** The facts a refresh could not check (none asked or each refused), in FACTS order. */
export function uncheckedFacts (facts: GraphqlFacts): Fact[] {
  return FACTS.filter(f => (f === 'gas meter units' ? facts.gasMeterUnits : f === 'payment method' ? facts.paymentMethod : facts.devices) === undefined)
}

type FactsConfig = Pick<Config, 'gasUnit' | 'gasMeterUnits' | 'octopusPaymentMethod'>

/** A meter's unit: GAS_METER_UNITS, else GraphQL now, else GraphQL before, else GAS_UNIT. */
export function meterUnit (serial: string, now: GraphqlFacts['gasMeterUnits'], before: readonly MeterUnit[], config: Pick<Config, 'gasUnit' | 'gasMeterUnits'>): MeterUnit {
  const configured = config.gasMeterUnits[serial]
  if (configured !== undefined) return { serial, unit: configured, origin: 'config' }
  const told = now?.[serial]
  if (told !== undefined) return { serial, unit: told, origin: 'graphql' }
  const earlier = before.find(u => u.serial === serial && u.origin === 'graphql')
  if (earlier !== undefined) return { serial, unit: earlier.unit, origin: 'graphql' }
  return { serial, unit: config.gasUnit, origin: 'default' }
}

const devicesOf = (devices: readonly Device[]): AccountDevice[] =>
  devices.map(d => ({ id: d.id, device_type: d.deviceType, provider: d.provider, name: d.name, status: d.status }))

/**
 * `account` with its facts: each gas meter point's meter_units (one per meter, in meter
 * order), payment_method and devices, from `facts`, else `previous`'s GraphQL facts, else the
 * configuration. Pure. With `facts` = {} it is what the configuration alone makes of an
 * account: how a record from before version 2 of the schema is read for comparison.
 */
export function withFacts (account: Account, facts: GraphqlFacts, previous: Account | undefined, config: FactsConfig): Account {
  const earlierUnits = (mprn: string): MeterUnit[] => previous?.properties.flatMap(p => p.gas_meter_points).filter(p => p.mprn === mprn).flatMap(p => p.meter_units ?? []) ?? []
  const properties = account.properties.map(property => ({
    ...property,
    gas_meter_points: property.gas_meter_points.map(point => {
      const before = [...(point.meter_units ?? []), ...earlierUnits(point.mprn)]
      return { ...point, meter_units: point.meters.map(serial => meterUnit(serial, facts.gasMeterUnits, before, config)) }
    })
  }))
  const earlierMethod = [account.payment_method, previous?.payment_method].find(m => m?.origin === 'graphql')
  const payment: AccountPaymentMethod = facts.paymentMethod !== undefined
    ? { method: facts.paymentMethod, origin: 'graphql' }
    : earlierMethod ?? { method: config.octopusPaymentMethod, origin: 'config' }
  const devices = facts.devices !== undefined ? devicesOf(facts.devices) : account.devices ?? previous?.devices ?? []
  return { ...account, properties, payment_method: payment, devices }
}

/**
 * Whether the published record `previous` already holds what GraphQL would be asked for the
 * answer `account`: the payment method as GraphQL said it, and every gas meter's unit as
 * GraphQL said it or as GAS_METER_UNITS names it (which GraphQL does not overrule). A seed then
 * keeps the record's facts instead of asking again; the account refresher asks on every refresh.
 * The devices price nothing and carry no origin: they stay as GraphQL last listed them. A meter
 * GraphQL gives no unit for (not smart) or never answered for keeps the asking going. Pure.
 */
export function factsKnown (previous: Account | undefined, account: Account, config: Pick<Config, 'gasMeterUnits'>): boolean {
  if (previous?.payment_method?.origin !== 'graphql') return false
  const told = new Set(previous.properties.flatMap(p => p.gas_meter_points)
    .flatMap(point => (point.meter_units ?? []).filter(u => u.origin === 'graphql').map(u => `${point.mprn} ${u.serial}`)))
  return account.properties.flatMap(p => p.gas_meter_points)
    .every(point => point.meters.every(serial => config.gasMeterUnits[serial] !== undefined || told.has(`${point.mprn} ${serial}`)))
}

/** The payment method pricing uses: the account's, else OCTOPUS_PAYMENT_METHOD (no account, or a record before version 2). */
export function paymentMethodOf (account: Pick<Account, 'payment_method'> | undefined, config: Pick<Config, 'octopusPaymentMethod'>): PaymentMethod {
  return account?.payment_method?.method ?? config.octopusPaymentMethod
}
