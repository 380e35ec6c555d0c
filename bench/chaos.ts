import { parseArgs } from 'node:util'
import { addDays } from '../lib/london-day.ts'
import { createLogger } from '../lib/log.ts'
import { formatReport, runChaos } from './fault-suite.ts'

const HELP = `Usage: npm run chaos -- [--days N] [--kills N] [--no-infrastructure]

Runs a backfill of N days (default 365) twice on throwaway namespaces: once undisturbed, once
while processors, the join and the sinks are SIGKILLed and restarted at random moments (and,
once each, the broker and Postgres), then compares every table and the latest completion per
date. Prints what was killed when and the comparison; exit 1 unless identical.
  --kills N              kills during the disturbed run (default 20)
  --no-infrastructure    leave the broker and Postgres alone (they are shared by everything
                         on this machine)`

const { values } = parseArgs({ options: { days: { type: 'string', default: '365' }, kills: { type: 'string', default: '20' }, 'no-infrastructure': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } })
if (values.help === true) {
  console.log(HELP)
  process.exit(0)
}
// An old range: the sample data is settled there (actuals measured, consumption complete).
const from = '2023-01-01'
const report = await runChaos({
  from,
  to: addDays(from, Number(values.days) - 1),
  kills: Number(values.kills),
  infrastructure: values['no-infrastructure'] !== true,
  log: createLogger('warn'),
  say: line => { console.log(`[chaos] ${line}`) }
})
console.log(formatReport(report))
process.exitCode = report.identical ? 0 : 1
