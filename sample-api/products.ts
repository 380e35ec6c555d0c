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

/** Two-register (Economy 7) tariffs, E-2R-…, have day and night unit rates instead of a standard one. */
export function isTwoRateTariff (tariff: string): boolean {
  return tariff.startsWith('E-2R-')
}
