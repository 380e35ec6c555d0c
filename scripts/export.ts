import { createWriteStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { parseArgs } from 'node:util'
import { EXPORT_FORMATS, EXPORT_WHATS, exportRange, exportStream, type ExportFormat, type ExportWhat } from '../api/export.ts'
import { loadConfigOrExit } from '../lib/config.ts'
import { createPool } from '../lib/db.ts'
import { describeError } from '../lib/errors.ts'
import { createLogger } from '../lib/log.ts'

const HELP = `Usage: npm run export -- [--what days|halfhours|months] [--format csv|jsonl] [--from F] [--to T] [--out FILE]

Writes the household's figures from Postgres as CSV (RFC 4180, header row, ISO dates, full
precision) or JSON lines, streamed: ten years of half-hours go out in constant memory.
  --what    days (daily_summary, default), halfhours (every source table per half-hour), months
  --format  csv (default) or jsonl
  --from    first day (YYYY-MM-DD; months: YYYY-MM), default the oldest in daily_summary
  --to      last day (YYYY-MM-DD; months: YYYY-MM), default the newest
  --out     a file to write (default: standard output)`

const { values } = parseArgs({
  options: {
    what: { type: 'string', default: 'days' },
    format: { type: 'string', default: 'csv' },
    from: { type: 'string' },
    to: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' }
  }
})
if (values.help === true) {
  console.log(HELP)
  process.exit(0)
}
const what = values.what as ExportWhat
const format = values.format as ExportFormat
if (!EXPORT_WHATS.includes(what) || !EXPORT_FORMATS.includes(format)) {
  console.error(`export: --what takes ${EXPORT_WHATS.join(', ')} and --format ${EXPORT_FORMATS.join(', ')}; got --what ${what} --format ${format}`)
  process.exit(1)
}

const config = loadConfigOrExit('export')
// Logs to stderr, so that standard output holds the data alone.
const log = createLogger(config.logLevel, process.stderr).child({ component: 'export' })
const pool = createPool(config.databaseUrl, log)
try {
  const { from, to } = await exportRange(pool, what, values.from, values.to)
  const started = Date.now()
  const out = values.out === undefined ? process.stdout : createWriteStream(values.out)
  await pipeline(await exportStream(pool, what, format, from, to), out)
  log.info({ what, format, from, to, out: values.out ?? 'stdout', ms: Date.now() - started, rssMB: Math.round(process.memoryUsage().rss / 2 ** 20) }, 'export written')
} catch (err) {
  log.error({ err }, `export failed: ${describeError(err)}`)
  process.exitCode = 1
} finally {
  await pool.end()
}
