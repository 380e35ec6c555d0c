import { parseArgs } from 'node:util'
import { createCodec } from '../lib/avro.ts'
import { loadConfigOrExit } from '../lib/config.ts'
import { createPool } from '../lib/db.ts'
import { describeError } from '../lib/errors.ts'
import { createLogger } from '../lib/log.ts'
import { createProgress } from '../lib/progress.ts'
import { createRegistryClient } from '../lib/registry.ts'
import { topology } from '../processors/topology.ts'
import { replayTable } from '../sinks/replay.ts'

const HELP = `Usage: npm run replay -- --table NAME | --all

Rebuilds tables from their topics: each topic is read from the start into a shadow table
that replaces the live one in one transaction, so readers never see a half-empty table and
a running pipeline carries on. Prints progress (records read / total, rate and ETA per table:
a live display on a terminal, a JSON line every 5 s otherwise), then rows and an md5 checksum
per table.
  --table  ${topology.sinkTargets.map(t => t.name).join(', ')} (or a topic name)
  --all    every table`

const { values } = parseArgs({ options: { table: { type: 'string', multiple: true }, all: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } })
if (values.help === true || (values.all !== true && values.table === undefined)) {
  console.log(HELP)
  process.exit(values.help === true ? 0 : 1)
}
const targets = values.all === true ? topology.sinkTargets : (values.table ?? []).map(name => topology.findTarget(name) ?? name)
const unknown = targets.filter(t => typeof t === 'string')
if (unknown.length > 0) {
  console.error(`replay: unknown table ${unknown.join(', ')} (known: ${topology.sinkTargets.map(t => t.name).join(', ')})`)
  process.exit(1)
}

const config = loadConfigOrExit('replay')
const log = createLogger(config.logLevel).child({ component: 'replay' })
const pool = createPool(config.databaseUrl, log)
const codec = createCodec(createRegistryClient(config), undefined, config.namespace)
const display = createProgress({ stream: process.stdout, tty: process.stdout.isTTY === true, log })
try {
  for (const target of topology.sinkTargets.filter(t => targets.includes(t))) {
    const started = Date.now()
    const snapshot = (records: number, total: number): Parameters<typeof display.update>[0] =>
      ({ title: `replay ${target.name}`, elapsedMs: Date.now() - started, rows: [{ label: target.name, done: records, total, unit: 'records' }] })
    let last = snapshot(0, 0)
    const result = await replayTable({ config, codec, pool, log }, target, (records, total) => {
      last = snapshot(records, total)
      display.update(last)
    })
    // The total was the offsets the topic spans: transaction markers and compacted records take
    // offsets no record is read from, so the end is what was read.
    const spanned = last.rows[0].total
    display.finish({ ...snapshot(result.records, result.records), rows: [{ ...last.rows[0], done: result.records, total: result.records, ...(spanned > result.records ? { note: `${spanned} offsets` } : {}) }] })
    log.info({ table: target.name, records: result.records, rows: result.rows, md5: result.md5, ms: result.ms }, 'table rebuilt')
    console.log(`${target.spec.table.padEnd(32)} rows ${String(result.rows).padStart(9)}  md5 ${result.md5}  (${result.records} records in ${result.ms} ms)`)
  }
} catch (err) {
  log.error({ err }, `replay failed: ${describeError(err)}`)
  process.exitCode = 1
} finally {
  await pool.end()
}
