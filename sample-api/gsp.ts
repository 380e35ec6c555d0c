import { GSP_REGIONS } from './catalogue.ts'
import { DEFAULT_PAGE_SIZE } from './options.ts'
import { pagedReply, parsePage } from './paging.ts'
import { regionOfOutcode } from './regions.ts'
import type { Reply, RouteContext } from './types.ts'

// GET /v1/industry/grid-supply-points/?postcode=: the GSP group (`_A`…`_P`, the region letter
// of tariff codes) of a postcode, paged like every list: {"count":1,"next":null,"previous":null,
// "results":[{"group_id":"_C"}]} for SW1A 1AA. "If we're unable to map the passed postcode to a
// GSP, an empty list will be returned" (the Kraken API schema's ListIndustryGridSupplyPoints);
// no postcode lists all 14 groups.

/** Carbon Intensity region id (regions.ts, the DNO areas 1-14) → GSP group letter. */
export const GSP_OF_REGION: Readonly<Record<number, string>> = {
  1: 'P', 2: 'N', 3: 'G', 4: 'F', 5: 'M', 6: 'D', 7: 'K', 8: 'E', 9: 'B', 10: 'A', 11: 'L', 12: 'H', 13: 'C', 14: 'J'
}

// A full postcode (outward code and inward code, spaces ignored) or an outward code alone.
const POSTCODE = /^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})?$/

/** The GSP group letter of a postcode (any case, spaces anywhere), or undefined when it maps to none. */
export function gspOfPostcode (postcode: string): string | undefined {
  const match = POSTCODE.exec(postcode.replace(/\s+/g, '').toUpperCase())
  const region = match === null ? undefined : regionOfOutcode(match[1])
  return region === undefined ? undefined : GSP_OF_REGION[region.regionid]
}

export function gridSupplyPointsReply (ctx: RouteContext): Reply {
  const page = parsePage(ctx.url, DEFAULT_PAGE_SIZE)
  if ('status' in page) return page
  const postcode = ctx.url.searchParams.get('postcode')
  const groups = postcode === null || postcode === '' ? [...GSP_REGIONS] : [gspOfPostcode(postcode)].filter(g => g !== undefined)
  return pagedReply(ctx.url, page, groups.length, i => ({ group_id: `_${groups[i]}` }))
}
