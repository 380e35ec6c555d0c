import type { Config } from '../../lib/config.ts'
import { OUTWARD_CODE } from '../../lib/config.ts'
import type { Account } from '../octopus/types.ts'

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
