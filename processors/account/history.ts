import type { Account, Agreement, ElectricityMeterPoint, GasMeterPoint, Property } from '../../clients/octopus/types.ts'

// Octopus answers drop meter points now and then: an export point, or every point after a
// tariff switch, comes back days later (HomeAssistant-OctopusEnergy #1051, #1239, #1808). The
// account of record never forgets what an earlier answer listed: a property, meter point, meter
// or agreement the new answer omits is kept as it was known, so no re-request replaces real
// readings by zeros. What the household means still changes the history: a move is a new
// property or a moved_out_at, an exchange a new meter, a switch or an ended agreement an
// agreement that overlaps (or replaces) the one before.

const overlaps = (a: Agreement, b: Agreement): boolean =>
  a.valid_from < (b.valid_to ?? Infinity) && b.valid_from < (a.valid_to ?? Infinity)

/** Next's agreements, with each earlier one that overlaps none of them. */
function agreements (before: readonly Agreement[], after: readonly Agreement[], kept: string[], where: string): Agreement[] {
  const carried = before.filter(a => !after.some(b => overlaps(a, b)))
  for (const a of carried) kept.push(`${where}: agreement ${a.tariff_code} from ${new Date(a.valid_from).toISOString()}`)
  return [...after, ...carried].sort((a, b) => a.valid_from - b.valid_from)
}

function meters (before: readonly string[], after: readonly string[], kept: string[], where: string): string[] {
  const carried = before.filter(m => !after.includes(m))
  for (const m of carried) kept.push(`${where}: meter ${m}`)
  return [...after, ...carried]
}

function points<P extends ElectricityMeterPoint | GasMeterPoint> (before: readonly P[], after: readonly P[], idOf: (p: P) => string, kept: string[]): P[] {
  const merged = after.map(p => {
    const earlier = before.find(b => idOf(b) === idOf(p))
    if (earlier === undefined) return p
    return { ...p, meters: meters(earlier.meters, p.meters, kept, idOf(p)), agreements: agreements(earlier.agreements, p.agreements, kept, idOf(p)) }
  })
  for (const p of before) {
    if (after.some(a => idOf(a) === idOf(p))) continue
    kept.push(`meter point ${idOf(p)}`)
    merged.push(p)
  }
  return merged
}

const sameProperty = (a: Property, b: Property): boolean => a.moved_in_at === b.moved_in_at

/**
 * `next` with everything `previous` listed that `next` omits (each named in `kept`, for a
 * warning). A property is the same when it was moved into at the same instant.
 */
export function keepHistory (previous: Account, next: Account): { account: Account, kept: string[] } {
  const kept: string[] = []
  const properties = next.properties.map(p => {
    const earlier = previous.properties.find(b => sameProperty(b, p))
    if (earlier === undefined) return p
    return {
      ...p,
      electricity_meter_points: points(earlier.electricity_meter_points, p.electricity_meter_points, m => m.mpan, kept),
      gas_meter_points: points(earlier.gas_meter_points, p.gas_meter_points, m => m.mprn, kept)
    }
  })
  for (const p of previous.properties) {
    if (next.properties.some(n => sameProperty(n, p))) continue
    kept.push(`property ${p.postcode ?? '(no postcode)'} moved into ${p.moved_in_at === null ? 'before the history' : new Date(p.moved_in_at).toISOString()}`)
    properties.push(p)
  }
  properties.sort((a, b) => (a.moved_in_at ?? -Infinity) - (b.moved_in_at ?? -Infinity))
  return { account: { ...next, properties }, kept }
}
