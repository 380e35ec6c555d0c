import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { loadConfigOrExit } from '../lib/config.ts'
import { describeError } from '../lib/errors.ts'
import { getJson, httpSettings } from '../lib/http.ts'
import { createLogger } from '../lib/log.ts'
import { parseAccount } from './octopus-discover/account.ts'

const HELP = `Usage: npm run octopus:discover -- --account A-1234ABCD [--write]

Looks up your Octopus account (API key from OCTOPUS_API_KEY, base URL from OCTOPUS_API_URL)
and prints the .env lines for your import meter: OCTOPUS_MPAN, OCTOPUS_SERIAL,
OCTOPUS_TARIFF and OCTOPUS_PRODUCT (the tariff of the agreement in force).
  --write  also set them in .env (other lines are kept)`

const { values } = parseArgs({ options: { account: { type: 'string' }, write: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } })
if (values.help === true || values.account === undefined) {
  console.log(HELP)
  process.exit(values.help === true ? 0 : 1)
}
const config = loadConfigOrExit('octopus:discover')
const log = createLogger(config.logLevel).child({ component: 'octopus-discover' })
try {
  if (!/^A-[0-9A-F]{8}$/i.test(values.account)) throw new Error(`"${values.account}" is not an Octopus account number (A-1234ABCD)`)
  const body = await getJson(`${config.octopusApiUrl}/accounts/${encodeURIComponent(values.account)}/`, {
    ...httpSettings(config),
    log,
    authHint: 'check OCTOPUS_API_KEY',
    headers: { authorization: `Basic ${Buffer.from(`${config.octopusApiKey}:`).toString('base64')}` }
  })
  const found = parseAccount(body)
  const lines = { OCTOPUS_MPAN: found.mpan, OCTOPUS_SERIAL: found.serial, OCTOPUS_TARIFF: found.tariff, OCTOPUS_PRODUCT: found.product }
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
