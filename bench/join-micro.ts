import { parseArgs } from 'node:util'
import { getHeapStatistics } from 'node:v8'
import { from, lastValueFrom, Subject, toArray } from 'rxjs'
import { addDays, londonDay, SLOT_MS } from '../lib/london-day.ts'
import type { SlotEnvelope } from '../processors/source/types.ts'
import { AGGREGATE_INPUTS } from '../processors/join/aggregate.ts'
import { joinDays, type JoinStep, type SourceEvent } from '../processors/join/operator.ts'
import { checkRecord, createJoinState } from '../processors/join/state.ts'
import type { DailyAggregate, JoinState } from '../processors/join/types.ts'
import { topology } from '../processors/topology.ts'

const HELP = `Usage: node --expose-gc --max-semi-space-size=128 bench/join-micro.ts [--years N] [--batch N] [--old FILE]

The join's day logic in-process, no Kafka: N years (default 10) of synthetic decoded records of
co2, mix, pricing and usage (48-ish a day each, in topic-like order: each input's days in
order, inputs interleaved in runs of a few days), fed in batches of --batch (default 2000)
through the join operator, as processors/join/index.ts feeds it. Prints records per CPU-second
(a pass without forced GCs), bytes allocated per record (a second pass: gc() before one
batch in ten, heap + external growth over the batch; needs --expose-gc, and a young generation large
enough that no scavenge runs inside a batch) and bytes retained per day once every day is in
(heap + external after a gc, against before the pass: the day state and the operator's). --old FILE: a module exporting the previous
operator, joinByDate(state, clock), run per batch as the previous index.ts did.`

const { values } = parseArgs({ options: { years: { type: 'string', default: '10' }, batch: { type: 'string', default: '2000' }, old: { type: 'string' }, help: { type: 'boolean' } } })
if (values.help === true) {
  console.log(HELP)
  process.exit(0)
}
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with --expose-gc')

const inputs = topology.joinInputs.filter(i => (AGGREGATE_INPUTS as readonly string[]).includes(i.name))
const FUELS = ['biomass', 'coal', 'imports', 'gas', 'nuclear', 'other', 'hydro', 'solar', 'wind']

function recordOf (source: string, date: string, start: number, size: number, i: number): SlotEnvelope {
  const envelope = { local_date: date, slot_start: start, slot_end: start + SLOT_MS, batch_id: `${date}-${source}`, batch_size: size }
  switch (source) {
    case 'co2': return { ...envelope, actual: 100 + i, forecast: 110, index: 'moderate' } as SlotEnvelope
    case 'mix': return { ...envelope, generationmix: FUELS.map((fuel, f) => ({ fuel, perc: f === 3 ? 60 - i % 10 : (40 + i % 10) / 8 })) } as SlotEnvelope
    case 'pricing': return { ...envelope, tariff_code: 'E-1R-AGILE-24-10-01-C', value_inc_vat: 20 + i % 7, value_exc_vat: 19 + i % 7, standing_charge_inc_vat: 50, standing_charge_exc_vat: 47.6 } as SlotEnvelope
    default: return { ...envelope, consumption: 0.2 + (i % 5) / 10, meter_serial: '21L0000001' } as SlotEnvelope
  }
}

/** Topic-like order: each input's days in runs of RUN days, the inputs taking turns. */
function events (years: number): SourceEvent[] {
  const RUN = 14
  const dates: string[] = []
  for (let d = '2015-01-01'; d < `${2015 + years}-01-01`; d = addDays(d, 1)) dates.push(d)
  const out: SourceEvent[] = []
  for (let r = 0; r < dates.length; r += RUN) {
    for (const { name } of inputs) {
      for (const date of dates.slice(r, r + RUN)) {
        const day = londonDay(date)
        for (let i = 0; i < day.slots; i++) out.push({ source: name, record: recordOf(name, date, day.startMs + i * SLOT_MS, day.slots, i) })
      }
    }
  }
  return out
}

type RunBatch = (batch: SourceEvent[]) => Promise<DailyAggregate[]>

/** The new operator: one long-lived pipeline, a boundary after each batch, every input settled. */
function current (state: JoinState): RunBatch {
  const steps = new Subject<JoinStep<null>>()
  let last: DailyAggregate[] = []
  steps.pipe(joinDays<null>(state)).subscribe(output => { last = output.aggregates })
  return async batch => {
    for (const e of batch) steps.next(e)
    steps.next({ boundary: true, now: 0, settled: () => true, context: null })
    return last
  }
}

async function previous (state: JoinState, file: string): Promise<RunBatch> {
  const { joinByDate } = await import(file) as { joinByDate: (state: JoinState, clock: () => number) => import('rxjs').OperatorFunction<SourceEvent, DailyAggregate> }
  return async batch => {
    const all = await lastValueFrom(from(batch).pipe(joinByDate(state, () => 0), toArray()))
    const latest = new Map<string, DailyAggregate>()
    for (const a of all) latest.set(a.date, a)
    return [...latest.values()]
  }
}

/** CPU time of the whole pass; with measureAlloc, bytes allocated per record over the sampled batches. */
async function pass (all: SourceEvent[], batchSize: number, measureAlloc: boolean): Promise<{ cpuMs: number, bytes: number, emitted: number, retained: number }> {
  gc?.()
  const start = heapAndExternal()
  const state = createJoinState(inputs)
  const run = values.old === undefined ? current(state) : await previous(state, new URL(values.old, `file://${process.cwd()}/`).href)
  let bytes = 0
  let measured = 0
  let emitted = 0
  const cpu = process.cpuUsage()
  for (let b = 0; b < all.length; b += batchSize) {
    const batch = all.slice(b, b + batchSize)
    // A full GC costs with the state's size: one batch in ten is measured.
    const sampled = measureAlloc && (b / batchSize) % 10 === 0
    if (sampled) gc?.()
    const before = sampled ? getHeapStatistics() : undefined
    // As the join's decodeAll does: checkRecord on each, in order, before the operator.
    for (const e of batch) checkRecord(state, e.source, e.record)
    emitted += (await run(batch)).length
    if (before !== undefined) {
      const after = getHeapStatistics()
      bytes += after.used_heap_size - before.used_heap_size + after.external_memory - before.external_memory
      measured += batch.length
    }
  }
  const used = process.cpuUsage(cpu)
  gc?.()
  const retained = heapAndExternal() - start
  // `run` holds the operator's subscriptions: used after the measure, so they were alive for it (as in the join).
  await run([])
  return { cpuMs: (used.user + used.system) / 1000, bytes: measured === 0 ? 0 : bytes / measured, emitted, retained: retained / state.days.size }
}

function heapAndExternal (): number {
  const { used_heap_size: heap, external_memory: external } = getHeapStatistics()
  return heap + external
}

const all = events(Number(values.years))
const batchSize = Number(values.batch)
await pass(all.slice(0, 50000), batchSize, false) // warm-up
const speed = await pass(all, batchSize, false)
const alloc = await pass(all, batchSize, true)
console.log(JSON.stringify({
  operator: values.old === undefined ? 'joinDays (new)' : `joinByDate (${values.old})`,
  records: all.length,
  emitted: speed.emitted,
  recordsPerCpuSecond: Math.round(all.length / (speed.cpuMs / 1000)),
  bytesPerRecord: Math.round(alloc.bytes),
  retainedBytesPerDay: Math.round(speed.retained)
}))
