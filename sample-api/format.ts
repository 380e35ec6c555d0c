import { londonOffsetMs } from '../lib/london-day.ts'

// Timestamp spellings of the two real services.

/** Carbon Intensity API style: minutes, no seconds (`2024-06-14T23:00Z`). */
export function carbonTime (ms: number): string {
  return new Date(ms).toISOString().slice(0, 16) + 'Z'
}

/** Octopus unit-rate style: UTC with seconds (`2024-06-15T22:30:00Z`). */
export function utcTime (ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z'
}

/** Octopus consumption style: UK local time with its offset (`+01:00` in BST, `Z` in GMT). */
export function londonTime (ms: number): string {
  const offset = londonOffsetMs(ms)
  return new Date(ms + offset).toISOString().slice(0, 19) + (offset === 0 ? 'Z' : '+01:00')
}
