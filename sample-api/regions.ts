import type { Fuel } from './types.ts'

// The 17 regions of the Carbon Intensity API's /regional endpoints: ids, DNO names and short
// names as the real API answers them (its docs list ids and short names under "Regions"), plus
// the sample model of each region's carbon relative to the national figures.

/** A region's metadata as the API answers it. */
export interface RegionInfo {
  regionid: number
  dnoregion: string
  shortname: string
}

/**
 * How a region's values follow the national ones: a DNO area scales the national forecast by
 * `factor` and each fuel's share by its weight; a nation (England, Scotland, Wales) averages
 * its member areas.
 */
export type RegionModel =
  | { kind: 'area', factor: number, weights: Readonly<Record<Fuel, number>> }
  | { kind: 'nation', members: readonly number[] }

export interface Region extends RegionInfo {
  model: RegionModel
}

type Weights = [biomass: number, coal: number, imports: number, gas: number, nuclear: number, other: number, hydro: number, solar: number, wind: number]

function area (factor: number, w: Weights): RegionModel {
  const [biomass, coal, imports, gas, nuclear, other, hydro, solar, wind] = w
  return { kind: 'area', factor, weights: { biomass, coal, imports, gas, nuclear, other, hydro, solar, wind } }
}

// Factors and fuel weights are ours, chosen to look like the real regional answers: North
// Scotland is hydro and wind (~0.15 × national), South Scotland nuclear and wind, South Wales
// and the East Midlands gas-heavy (~1.3-1.5 ×), the South East imports through the interconnectors.
const REGION_LIST: readonly Region[] = [
  { regionid: 1, dnoregion: 'Scottish Hydro Electric Power Distribution', shortname: 'North Scotland', model: area(0.15, [0.5, 0, 0, 0.3, 0, 0.5, 15, 0.3, 3]) },
  { regionid: 2, dnoregion: 'SP Distribution', shortname: 'South Scotland', model: area(0.3, [0.8, 0, 0, 0.2, 2.5, 0.5, 2, 0.4, 2]) },
  { regionid: 3, dnoregion: 'Electricity North West', shortname: 'North West England', model: area(0.85, [0.5, 0, 0.5, 1.1, 1.5, 1, 0.5, 0.7, 0.8]) },
  { regionid: 4, dnoregion: 'NPG North East', shortname: 'North East England', model: area(0.75, [1.5, 0, 0.5, 0.9, 1.8, 1, 0.2, 0.5, 1.2]) },
  { regionid: 5, dnoregion: 'NPG Yorkshire', shortname: 'Yorkshire', model: area(1.35, [3, 1.5, 0.3, 1.3, 0, 1, 0.2, 0.6, 0.8]) },
  { regionid: 6, dnoregion: 'SP Manweb', shortname: 'North Wales & Merseyside', model: area(1, [0.5, 0, 0.8, 1.2, 0.8, 1, 2, 0.8, 1.3]) },
  { regionid: 7, dnoregion: 'WPD South Wales', shortname: 'South Wales', model: area(1.45, [0.5, 0, 0.5, 1.8, 0, 1, 0.5, 1.2, 0.6]) },
  { regionid: 8, dnoregion: 'WPD West Midlands', shortname: 'West Midlands', model: area(1.2, [1, 0.5, 1, 1.3, 0.6, 1, 0.3, 1, 0.5]) },
  { regionid: 9, dnoregion: 'WPD East Midlands', shortname: 'East Midlands', model: area(1.3, [1, 2, 0.5, 1.5, 0.2, 1, 0.1, 1, 0.6]) },
  { regionid: 10, dnoregion: 'UKPN East', shortname: 'East England', model: area(0.9, [1, 0, 1.5, 1, 1.2, 1, 0.1, 1.4, 1.3]) },
  { regionid: 11, dnoregion: 'WPD South West', shortname: 'South West England', model: area(0.85, [0.5, 0, 0.5, 0.9, 0.8, 1, 0.3, 2, 0.6]) },
  { regionid: 12, dnoregion: 'SSE South', shortname: 'South England', model: area(1.1, [0.8, 0, 1.2, 1.2, 0.6, 1, 0.1, 1.6, 0.5]) },
  { regionid: 13, dnoregion: 'UKPN London', shortname: 'London', model: area(1, [1.2, 0, 2, 1.1, 0.7, 1, 0.2, 0.9, 0.6]) },
  { regionid: 14, dnoregion: 'UKPN South East', shortname: 'South East England', model: area(0.95, [0.8, 0, 2.5, 1, 0.8, 1, 0.1, 1.4, 0.8]) },
  { regionid: 15, dnoregion: 'England', shortname: 'England', model: { kind: 'nation', members: [3, 4, 5, 8, 9, 10, 11, 12, 13, 14] } },
  { regionid: 16, dnoregion: 'Scotland', shortname: 'Scotland', model: { kind: 'nation', members: [1, 2] } },
  { regionid: 17, dnoregion: 'Wales', shortname: 'Wales', model: { kind: 'nation', members: [6, 7] } }
]

