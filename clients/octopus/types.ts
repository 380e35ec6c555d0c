// An Octopus account as the pipeline keeps it (schemas/energy.account.avsc): the account
// answer normalised, times in UTC ms. It decides, for every slot, which meter points are in
// force (a property from moved_in_at to moved_out_at) and which agreement prices the slot.

export interface Agreement {
  tariff_code: string
  valid_from: number
  /** null: open-ended. */
  valid_to: number | null
}

export interface ElectricityMeterPoint {
  mpan: string
  is_export: boolean
  /** Meter serial numbers, as listed. */
  meters: string[]
  agreements: Agreement[]
}

/** Where a gas meter's unit comes from: Octopus's GraphQL, GAS_METER_UNITS, or GAS_UNIT. */
export type UnitOrigin = 'graphql' | 'config' | 'default'

/** What a gas meter reads, and who says so (processors/account/facts.ts decides). */
export interface MeterUnit {
  serial: string
  /** 'm3' or 'kWh' (lib/config.ts GasUnit). */
  unit: string
  origin: UnitOrigin
}

export interface GasMeterPoint {
  mprn: string
  meters: string[]
  agreements: Agreement[]
  /** Each meter's unit (records before version 2 of the schema: none, read as []). */
  meter_units?: MeterUnit[]
}

export interface Property {
  /** null: before the account's history. */
  moved_in_at: number | null
  /** null: still living there. */
  moved_out_at: number | null
  postcode: string | null
  electricity_meter_points: ElectricityMeterPoint[]
  gas_meter_points: GasMeterPoint[]
}

/** How the account pays, and who says so: GraphQL (its direct debit instructions) or OCTOPUS_PAYMENT_METHOD. */
export interface AccountPaymentMethod {
  method: 'DIRECT_DEBIT' | 'NON_DIRECT_DEBIT'
  origin: 'graphql' | 'config'
}

/** A smart device of the account, as GraphQL lists it (clients/octopus/kraken.ts Device). */
export interface AccountDevice {
  id: string
  device_type: string
  provider: string | null
  name: string | null
  status: string | null
}

export interface Account {
  number: string
  fetched_at: number
  properties: Property[]
  /** null or absent: not decided (a record before version 2: OCTOPUS_PAYMENT_METHOD prices). */
  payment_method?: AccountPaymentMethod | null
  /** The smart devices GraphQL last listed ([] : none, or never checked). */
  devices?: AccountDevice[]
}

/** A tariff in force over [from, to) (UTC ms; to may be Infinity). */
export interface TariffPeriod {
  tariff: string
  from: number
  to: number
}

/** Electricity import or export, or gas: a meter point's role. */
export type MeterKind = 'import' | 'export' | 'gas'

/** An agreement of a meter point in force over [from, to), with the meter point's meters. */
export interface MeterPeriod extends TariffPeriod {
  kind: MeterKind
  /** MPAN or MPRN. */
  meterPoint: string
  /** Serials in the account's order (a meter exchange lists several). */
  meters: readonly string[]
  /** Gas: each meter's unit as the account of record holds it (none before version 2). */
  units?: readonly MeterUnit[]
}

/** What a source reads of the account over [from, to): equal keys price and meter alike. */
export interface AccountPeriod { from: number, to: number, key: string }

/** A slot's unit rate of a tariff (p/kWh): Octopus `…/standard-unit-rates/` (or a register's). */
export interface RateValues { slot_start: number, tariff_code: string, value_exc_vat: number, value_inc_vat: number }
/**
 * A slot's unit rate (p/kWh) and the tariff's standing charge in force at the slot (p/day);
 * a standing charge is null when unknown (none listed for the slot, or a record written before
 * version 2 of energy.pricing-value).
 */
export interface PricingValues extends RateValues { standing_charge_exc_vat: number | null, standing_charge_inc_vat: number | null }
/** A slot's reading (kWh, or m³ for some gas meters): Octopus `…/consumption/`. */
export interface UsageValues { slot_start: number, consumption: number, meter_serial: string | null }
