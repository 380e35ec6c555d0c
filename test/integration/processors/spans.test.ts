import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createTariffCatalogue } from '../../../clients/octopus/catalogue.ts'
import { DEFAULTS, type Config } from '../../../lib/config.ts'
import { londonSpan, type DaySpan } from '../../../lib/london-day.ts'
import { fetchAccount } from '../../../clients/octopus/account.ts'
import type { Account } from '../../../clients/octopus/types.ts'
import { co2Source } from '../../../processors/co2/index.ts'
import { exportSource } from '../../../processors/export/index.ts'
import { gasSource } from '../../../processors/gas/index.ts'
import type { Co2Values, MixValues } from '../../../clients/carbon/types.ts'
import type { FetchContext, SlotValues, SourceDeclaration } from '../../../processors/source/types.ts'
import { mixSource } from '../../../processors/mix/index.ts'
import { pricingSource } from '../../../processors/pricing/index.ts'
import { usageSource } from '../../../processors/usage/index.ts'
import {
  SAMPLE_ACCOUNT, SAMPLE_ACCOUNT_AGILE_TARIFF, SAMPLE_EXPORT_AGREEMENTS, SAMPLE_GAS_AGREEMENTS, SAMPLE_IMPORT_AGREEMENTS
} from '../../../sample-api/options.ts'
import type { RequestCounters, RequestSource } from '../../../sample-api/types.ts'
import { silentLog, testConfig } from '../../helpers.ts'
import { startSampleServer, type SampleRequest, type SampleServer } from '../../pipeline.ts'
import { spanValues } from '../../../processors/source/span-values.ts'

// A span of London days costs a source as few upstream calls as the APIs allow, and its values
// cover every slot of the span exactly once. Each source's fetchSpan is called alone against
// the sample API (no Kafka); the calls it made are read back from the sample server, and the
// counts they are held to are worked out here from the APIs' own rules, not from the code:
//   - Carbon ranges answer every slot whose END lies in [from, to], to − from ≤ 14 days (so
//     at most 14 × 48 + 1 slot ends a call), and lose every slot end in a second UTC year
//     (carbon-intensity/api-definitions#12): one call per 673 slot ends of each UTC year.
//   - Octopus pages: ceil(n / 1500) for unit rates, ceil(n / 25000) for consumption, where n
//     is what the list holds (Agile: every half-hour touching [period_from, period_to] since
//     the product's launch; quarterly tariffs: two entries a quarter; consumption: every
//     interval starting in [period_from, period_to], both ends inclusive), plus one call for
//     the standing charges of an import or gas tariff.

const SLOT_MS = 30 * 60 * 1000
const DAY_MS = 24 * 60 * 60 * 1000
/** The sample server's clock: after 2024, so every slot of every span below is published and settled. */
const NOW = Date.parse('2025-01-15T12:00:00Z')
/** Slot ends a Carbon range holds at most: to − from ≤ 14 days, both ends inclusive. */
const CARBON_RANGE_ENDS = 14 * 48 + 1
const RATES_PAGE = 1500
const CONSUMPTION_PAGE = 25000
const CARBON_RANGE = /^\/carbon\/(intensity|generation)\/([^/]+)\/([^/]+)$/
const LONDON_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' })

const iso = (ms: number): string => new Date(ms).toISOString()
const minuteIso = (ms: number): string => iso(ms).slice(0, 16) + 'Z'

function configFor (sample: SampleServer, extra: Record<string, string> = {}): Readonly<Config> {
  // The defaults the sample server accepts, whatever a developer's .env says.
  return testConfig({ ...DEFAULTS, CARBON_API_URL: sample.carbonApiUrl, OCTOPUS_API_URL: sample.octopusApiUrl, ...extra })
}

/** A source processor's context: its own tariff catalogue, as each processor keeps one. */
function contextFor (config: Readonly<Config>, account?: Account): FetchContext {
  return { config, log: silentLog, signal: AbortSignal.timeout(30000), account, tariffs: createTariffCatalogue() }
}