/** The regions by id, 1-17. */
export const REGIONS: ReadonlyMap<number, Readonly<Region>> = new Map(REGION_LIST.map(r => [r.regionid, r]))

// Postcode area (the letters before the outward code's digit) → DNO region. The real API maps
// each outward code; an area split between two DNOs is given here to the one holding most of it.
const AREAS: Readonly<Record<number, readonly string[]>> = {
  1: ['AB', 'DD', 'HS', 'IV', 'KW', 'PH', 'ZE'],
  2: ['DG', 'EH', 'FK', 'G', 'KA', 'KY', 'ML', 'PA', 'TD'],
  3: ['BB', 'BL', 'CA', 'FY', 'LA', 'M', 'OL', 'PR', 'SK', 'WN'],
  4: ['DH', 'DL', 'NE', 'SR', 'TS'],
  5: ['BD', 'DN', 'HD', 'HG', 'HU', 'HX', 'LS', 'S', 'WF', 'YO'],
  6: ['CH', 'CW', 'L', 'LL', 'SY', 'WA'],
  7: ['CF', 'LD', 'NP', 'SA'],
  8: ['B', 'CV', 'DY', 'GL', 'HR', 'ST', 'TF', 'WR', 'WS', 'WV'],
  9: ['DE', 'LE', 'LN', 'MK', 'NG', 'NN'],
  10: ['AL', 'CB', 'CM', 'CO', 'EN', 'IG', 'IP', 'LU', 'NR', 'PE', 'RM', 'SG', 'SS', 'WD'],
  11: ['BA', 'BS', 'DT', 'EX', 'PL', 'TA', 'TQ', 'TR'],
  12: ['BH', 'GU', 'HP', 'OX', 'PO', 'RG', 'SL', 'SN', 'SO', 'SP'],
  13: ['CR', 'E', 'EC', 'HA', 'N', 'NW', 'SE', 'SM', 'SW', 'TW', 'UB', 'W', 'WC'],
  14: ['BN', 'BR', 'CT', 'DA', 'KT', 'ME', 'RH', 'TN']
}

/** Region id of each GB postcode area. */
export const POSTCODE_AREAS: ReadonlyMap<string, number> = new Map(Object.entries(AREAS).flatMap(([id, areas]) => areas.map(a => [a, Number(id)] as const)))

// The outward part of a UK postcode: area letters, district digit(s), optional sub-district.
const OUTWARD_CODE = /^([A-Z]{1,2})\d[A-Z\d]?$/

/** The region of an outward postcode (case-insensitive); undefined when it is not one or not in GB. */
export function regionOfOutcode (outcode: string): Readonly<Region> | undefined {
  const match = OUTWARD_CODE.exec(outcode.toUpperCase())
  const id = match === null ? undefined : POSTCODE_AREAS.get(match[1])
  return id === undefined ? undefined : REGIONS.get(id)
}

/** The region of a region id path segment (`1`-`17`); undefined otherwise. */
export function regionOfId (text: string): Readonly<Region> | undefined {
  return /^\d{1,2}$/.test(text) ? REGIONS.get(Number(text)) : undefined
}
