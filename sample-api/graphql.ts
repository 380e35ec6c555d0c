import { buildSchema, graphql, GraphQLError } from 'graphql'
import { fnv1a } from '../lib/hash.ts'
import { SLOT_MS } from '../lib/london-day.ts'
import { accountBody } from './account.ts'
import { completedAt, plannedAt, REAL_DEVICE_ID, type SampleDispatch } from './dispatches.ts'
import { measurementsOf } from './measurements.ts'
import { REAL_METERS, SAMPLE_METERS } from './meters.ts'
import { REAL_ACCOUNT, REAL_GAS_SMETS1_SERIAL, SAMPLE_ACCOUNT } from './options.ts'
import type { Agreement, Reply, RouteContext } from './types.ts'

// Octopus's GraphQL API (Kraken), a subset: the schema's names and shapes as Octopus's
// reference and recorded answers give them (docs/sample-api.md "GraphQL"), executed by
// graphql-js, so a query naming a field Kraken lacks fails validation as the real one does.

/** How long a token lives (Kraken: 60 minutes). */
export const TOKEN_LIFETIME_S = 3600
const MAX_FIRST = 99

const SDL = `
scalar DateTime
scalar Decimal
scalar GenericScalar

input ObtainJSONWebTokenInput { APIKey: String, refreshToken: String, email: String, password: String }
type ObtainKrakenJSONWebToken { token: String! payload: GenericScalar! refreshToken: String refreshExpiresIn: Int }
type Mutation { obtainKrakenToken(input: ObtainJSONWebTokenInput!): ObtainKrakenJSONWebToken }

type Query {
  account(accountNumber: String!): AccountType
  devices(accountNumber: String!, deviceId: String): [SmartFlexDeviceInterface!]
  flexPlannedDispatches(deviceId: String!): [SmartFlexDispatch]
  plannedDispatches(accountNumber: String!): [UpsideDispatchType] @deprecated(reason: "Use flexPlannedDispatches.")
  completedDispatches(accountNumber: String!): [UpsideDispatchType]
}

enum KrakenFlexDeviceTypes { BATTERIES CHARGE_POINTS ELECTRIC_VEHICLES HEAT_PUMPS INVERTERS THERMOSTATS }
enum SmartFlexDispatchType { SMART BOOST TEST }
type SmartFlexDeviceStatus { current: String currentState: String isSuspended: Boolean }
interface SmartFlexDeviceInterface { id: String! name: String deviceType: KrakenFlexDeviceTypes! provider: String! propertyId: ID status: SmartFlexDeviceStatus }
type SmartFlexVehicle implements SmartFlexDeviceInterface { id: String! name: String deviceType: KrakenFlexDeviceTypes! provider: String! propertyId: ID status: SmartFlexDeviceStatus make: String model: String }
type SmartFlexDispatch { start: DateTime end: DateTime type: SmartFlexDispatchType energyAddedKwh: Decimal }
type UpsideDispatchMetaType { source: String location: String }
type UpsideDispatchType { start: DateTime end: DateTime startDt: String endDt: String delta: Decimal meta: UpsideDispatchMetaType }

type AccountType {
  number: String properties: [PropertyType] electricityAgreements(active: Boolean): [ElectricityAgreementType] gasAgreements(active: Boolean): [GasAgreementType]
  directDebitInstructions(statuses: [DirectDebitInstructionStatus], before: String, after: String, first: Int, last: Int): DirectDebitInstructionConnectionTypeConnection
}
enum DirectDebitInstructionStatus { ACTIVE PROVISIONAL FAILED ACCOUNT_CLOSED }
type DirectDebitInstructionConnectionTypeConnection { pageInfo: PageInfo! edges: [DirectDebitInstructionConnectionTypeEdge]! totalCount: Int! edgeCount: Int! }
type DirectDebitInstructionConnectionTypeEdge { node: DirectDebitInstructionType cursor: String! }
type DirectDebitInstructionType { id: ID! status: String! sortCode: String! iban: String! accountHolder: String! instructionType: String! maskedAccountIdentifier: String }
interface TariffType { tariffCode: String! productCode: String displayName: String }
type StandardTariff implements TariffType { tariffCode: String! productCode: String displayName: String }
type DayNightTariff implements TariffType { tariffCode: String! productCode: String displayName: String }
type GasTariffType { tariffCode: String! productCode: String }
type ElectricityAgreementType { id: Int validFrom: DateTime validTo: DateTime meterPoint: ElectricityMeterPointType tariff: TariffType }
type GasAgreementType { id: Int validFrom: DateTime validTo: DateTime meterPoint: GasMeterPointType tariff: GasTariffType }
type ElectricityMeterPointType { mpan: String! meters(includeInactive: Boolean): [ElectricityMeterType] }
type GasMeterPointType { mprn: String! meters(includeInactive: Boolean): [GasMeterType] }
type ElectricityMeterType { serialNumber: String! }
type GasMeterType { serialNumber: String! consumptionUnits: String mechanism: String }

enum ReadingFrequencyType { RAW_INTERVAL HALF_HOURLY HOUR_INTERVAL DAY_INTERVAL WEEK_INTERVAL MONTH_INTERVAL QUARTER_INTERVAL }
enum ReadingDirectionType { CONSUMPTION GENERATION }
input ElectricityFiltersInput { readingFrequencyType: ReadingFrequencyType, readingDirection: ReadingDirectionType, marketSupplyPointId: String, deviceId: String }
input GasFiltersInput { readingFrequencyType: ReadingFrequencyType, marketSupplyPointId: String, deviceId: String }
input UtilityFiltersInput { electricityFilters: ElectricityFiltersInput, gasFilters: GasFiltersInput }
type PropertyType { id: ID measurements(first: Int, after: String, startAt: DateTime, endAt: DateTime, timezone: String, utilityFilters: [UtilityFiltersInput]): MeasurementConnection }
type MeasurementConnection { edges: [MeasurementEdge] pageInfo: PageInfo! }
type MeasurementEdge { node: MeasurementInterface cursor: String }
type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
interface MeasurementInterface { value: Decimal unit: String readAt: DateTime metaData: MeasurementsMetadataOutput }
type IntervalMeasurementType implements MeasurementInterface { value: Decimal unit: String readAt: DateTime metaData: MeasurementsMetadataOutput startAt: DateTime endAt: DateTime durationInSeconds: Int }
type MeasurementsMetadataOutput { statistics: [StatisticOutput] }
type EstimatedMoneyType { estimatedAmount: Decimal costCurrency: String }
type StatisticOutput { label: String type: String value: Decimal description: String costInclTax: EstimatedMoneyType costExclTax: EstimatedMoneyType }
`