/** A product catalogue request (GET /products/{code}/): where a tariff's rates are, asked once per product. */
const isCatalogue = (r: SampleRequest): boolean => /\/octopus\/v1\/products\/[^/]+\/$/.test(r.path)

async function counters (sample: SampleServer): Promise<RequestCounters> {
  const res = await fetch(`${sample.base}/_admin/requests`)
  assert.equal(res.status, 200)
  return await res.json() as RequestCounters
}

interface Fetched<V> {
  values: V[]
  /** The upstream requests the fetch made, as the sample server recorded them. */
  requests: SampleRequest[]
  /** The sample server's own count of them, by source. */
  bySource: Partial<Record<RequestSource, number>>
}

/** `source.fetchSpan(span)` and the upstream requests it made. */
async function fetchMeasured<V extends SlotValues> (sample: SampleServer, source: SourceDeclaration<V>, span: DaySpan, context: FetchContext): Promise<Fetched<V>> {
  const first = sample.requests.length
  const before = (await counters(sample)).bySource
  const values = await spanValues(source.fetchSpan(span, context))
  const after = (await counters(sample)).bySource
  const bySource: Partial<Record<RequestSource, number>> = {}
  for (const [name, n] of Object.entries(after) as Array<[RequestSource, number]>) {
    const made = n - (before[name] ?? 0)
    if (made > 0) bySource[name] = made
  }
  return { values, requests: sample.requests.slice(first), bySource }
}

/** Slots per London date from `from` to `to`, counted with Intl: every UTC half-hour from a day before to two days after, by its London date. */
function londonSlotCounts (from: string, to: string): Record<string, number> {
  const counts: Record<string, number> = {}
  for (let ms = Date.parse(`${from}T00:00:00Z`); ms <= Date.parse(`${to}T00:00:00Z`); ms += DAY_MS) counts[iso(ms).slice(0, 10)] = 0
  for (let ms = Date.parse(`${from}T00:00:00Z`) - DAY_MS; ms < Date.parse(`${to}T00:00:00Z`) + 2 * DAY_MS; ms += SLOT_MS) {
    const date = LONDON_DATE.format(ms)
    if (date in counts) counts[date]++
  }
  return counts
}

/** Values per London date of their slot start (Intl). */
function countsByDate (values: readonly SlotValues[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const v of values) {
    const date = LONDON_DATE.format(v.slot_start)
    counts[date] = (counts[date] ?? 0) + 1
  }
  return counts
}

interface Coverage { count: number, first: string | null, last: string | null, steps: string[] }

/** How values lie: their number, first and last slot start, and every step between neighbours that is not +30 min (a gap, a repeat, a step back). */
function coverage (values: readonly SlotValues[]): Coverage {
  const steps: string[] = []
  for (let i = 1; i < values.length && steps.length < 10; i++) {
    const step = values[i].slot_start - values[i - 1].slot_start
    if (step !== SLOT_MS) steps.push(`${iso(values[i - 1].slot_start)} → ${iso(values[i].slot_start)}`)
  }
  return { count: values.length, first: values.length === 0 ? null : iso(values[0].slot_start), last: values.length === 0 ? null : iso(values[values.length - 1].slot_start), steps }
}

/**
 * Values cover every slot of `span` once, ascending and contiguous: Σ slots of its days (Intl's),
 * from span.startMs to span.endMs − 30 min, each day with its own count.
 */
function assertCoversSpan (name: string, span: DaySpan, values: readonly SlotValues[]): void {
  const perDay = londonSlotCounts(span.from, span.to)
  const total = Object.values(perDay).reduce((sum, n) => sum + n, 0)
  assert.deepStrictEqual(coverage(values), { count: total, first: iso(span.startMs), last: iso(span.endMs - SLOT_MS), steps: [] }, `${name}: every slot of ${span.from}..${span.to} once`)
  assert.deepStrictEqual(countsByDate(values), perDay, `${name}: the slots of each day`)
}

