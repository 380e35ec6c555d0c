import { parseArgs } from 'node:util'
import { loadConfigOrExit } from '../lib/config.ts'
import { addDays } from '../lib/london-day.ts'
import { createLogger } from '../lib/log.ts'
import { runBadInputs } from './bad-inputs.ts'
import { formatReport, runChaos } from './fault-suite.ts'

const HELP = `Usage: npm run chaos -- [--days N] [--kills N] [--no-infrastructure]

Runs a backfill of N days (default 365) twice on throwaway namespaces: once undisturbed, once
while processors, the join and the sinks are SIGKILLed and restarted at random moments (and,
once each, the broker and Postgres), then compares every table and the latest completion per
date. Prints what was killed when and the comparison; exit 1 unless identical.
  --kills N              kills during the disturbed run (default 20)
  --no-infrastructure    leave the broker and Postgres alone (they are shared by everything
                         on this machine)
  --bad-inputs-only      skip the kills; only feed each bad input once and check its outcome
Then each bad input once (malformed JSON, 500, 429, 401, a poison record on every topic, an
impossible date, a record of an incompatible schema, Postgres refusing connections) with its
expected outcome checked, and the failed dates re-seeded to show nothing was lost.`

const { values } = parseArgs({ options: { days: { type: 'string', default: '365' }, kills: { type: 'string', default: '20' }, 'no-infrastructure': { type: 'boolean' }, 'bad-inputs-only': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } })
if (values.help === true) {
  console.log(HELP)
  process.exit(0)
}
// The throwaway environments derive from this config: a bad variable stops here, in one line each.
loadConfigOrExit('chaos')
const log = createLogger('warn')
const say = (line: string): void => { console.log(`[chaos] ${line}`) }
let identical = true
if (values['bad-inputs-only'] !== true) {
  // An old range: the sample data is settled there (actuals measured, consumption complete).
  const from = '2023-01-01'
  const report = await runChaos({ from, to: addDays(from, Number(values.days) - 1), kills: Number(values.kills), infrastructure: values['no-infrastructure'] !== true, log, say })
  console.log(formatReport(report))
  identical = report.identical
}
say('bad inputs')
const checks = await runBadInputs(log, say)
const failed = checks.filter(c => !c.ok)
console.log(`bad inputs: ${checks.length - failed.length} of ${checks.length} as expected${failed.length > 0 ? `; NOT: ${failed.map(c => c.input).join(', ')}` : ''}`)
process.exitCode = identical && failed.length === 0 ? 0 : 1
