import { isCalendarDate } from '../lib/london-day.ts'
import type { Agreement, AgreementChange } from './types.ts'

// An account meter point's tariff agreements, changed the way Octopus records a switch: the
// new agreement is in force over its whole period, whatever was there before is cut away.

// Fuel (E/G), register count, product, region letter (A-P): E-1R-AGILE-24-10-01-C.
const TARIFF_RE = /^[EG]-[12]R-.+-[A-P]$/
const TIME_RE = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?(Z|[+-]\d{2}:[0-5]\d)$/
const FIELDS = new Set(['tariff_code', 'valid_from', 'valid_to', 'mpan', 'mprn'])
const TIME_SHAPE = 'an ISO 8601 time with offset, like 2024-10-01T00:00:00+01:00'

/** Parses a JSON agreement change (POST /_admin/agreements body); RangeError naming every problem. */
export function parseAgreementChange (text: string, origin = 'POST /_admin/agreements body'): AgreementChange {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new RangeError(`${origin} is not valid JSON: ${(err as Error).message}`, { cause: err })
  }
  return checkAgreementChange(value, origin)
}

/** Checks a decoded agreement change, reporting every problem in one RangeError. */
export function checkAgreementChange (value: unknown, origin = 'agreement'): AgreementChange {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RangeError(`${origin} must be a JSON object`)
  const change = value as Record<string, unknown>
  const problems = Object.keys(change).filter(k => !FIELDS.has(k)).map(k => `unknown field "${k}"`)
  const { tariff_code: tariff, valid_from: from, valid_to: to, mpan, mprn } = change
  if (tariff === undefined) problems.push('tariff_code is required')
  else if (!(typeof tariff === 'string' && TARIFF_RE.test(tariff))) problems.push(`tariff_code must look like E-1R-AGILE-24-10-01-C (${TARIFF_RE}), got ${JSON.stringify(tariff)}`)
  if (from === undefined) problems.push(`valid_from is required (${TIME_SHAPE})`)
  else if (!isTime(from)) problems.push(`valid_from must be ${TIME_SHAPE}, got ${JSON.stringify(from)}`)
  if (to === undefined) problems.push(`valid_to is required (${TIME_SHAPE}, or null)`)
  else if (to !== null && !isTime(to)) problems.push(`valid_to must be ${TIME_SHAPE}, or null, got ${JSON.stringify(to)}`)
  if (isTime(from) && isTime(to) && Date.parse(to) <= Date.parse(from)) problems.push(`valid_to (${to}) must be after valid_from (${from})`)
  if (mpan !== undefined && typeof mpan !== 'string') problems.push(`mpan must be a string, got ${JSON.stringify(mpan)}`)
  if (mprn !== undefined && typeof mprn !== 'string') problems.push(`mprn must be a string, got ${JSON.stringify(mprn)}`)
  if (mpan !== undefined && mprn !== undefined) problems.push('give mpan (electricity) or mprn (gas), not both')
  else if (typeof tariff === 'string' && TARIFF_RE.test(tariff)) {
    // A gas meter point takes G- tariffs, an electricity one E- tariffs.
    const [fuel, point] = mprn === undefined ? ['E', 'an electricity'] : ['G', 'a gas']
    if (tariff[0] !== fuel) problems.push(`tariff_code of ${point} meter point must start with ${fuel}-, got ${JSON.stringify(tariff)}`)
  }
  if (problems.length > 0) throw new RangeError(`${origin} is invalid:\n  ${problems.join('\n  ')}`)
  const checked: AgreementChange = { tariff_code: tariff as string, valid_from: from as string, valid_to: to as string | null }
  if (mpan !== undefined) checked.mpan = mpan as string
  if (mprn !== undefined) checked.mprn = mprn as string
  return checked
}

/** True for an ISO 8601 time with offset on a real calendar date (Date.parse rolls 2024-02-30 over). */
function isTime (value: unknown): value is string {
  if (typeof value !== 'string') return false
  const m = TIME_RE.exec(value)
  return m !== null && isCalendarDate(m[1]) && !Number.isNaN(Date.parse(value))
}

const endOf = (a: Agreement): number => a.valid_to === null ? Infinity : Date.parse(a.valid_to)

/**
 * `list` with `added` in force over [valid_from, valid_to): an agreement overlapping it is cut at
 * its edges (split in two when it spans the whole period, removed when it lies inside), the
 * cuts taking `added`'s time strings. Sorted by valid_from; `list` is left as it is.
 */
export function spliceAgreement (list: ReadonlyArray<Readonly<Agreement>>, added: Agreement): Agreement[] {
  const from = Date.parse(added.valid_from)
  const to = endOf(added)
  const kept: Agreement[] = []
  for (const a of list) {
    if (endOf(a) <= from || Date.parse(a.valid_from) >= to) {
      kept.push({ ...a })
      continue
    }
    if (Date.parse(a.valid_from) < from) kept.push({ ...a, valid_to: added.valid_from })
    // `to` is finite here: nothing ends after an open end.
    if (endOf(a) > to) kept.push({ ...a, valid_from: added.valid_to as string })
  }
  kept.push({ tariff_code: added.tariff_code, valid_from: added.valid_from, valid_to: added.valid_to })
  return kept.sort((x, y) => Date.parse(x.valid_from) - Date.parse(y.valid_from))
}