/** Carbon range calls a span needs: its slot ends, by UTC year, 673 a call. */
function carbonCalls (span: DaySpan): number {
  const endsByYear = new Map<number, number>()
  for (let end = span.startMs + SLOT_MS; end <= span.endMs; end += SLOT_MS) {
    const year = new Date(end).getUTCFullYear()
    endsByYear.set(year, (endsByYear.get(year) ?? 0) + 1)
  }
  return [...endsByYear.values()].reduce((sum, n) => sum + Math.ceil(n / CARBON_RANGE_ENDS), 0)
}

interface CarbonRange { path: string, from: number, to: number }

function carbonRangesOf (requests: readonly SampleRequest[], path: 'intensity' | 'generation'): CarbonRange[] {
  return requests.flatMap(r => {
    const m = CARBON_RANGE.exec(r.path)
    return m === null || m[1] !== path ? [] : [{ path: r.path, from: Date.parse(m[2]), to: Date.parse(m[3]) }]
  }).sort((a, b) => a.from - b.from)
}

/**
 * What is wrong with the Carbon ranges a span was fetched in: a range over 14 days, one whose
 * from and to lie in two UTC years, and any slot end of the span asked for twice or never.
 */
function carbonRangeProblems (span: DaySpan, ranges: readonly CarbonRange[]): string[] {
  const problems: string[] = []
  let next = span.startMs + SLOT_MS
  for (const { path, from, to } of ranges) {
    if (to - from > 14 * DAY_MS) problems.push(`${path}: over 14 days`)
    if (new Date(from).getUTCFullYear() !== new Date(to).getUTCFullYear()) problems.push(`${path}: slot ends of two UTC years`)
    if (from !== next) problems.push(`${path}: expected from ${minuteIso(next)}`)
    next = to + SLOT_MS
  }
  if (next !== span.endMs + SLOT_MS) problems.push(`the ranges end at ${minuteIso(next - SLOT_MS)}, not ${minuteIso(span.endMs)}`)
  return problems
}

/** Octopus pages of a list of `n` entries. */
const pages = (n: number, size: number): number => Math.ceil(n / size)

/** Agile rate entries over [from, to]: every half-hour whose validity touches it (the API adds the touching edges), none before the launch. */
function agileEntries (from: number, to: number, launch: number): number {
  return (to - Math.max(launch, from - SLOT_MS)) / SLOT_MS + 1
}

/** Consumption intervals starting in [from, to] (period_to is inclusive). */
const consumptionEntries = (from: number, to: number): number => (to - from) / SLOT_MS + 1

/** Octopus requests as [list or endpoint, page] (the last path segment; page null for the first). */
function octopusPages (requests: readonly SampleRequest[]): Array<[string, string | null]> {
  return requests.map(r => [r.path.split('/').filter(Boolean).at(-1) as string, r.query.get('page')])
}

async function getJson (url: string): Promise<{ data: Array<Record<string, unknown>> }> {
  const res = await fetch(url)
  assert.equal(res.status, 200, url)
  return await res.json() as { data: Array<Record<string, unknown>> }
}