const schema = buildSchema(SDL)

/** A Kraken error as a GraphQL error: message, and extensions with errorCode and errorDescription. */
export function krakenError (code: string, description: string, message = description, errorType = 'APPLICATION'): GraphQLError {
  return new GraphQLError(message, { extensions: { errorType, errorCode: code, errorDescription: description, errorClass: errorType } })
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', '+00:00')

/** A token the sample issued at `iatS` (seconds): its signature is a hash of the seed and the time. */
export function sampleToken (seed: number, iatS: number): string {
  return `sample.${iatS}.${fnv1a(`${seed}:token:${iatS}`).toString(16)}`
}

/** The instant (s) a token was issued, if the sample issued it. */
function tokenIssuedAt (seed: number, token: string | undefined): number | undefined {
  const m = /^sample\.(\d{1,12})\.[0-9a-f]+$/.exec(token ?? '')
  if (m === null) return undefined
  const iat = Number(m[1])
  return sampleToken(seed, iat) === token ? iat : undefined
}

interface Context { route: RouteContext }

function authorise ({ route }: Context): void {
  const iat = tokenIssuedAt(route.seed, route.authorization)
  if (iat === undefined) throw krakenError('KT-CT-1111', 'Unauthorized.')
  if (route.nowMs >= (iat + TOKEN_LIFETIME_S) * 1000) throw krakenError('KT-CT-1124', 'Token has expired.', 'Signature of the JWT has expired.')
}

function knownAccount (accountNumber: string): void {
  // Kraken answers an account the viewer may not see as unauthorised, not as missing.
  if (accountNumber !== SAMPLE_ACCOUNT && accountNumber !== REAL_ACCOUNT) throw krakenError('KT-CT-1111', 'Unauthorized.')
}

const upside = (d: SampleDispatch): object => ({
  start: iso(d.start), end: iso(d.end), startDt: iso(d.start), endDt: iso(d.end), delta: (-d.kwh).toFixed(2), meta: { source: d.source, location: d.location }
})

const DEVICE = {
  __typename: 'SmartFlexVehicle',
  id: REAL_DEVICE_ID,
  name: 'Sample EV',
  deviceType: 'ELECTRIC_VEHICLES',
  provider: 'TESLA',
  propertyId: '3',
  status: { current: 'LIVE', currentState: 'SMART_CONTROL_CAPABLE', isSuspended: false },
  make: 'Tesla',
  model: 'Model 3'
}

interface AccountJson {
  properties: Array<{ id?: number, electricity_meter_points: Array<{ mpan: string, meters: Array<{ serial_number: string }>, agreements: Agreement[] }>, gas_meter_points: Array<{ mprn: string, meters: Array<{ serial_number: string }>, agreements: Agreement[] }> }>
}

const METERS = [...SAMPLE_METERS, ...REAL_METERS]
// SMETS1 gas meters read kWh, SMETS2 ones m³ (the REST readings' units).
const gasUnits = (serial: string): string => serial === REAL_GAS_SMETS1_SERIAL ? 'kWh' : 'm³'

function productCode (tariff: string): string {
  return tariff.replace(/^[EG]-(1R|2R|FLAT2R)-/, '').replace(/-[A-P]$/, '')
}

function accountType (ctx: Context, accountNumber: string): object | null {
  const body = accountBody(ctx.route, accountNumber) as AccountJson | undefined
  if (body === undefined) return null
  const electricity = body.properties.flatMap(p => p.electricity_meter_points.flatMap(mp => mp.agreements.map(a => ({
    validFrom: a.valid_from,
    validTo: a.valid_to,
    meterPoint: { mpan: mp.mpan, meters: mp.meters.map(m => ({ serialNumber: m.serial_number })) },
    tariff: { __typename: a.tariff_code.startsWith('E-2R-') ? 'DayNightTariff' : 'StandardTariff', tariffCode: a.tariff_code, productCode: productCode(a.tariff_code) }
  }))))
  const gas = body.properties.flatMap(p => p.gas_meter_points.flatMap(mp => mp.agreements.map(a => ({
    validFrom: a.valid_from,
    validTo: a.valid_to,
    meterPoint: { mprn: mp.mprn, meters: mp.meters.map(m => ({ serialNumber: m.serial_number, consumptionUnits: gasUnits(m.serial_number) })) },
    tariff: { tariffCode: a.tariff_code, productCode: productCode(a.tariff_code) }
  }))))
  return {
    number: accountNumber,
    electricityAgreements: electricity,
    gasAgreements: gas,
    directDebitInstructions: (args: { statuses?: string[] | null, first?: number | null }) => directDebitInstructions(ctx, accountNumber, args),
    properties: body.properties.map((p, i) => ({ id: String(p.id ?? i + 1), measurements: (args: MeasurementArgs) => measurementConnection(ctx, p, args) }))
  }
}

/** Kraken's DirectDebitInstructionStatus values. */
const DIRECT_DEBIT_STATUSES = ['ACTIVE', 'PROVISIONAL', 'FAILED', 'ACCOUNT_CLOSED']

/** A direct debit setting for SampleApi.setDirectDebit, checked: a sample account, a Kraken status or null. */
export function checkDirectDebit (account: string, status: string | null): [string, string | null] {
  if (account !== SAMPLE_ACCOUNT && account !== REAL_ACCOUNT) throw new RangeError(`"${account}" is not a sample account (${SAMPLE_ACCOUNT}, ${REAL_ACCOUNT})`)
  if (status !== null && !DIRECT_DEBIT_STATUSES.includes(status)) throw new RangeError(`"${status}" is not a direct debit instruction status (${DIRECT_DEBIT_STATUSES.join(', ')}) or null`)
  return [account, status]
}

/**
 * The account's direct debit instructions: one, ACTIVE unless set otherwise (the sample
 * accounts pay by direct debit, as OCTOPUS_PAYMENT_METHOD's default says; none when set to
 * null); the names and shapes of Kraken's schema (DirectDebitInstructionConnectionTypeConnection,
 * docs/sample-api.md).
 */
function directDebitInstructions (ctx: Context, accountNumber: string, args: { statuses?: string[] | null, first?: number | null }): object {
  const first = args.first ?? MAX_FIRST
  if (first > MAX_FIRST || first < 1) throw krakenError('KT-CT-1189', 'Pagination argument first must be between 1 and 99.', 'Invalid data.', 'VALIDATION')
  const status = ctx.route.directDebitOf === undefined ? 'ACTIVE' : ctx.route.directDebitOf(accountNumber)
  const all = status === null ? [] : [{ id: String(fnv1a(`${ctx.route.seed}:dd:${accountNumber}`) % 10000000), status, sortCode: '••••••', iban: '', accountHolder: 'Sample Household', instructionType: 'BACS', maskedAccountIdentifier: '••••1234' }]
  const nodes = all.filter(n => args.statuses === undefined || args.statuses === null || args.statuses.includes(n.status)).slice(0, first)
  const cursor = (i: number): string => Buffer.from(`arrayconnection:${i}`).toString('base64')
  return {
    pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: nodes.length === 0 ? null : cursor(0), endCursor: nodes.length === 0 ? null : cursor(nodes.length - 1) },
    edges: nodes.map((node, i) => ({ node, cursor: cursor(i) })),
    totalCount: nodes.length,
    edgeCount: nodes.length
  }
}

