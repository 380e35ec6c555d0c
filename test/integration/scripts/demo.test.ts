import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { createEnvironment, freePort } from '../../../lib/environment.ts'
import { topology } from '../../../processors/topology.ts'
import { NODE_FLAGS } from '../../../lib/processes.ts'
import { createLogger } from '../../../lib/log.ts'

test('npm run demo -- --exit prints the last 30 days from Postgres and exits 0', { timeout: 5 * 60 * 1000 }, async t => {
  // Its own namespace, database and ports, so it runs beside anything else on the machine.
  const env = await createEnvironment('demo', createLogger('silent'), topology)
  t.after(() => env.dispose())
  const apiPort = await freePort()
  const child = spawn(process.execPath, [...NODE_FLAGS, 'scripts/demo.ts', '--exit'], {
    cwd: new URL('../../../', import.meta.url).pathname,
    env: { ...process.env, ...env.env, API_PORT: String(apiPort) }
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))

  assert.equal(code, 0, `demo failed:\n${stdout}\n${stderr}`)
  const rows = stdout.split('\n').filter(line => /^\d{4}-\d{2}-\d{2}\s/.test(line))
  assert.equal(rows.length, 30, stdout)
  // date, tariff, kWh, unit cost £, standing £, bill £, CO2 kg, gCO2/kWh, top fuel, complete
  for (const row of rows) assert.match(row, /^\d{4}-\d{2}-\d{2}\s+E-1R-[A-Z0-9-]+-[A-P]\s+\d+\.\d{2}\s+\d+\.\d{2}\s+\d+\.\d{2}\s+\d+\.\d{2}\s+\d+\.\d{2}\s+\d+\s+[a-z]+ \d+%\s+yes\s*$/, row)
  // The bill is the unit cost plus the standing charge (no export or gas meter here).
  for (const row of rows) {
    const [unit, standing, bill] = row.split(/\s+/).slice(3, 6).map(Number)
    assert.ok(Math.abs(unit + standing - bill) <= 0.011, row)
  }
  assert.match(stdout, /30\/30 days joined and landed/)
})
