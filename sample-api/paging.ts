import { SLOT_MS } from '../lib/london-day.ts'
import { DEFAULT_PAGE_SIZE } from './options.ts'
import type { Reply } from './types.ts'

// Octopus (Django REST framework) page-number paging: `count`, absolute `next`/`previous`
// URLs carrying the same query with another `page`, and 404 "Invalid page." past the end.

export interface Page {
  page: number
  pageSize: number
  /** Index of the page's first item. */
  offset: number
}

/** A run of `n` consecutive slots from `startMs`. */
export interface SlotRun {
  startMs: number
  n: number
}

/** Page and page size of a request; page_size is clamped to `maxPageSize` like the API. */
export function parsePage (url: URL, maxPageSize: number): Page | Reply {
  const sizeText = url.searchParams.get('page_size')
  const size = Number(sizeText)
  const pageSize = sizeText !== null && Number.isInteger(size) && size > 0 ? Math.min(size, maxPageSize) : DEFAULT_PAGE_SIZE
  const pageText = url.searchParams.get('page') ?? '1'
  const page = Number(pageText)
  if (!/^\d+$/.test(pageText) || page < 1) return invalidPage()
  return { page, pageSize, offset: (page - 1) * pageSize }
}

/** The paged response body, or 404 when the page lies past the last one. */
export function pagedReply<T> (url: URL, page: Page, count: number, itemAt: (i: number) => T): Reply {
  if (page.page > 1 && page.offset >= count) return invalidPage()
  const end = Math.min(count, page.offset + page.pageSize)
  const results: T[] = []
  for (let i = page.offset; i < end; i++) results.push(itemAt(i))
  return {
    status: 200,
    body: {
      count,
      next: end < count ? pageUrl(url, page.page + 1) : null,
      previous: page.page > 1 ? pageUrl(url, page.page - 1) : null,
      results
    }
  }
}

function pageUrl (url: URL, page: number): string {
  const link = new URL(url)
  // DRF drops the parameter for the first page.
  if (page === 1) link.searchParams.delete('page')
  else link.searchParams.set('page', String(page))
  return link.toString()
}

function invalidPage (): Reply {
  return { status: 404, body: { detail: 'Invalid page.' } }
}

/** Slots from `firstMs` to `lastMs` inclusive as runs, leaving out [holeFromMs, holeToMs). */
export function slotRuns (firstMs: number, lastMs: number, holeFromMs = 0, holeToMs = 0): SlotRun[] {
  const run = (from: number, to: number): SlotRun[] => to > from ? [{ startMs: from, n: (to - from) / SLOT_MS }] : []
  const end = lastMs + SLOT_MS
  if (holeToMs <= firstMs || holeFromMs >= end) return run(firstMs, end)
  return [...run(firstMs, holeFromMs), ...run(holeToMs, end)]
}

/** Slots from `firstMs` to `lastMs` inclusive as runs, leaving out every hole [fromMs, toMs) (a meter's gaps, a missing fault). */
export function slotRunsWithout (firstMs: number, lastMs: number, holes: ReadonlyArray<{ fromMs: number, toMs: number }>): SlotRun[] {
  let runs = slotRuns(firstMs, lastMs)
  for (const { fromMs, toMs } of holes) {
    if (toMs <= fromMs) continue
    runs = runs.flatMap(r => slotRuns(r.startMs, r.startMs + (r.n - 1) * SLOT_MS, fromMs, toMs))
  }
  return runs
}

export function countSlots (runs: SlotRun[]): number {
  return runs.reduce((sum, r) => sum + r.n, 0)
}

/** Start of the i-th slot of `runs` in ascending order. */
export function slotAt (runs: SlotRun[], i: number): number {
  for (const r of runs) {
    if (i < r.n) return r.startMs + i * SLOT_MS
    i -= r.n
  }
  throw new RangeError(`slot ${i} is past the end`)
}
