import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import type { Dashboard } from '@grafana/schema'
import dashboardJson from '../../../monitoring/grafana/dashboards/energy.json' with { type: 'json' }
import { METRIC_FAMILIES } from '../../../api/metric-names.ts'

// docker-compose.yml, monitoring/prometheus.yml and the Grafana dashboard, checked without
// Docker: the compose file by Compose's own validator (Debian's docker-compose), the
// Prometheus config by promtool, the dashboard by Grafana's schema (@grafana/schema's
// Dashboard type, at typecheck) and against the metrics the API serves.

const run = promisify(execFile)
const ROOT = new URL('../../../', import.meta.url).pathname

// Grafana's dashboard schema: a dashboard that does not fit fails `npm run typecheck`.
const dashboard: Dashboard = dashboardJson

test('docker-compose.yml is valid for Compose and binds every port to 127.0.0.1', async t => {
  const dir = mkdtempSync(join(ROOT, '.compose-check-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')
  // Debian's docker-compose 1.29 validates with the Compose Specification schema of 2021,
  // which predates the top-level `name` (added to the specification in 2022): the one key left out.
  assert.match(text, /^name: energy-pipeline$/m)
  const file = join(dir, 'docker-compose.yml')
  writeFileSync(file, text.replace(/^name: .*\n/m, ''))
  const { stdout } = await run('docker-compose', ['-f', file, '--project-directory', ROOT, 'config'])
  for (const service of ['redpanda', 'console', 'postgres', 'setup', 'sample-api', 'pipeline', 'api', 'prometheus', 'grafana']) {
    assert.match(stdout, new RegExp(`^  ${service}:$`, 'm'), `service ${service}`)
  }
  const published = [...text.matchAll(/^\s+- "?([\d.]*:?\d+:\d+)"?$/gm)].map(m => m[1])
  assert.ok(published.length >= 8, `ports found: ${published.join(', ')}`)
  assert.deepStrictEqual(published.filter(p => !p.startsWith('127.0.0.1:')), [], 'every published port is bound to 127.0.0.1')
  // The API's health check is /readyz, and Prometheus and the API read the same token secret.
  assert.match(text, /fetch\('http:\/\/127\.0\.0\.1:3000\/readyz'\)/)
  assert.match(text, /API_TOKEN_FILE: \/run\/secrets\/api_token/)
})

test('monitoring/prometheus.yml passes promtool check config, scraping the API with its token', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'energy-prometheus-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  // promtool checks that the credentials file exists: the secret is mounted at run time.
  writeFileSync(join(dir, 'api_token'), 'a1b2c3d4e5f6a7b8c9d0e1f2\n')
  const config = readFileSync(join(ROOT, 'monitoring/prometheus.yml'), 'utf8')
  assert.match(config, /credentials_file: \/run\/secrets\/api_token/)
  writeFileSync(join(dir, 'prometheus.yml'), config.replace('/run/secrets/api_token', join(dir, 'api_token')))
  const { stdout } = await run('promtool', ['check', 'config', join(dir, 'prometheus.yml')])
  assert.match(stdout, /SUCCESS/)
})

test('the Grafana dashboard queries only metrics the API serves, and the household tables', () => {
  const panels = (dashboard.panels ?? []) as Array<{ title?: string, targets?: Array<{ expr?: string, rawSql?: string }> }>
  const exprs = panels.flatMap(p => (p.targets ?? []).flatMap(q => q.expr === undefined ? [] : [q.expr]))
  const used = new Set(exprs.flatMap(e => [...e.matchAll(/\b(energy_[a-z_]+?)(?:_bucket|_sum|_count)?\b(?=[{[(\s)]|$)/g)].map(m => m[1])))
  const known = new Set(Object.keys(METRIC_FAMILIES))
  assert.deepStrictEqual([...used].filter(n => !known.has(n)), [], 'queries name metrics the API does not serve')
  for (const family of ['energy_source_newest_complete_day_timestamp_seconds', 'energy_consumer_lag_records', 'energy_task_records_out_total', 'energy_dead_letters', 'energy_upstream_requests_total']) {
    assert.ok(used.has(family), `the dashboard shows ${family}`)
  }
  const sql = panels.flatMap(p => (p.targets ?? []).flatMap(q => q.rawSql ?? []))
  assert.ok(sql.length >= 4 && sql.every(q => q.includes('energy_usage.daily_summary')), 'household panels read daily_summary')
  assert.deepStrictEqual([dashboard.uid, dashboard.timezone], ['energy-pipeline', 'Europe/London'])
})