test('a span across both clock changes (2024-03-20..2024-11-05): co2 and mix in 17 ranges of ≤ 14 days, every slot once, 46 and 50 on the change days', async t => {
  const sample = await startSampleServer(t, { now: () => NOW })
  const config = configFor(sample)
  const span = londonSpan('2024-03-20', 231)
  assert.equal(span.to, '2024-11-05')
  const expectedCalls = carbonCalls(span)
  // 231 days of 48 slots (the 46 and the 50 cancel): 11,088 slot ends, all in 2024.
  assert.equal(expectedCalls, Math.ceil(11088 / CARBON_RANGE_ENDS))
  assert.equal(expectedCalls, 17)

  for (const [source, path] of [[co2Source, 'intensity'], [mixSource, 'generation']] as const) {
    const fetched = await fetchMeasured(sample, source as SourceDeclaration<SlotValues>, span, contextFor(config))
    assert.deepStrictEqual(fetched.bySource, { [source.name]: expectedCalls }, `${source.name}: calls`)
    const ranges = carbonRangesOf(fetched.requests, path)
    assert.equal(ranges.length, expectedCalls)
    assert.deepStrictEqual(carbonRangeProblems(span, ranges), [], `${source.name}: the ranges`)
    assertCoversSpan(source.name, span, fetched.values)
    const perDay = countsByDate(fetched.values)
    assert.deepStrictEqual([perDay['2024-03-30'], perDay['2024-03-31'], perDay['2024-04-01'], perDay['2024-10-26'], perDay['2024-10-27'], perDay['2024-10-28']],
      [48, 46, 48, 48, 50, 48], `${source.name}: the clock-change days`)
    t.diagnostic(`${source.name}: ${fetched.values.length} slots in ${ranges.length} calls`)
  }
})

test('page boundaries: 40 days of Agile are 2 rate pages and 1 standing-charges call; 731 days of consumption (35,088 slots) are 2 pages', async t => {
  const sample = await startSampleServer(t, { now: () => NOW })
  const config = configFor(sample)

  // OCTOPUS_TARIFF (Agile Flex, launched 2022-11-25): 1,920 half-hours and the two touching edges.
  const agile = londonSpan('2024-06-01', 40)
  const rateEntries = agileEntries(agile.startMs, agile.endMs, Date.parse('2022-11-25T00:00:00Z'))
  assert.equal(rateEntries, 40 * 48 + 2)
  assert.equal(pages(rateEntries, RATES_PAGE), 2)
  const pricing = await fetchMeasured(sample, pricingSource, agile, contextFor(config))
  // And one catalogue request: the product's answer says where the tariff's rates are.
  assert.deepStrictEqual(pricing.bySource, { catalogue: 1, pricing: pages(rateEntries, RATES_PAGE) + 1 })
  const rates = pricing.requests.filter(r => !isCatalogue(r))
  assert.deepStrictEqual(octopusPages(rates), [['standard-unit-rates', null], ['standard-unit-rates', '2'], ['standing-charges', null]])
  assert.deepStrictEqual(rates.map(r => r.query.get('page_size')), ['1500', '1500', '1500'])
  assertCoversSpan('pricing', agile, pricing.values)
  assert.deepStrictEqual([...new Set(pricing.values.map(v => v.tariff_code))], [DEFAULTS.OCTOPUS_TARIFF])
  assert.ok(pricing.values.every(v => v.standing_charge_inc_vat !== null), 'every slot has its standing charge')

  // OCTOPUS_MPAN / OCTOPUS_SERIAL over 2023 and 2024: 35,088 intervals, and the one starting at period_to.
  const twoYears = londonSpan('2023-01-01', 731)
  assert.equal(twoYears.to, '2024-12-31')
  const readingEntries = consumptionEntries(twoYears.startMs, twoYears.endMs)
  assert.equal(readingEntries, 35088 + 1)
  assert.equal(pages(readingEntries, CONSUMPTION_PAGE), 2)
  const usage = await fetchMeasured(sample, usageSource, twoYears, contextFor(config))
  assert.deepStrictEqual(usage.bySource, { usage: pages(readingEntries, CONSUMPTION_PAGE) })
  assert.deepStrictEqual(octopusPages(usage.requests), [['consumption', null], ['consumption', '2']])
  assert.deepStrictEqual(usage.requests.map(r => r.query.get('page_size')), ['25000', '25000'])
  assert.equal(usage.values.length, 35088)
  assertCoversSpan('usage', twoYears, usage.values)
  assert.deepStrictEqual([...new Set(usage.values.map(v => v.meter_serial))], [DEFAULTS.OCTOPUS_SERIAL])
})

