import { flushCompileCache } from 'node:module'
import { parseArgs } from 'node:util'
import v8 from 'node:v8'
import { createCodec } from '../lib/avro.ts'
import { createPool } from '../lib/db.ts'
import { loadConfigOrExit } from '../lib/config.ts'
import { describeError } from '../lib/errors.ts'
import { createLogger } from '../lib/log.ts'
import { createRegistryClient } from '../lib/registry.ts'
import { onShutdown } from '../lib/shutdown.ts'
import { createStatusPublisher } from '../lib/stream/publish.ts'
import { topology } from '../processors/topology.ts'
import { createComponents } from './start/components.ts'

const HELP = `Usage: npm start -- [--only NAMES] [--instance ID]

Runs the pipeline in one process until SIGTERM or Ctrl-C.
  --only      comma list of what to run (default: the SOURCES processors, join, sinks, forecast,
              dispatches-poller): source names (${topology.sourceNames.join(', ')}), or
              processors (every source), join, sinks, forecast (the next 48 hours; instance 1 only),
              dispatches-poller (Intelligent Octopus dispatches to energy.dispatches; instance 1
              only, with OCTOPUS_ACCOUNT)
  --instance  instance id, unique per running copy (part of the transactional ids; default 1)
On SIGTERM the open transactions finish or abort, consumers leave their groups, exit code 0.`

const { values } = parseArgs({ options: { only: { type: 'string' }, instance: { type: 'string', default: '1' }, help: { type: 'boolean', short: 'h' } } })
if (values.help === true) {
  console.log(HELP)
  process.exit(0)
}
const config = loadConfigOrExit('start')
const log = createLogger(config.logLevel)
try {
  const codec = createCodec(createRegistryClient(config), undefined, config.namespace)
  const components = createComponents({ config, codec, log, instanceId: values.instance, only: values.only })
  // Old space grows by half where the join or the sinks run: a lower peak RSS for some CPU
  // (docs/bench.md). V8 reads this flag at every full GC, so setting it now takes effect.
  if (components.some(c => c.name === 'join' || c.name === 'sinks')) v8.setFlagsFromString('--heap-growing-percent=50')
  for (const c of components) await c.start()
  // The tasks' counters go to energy_usage.task_status, where /api/status reads them.
  const pool = createPool(config.databaseUrl, log, 1)
  const publisher = createStatusPublisher({ pool, instance: values.instance, log, role: values.only ?? 'all' })
  publisher.start()
  // The process runs until it is stopped, whatever its components wait on at a given moment
  // (an upstream retry waits on the per-host limiter's unref'd timer, lib/host-limiter.ts).
  const alive = setInterval(() => {}, 2 ** 30)
  const stop = onShutdown(log, async () => {
    clearInterval(alive)
    await Promise.all(components.map(c => c.stop()))
    await publisher.stop()
    await pool.end()
  })
  // A component that gives up (a fenced producer: another copy runs with the same
  // --instance) takes the process down, so a supervisor can see it.
  Promise.all(components.map(c => c.done())).catch((err: unknown) => {
    log.fatal({ err }, `a component stopped for good: ${describeError(err)}; another copy may be running with --instance ${values.instance}`)
    stop('component failed', 1)
  })
  // Said once Ctrl-C and SIGTERM are handled: a signal after this line is a graceful stop.
  log.info({ components: components.map(c => c.name) }, 'pipeline running')
  // Written now, not at exit: the next start finds every module compiled (lib/processes.ts COMPILE_CACHE).
  flushCompileCache()
} catch (err) {
  log.fatal({ err }, `pipeline failed to start: ${describeError(err)}`)
  process.exit(1)
}
