import { OCTOPUS_CODE } from '../../lib/config.ts'

// What a tariff code's shape suggests, and only suggests: the catalogue decides the product and
// the rate links (catalogue.ts). Real codes come in many shapes (E-1R-AGILE-24-10-01-C,
// E-2R-…, E-FLAT2R-VAR-22-11-01-H, G-1R-…, V2G-EXPORT-12M-FIXED-22-12-01-C without a fuel
// prefix, BUS-PANELP-12M-FIXED-SEPTEMBER2029 without a region letter: HomeAssistant-OctopusEnergy
// tests/unit/utils/test_tariff_parts.py and its REGEX_TARIFF_PARTS in const.py).

export interface TariffCodeHint {
  /** Products to look up first, most likely first (none: the catalogue must find it). */
  products: string[]
  /** From the fuel letter; undefined when the code has none. */
  fuel: 'electricity' | 'gas' | undefined
  /** The register part names two registers (2R, FLAT2R): day and night rates when the catalogue does not say. */
  twoRegisters: boolean
}

// Fuel letter, register part, product, region letter: E-1R-AGILE-24-10-01-C, E-FLAT2R-VAR-22-11-01-H.
const PREFIXED = /^([EG])-([0-9A-Z]+)-([A-Z0-9-]+)-([A-P])$/
// A fuel and register run together (E1R-…): reported by users, never seen in a recorded answer,
// so both readings are tried.
const LEGACY = /^([EG])(\d+R)-([A-Z0-9-]+)-([A-P])$/
// No fuel prefix (V2G-EXPORT-12M-FIXED-22-12-01-C): the product is the code without its region letter.
const UNPREFIXED = /^([A-Z0-9-]+)-([A-P])$/

/** The hint of a code; a code that is not safe in a URL path has none (and cannot be priced). */
export function parseTariffCode (code: string): TariffCodeHint {
  const fuelOf = (letter: string): 'electricity' | 'gas' => letter === 'G' ? 'gas' : 'electricity'
  if (!OCTOPUS_CODE.test(code)) return { products: [], fuel: undefined, twoRegisters: false }
  const upper = code.toUpperCase()
  const prefixed = PREFIXED.exec(upper)
  if (prefixed !== null) return { products: [prefixed[3]], fuel: fuelOf(prefixed[1]), twoRegisters: prefixed[2].includes('2') }
  const legacy = LEGACY.exec(upper)
  if (legacy !== null) return { products: [legacy[3], `${legacy[1]}${legacy[2]}-${legacy[3]}`], fuel: fuelOf(legacy[1]), twoRegisters: legacy[2].includes('2') }
  const unprefixed = UNPREFIXED.exec(upper)
  if (unprefixed !== null) return { products: [unprefixed[1]], fuel: undefined, twoRegisters: false }
  return { products: [], fuel: undefined, twoRegisters: false }
}
