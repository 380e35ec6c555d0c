import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { ACCOUNT_NUMBER, loadConfigOrExit, processEnvWith } from '../lib/config.ts'
import { describeError } from '../lib/errors.ts'
import { createLogger } from '../lib/log.ts'
import { fetchAccount } from '../clients/octopus/account.ts'
import { describeAccount, singleMeterLines } from '../clients/octopus/describe.ts'

const HELP = `Usage: npm run octopus:discover -- --account A-1234ABCD [--write]

Reads your Octopus account (API key from OCTOPUS_API_KEY, base URL from OCTOPUS_API_URL),
prints its history (properties, meter points, meters, every agreement with its dates) and
the .env lines: OCTOPUS_ACCOUNT, and for the current import meter OCTOPUS_MPAN,
OCTOPUS_SERIAL, OCTOPUS_TARIFF and OCTOPUS_PRODUCT.
  --write  also set them in .env (other lines are kept)`

const { values } = parseArgs({ options: { account: { type: 'string' }, write: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } })
if (values.help === true || values.account === undefined) {
  console.log(HELP)
  process.exit(values.help === true ? 0 : 1)
}
if (!ACCOUNT_NUMBER.test(values.account)) {
  console.error(`octopus:discover: ENERGY_USAGE: "${values.account}" is not an Octopus account number (A- and letters or digits, e.g. A-1234ABCD)`)
  process.exit(1)
}
// The account asked for, whatever OCTOPUS_ACCOUNT says.
const config = loadConfigOrExit('octopus:discover', processEnvWith({ OCTOPUS_ACCOUNT: values.account }))
const log = createLogger(config.logLevel).child({ component: 'octopus-discover' })
try {
  const { account, problems } = await fetchAccount({ config, log })
  console.log(describeAccount(account).join('\n'))
  for (const problem of problems) console.log(`  left out: ${problem}`)
  const lines: Record<string, string> = { OCTOPUS_ACCOUNT: account.number, ...singleMeterLines(account) }
  console.log('')
  for (const [k, v] of Object.entries(lines)) console.log(`${k}=${v}`)
  if (values.write === true) {
    const existing = existsSync('.env') ? readFileSync('.env', 'utf8').split('\n').filter(l => !Object.keys(lines).some(k => l.startsWith(`${k}=`))) : []
    const kept = existing.join('\n').trimEnd()
    writeFileSync('.env', `${kept === '' ? '' : kept + '\n'}${Object.entries(lines).map(([k, v]) => `${k}=${v}`).join('\n')}\n`)
    console.log('written to .env')
  }
} catch (err) {
  console.error(`octopus:discover: ${describeError(err)}`)
  process.exitCode = 1
}