interface MeasurementArgs {
  first?: number
  after?: string
  startAt?: string
  endAt?: string
  utilityFilters?: Array<{ electricityFilters?: { marketSupplyPointId?: string }, gasFilters?: { marketSupplyPointId?: string } }>
}

function measurementConnection (ctx: Context, property: AccountJson['properties'][number], args: MeasurementArgs): object {
  const first = args.first ?? MAX_FIRST
  if (first > MAX_FIRST || first < 1) throw krakenError('KT-CT-1189', 'Pagination argument first must be between 1 and 99.', 'Invalid data.', 'VALIDATION')
  const filter = args.utilityFilters?.[0]
  const fuel = filter?.gasFilters !== undefined ? 'gas' : 'electricity'
  const id = (filter?.gasFilters ?? filter?.electricityFilters)?.marketSupplyPointId
  const points = fuel === 'gas' ? property.gas_meter_points.map(p => ({ point: p.mprn, agreements: p.agreements })) : property.electricity_meter_points.map(p => ({ point: p.mpan, agreements: p.agreements }))
  const found = points.find(p => p.point === id)
  const empty = { edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } }
  if (found === undefined || args.startAt === undefined || args.endAt === undefined) return empty
  const fromMs = Date.parse(args.startAt)
  const toMs = Date.parse(args.endAt)
  if (Number.isNaN(fromMs) || Number.isNaN(toMs)) throw krakenError('KT-CT-1605', 'Invalid date range.', 'Invalid data.', 'VALIDATION')
  // The cursor is the start (ms) of the next half-hour to answer, base64 as Relay cursors are.
  const afterMs = args.after === undefined || args.after === null ? fromMs : Number(Buffer.from(args.after, 'base64').toString('utf8'))
  const meters = METERS.filter(m => m.fuel === fuel && m.point === found.point)
  const all = measurementsOf(ctx.route.seed, { fuel, point: found.point, meters, agreements: found.agreements }, afterMs, toMs, ctx.route.revisionOf)
  const page = all.slice(0, first)
  const nextMs = page.length === 0 ? toMs : page[page.length - 1].start + SLOT_MS
  const cursor = (ms: number): string => Buffer.from(String(ms)).toString('base64')
  return {
    edges: page.map(m => ({
      cursor: cursor(m.start + SLOT_MS),
      node: { __typename: 'IntervalMeasurementType', value: m.value.toFixed(3), unit: m.unit, readAt: iso(m.start), startAt: iso(m.start), endAt: iso(m.end), durationInSeconds: 1800, metaData: { statistics: m.statistics } }
    })),
    pageInfo: { hasNextPage: all.length > first, hasPreviousPage: afterMs > fromMs, startCursor: page.length === 0 ? null : cursor(page[0].start), endCursor: cursor(nextMs) }
  }
}

