import { londonOffsetMs, SLOT_MS } from '../lib/london-day.ts'
import { REGIONS, type Region } from './regions.ts'
import type { Fuel, FuelShare, Intensity, IntensityIndex, UnitRate } from './types.ts'

// Pure, deterministic sample values from (seed, slot start UTC ms[, revision]). Each value
// is a function of a few hashes, so any slot is computed alone in O(1): no history walk.

const HOUR_MS = 60 * 60 * 1000
const DAY_MS = 24 * HOUR_MS
const YEAR_DAYS = 365.2425

// Independent hash streams, one per random quantity.
const STREAM = {
  wind: 1,
  solarCloud: 2,
  nuclear: 3,
  biomass: 4,
  hydro: 5,
  imports: 6,
  other: 7,
  coal: 8,
  gas: 9,
  forecastError: 10,
  price: 11,
  usageBase: 12,
  usage: 13,
  usageSpike: 14,
  usageSpikeSize: 15,
  fixedRate: 16,
  standingCharge: 17,
  oldMeterUsage: 18,
  oldMeterSpike: 19,
  oldMeterSpikeSize: 20,
  dayRate: 21,
  nightRate: 22,
  exportCloud: 23,
  exportFlicker: 24,
  outgoingPrice: 25,
  gasCold: 26,
  gasHeat: 27,
  gasHotWater: 28,
  gasRate: 29,
  gasStandingCharge: 30,
  forecastRevision: 31,
  regionalForecast: 32,
  regionalMix: 33,
  trackerRate: 34,
  trackerGasRate: 35
} as const
// A revision shifts a reading's per-slot streams past every entry above.
const REVISION_STRIDE = 100

/** lowbias32 integer hash (Chris Wellons): fast, good avalanche on 32-bit keys. */
function hash32 (x: number): number {
  x ^= x >>> 16
  x = Math.imul(x, 0x7feb352d)
  x ^= x >>> 15
  x = Math.imul(x, 0x846ca68b)
  x ^= x >>> 16
  return x >>> 0
}

