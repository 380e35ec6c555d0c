import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { test } from 'node:test'
import { promisify } from 'node:util'
import type { DayResponse, DaysResponse, MonthsResponse } from '../../../api/types.ts'
import { createApiFixture } from './fixtures.ts'

// CSV and JSON-lines exports, read back with a standard CSV reader (Python's csv module, not
// code of this project) and compared with what the JSON API answers for the same rows.

const run = promisify(execFile)

/** Rows of a CSV text as Python's csv.DictReader reads them (RFC 4180 quoting, CRLF or LF). */
async function readCsv (text: string): Promise<Array<Record<string, string>>> {
  const child = run('python3', ['-c', 'import csv, json, sys; print(json.dumps(list(csv.DictReader(sys.stdin))))'])
  child.child.stdin?.end(text)
  return JSON.parse((await child).stdout) as Array<Record<string, string>>
}

/** A CSV cell as the JSON value it stands for, typed by that value (empty = null). */
function cellAs (cell: string, like: unknown): unknown {
  if (like === null) return cell === '' ? null : cell
  if (typeof like === 'number') return Number(cell)
  if (typeof like === 'boolean') return cell === 'true' ? true : cell === 'false' ? false : cell
  if (typeof like === 'object') return JSON.parse(cell)
  return cell
}

test('/api/days.csv and .jsonl hold the rows /api/days answers, at full precision', async t => {
  const { app } = await createApiFixture(t)
  const json = (await app.inject('/api/days?from=2024-10-01&to=2024-10-31')).json() as DaysResponse
  const res = await app.inject('/api/days.csv?from=2024-10-01&to=2024-10-31')
  assert.equal(res.statusCode, 200)
  assert.match(String(res.headers['content-type']), /^text\/csv/)
  assert.equal(res.headers['content-disposition'], 'attachment; filename="days-2024-10-01-2024-10-31.csv"')
  const rows = await readCsv(res.body)
  const days = [...json.days].reverse()
  assert.equal(rows.length, days.length)
  assert.deepStrictEqual(Object.keys(rows[0]), Object.keys(days[0]))
  for (const [i, day] of days.entries()) {
    for (const [key, value] of Object.entries(day)) {
      if (key === 'updated_at') assert.equal(Date.parse(rows[i][key]), Date.parse(value as string))
      else assert.deepStrictEqual(cellAs(rows[i][key], value), value, `${day.date} ${key}: ${rows[i][key]}`)
    }
  }
  // The doubles as written: the shortest text that reads back as the same double.
  assert.equal(rows[1].kwh, '14.401000000000003')

  const lines = (await app.inject('/api/days.jsonl?from=2024-10-01&to=2024-10-31')).body.trimEnd().split('\n').map(l => JSON.parse(l) as Record<string, unknown>)
  assert.deepStrictEqual(lines.map(l => ({ ...l, updated_at: Date.parse(l.updated_at as string) })), days.map(d => ({ ...d, updated_at: Date.parse(d.updated_at) })))
})

test('/api/halfhours.csv has every half-hour of a 50-slot day with what /api/days/:date shows', async t => {
  const { app } = await createApiFixture(t)
  const day = (await app.inject('/api/days/2024-10-27')).json() as DayResponse
  const rows = await readCsv((await app.inject('/api/halfhours.csv?from=2024-10-27&to=2024-10-27')).body)
  assert.equal(rows.length, 50)
  assert.deepStrictEqual(rows.map(r => Date.parse(r.slot_start)), day.slots.map(s => Date.parse(s.start)))
  assert.deepStrictEqual(rows.map(r => [Number(r.usage_kwh), Number(r.price_inc_vat), Number(r.export_kwh), Number(r.gas_kwh), JSON.parse(r.mix)]),
    day.slots.map(s => [s.usage_kwh, s.price_inc_vat, s.export_kwh, s.gas_kwh, s.mix]))
  assert.ok(rows.every(r => r.local_date === '2024-10-27'))
  // A day without rows is still 48 half-hours, every value empty (null), none made up.
  const empty = await readCsv((await app.inject('/api/halfhours.csv?from=2024-11-05&to=2024-11-05')).body)
  assert.deepStrictEqual([empty.length, empty.every(r => r.usage_kwh === '' && r.price_inc_vat === '')], [48, true])
})

test('/api/months.csv holds the months /api/months answers', async t => {
  const { app } = await createApiFixture(t)
  const json = (await app.inject('/api/months?from=2024-06&to=2024-10')).json() as MonthsResponse
  const rows = await readCsv((await app.inject('/api/months.csv?from=2024-06&to=2024-10')).body)
  assert.deepStrictEqual(rows.map(r => r.month), ['2024-06', '2024-07', '2024-08', '2024-09', '2024-10'])
  for (const [i, { month: _m, year_before: _y, ...figures }] of json.months.entries()) {
    for (const [key, value] of Object.entries(figures)) assert.deepStrictEqual(cellAs(rows[i][key], value), value, `${rows[i].month} ${key}`)
  }
})

test('exports refuse bad and unbounded ranges with a 400 naming the parameter', async t => {
  const { app } = await createApiFixture(t)
  const cases: Array<[string, string]> = [
    ['/api/days.csv?from=2024-02-30', 'from "2024-02-30" is not a date (YYYY-MM-DD)'],
    ['/api/halfhours.jsonl?from=2024-10-02&to=2024-10-01', 'from 2024-10-02 is after to 2024-10-01'],
    ['/api/halfhours.csv?from=1996-01-01&to=2024-10-01', 'from 1996-01-01 to 2024-10-01 is 10502 days of half-hours; at most 7320 per export'],
    ['/api/months.csv?to=2024-10-01', 'to "2024-10-01" is not a month (YYYY-MM)']
  ]
  for (const [url, error] of cases) {
    const res = await app.inject(url)
    assert.deepStrictEqual([res.statusCode, res.json()], [400, { error }], url)
  }
})

test('npm run export writes JSON lines to stdout (logs on stderr) and says what it refuses', async t => {
  const { databaseUrl } = await createApiFixture(t)
  const env = { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'info' }
  const { stdout, stderr } = await run(process.execPath, ['scripts/export.ts', '--what', 'halfhours', '--format', 'jsonl', '--from', '2024-10-26', '--to', '2024-10-27'], { env })
  const lines = stdout.trimEnd().split('\n').map(l => JSON.parse(l) as { local_date: string })
  assert.deepStrictEqual([lines.length, lines[0].local_date, lines[lines.length - 1].local_date], [98, '2024-10-26', '2024-10-27'])
  assert.match(stderr, /"msg":"export written"/)
  const bad = await run(process.execPath, ['scripts/export.ts', '--what', 'weeks'], { env }).catch((err: { code: number, stderr: string }) => err)
  assert.deepStrictEqual(['code' in bad ? bad.code : 0, bad.stderr.trim()], [1, 'export: --what takes days, halfhours, months and --format csv, jsonl; got --what weeks --format csv'])
})