const root = {
  obtainKrakenToken ({ input }: { input: { APIKey?: string } }, ctx: Context): object {
    if (input.APIKey === undefined || !ctx.route.apiKeys.has(input.APIKey)) {
      // The shape Octopus answers for a wrong key (recorded: errorType VALIDATION, KT-CT-1139).
      throw new GraphQLError('Invalid data.', {
        extensions: {
          errorType: 'VALIDATION',
          errorCode: 'KT-CT-1139',
          errorDescription: 'Authentication failed.',
          errorClass: 'VALIDATION',
          validationErrors: [{ message: 'Authentication failed.', inputPath: ['input', 'apiKey'] }]
        }
      })
    }
    const iat = Math.floor(ctx.route.nowMs / 1000)
    return {
      token: sampleToken(ctx.route.seed, iat),
      payload: { sub: 'kraken|account-user:3', gty: 'API-KEY', exp: iat + TOKEN_LIFETIME_S, origIat: iat, iat, iss: 'https://api.octopus.energy/v1/graphql/' },
      refreshToken: `refresh.${fnv1a(`${ctx.route.seed}:refresh:${iat}`).toString(16)}`,
      refreshExpiresIn: iat + 7 * 24 * 3600
    }
  },
  account ({ accountNumber }: { accountNumber: string }, ctx: Context): object | null {
    authorise(ctx)
    knownAccount(accountNumber)
    return accountType(ctx, accountNumber)
  },
  devices ({ accountNumber, deviceId }: { accountNumber: string, deviceId?: string }, ctx: Context): object[] {
    authorise(ctx)
    knownAccount(accountNumber)
    return accountNumber === REAL_ACCOUNT && (deviceId === undefined || deviceId === REAL_DEVICE_ID) ? [DEVICE] : []
  },
  flexPlannedDispatches ({ deviceId }: { deviceId: string }, ctx: Context): object[] {
    authorise(ctx)
    if (deviceId !== REAL_DEVICE_ID) throw krakenError('KT-CT-4340', 'Unable to fetch planned dispatches.')
    return plannedAt(ctx.route.seed, ctx.route.nowMs).map(d => ({
      start: iso(d.start), end: iso(d.end), type: d.source === 'bump-charge' ? 'BOOST' : 'SMART', energyAddedKwh: d.kwh.toFixed(2)
    }))
  },
  plannedDispatches ({ accountNumber }: { accountNumber: string }, ctx: Context): object[] {
    authorise(ctx)
    knownAccount(accountNumber)
    return accountNumber === REAL_ACCOUNT ? plannedAt(ctx.route.seed, ctx.route.nowMs).map(upside) : []
  },
  completedDispatches ({ accountNumber }: { accountNumber: string }, ctx: Context): object[] {
    authorise(ctx)
    knownAccount(accountNumber)
    return completedAt(ctx.route.seed, accountNumber, ctx.route.nowMs).map(upside)
  }
}

