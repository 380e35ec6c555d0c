import type { Config } from '../../lib/config.ts'
import { OUTWARD_CODE } from '../../lib/config.ts'
import { SLOT_MS } from '../../lib/london-day.ts'
import type { Account } from '../account/types.ts'

// Where regional carbon is asked for (Carbon Intensity `/regional/...`): by region id
// (CARBON_REGION_ID) or by outward postcode (CARBON_POSTCODE, else the postcode of the account's
// property in force at the time). The API takes the outward part of a postcode only.

export type Region = { kind: 'regionid', id: number } | { kind: 'postcode', outcode: string }

/** The URL path suffix of a region: `regionid/13` or `postcode/RG41`. */
export function regionPath (region: Region): string {
  return region.kind === 'regionid' ? `regionid/${region.id}` : `postcode/${encodeURIComponent(region.outcode)}`
}

/** The outward part of a full or outward postcode (`SW1A 1AA` → `SW1A`); undefined when it is not one. */
export function outwardCodeOf (postcode: string): string | undefined {
  const outward = postcode.trim().toUpperCase().split(/\s+/)[0]
  return OUTWARD_CODE.test(outward) ? outward : undefined
}

/**
 * The region for an instant: the configured region id, else the configured postcode, else the
 * postcode of the account property in force at `atMs` (moved_in_at ≤ at < moved_out_at);
 * undefined when none is known.
 */
export function regionFor (config: Pick<Config, 'carbonRegionId' | 'carbonPostcode'>, account: Account | undefined, atMs: number): Region | undefined {
  if (config.carbonRegionId !== null) return { kind: 'regionid', id: config.carbonRegionId }
  if (config.carbonPostcode !== null) return { kind: 'postcode', outcode: config.carbonPostcode }
  const property = account?.properties.find(p => (p.moved_in_at ?? -Infinity) <= atMs && atMs < (p.moved_out_at ?? Infinity))
  const outcode = property?.postcode === null || property?.postcode === undefined ? undefined : outwardCodeOf(property.postcode)
  return outcode === undefined ? undefined : { kind: 'postcode', outcode }
}

/** A part of a span served by one region: [startMs, endMs), slot-aligned. */
export interface RegionPart { startMs: number, endMs: number, region: Region }

const NO_CONFIGURED_REGION = { carbonRegionId: null, carbonPostcode: null } as const

/** Instants where the account's property changes (moves in and out), ascending. */
function moves (account: Account | undefined): number[] {
  const edges = (account?.properties ?? []).flatMap(p => [p.moved_in_at, p.moved_out_at]).filter((ms): ms is number => ms !== null)
  return [...new Set(edges)].sort((a, b) => a - b)
}

/**
 * The span [startMs, endMs) cut where the region changes: without CARBON_REGION_ID and
 * CARBON_POSTCODE, at every move between the account's properties. A slot belongs to the
 * property in force at its start, so a move inside a slot takes effect from the next slot.
 * Consecutive parts of the same region are one part; a part without any region is left out
 * (its days have no values: whyMissing says why).
 */
export function regionParts (config: Pick<Config, 'carbonRegionId' | 'carbonPostcode'>, account: Account | undefined, span: { startMs: number, endMs: number }): RegionPart[] {
  const configured = config.carbonRegionId !== null || config.carbonPostcode !== null
  const cuts = configured ? [] : moves(account).map(ms => Math.ceil(ms / SLOT_MS) * SLOT_MS).filter(ms => ms > span.startMs && ms < span.endMs)
  const edges = [span.startMs, ...new Set(cuts), span.endMs]
  const parts: RegionPart[] = []
  for (let i = 0; i + 1 < edges.length; i++) {
    const region = regionFor(config, account, edges[i])
    if (region === undefined) continue
    const last = parts.at(-1)
    if (last !== undefined && last.endMs === edges[i] && regionPath(last.region) === regionPath(region)) last.endMs = edges[i + 1]
    else parts.push({ startMs: edges[i], endMs: edges[i + 1], region })
  }
  return parts
}

/**
 * What regional reads of the account (its AccountView): the outward postcode of the property
 * in force, over [from, to). A move to another outward code, or a postcode corrected, changes
 * the key, so those days are requested again. A property with no known move-in starts at the
 * account's earliest known instant (nothing before it is metered); where no property with a
 * postcode is in force there is no period.
 */
export function regionalPeriods (account: Account, from: number, to: number): Array<{ from: number, to: number, key: string }> {
  const known = [...moves(account), ...account.properties.flatMap(p => [...p.electricity_meter_points, ...p.gas_meter_points].flatMap(m => m.agreements.map(a => a.valid_from)))]
  const start = Math.max(from, known.length === 0 ? from : Math.min(...known))
  if (!Number.isFinite(start) || start >= to) return []
  const edges = [start, ...moves(account).filter(ms => ms > start && ms < to), to]
  const periods: Array<{ from: number, to: number, key: string }> = []
  for (let i = 0; i + 1 < edges.length; i++) {
    const region = regionFor(NO_CONFIGURED_REGION, account, edges[i])
    if (region?.kind !== 'postcode') continue
    const key = region.outcode
    const last = periods.at(-1)
    if (last !== undefined && last.to === edges[i] && last.key === key) last.to = edges[i + 1]
    else periods.push({ from: edges[i], to: edges[i + 1], key })
  }
  return periods
}