test('without OCTOPUS_ACCOUNT, export and gas are zeros for every slot of a span, without a request', async t => {
  const sample = await startSampleServer(t, { now: () => NOW })
  const config = configFor(sample)
  const span = londonSpan('2024-03-30', 30)
  const exported = await fetchMeasured(sample, exportSource, span, contextFor(config))
  const gas = await fetchMeasured(sample, gasSource, span, contextFor(config))
  assert.deepStrictEqual([exported.requests, exported.bySource, gas.requests, gas.bySource], [[], {}, [], {}])
  assertCoversSpan('export', span, exported.values)
  assertCoversSpan('gas', span, gas.values)
  // Whole arrays: one "no meter" value for each half-hour of the span (1,438 here: 2024-03-31 has 46).
  const starts: number[] = []
  for (let ms = span.startMs; ms < span.endMs; ms += SLOT_MS) starts.push(ms)
  assert.equal(starts.length, 30 * 48 - 2)
  assert.deepStrictEqual(exported.values, starts.map(start => ({ slot_start: start, kwh: 0, meter_serial: null, tariff_code: null, rate: 0, read: true })))
  assert.deepStrictEqual(gas.values, starts.map(start => ({
    slot_start: start, consumption: 0, unit: null, kwh: 0, meter_serial: null, tariff_code: null, value_inc_vat: 0, value_exc_vat: 0, standing_charge_inc_vat: null, standing_charge_exc_vat: null, carbon_g: 0, read: true
  })))
})

test('a month and a year boundary (2023-12-20..2024-01-10): co2 and mix split at New Year, lose nothing and match the API\'s day answers; one naive range loses New Year', async t => {
  const sample = await startSampleServer(t, { now: () => NOW })
  const config = configFor(sample)
  const span = londonSpan('2023-12-20', 22)
  assert.equal(span.to, '2024-01-10')
  const newYear = Date.parse('2024-01-01T00:00:00Z')
  // 575 slot ends in 2023 (from 2023-12-20T00:30Z), 481 in 2024 (to 2024-01-11T00:00Z): one range each.
  assert.equal(carbonCalls(span), 2)
  const expectedPaths = (path: string): string[] => [
    `/carbon/${path}/2023-12-20T00:30Z/2023-12-31T23:30Z`,
    `/carbon/${path}/2024-01-01T00:00Z/2024-01-11T00:00Z`
  ]

  const co2 = await fetchMeasured(sample, co2Source, span, contextFor(config))
  const mix = await fetchMeasured(sample, mixSource, span, contextFor(config))
  for (const [name, fetched, path] of [['co2', co2, 'intensity'], ['mix', mix, 'generation']] as const) {
    const ranges = carbonRangesOf(fetched.requests, path)
    assert.deepStrictEqual(fetched.bySource, { [name]: carbonCalls(span) })
    assert.deepStrictEqual(ranges.map(r => r.path), expectedPaths(path), `${name}: split at the UTC New Year of slot ends`)
    assert.deepStrictEqual(carbonRangeProblems(span, ranges), [])
    assertCoversSpan(name, span, fetched.values)
    // The slot ending at New Year (2023-12-31T23:30Z-2024-01-01T00:00Z), the one a naive range loses first.
    assert.equal(fetched.values.filter(v => v.slot_start + SLOT_MS === newYear).length, 1, `${name}: the slot ending 2024-01-01T00:00Z once`)
  }

  // co2 against the date endpoint, one London day a call (46-50 half-hours, no New Year loss).
  const byDate: Co2Values[] = []
  for (const day of span.days) {
    for (const entry of (await getJson(`${sample.carbonApiUrl}/intensity/date/${day.date}`)).data) {
      const intensity = entry.intensity as { forecast: number, actual: number | null, index: string }
      byDate.push({ slot_start: Date.parse(entry.from as string), forecast: intensity.forecast, actual: intensity.actual, index: intensity.index })
    }
  }
  assert.deepStrictEqual(co2.values, byDate, 'co2: the date endpoint\'s answers, slot for slot')

  // mix against ranges of one day each; New Year's Eve asked in two, on either side of the New Year.
  const byDay: MixValues[] = []
  for (const day of span.days) {
    const ends = day.endMs === newYear ? [[day.startMs + SLOT_MS, newYear - SLOT_MS], [newYear, newYear]] : [[day.startMs + SLOT_MS, day.endMs]]
    for (const [from, to] of ends) {
      for (const entry of (await getJson(`${sample.carbonApiUrl}/generation/${minuteIso(from)}/${minuteIso(to)}`)).data) {
        byDay.push({ slot_start: Date.parse(entry.from as string), generationmix: entry.generationmix as MixValues['generationmix'] })
      }
    }
  }
  assert.deepStrictEqual(mix.values, byDay, 'mix: the single days\' answers, slot for slot')

  // The naive query: one range of 12 days 4.5 hours from 2023-12-20T00:30Z to 2024-01-01T05:00Z
  // (586 slot ends, within 14 days) answers only the 575 of 2023: New Year's last half-hour and
  // 2024-01-01 00:00-05:00 are lost, as on the real API.
  for (const path of ['intensity', 'generation']) {
    const naive = (await getJson(`${sample.carbonApiUrl}/${path}/2023-12-20T00:30Z/2024-01-01T05:00Z`)).data
    assert.deepStrictEqual([naive.length, naive[0].from, naive.at(-1)?.to], [575, '2023-12-20T00:00Z', '2023-12-31T23:30Z'], `${path}: the naive range loses New Year`)
    const answered = new Set(naive.map(e => Date.parse(e.from as string)))
    const lost = (path === 'intensity' ? co2.values : mix.values).filter(v => v.slot_start >= Date.parse('2023-12-31T23:30:00Z') && v.slot_start < Date.parse('2024-01-01T05:00:00Z'))
    assert.equal(lost.length, 11)
    assert.deepStrictEqual(lost.filter(v => answered.has(v.slot_start)), [], `${path}: the split has the 11 slots the naive range lost`)
  }
})