/** Bounded request bodies: a query is text, not a payload. */
const MAX_BODY = 64 * 1024

/** Executes a POSTed GraphQL request as Kraken would answer it (HTTP 200 with data and/or errors). */
export async function graphqlReply (route: RouteContext, body: string): Promise<Reply> {
  let request: { query?: unknown, variables?: unknown, operationName?: unknown }
  try {
    if (body.length > MAX_BODY) throw new Error('too large')
    request = JSON.parse(body) as typeof request
  } catch {
    return { status: 400, body: { errors: [{ message: 'Must provide query string.' }] } }
  }
  if (typeof request?.query !== 'string') return { status: 400, body: { errors: [{ message: 'Must provide query string.' }] } }
  const result = await graphql({
    schema,
    source: request.query,
    rootValue: root,
    contextValue: { route } satisfies Context,
    variableValues: (request.variables ?? undefined) as Record<string, unknown> | undefined,
    operationName: typeof request.operationName === 'string' ? request.operationName : undefined
  })
  return { status: 200, body: JSON.parse(JSON.stringify(result)) }
}

/** The answer of a GraphQL fault: Kraken's rate-limit or authentication error, in a 200 answer. */
export function graphqlFaultReply (kind: '429' | '401', tokenRequest: boolean): Reply {
  const error = kind === '429'
    ? { message: 'Too many requests.', extensions: { errorType: 'APPLICATION', errorCode: 'KT-CT-1199', errorDescription: 'Too many requests.', errorClass: 'APPLICATION' } }
    : tokenRequest
      ? { message: 'Invalid data.', extensions: { errorType: 'VALIDATION', errorCode: 'KT-CT-1139', errorDescription: 'Authentication failed.', errorClass: 'VALIDATION' } }
      : { message: 'Unauthorized.', extensions: { errorType: 'APPLICATION', errorCode: 'KT-CT-1111', errorDescription: 'Unauthorized.', errorClass: 'AUTHORIZATION' } }
  return { status: 200, body: { data: null, errors: [error] } }
}
