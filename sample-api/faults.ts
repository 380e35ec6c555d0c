import { EnergyError } from '../lib/errors.ts'
import { isLocalDate } from '../lib/london-day.ts'
import type { DateRange, Fault, FaultKind, FaultSource, RequestSource } from './types.ts'

const SOURCES: readonly FaultSource[] = ['co2', 'mix', 'regional', 'forecast', 'pricing', 'usage', 'account', 'export', 'gas', 'catalogue', 'graphql', '*']
const KINDS: readonly FaultKind[] = ['500', '429', 'malformed', 'slow', 'missing', '401', 'oversized', 'control', 'out-of-range', 'junk-fuels', 'empty']
// The Carbon Intensity sources: the only ones an empty fault hits.
const CARBON_SOURCES: readonly RequestSource[] = ['co2', 'mix', 'regional', 'forecast']
// Whole-number fields and their minimum.
const NUMBER_FIELDS = { times: 1, retryAfterSeconds: 0, delayMs: 0, missingSlots: 0 } as const
const FIELDS = new Set(['source', 'date', 'kind', 'retryAfterAsDate', ...Object.keys(NUMBER_FIELDS)])

/** Parses a JSON fault list (SAMPLE_API_FAULTS); throws ENERGY_CONFIG naming `origin`. */
export function parseFaults (text: string, origin = 'SAMPLE_API_FAULTS'): Fault[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new EnergyError('ENERGY_CONFIG', `${origin} is not valid JSON: ${(err as Error).message}`, { cause: err })
  }
  return checkFaults(value, origin)
}

/** Checks a decoded fault list, reporting every problem in one ENERGY_CONFIG error. */
export function checkFaults (value: unknown, origin = 'SAMPLE_API_FAULTS'): Fault[] {
  if (!Array.isArray(value)) throw new EnergyError('ENERGY_CONFIG', `${origin} must be a JSON list of faults`)
  const problems = value.flatMap((item: unknown, i) => faultProblems(item).map(p => `[${i}] ${p}`))
  if (problems.length > 0) throw new EnergyError('ENERGY_CONFIG', `${origin} is invalid:\n  ${problems.join('\n  ')}`)
  return value.map((item: Fault) => ({ ...item }))
}

function faultProblems (item: unknown): string[] {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return ['must be an object']
  const fault = item as Record<string, unknown>
  const problems = Object.keys(fault).filter(k => !FIELDS.has(k)).map(k => `unknown field "${k}"`)
  if (!SOURCES.includes(fault.source as FaultSource)) problems.push(`source must be one of ${SOURCES.join(', ')}, got ${JSON.stringify(fault.source)}`)
  if (!KINDS.includes(fault.kind as FaultKind)) problems.push(`kind must be one of ${KINDS.join(', ')}, got ${JSON.stringify(fault.kind)}`)
  if (fault.date !== undefined && !(typeof fault.date === 'string' && isLocalDate(fault.date))) {
    problems.push(`date must be YYYY-MM-DD, got ${JSON.stringify(fault.date)}`)
  }
  if (fault.retryAfterAsDate !== undefined && typeof fault.retryAfterAsDate !== 'boolean') problems.push(`retryAfterAsDate must be true or false, got ${JSON.stringify(fault.retryAfterAsDate)}`)
  for (const [field, min] of Object.entries(NUMBER_FIELDS)) {
    const n = fault[field]
    if (n !== undefined && !(Number.isInteger(n) && (n as number) >= min)) problems.push(`${field} must be a whole number >= ${min}, got ${JSON.stringify(n)}`)
  }
  return problems
}

/** True when `fault` applies to a request about `source` covering `dates` (undefined: none in particular). */
function faultMatches (fault: Fault, source: RequestSource, dates: DateRange | undefined, readings: boolean): boolean {
  if (fault.source !== '*' && fault.source !== source) return false
  // YYYY-MM-DD compares as text in date order.
  if (fault.date !== undefined && (dates === undefined || fault.date < dates.from || fault.date > dates.to)) return false
  // An empty data list is an answer of the Carbon Intensity API only.
  if (fault.kind === 'empty') return CARBON_SOURCES.includes(source)
  // Dropping slots only means something for consumption.
  return fault.kind !== 'missing' || readings
}

/**
 * Takes the first fault in `faults` matching the request, counting down its `times` and
 * removing it once used up. Returns the fault as it was before the count-down. A dated fault
 * matches a request whose `dates` contain its date. `readings`: the request asks for
 * consumption (usage requests always do; export and gas ones may).
 */
export function takeFault (faults: Fault[], source: RequestSource, dates: DateRange | undefined, readings = source === 'usage'): Fault | undefined {
  const i = faults.findIndex(f => faultMatches(f, source, dates, readings))
  if (i === -1) return undefined
  const fault = faults[i]
  if (fault.times !== undefined) {
    if (fault.times <= 1) faults.splice(i, 1)
    else faults[i] = { ...fault, times: fault.times - 1 }
  }
  return fault
}