test('the sample account over 2024: all six sources, each in the calls its endpoints and agreements need (72 in all, and 5 to the catalogue), every slot once', async t => {
  const sample = await startSampleServer(t, { now: () => NOW })
  const config = configFor(sample, { OCTOPUS_ACCOUNT: SAMPLE_ACCOUNT })
  const { account } = await fetchAccount({ config, log: silentLog }, AbortSignal.timeout(30000))
  assert.deepStrictEqual((await counters(sample)).bySource, { account: 1 })
  const year = londonSpan('2024-01-01', 366)
  assert.equal(year.to, '2024-12-31')

  // The agreements in force over 2024 (sample-api/options.ts): import VAR-22-11-01 then, from
  // 2024-10-01 London midnight, Agile 24-10-01 (launched that day); export Outgoing Fixed then
  // Agile Outgoing 19-05-13 (launched 2019); gas VAR-22-11-01 all year.
  const switchAt = Date.parse('2024-10-01T00:00:00+01:00')
  assert.deepStrictEqual(SAMPLE_IMPORT_AGREEMENTS.slice(1).map(a => [a.tariff_code, Date.parse(a.valid_from)]),
    [['E-1R-VAR-22-11-01-C', Date.parse('2022-11-01T00:00:00Z')], [SAMPLE_ACCOUNT_AGILE_TARIFF, switchAt]])
  assert.deepStrictEqual(SAMPLE_EXPORT_AGREEMENTS.map(a => [a.tariff_code, Date.parse(a.valid_from)]),
    [['E-1R-OUTGOING-FIX-12M-19-05-13-C', Date.parse('2020-01-01T00:00:00Z')], ['E-1R-AGILE-OUTGOING-19-05-13-C', switchAt]])
  assert.deepStrictEqual(SAMPLE_GAS_AGREEMENTS.at(-1), { tariff_code: 'G-1R-VAR-22-11-01-C', valid_from: '2022-11-01T00:00:00Z', valid_to: null })

  // A quarterly list over a year or less is at most 5 quarters × 2 payment methods: one page.
  const quarterly = pages(5 * 2, RATES_PAGE)
  const yearReadings = pages(consumptionEntries(year.startMs, year.endMs), CONSUMPTION_PAGE)
  const expected: Record<string, number> = {
    // 17,567 slot ends in 2024 (27 ranges), 1 in 2025 (2025-01-01T00:00Z).
    co2: carbonCalls(year),
    mix: carbonCalls(year),
    // VAR: rates and standing charges; Agile from its launch to the year's end (4,419 entries): 3 pages, and its standing charges.
    pricing: quarterly + 1 + pages(agileEntries(switchAt, year.endMs, switchAt), RATES_PAGE) + 1,
    // The import meter point's two meters (the new one and the one exchanged in 2019), a year of intervals each.
    usage: 2 * yearReadings,
    // One export meter, a year of intervals; Outgoing Fixed's one flat rate; Agile Outgoing (4,420 entries); no standing charges.
    export: yearReadings + 1 + pages(agileEntries(switchAt, year.endMs, Date.parse('2019-05-13T00:00:00+01:00')), RATES_PAGE),
    // One gas meter, a year of intervals; one quarterly tariff: rates and standing charges.
    gas: yearReadings + quarterly + 1
  }
  assert.deepStrictEqual({ ...expected }, { co2: 28, mix: 28, pricing: 6, usage: 2, export: 5, gas: 3 })
  // Each product asked once by the processor pricing by it: import VAR-22-11-01 and AGILE-24-10-01,
  // export OUTGOING-FIX-12M-19-05-13 and AGILE-OUTGOING-19-05-13, gas VAR-22-11-01.
  const catalogue: Record<string, number> = { pricing: 2, export: 2, gas: 1 }

  // A meter is asked once per span, whatever the tariff switches inside it (readingSpans joins
  // the account's periods, which are cut at every switch).
  const measured: Record<string, number> = {}
  const sources = [co2Source, mixSource, pricingSource, usageSource, exportSource, gasSource] as Array<SourceDeclaration<SlotValues>>
  for (const source of sources) {
    const fetched = await fetchMeasured(sample, source, year, contextFor(config, account))
    const own = fetched.requests.filter(r => !isCatalogue(r))
    measured[source.name] = own.length
    const carbon = own.every(r => r.path.startsWith('/carbon/'))
    t.diagnostic(`${source.name}: ${own.length} requests` +
      (carbon ? ' (Carbon ranges)' : `: ${octopusPages(own).map(([list, page]) => page === null ? list : `${list}?page=${page}`).join(', ')}`))
    const asked = catalogue[source.name] ?? 0
    assert.deepStrictEqual(fetched.bySource, { [source.name]: own.length, ...(asked > 0 ? { catalogue: asked } : {}) }, `${source.name}: every request on its own source`)
    await t.test(`${source.name}: every slot of 2024 once`, () => assertCoversSpan(source.name, year, fetched.values))
    await t.test(`${source.name}: ${expected[source.name]} upstream requests`, () => {
      assert.equal(own.length, expected[source.name])
    })
  }
  const totals = await counters(sample)
  t.diagnostic(`requests by source (sample counters): ${JSON.stringify(totals.bySource)}, total ${totals.total}`)
  assert.deepStrictEqual(totals.bySource, { account: 1, catalogue: 5, ...measured }, 'the sample server counted what was recorded')
  // Day by day the year cost at least 365 calls for each source; a span is a few dozen in all.
  assert.ok(totals.total - 1 < 100, `${totals.total - 1} calls for a year of six sources`)
  await t.test('72 upstream requests for the year (and 1 for the account, 5 for the catalogue)', () => {
    assert.deepStrictEqual(measured, expected)
    assert.equal(totals.total, 1 + 5 + 72)
  })
})
