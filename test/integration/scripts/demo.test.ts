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
  // date, tariff, import kWh, export kWh, gas kWh, import £, gas £, standing £, export £, bill £, CO2 kg, gCO2/kWh, top fuel, complete
  const money = String.raw`-?\d+\.\d{2}`
  const row = new RegExp(String.raw`^\d{4}-\d{2}-\d{2}\s+E-1R-[A-Z0-9-]+-[A-P](\s+${money}){9}\s+\d+\s+[a-z]+ \d+%\s+yes\s*$`)
  for (const line of rows) assert.match(line, row)
  // The sample account (the demo's default): its gas meter and solar panels show.
  assert.ok(rows.some(line => Number(line.split(/\s+/)[4]) > 0), 'gas kWh on some day')
  // The bill: import + gas + standing charges − export, each rounded to the penny.
  for (const line of rows) {
    const [imported, gas, standing, exported, bill] = line.split(/\s+/).slice(5, 10).map(Number)
    assert.ok(Math.abs(imported + gas + standing - exported - bill) <= 0.021, line)
  }
  assert.match(stdout, /30\/30 days joined and landed/)
})
