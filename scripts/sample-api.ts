import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseArgs } from 'node:util'
import { loadConfigOrExit } from '../lib/config.ts'
import { describeError, EnergyError } from '../lib/errors.ts'
import { createLogger } from '../lib/log.ts'
import { onShutdown } from '../lib/shutdown.ts'
import { createSampleApi, parseFaults } from '../sample-api/index.ts'

const USAGE = `Usage: npm run sample-api -- [--port N] [--seed N] [--faults JSON] [--latency-ms N]
                       [--carbon-national-start YYYY-MM-DD] [--carbon-regional-start YYYY-MM-DD]

Offline stand-in for the Carbon Intensity and Octopus Energy APIs, listening on
SAMPLE_API_HOST (default 127.0.0.1) until SIGTERM or Ctrl-C (docs/sample-api.md).
  --port N         port to listen on (default SAMPLE_API_PORT, 8090; 0 picks a free one)
  --seed N         seed of the generated values (default SAMPLE_API_SEED, 42)
  --faults JSON    fault list to start with (default SAMPLE_API_FAULTS, [])
  --latency-ms N   delay before every non-admin answer, as a distant upstream has
                   (default 0; PUT /_admin/latency {"ms":N} changes it at run time)
  --carbon-national-start YYYY-MM-DD
                   first UTC day of national carbon data (default 2017-09-26)
  --carbon-regional-start YYYY-MM-DD
                   first UTC day of regional carbon data (default 2018-05-10)
  -h, --help       print this and exit`

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    seed: { type: 'string' },
    faults: { type: 'string' },
    'latency-ms': { type: 'string' },
    'carbon-national-start': { type: 'string' },
    'carbon-regional-start': { type: 'string' },
    help: { type: 'boolean', short: 'h' }
  }
})
if (args.help === true) {
  console.log(USAGE)
  process.exit(0)
}

const config = loadConfigOrExit('sample-api')
const log = createLogger(config.logLevel).child({ component: 'sample-api' })
try {
  const port = wholeNumber(args.port ?? String(config.sampleApiPort), '--port')
  const seed = wholeNumber(args.seed ?? String(config.sampleApiSeed), '--seed')
  const faults = args.faults === undefined ? parseFaults(config.sampleApiFaults) : parseFaults(args.faults, '--faults')
  const latencyMs = wholeNumber(args['latency-ms'] ?? '0', '--latency-ms')
  const carbonNationalStart = args['carbon-national-start']
  const carbonRegionalStart = args['carbon-regional-start']
  const api = createSampleApi({ seed, faults, log, apiKeys: [config.octopusApiKey], latencyMs, carbonNationalStart, carbonRegionalStart })
  const server = createServer(api.handler)
  server.on('error', err => {
    log.error({ err }, `sample API cannot listen: ${describeError(err)}`)
    process.exit(1)
  })
  server.listen(port, config.sampleApiHost, () => {
    const base = `http://${config.sampleApiHost}:${(server.address() as AddressInfo).port}`
    log.info({ carbonApiUrl: `${base}/carbon`, octopusApiUrl: `${base}/octopus/v1`, adminUrl: `${base}/_admin`, seed, faults: faults.length, latencyMs }, 'sample API listening')
  })
  onShutdown(log, () => new Promise(resolve => {
    // Not running (a signal before listen) is as good as closed.
    server.close(() => { resolve() })
    server.closeAllConnections()
  }))
} catch (err) {
  log.error({ err }, `sample API failed to start: ${describeError(err)}`)
  process.exitCode = 1
}

function wholeNumber (text: string, name: string): number {
  if (!/^\d+$/.test(text)) throw new EnergyError('ENERGY_CONFIG', `${name} must be a whole number, got "${text}"`)
  return Number(text)
}
