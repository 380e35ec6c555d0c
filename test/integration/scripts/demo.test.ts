import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { createEnvironment, freePort } from '../../../lib/environment.ts'
import { topology } from '../../../processors/topology.ts'
import { NODE_FLAGS } from '../../../lib/processes.ts'
import { createLogger } from '../../../lib/log.ts'
import { dispatchesOn } from '../../../sample-api/dispatches.ts'
import { REAL_ACCOUNT } from '../../../sample-api/index.ts'

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
  // With an account the opt-in sources run (issue 23): the dispatches and billed summary.
  // The sample account has no EV: no dispatch kept.
  assert.match(stdout, /^dispatches: none kept \(the account lists no EV or charge point, or none has dispatched since the poller started\)$/m)
  const billed = /^billed: (\d+)\/30 days with Octopus's own figures, import and standing charge computed £(\d+\.\d{2}), billed £(\d+\.\d{2}); (\d+) days? differs? by more than 1p$/m.exec(stdout)
  assert.ok(billed !== null, stdout)
  // Computed vs billed equal on the sample account's days (Octopus rounds each half-hour's cost to the penny).
  assert.deepStrictEqual([billed[1], billed[4]], ['30', '0'], billed[0])
  assert.ok(Math.abs(Number(billed[2]) - Number(billed[3])) <= 0.3, billed[0])
})

test('npm run demo -- --account A-REAL2026 --days 5 --exit: the EV dispatches kept, the days Octopus billed a daytime smart charge off-peak listed', { timeout: 5 * 60 * 1000 }, async t => {
  const env = await createEnvironment('demo_real', createLogger('silent'), topology)
  t.after(() => env.dispose())
  const apiPort = await freePort()
  const child = spawn(process.execPath, [...NODE_FLAGS, 'scripts/demo.ts', '--account', REAL_ACCOUNT, '--days', '5', '--exit'], {
    cwd: new URL('../../../', import.meta.url).pathname,
    env: { ...process.env, ...env.env, API_PORT: String(apiPort) }
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  assert.equal(code, 0, `demo failed:\n${stdout}\n${stderr}`)
  const dates = stdout.split('\n').filter(line => /^\d{4}-\d{2}-\d{2}\s/.test(line)).map(line => line.slice(0, 10))
  assert.equal(dates.length, 5, stdout)

  // The poller kept what the sample lists now; the seeded days (two and more days back) are older
  // than the first snapshot: priced without dispatches, and said so.
  assert.match(stdout, /^dispatches: [1-9]\d* snapshots kept; 0 days with smart charges re-priced off-peak \(0\.00 kWh, £0\.00 off the bill\); 5 days older than the first dispatch snapshot, priced without dispatches$/m)
  // Octopus billed each daytime smart charge's half-hours off-peak (sample-api/dispatches.ts, seed
  // 42): exactly those days differ, billed below computed, the unseen dispatch named as the likely
  // reason (the reasons GET /api/billed gives).
  const billed = /^billed: (\d+)\/5 days with Octopus's own figures, .*; (\d+) days? differs? by more than 1p$/m.exec(stdout)
  assert.ok(billed !== null, stdout)
  assert.equal(billed[1], '5')
  const daytime = dates.filter(date => dispatchesOn(42, date).some(d => d.source === 'smart-charge' && d.location === 'AT_HOME' && !dispatchedAtNight(d.start, d.end)))
  const listed = [...stdout.matchAll(/^ {2}(\d{4}-\d{2}-\d{2}) {2}computed £[\d.]+ {2}billed £[\d.]+ {2}-£[\d.]+ {2}likely: dispatches_unknown\b/gm)].map(m => m[1])
  assert.deepStrictEqual(listed, daytime, stdout)
  assert.equal(Number(billed[2]), daytime.length)
})

/** Whether a dispatch lies inside 23:30-05:30 London time (billed off-peak anyway). */
function dispatchedAtNight (start: number, end: number): boolean {
  const minute = (ms: number): number => {
    const [h, m] = new Date(ms).toLocaleString('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).split(':').map(Number)
    return h * 60 + m
  }
  const inWindow = (m: number): boolean => m >= 23 * 60 + 30 || m <= 5 * 60 + 30
  return inWindow(minute(start)) && inWindow(minute(end))
}
