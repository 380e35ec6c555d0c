import { asArray, asObject, asText, malformed } from '../../lib/answer.ts'
import { OCTOPUS_CODE } from '../../lib/config.ts'
import type { ClientContext } from '../types.ts'
import { fetchOctopusPages, octopusTime } from './pages.ts'

// GET /v1/products/: the products on sale at an instant (`available_at`), paged. An item the
// client cannot use (a code of an unsafe form, no direction) is left out alone.

export interface ListedProduct {
  code: string
  /** IMPORT or EXPORT, as the list says. */
  direction: string
  displayName: string
  /** UTC ms; null when open-ended. */
  availableFrom: number | null
  availableTo: number | null
  isBusiness: boolean
}

function instantOrNull (value: unknown): number | null {
  if (typeof value !== 'string') return null
  const ms = Date.parse(value)
  return Number.isFinite(ms) ? ms : null
}

/** The list's items as ListedProduct, unusable ones left out. */
export function parseProductList (results: unknown[]): ListedProduct[] {
  return asArray(results, 'catalogue', 'results').flatMap(item => {
    try {
      const p = asObject(item, 'catalogue', 'product')
      const code = asText(p.code, 'catalogue', 'code', 80)
      if (!OCTOPUS_CODE.test(code)) throw malformed('catalogue', `product code "${code.slice(0, 40)}" is not a code`)
      return [{
        code,
        direction: typeof p.direction === 'string' ? p.direction.toUpperCase() : 'IMPORT',
        displayName: typeof p.display_name === 'string' ? p.display_name.slice(0, 200) : code,
        availableFrom: instantOrNull(p.available_from),
        availableTo: instantOrNull(p.available_to),
        isBusiness: p.is_business === true
      }]
    } catch {
      return []
    }
  })
}

/** Products available at `at` (GET /v1/products/?available_at=), households' only. */
export async function listProducts (context: ClientContext, at: number): Promise<ListedProduct[]> {
  const query = new URLSearchParams({ available_at: octopusTime(at), is_business: 'false', page_size: '1500' })
  const results = await fetchOctopusPages(`${context.config.octopusApiUrl}/products/?${query}`, context, { source: 'catalogue', auth: false })
  return parseProductList(results)
}

/**
 * The GSP group of a postcode (GET /v1/industry/grid-supply-points/?postcode=): its region
 * letter (`_C` → `C`), or undefined when Octopus knows none.
 */
export async function regionOfPostcode (context: ClientContext, postcode: string): Promise<string | undefined> {
  const query = new URLSearchParams({ postcode })
  const results = await fetchOctopusPages(`${context.config.octopusApiUrl}/industry/grid-supply-points/?${query}`, context, { source: 'catalogue', auth: false })
  const group = (results[0] as { group_id?: unknown } | undefined)?.group_id
  return typeof group === 'string' && /^_[A-P]$/.test(group) ? group.slice(1) : undefined
}
