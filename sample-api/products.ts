import { isLocalDate, londonDay } from '../lib/london-day.ts'

// Octopus product codes end in their launch date, YY-MM-DD (AGILE-24-10-01, VAR-22-11-01,
// OUTGOING-FIX-12M-19-05-13), and the real API has no rates for a product before it.

const LAUNCH_RE = /(?:^|-)(\d{2})-(\d{2})-(\d{2})$/

/** Launch of a product (UTC ms of London local midnight); undefined when the code has no date (unknown product). */
export function productLaunch (product: string): number | undefined {
  const m = LAUNCH_RE.exec(product)
  if (m === null) return undefined
  const date = `20${m[1]}-${m[2]}-${m[3]}`
  return isLocalDate(date) ? londonDay(date).startMs : undefined
}

/** Agile products have one rate per half-hour; the others one per quarter. */
export function isAgileProduct (product: string): boolean {
  return product.includes('AGILE')
}

/** Export products (Outgoing Fixed, Agile Outgoing, …) have OUTGOING in their code. */
export function isExportProduct (product: string): boolean {
  return product.includes('OUTGOING')
}

/**
 * Two-register tariffs, E-2R-… (Economy 7) and E-FLAT2R-… (one flat rate on both registers),
 * have day and night unit rates instead of a standard one: HA's is_day_night_tariff takes any
 * register part with a 2 in it (tests/unit/utils/test_is_day_night_tariff.py: E-FLAT2R-SILVER-23-12-06-A).
 */
export function isTwoRateTariff (tariff: string): boolean {
  return /^E-(FLAT)?2R-/.test(tariff)
}
