// The product families a household can choose, as the comparison names them, and how each is
// found in the catalogue: by its product codes' prefix (Octopus names a product family by a
// code stem and a launch date, AGILE-24-10-01, GO-VAR-22-10-14; docs/api.md cites them), and
// the direction the list gives (IMPORT or EXPORT).

export type Fuel = 'electricity' | 'gas'
export type Direction = 'IMPORT' | 'EXPORT'

export interface Family {
  name: string
  label: string
  fuel: Fuel
  direction: Direction
  /** Product codes of the family. */
  match: RegExp
}

export const FAMILIES: readonly Family[] = [
  { name: 'agile', label: 'Agile Octopus', fuel: 'electricity', direction: 'IMPORT', match: /^AGILE-(?!OUTGOING)/ },
  { name: 'go', label: 'Octopus Go', fuel: 'electricity', direction: 'IMPORT', match: /^GO-/ },
  { name: 'intelligent_go', label: 'Intelligent Octopus Go', fuel: 'electricity', direction: 'IMPORT', match: /^(INTELLI-(?!FLUX)|IOG-)/ },
  { name: 'cosy', label: 'Cosy Octopus', fuel: 'electricity', direction: 'IMPORT', match: /^COSY-/ },
  { name: 'flux', label: 'Octopus Flux (import)', fuel: 'electricity', direction: 'IMPORT', match: /^FLUX-IMPORT-/ },
  { name: 'tracker', label: 'Octopus Tracker', fuel: 'electricity', direction: 'IMPORT', match: /^SILVER-/ },
  { name: 'flexible', label: 'Flexible Octopus', fuel: 'electricity', direction: 'IMPORT', match: /^VAR-/ },
  { name: 'fixed', label: 'Octopus 12M Fixed', fuel: 'electricity', direction: 'IMPORT', match: /^(OE-)?FIX-/ },
  { name: 'outgoing_fixed', label: 'Outgoing Octopus Fixed', fuel: 'electricity', direction: 'EXPORT', match: /^OUTGOING-(FIX|VAR)-/ },
  { name: 'agile_outgoing', label: 'Agile Outgoing Octopus', fuel: 'electricity', direction: 'EXPORT', match: /^AGILE-OUTGOING-/ },
  { name: 'flux_export', label: 'Octopus Flux (export)', fuel: 'electricity', direction: 'EXPORT', match: /^FLUX-EXPORT-/ },
  { name: 'flexible_gas', label: 'Flexible Octopus (gas)', fuel: 'gas', direction: 'IMPORT', match: /^VAR-/ },
  { name: 'fixed_gas', label: 'Octopus 12M Fixed (gas)', fuel: 'gas', direction: 'IMPORT', match: /^(OE-)?FIX-/ },
  { name: 'tracker_gas', label: 'Octopus Tracker (gas)', fuel: 'gas', direction: 'IMPORT', match: /^SILVER-/ }
]

/** The family of a product code and direction, if any. */
export function familyOf (product: string, direction: Direction, fuel: Fuel = 'electricity'): Family | undefined {
  return FAMILIES.find(f => f.fuel === fuel && f.direction === direction && f.match.test(product))
}

/** A tariff's code for a product in a region: single-register electricity or gas (`E-1R-`, `G-1R-`). */
export function tariffCodeOf (product: string, fuel: Fuel, region: string): string {
  return `${fuel === 'gas' ? 'G' : 'E'}-1R-${product}-${region}`
}

/** The region letter a tariff code ends in (E-1R-AGILE-24-10-01-C → C), if any. */
export function regionOfTariff (code: string | undefined): string | undefined {
  return /-([A-P])$/.exec(code ?? '')?.[1]
}