/** FNV-1a over a string's UTF-16 code units: a stable 32-bit key for a product code. */
function textHash (text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** Key of a product's quarter: the quarter is spread over 32 bits first, so XOR keeps products apart. */
function productQuarterKey (product: string, quarter: number): number {
  return textHash(product) ^ hash32(quarter)
}

/** Uniform in [0, 1) from (seed, integer key, stream). */
function unitHash (seed: number, key: number, stream: number): number {
  return hash32(hash32(hash32(seed) ^ key) ^ Math.imul(stream + 1, 0x9e3779b9)) / 2 ** 32
}

/** Value noise: hashes at multiples of `periodMs`, smoothstep-interpolated, in [0, 1). */
function smoothNoise (seed: number, ms: number, periodMs: number, stream: number): number {
  const k = Math.floor(ms / periodMs)
  const f = ms / periodMs - k
  const t = f * f * (3 - 2 * f)
  const a = unitHash(seed, k, stream)
  return a + (unitHash(seed, k + 1, stream) - a) * t
}

/** Linear interpolation through [x, y] points sorted by x. */
function curve (points: ReadonlyArray<readonly [number, number]>, x: number): number {
  for (let i = 1; i < points.length; i++) {
    const [x1, y1] = points[i]
    if (x <= x1) {
      const [x0, y0] = points[i - 1]
      return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    }
  }
  return points[points.length - 1][1]
}

const clamp = (x: number, min: number, max: number): number => Math.min(max, Math.max(min, x))
const round = (x: number, decimals: number): number => {
  const f = 10 ** decimals
  return Math.round(x * f) / f + 0 // + 0 turns -0 into 0
}

/** Hours since local midnight (UK clock) at the slot's middle. */
function localHour (slotStartMs: number): number {
  const mid = slotStartMs + SLOT_MS / 2
  return ((mid + londonOffsetMs(mid)) % DAY_MS) / HOUR_MS
}

/** 1 in mid-January, 0 in mid-July. */
function winterness (ms: number): number {
  const dayOfYear = (ms / DAY_MS) % YEAR_DAYS
  return (1 + Math.cos(2 * Math.PI * (dayOfYear - 15) / YEAR_DAYS)) / 2
}

/** Hours of daylight: ~16 in June, ~8 in December (w = winterness). */
function dayLengthHours (w: number): number {
  return 12 + 4.3 * (1 - 2 * w)
}

// National demand by local hour, 1 = the evening peak.
const DEMAND_SHAPE = [[0, 0.62], [4, 0.52], [7, 0.75], [9, 0.86], [16, 0.88], [18, 1], [20, 0.9], [23, 0.68], [24, 0.62]] as const

/** Approximate GB generation (GW) per fuel for a slot. */
function generationGw (seed: number, slotStartMs: number): Record<Fuel, number> {
  const ms = slotStartMs + SLOT_MS / 2
  const w = winterness(ms)
  const demand = (28 + 10 * w) * 1.2 * curve(DEMAND_SHAPE, localHour(slotStartMs))
  const windiness = Math.min(1, smoothNoise(seed, ms, 12 * HOUR_MS, STREAM.wind) * (0.7 + 0.5 * w))
  // Solar noon is about 12:00 UTC.
  const sun = Math.max(0, Math.cos(Math.PI * ((ms % DAY_MS) / HOUR_MS - 12) / dayLengthHours(w)))
  const cloud = 0.4 + 0.6 * smoothNoise(seed, ms, 6 * HOUR_MS, STREAM.solarCloud)
  const gen = {
    biomass: 1 + 1.5 * smoothNoise(seed, ms, DAY_MS, STREAM.biomass),
    coal: w > 0.7 ? (w - 0.7) * 2.5 * smoothNoise(seed, ms, DAY_MS, STREAM.coal) : 0,
    imports: 2 + 5 * smoothNoise(seed, ms, 12 * HOUR_MS, STREAM.imports),
    gas: 0,
    nuclear: 3.5 + 2 * smoothNoise(seed, ms, 3 * DAY_MS, STREAM.nuclear),
    other: 0.1 + 0.3 * unitHash(seed, slotStartMs / SLOT_MS, STREAM.other),
    hydro: 0.2 + 0.5 * smoothNoise(seed, ms, DAY_MS, STREAM.hydro),
    solar: sun * (2 + 10 * (1 - w)) * cloud,
    wind: 0.5 + 15 * windiness
  }
  const others = gen.biomass + gen.coal + gen.imports + gen.nuclear + gen.other + gen.hydro + gen.solar + gen.wind
  // Gas balances the system, with a minimum kept running for stability.
  gen.gas = Math.max(0.4 + 0.6 * unitHash(seed, slotStartMs / SLOT_MS, STREAM.gas), demand - others)
  return gen
}

/** The nine fuels in the order the Carbon Intensity API lists them. */
export const FUELS: readonly Fuel[] = ['biomass', 'coal', 'imports', 'gas', 'nuclear', 'other', 'hydro', 'solar', 'wind']

/** Generation mix of a slot: nine fuels, perc with one decimal, summing to about 100. */
export function generationMix (seed: number, slotStartMs: number): FuelShare[] {
  const gen = generationGw(seed, slotStartMs)
  const total = FUELS.reduce((sum, fuel) => sum + gen[fuel], 0)
  return FUELS.map(fuel => ({ fuel, perc: round(100 * gen[fuel] / total, 1) }))
}

// Direct emission factors (gCO2/kWh) of the Carbon Intensity API methodology; imports use
// a blend of the interconnected countries.
const EMISSION_FACTORS: Record<Fuel, number> = {
  biomass: 120, coal: 937, imports: 200, gas: 394, nuclear: 0, other: 300, hydro: 0, solar: 0, wind: 0
}

// Upper bounds of 'very low', 'low', 'moderate', 'high' (the API revises its bands yearly).
const INDEX_BANDS: ReadonlyArray<readonly [number, IntensityIndex]> = [[50, 'very low'], [130, 'low'], [210, 'moderate'], [311, 'high']]

/** The API's qualitative index of an intensity (gCO2/kWh). */
export function intensityIndex (gco2: number): IntensityIndex {
  for (const [upper, index] of INDEX_BANDS) if (gco2 < upper) return index
  return 'very high'
}

/**
 * Carbon intensity of a slot (gCO2/kWh, 20-400): actual follows the slot's generation mix,
 * forecast is within ±10% of it; index is that of actual.
 */
export function carbonIntensity (seed: number, slotStartMs: number): Intensity {
  const gen = generationGw(seed, slotStartMs)
  let total = 0
  let grams = 0
  for (const fuel of FUELS) {
    total += gen[fuel]
    grams += gen[fuel] * EMISSION_FACTORS[fuel]
  }
  const actual = Math.round(clamp(grams / total, 20, 400))
  const error = 0.2 * (unitHash(seed, slotStartMs / SLOT_MS, STREAM.forecastError) - 0.5)
  const forecast = Math.round(clamp(actual * (1 + error), 20, 400))
  return { forecast, actual, index: intensityIndex(actual) }
}

// Forecast revisions: the API re-issues its forecasts every half hour, and the further ahead a
// slot lies the larger the error (about 11% mean absolute error days ahead, shrinking as the
// slot approaches: carbon-intensity/api-definitions issue #11).
const MAX_FORECAST_ERROR = 0.2
const FULL_ERROR_LEAD_MS = 48 * HOUR_MS

/**
 * Relative error of the forecast for a slot as issued at `nowMs`: 0 once the slot has started,
 * else uniform in ±20% × min(1, lead ÷ 48 h), drawn afresh for each half-hourly issue (the
 * half hour containing `nowMs`; lead = slot start − issue start).
 */
function revisionError (seed: number, slotStartMs: number, nowMs: number): number {
  // An issue lasts the half hour: its lead is from the issue's start, so its values hold till the next.
  const issue = Math.floor(nowMs / SLOT_MS)
  const lead = slotStartMs - issue * SLOT_MS
  if (lead <= 0) return 0
  const u = unitHash(seed, (slotStartMs / SLOT_MS) ^ hash32(issue), STREAM.forecastRevision)
  return MAX_FORECAST_ERROR * Math.min(1, lead / FULL_ERROR_LEAD_MS) * (2 * u - 1)
}

/**
 * National forecast of a slot (gCO2/kWh, 20-400) as the API serves it at `nowMs`: the settled
 * `carbonIntensity` forecast once the slot has started, before that the same with the
 * revisionError of the current half-hourly issue, so it changes from one issue to the next.
 */
export function forecastAt (seed: number, slotStartMs: number, nowMs: number): number {
  const { forecast } = carbonIntensity(seed, slotStartMs)
  return Math.round(clamp(forecast * (1 + revisionError(seed, slotStartMs, nowMs)), 20, 400))
}

function regionOf (regionId: number): Readonly<Region> {
  const region = REGIONS.get(regionId)
  if (region === undefined) throw new RangeError(`region id must be 1-17, got ${regionId}`)
  return region
}

/** A region's settled forecast, unrounded: an area's factor × national ± 5% per slot, a nation's mean of its areas. */
function regionalSettled (seed: number, region: Readonly<Region>, slotStartMs: number): number {
  const { model } = region
  if (model.kind === 'nation') return model.members.reduce((sum, id) => sum + regionalSettled(seed, regionOf(id), slotStartMs), 0) / model.members.length
  const jitter = 0.1 * (unitHash(seed, (slotStartMs / SLOT_MS) ^ hash32(region.regionid), STREAM.regionalForecast) - 0.5)
  return carbonIntensity(seed, slotStartMs).forecast * model.factor * (1 + jitter)
}

/**
 * Regional forecast of a slot (gCO2/kWh, 0-2000) and its index as served at `nowMs`: the
 * region's settled value (an area: national forecast × its factor ± 5% per slot; England,
 * Scotland, Wales: the mean of their areas) with the national revisionError. The regional
 * endpoints publish no actual.
 */
export function regionalIntensity (seed: number, regionId: number, slotStartMs: number, nowMs: number): { forecast: number, index: IntensityIndex } {
  const settled = regionalSettled(seed, regionOf(regionId), slotStartMs)
  const forecast = Math.round(clamp(settled * (1 + revisionError(seed, slotStartMs, nowMs)), 0, 2000))
  return { forecast, index: intensityIndex(forecast) }
}

/** A region's fuel shares (%, unrounded, summing to 100). */
function regionalShares (seed: number, region: Readonly<Region>, slotStartMs: number): number[] {
  const { model } = region
  if (model.kind === 'nation') {
    const members = model.members.map(id => regionalShares(seed, regionOf(id), slotStartMs))
    return FUELS.map((_, i) => members.reduce((sum, shares) => sum + shares[i], 0) / members.length)
  }
  const slot = slotStartMs / SLOT_MS
  const raw = generationMix(seed, slotStartMs).map(({ fuel, perc }, i) =>
    perc * model.weights[fuel] * (0.85 + 0.3 * unitHash(seed, slot ^ hash32(region.regionid * 16 + i), STREAM.regionalMix)))
  const total = raw.reduce((sum, x) => sum + x, 0)
  return raw.map(x => 100 * x / total)
}

/**
 * Generation mix of a region for a slot: the national mix with each fuel weighted for the
 * region (and ±15% per slot and fuel), nine fuels in API order, perc with one decimal summing
 * to about 100; England, Scotland and Wales average their areas.
 */
export function regionalGenerationMix (seed: number, regionId: number, slotStartMs: number): FuelShare[] {
  const shares = regionalShares(seed, regionOf(regionId), slotStartMs)
  return FUELS.map((fuel, i) => ({ fuel, perc: round(shares[i], 1) }))
}

/** A rate exc VAT (2 decimals) with its inc-VAT value (exc × 1.05, as the API rounds it). */
export function withVat (excVat: number): UnitRate {
  const exc = round(excVat, 2)
  return { value_exc_vat: exc, value_inc_vat: round(exc * 1.05, 4) }
}

/**
 * Agile unit rate of a slot (p/kWh): follows the gas share of generation, plus the 16:00-19:00
 * peak adder Agile applies; a wind (and sun) surplus, mostly on windy nights, pushes it below zero.
 */
export function agileRate (seed: number, slotStartMs: number): UnitRate {
  const gen = generationGw(seed, slotStartMs)
  const total = FUELS.reduce((sum, fuel) => sum + gen[fuel], 0)
  const hour = localHour(slotStartMs)
  const peak = hour >= 16 && hour < 19 ? 11 : 0
  const surplus = Math.max(0, gen.wind + gen.solar - 0.45 * total)
  const noise = 3 * (unitHash(seed, slotStartMs / SLOT_MS, STREAM.price) - 0.5)
  return withVat(clamp(9 + 26 * gen.gas / total + peak + noise - 2 * surplus, -10, 60))
}

/**
 * Unit rate of a fixed/variable product (the product code, e.g. VAR-22-11-01) for the quarter
 * numbered `quarter` (year × 4 + quarter of year), direct debit, p/kWh exc VAT: 18-30p. Each
 * product has its own rates.
 */
export function fixedRate (seed: number, quarter: number, product: string): UnitRate {
  return withVat(18 + 12 * unitHash(seed, productQuarterKey(product, quarter), STREAM.fixedRate))
}

/**
 * Standing charge (p/day) of a product (its code, e.g. AGILE-24-10-01) for the quarter numbered
 * `quarter` (year × 4 + quarter of year), by payment method: the direct-debit charge is
 * 40-65p/day exc VAT, each product its own, non-direct-debit about 8% dearer. Octopus changes
 * standing charges on the price-cap dates (Jan/Apr/Jul/Oct 1st), so each quarter has its own.
 */
export function standingCharge (seed: number, quarter: number, product: string, paymentMethod: 'DIRECT_DEBIT' | 'NON_DIRECT_DEBIT'): UnitRate {
  const direct = 40 + 25 * unitHash(seed, productQuarterKey(product, quarter), STREAM.standingCharge)
  return withVat(paymentMethod === 'DIRECT_DEBIT' ? direct : direct * 1.08)
}

/**
 * Day unit rate of a two-register (Economy 7, E-2R) tariff of a product for a quarter (as for
 * fixedRate), direct debit, p/kWh exc VAT: 1.1-1.2 × the product's fixedRate that quarter.
 */
export function dayRate (seed: number, quarter: number, product: string): UnitRate {
  const factor = 1.1 + 0.1 * unitHash(seed, productQuarterKey(product, quarter), STREAM.dayRate)
  return withVat(fixedRate(seed, quarter, product).value_exc_vat * factor)
}

/** Night unit rate of a two-register tariff, like dayRate: 0.45-0.55 × the product's fixedRate. */
export function nightRate (seed: number, quarter: number, product: string): UnitRate {
  const factor = 0.45 + 0.1 * unitHash(seed, productQuarterKey(product, quarter), STREAM.nightRate)
  return withVat(fixedRate(seed, quarter, product).value_exc_vat * factor)
}

/**
 * Gas unit rate of a product for a quarter (as for fixedRate), direct debit, p/kWh exc VAT:
 * 4-7.6p, so that non-direct-debit (5% dearer) stays under 8p.
 */
export function gasRate (seed: number, quarter: number, product: string): UnitRate {
  return withVat(4 + 3.6 * unitHash(seed, productQuarterKey(product, quarter), STREAM.gasRate))
}

/**
 * Gas standing charge (p/day) of a product for a quarter, by payment method: direct debit
 * 25-32.4p/day exc VAT, non-direct-debit 8% dearer (at most 35p).
 */
export function gasStandingCharge (seed: number, quarter: number, product: string, paymentMethod: 'DIRECT_DEBIT' | 'NON_DIRECT_DEBIT'): UnitRate {
  const direct = 25 + 7.4 * unitHash(seed, productQuarterKey(product, quarter), STREAM.gasStandingCharge)
  return withVat(paymentMethod === 'DIRECT_DEBIT' ? direct : direct * 1.08)
}

/** An export rate (2 decimals): export is not subject to VAT, so inc VAT equals exc VAT. */
export function withoutVat (value: number): UnitRate {
  const v = round(value, 2)
  return { value_exc_vat: v, value_inc_vat: v }
}

/**
 * Agile Outgoing rate of a slot (p/kWh, no VAT): half the slot's Agile import rate plus up to
 * ±0.5p of its own noise: it dips below zero when Agile does.
 */
export function agileOutgoingRate (seed: number, slotStartMs: number): UnitRate {
  const noise = unitHash(seed, slotStartMs / SLOT_MS, STREAM.outgoingPrice) - 0.5
  return withoutVat(0.5 * agileRate(seed, slotStartMs).value_exc_vat + noise)
}

// Household activity by local hour: breakfast, lunch, evening cooking and TV.
const ACTIVITY = [[0, 0.05], [6, 0.05], [7, 0.35], [8.5, 0.45], [10, 0.2], [12, 0.3], [14, 0.2], [17, 0.45], [19, 0.8], [21, 0.5], [23, 0.15], [24, 0.05]] as const

interface UsageStreams {
  usage: number
  spike: number
  spikeSize: number
}

/** The household's use of a slot (kWh, 0-3, 3 decimals), its per-slot randomness from `streams`. */
function householdUse (seed: number, slotStartMs: number, revision: number, streams: UsageStreams): number {
  const slot = slotStartMs / SLOT_MS
  const stream = (s: number): number => s + REVISION_STRIDE * revision
  const base = 0.05 + 0.04 * smoothNoise(seed, slotStartMs, DAY_MS, STREAM.usageBase)
  const activity = curve(ACTIVITY, localHour(slotStartMs)) * (0.7 + 0.5 * winterness(slotStartMs))
  const use = activity * (0.15 + 0.8 * unitHash(seed, slot, stream(streams.usage)))
  // An occasional big load: oven, dryer, a car charging.
  const spike = unitHash(seed, slot, stream(streams.spike)) < 0.03
    ? 0.5 + 2 * unitHash(seed, slot, stream(streams.spikeSize))
    : 0
  return round(clamp(base + use + spike, 0, 3), 3)
}

/**
 * Household consumption of a slot (kWh, 0-3, 3 decimals), as the import meter (and the
 * previous property's) reads it. `revision` is the day's usage revision: each one gives
 * different values, as a late meter re-read does.
 */
export function consumption (seed: number, slotStartMs: number, revision = 0): number {
  return householdUse(seed, slotStartMs, revision, { usage: STREAM.usage, spike: STREAM.usageSpike, spikeSize: STREAM.usageSpikeSize })
}

/**
 * The same household as the exchanged (old) import meter read it: its own per-slot streams,
 * so where both meters read a slot they disagree (bar the odd coincidence), as two real meters do.
 */
export function oldMeterConsumption (seed: number, slotStartMs: number, revision = 0): number {
  return householdUse(seed, slotStartMs, revision, { usage: STREAM.oldMeterUsage, spike: STREAM.oldMeterSpike, spikeSize: STREAM.oldMeterSpikeSize })
}

/**
 * Solar export of a slot (kWh, 3 decimals): 0 outside daylight, a bell around solar noon
 * (about 12:00 UTC) as wide as the day, about 1.8 kWh at a clear June noon (a 4 kWp array)
 * and a quarter of that in December, dimmed by clouds drifting over hours.
 */
export function exportConsumption (seed: number, slotStartMs: number, revision = 0): number {
  const ms = slotStartMs + SLOT_MS / 2
  const w = winterness(ms)
  const fromNoon = Math.abs((ms % DAY_MS) / HOUR_MS - 12)
  const halfDay = dayLengthHours(w) / 2
  if (fromNoon >= halfDay) return 0
  const sun = Math.cos(Math.PI / 2 * fromNoon / halfDay)
  const season = 0.25 + 0.75 * (1 - w)
  // Mostly cloudy, now and then clear: about 2,800 kWh exported a year.
  const clear = 0.15 + 0.85 * (1 - smoothNoise(seed, ms, 6 * HOUR_MS, STREAM.exportCloud)) ** 2
  const flicker = 0.9 + 0.1 * unitHash(seed, slotStartMs / SLOT_MS, STREAM.exportFlicker + REVISION_STRIDE * revision)
  return round(1.8 * sun * season * clear * flicker, 3)
}

// Central heating by local hour, 1 = burning flat out: on 06:00-09:00 and 16:30-22:30.
const HEATING = [[0, 0], [5.5, 0], [6, 1], [8, 0.8], [9, 0.2], [9.5, 0], [16, 0], [16.5, 0.8], [18, 1], [21, 0.7], [22.5, 0.2], [23, 0], [24, 0]] as const
// Hot water by local hour: morning showers, evening washing-up.
const HOT_WATER = [[0, 0], [6, 0], [7, 1], [8.5, 0.6], [9.5, 0], [18, 0], [19, 0.6], [21, 0.3], [22, 0], [24, 0]] as const

/**
 * Gas a SMETS2 meter reads for a slot (m³, 0-0.8, 3 decimals): heating on winter mornings and
 * evenings, stronger in cold spells lasting days, nothing at night, and in summer only a little
 * hot water. `revision` as for consumption.
 */
export function gasConsumption (seed: number, slotStartMs: number, revision = 0): number {
  const slot = slotStartMs / SLOT_MS
  const stream = (s: number): number => s + REVISION_STRIDE * revision
  const hour = localHour(slotStartMs)
  // The heating season: winterness above 0.35, late September to early May.
  const season = Math.max(0, (winterness(slotStartMs) - 0.35) / 0.65)
  const cold = 0.6 + 0.8 * smoothNoise(seed, slotStartMs, 3 * DAY_MS, STREAM.gasCold)
  const heat = 0.5 * curve(HEATING, hour) * season * cold * (0.85 + 0.3 * unitHash(seed, slot, stream(STREAM.gasHeat)))
  const water = curve(HOT_WATER, hour) * (0.01 + 0.09 * unitHash(seed, slot, stream(STREAM.gasHotWater)))
  return round(clamp(heat + water, 0, 0.8), 3)
}

/**
 * Unit rate (p/kWh) of a Tracker product (e.g. SILVER-24-12-31) for the London day
 * [dayStartMs, dayEndMs): one rate a day that follows the wholesale price, here the mean of that
 * day's Agile rates exc VAT, less 2p, ±1p a day of the product's own, 8-40p exc VAT.
 */
export function trackerRate (seed: number, product: string, dayStartMs: number, dayEndMs: number): UnitRate {
  let sum = 0
  for (let slot = dayStartMs; slot < dayEndMs; slot += SLOT_MS) sum += agileRate(seed, slot).value_exc_vat
  const mean = sum / ((dayEndMs - dayStartMs) / SLOT_MS)
  const own = 2 * unitHash(seed, textHash(product) ^ hash32(Math.round(dayStartMs / HOUR_MS)), STREAM.trackerRate) - 1
  return withVat(clamp(mean - 2 + own, 8, 40))
}

/**
 * Gas unit rate (p/kWh) of a Tracker product for the London day starting at `dayStartMs`: one rate
 * a day, like trackerRate for electricity, 4-7.6p exc VAT (the range of gasRate), each day and
 * product its own.
 */
export function trackerGasRate (seed: number, product: string, dayStartMs: number): UnitRate {
  return withVat(4 + 3.6 * unitHash(seed, textHash(product) ^ hash32(Math.round(dayStartMs / HOUR_MS)), STREAM.trackerGasRate))
}

/** Price bands of a time-of-use tariff (Cosy, Flux): cheap, standard and peak windows of the day. */
export type TimeOfUseBand = 'cheap' | 'standard' | 'peak'

// A band's unit rate as a share of the product's standard rate that quarter: Cosy's cheap hours
// cost about half its standard rate, its peak about a half more.
const BAND_FACTORS: Record<TimeOfUseBand, number> = { cheap: 0.5, standard: 1, peak: 1.5 }

/**
 * Unit rate (p/kWh) of a time-of-use product's band for a quarter (as for fixedRate): the
 * product's fixedRate × 0.5 (cheap), × 1 (standard) or × 1.5 (peak).
 */
export function timeOfUseRate (seed: number, quarter: number, product: string, band: TimeOfUseBand): UnitRate {
  return withVat(fixedRate(seed, quarter, product).value_exc_vat * BAND_FACTORS[band])
}

/**
 * Gas a SMETS1 meter reads for a slot, in kWh: the SMETS2 m³ reading converted as Octopus does,
 * m³ × 1.02264 (volume correction) × 40 MJ/m³ (calorific value) ÷ 3.6 (MJ per kWh), 3 decimals
 * (HomeAssistant-OctopusEnergy gas/__init__.py convert_m3_to_kwh, const.py DEFAULT_CALORIFIC_VALUE).
 */
export function smets1GasConsumption (seed: number, slotStartMs: number, revision = 0): number {
  return round(gasConsumption(seed, slotStartMs, revision) * 1.02264 * 40 / 3.6, 3)
}
