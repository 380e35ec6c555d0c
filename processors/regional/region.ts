import type { Config } from '../../lib/config.ts'
import { SLOT_MS } from '../../lib/london-day.ts'
import { regionFor, regionPath, type Region } from '../../clients/carbon/region.ts'
import type { Account } from '../../clients/octopus/types.ts'

// A span of regional carbon cut where the region changes (the region of an instant:
// clients/carbon/region.ts), and what regional reads of the account.

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
