import { EnergyError } from '../../lib/errors.ts'
import { octopusTime } from './pages.ts'
import { parseTariffCode } from './tariff-code.ts'
import type { Account, Agreement } from './types.ts'

// The account for people: `octopus:discover` prints it, and derives from it the single-meter
// variables (OCTOPUS_MPAN, …) for a pipeline run without OCTOPUS_ACCOUNT.

const shown = (ms: number | null, open: string): string => ms === null ? open : octopusTime(ms)

function agreementLines (agreements: Agreement[]): string[] {
  return agreements.map(a => `      ${shown(a.valid_from, '')} → ${shown(a.valid_to, 'open-ended')}  ${a.tariff_code}`)
}

/** Properties, meter points, meters and agreements, one per line. */
export function describeAccount (account: Account): string[] {
  const lines = [`account ${account.number}: ${account.properties.length} propert${account.properties.length === 1 ? 'y' : 'ies'}`]
  for (const p of account.properties) {
    lines.push(`  property ${p.postcode ?? '(no postcode)'}: moved in ${shown(p.moved_in_at, 'before the history')}, moved out ${shown(p.moved_out_at, '(still there)')}`)
    for (const point of p.electricity_meter_points) {
      lines.push(`    electricity ${point.is_export ? 'export' : 'import'} ${point.mpan}, meters ${point.meters.join(', ') || '(none)'}`)
      lines.push(...agreementLines(point.agreements))
    }
    for (const point of p.gas_meter_points) {
      lines.push(`    gas ${point.mprn}, meters ${point.meters.join(', ') || '(none)'}`)
      lines.push(...agreementLines(point.agreements))
    }
  }
  return lines
}

/**
 * The single-meter variables for now: the import meter point of the property lived in (the
 * latest when none is current), its first listed meter (after an exchange the account lists
 * the current meter first, the one whose readings win) and the agreement in force.
 */
export function singleMeterLines (account: Account, nowMs = Date.now()): Record<string, string> {
  const fail = (why: string): never => { throw new EnergyError('ENERGY_MALFORMED', `account ${account.number}: ${why}`) }
  const property = account.properties.find(p => p.moved_out_at === null || p.moved_out_at > nowMs) ?? account.properties.at(-1) ?? fail('no properties')
  const point = property.electricity_meter_points.find(p => !p.is_export) ?? fail('no import electricity meter point')
  const serial = point.meters[0] ?? fail(`meter point ${point.mpan} lists no meter`)
  const current = point.agreements.find(a => a.valid_from <= nowMs && (a.valid_to === null || a.valid_to > nowMs)) ?? fail(`meter point ${point.mpan} has no agreement in force now`)
  return { OCTOPUS_MPAN: point.mpan, OCTOPUS_SERIAL: serial, OCTOPUS_TARIFF: current.tariff_code, OCTOPUS_PRODUCT: parseTariffCode(current.tariff_code).products[0] ?? '' }
}
