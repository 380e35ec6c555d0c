import { execFileSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { rmSync } from 'node:fs'
import { loadConfig, type Config } from '../lib/config.ts'
import { artifactsPresent, fetchArtifacts, kafkaSpec, registrySpec, STACK_DIR, type ServiceSpec } from './stack/services.ts'
import { logFile, logTail, portOpen, runningPid, start, stop } from './stack/supervise.ts'
import { kafkaHealthy, registryHealthy } from './stack/health.ts'

const HELP = `Usage: npm run stack -- <command> [--docker] [--timeout SECONDS]

Runs the local stack without Docker: Apache Kafka 4 (KRaft, one node) on KAFKA_BROKERS and
Apicurio Registry 3 (Confluent-compatible API) on SCHEMA_REGISTRY_URL, fetched from Maven
Central on first use, data under .stack/ (git-ignored). Postgres is the machine's own.

Commands:
  up       start what is not running and wait until both answer (default timeout 180 s)
  status   say what is up and healthy; exit 1 if anything is not
  down     stop exactly what \`up\` started (pid files under .stack/run)
  reset    down, then delete the stack's data (topics, registered schemas)

Options:
  --docker   use docker compose (Redpanda, Console, Postgres) instead; needs a Docker engine
  --timeout  seconds \`up\` waits for the services to answer
  --help     this text`

interface Service { spec: ServiceSpec, healthy: () => Promise<boolean> }

function services (config: Config): Service[] {
  return [
    { spec: kafkaSpec(config), healthy: () => kafkaHealthy(config) },
    { spec: registrySpec(config), healthy: () => registryHealthy(config) }
  ]
}

async function up (config: Config, timeoutMs: number): Promise<number> {
  if (!artifactsPresent()) {
    console.log('fetching Kafka and Apicurio Registry from Maven Central (first run only)...')
    fetchArtifacts()
  }
  const all = services(config)
  const started: Service[] = []
  for (const service of all) {
    const { spec } = service
    if (runningPid(spec) !== undefined) {
      console.log(`${spec.name}: already running on ${spec.address}`)
      continue
    }
    if (await portOpen(spec.address)) {
      // Another checkout's stack (or a Docker one) answers there: use it, leave it alone.
      if (await service.healthy()) {
        console.log(`${spec.name}: already running on ${spec.address}, started elsewhere: using it (\`down\` leaves it running)`)
        continue
      }
      console.error(`${spec.name}: ${spec.address} is taken by a process this stack did not start; stop it or change the URL in .env`)
      return 1
    }
    const pid = start(spec)
    console.log(`${spec.name}: started (pid ${pid}), log ${logFile(spec.name)}`)
    started.push(service)
  }
  if (started.length === 0) {
    console.log('stack is already up')
    return 0
  }
  const deadline = Date.now() + timeoutMs
  for (const service of started) {
    while (!(await service.healthy())) {
      if (runningPid(service.spec) === undefined || Date.now() > deadline) {
        const why = runningPid(service.spec) === undefined ? 'exited' : `did not answer within ${timeoutMs / 1000} s`
        console.error(`${service.spec.name} ${why}. Last lines of ${logFile(service.spec.name)}:\n${logTail(service.spec.name)}`)
        for (const s of started) await stop(s.spec)
        return 1
      }
      await sleep(500)
    }
    console.log(`${service.spec.name}: healthy on ${service.spec.address}`)
  }
  return 0
}

async function status (config: Config): Promise<number> {
  let ok = true
  for (const { spec, healthy } of services(config)) {
    const pid = runningPid(spec)
    const answers = await healthy()
    ok &&= answers
    const owner = pid === undefined ? (answers ? 'not started by this stack' : 'not running') : `pid ${pid}`
    console.log(`${spec.name.padEnd(9)} ${answers ? 'healthy' : 'DOWN   '}  ${spec.address}  (${owner})`)
  }
  return ok ? 0 : 1
}

async function down (config: Config): Promise<number> {
  for (const { spec } of services(config).reverse()) {
    if (runningPid(spec) === undefined) {
      console.log(`${spec.name}: not running`)
      continue
    }
    const killed = await stop(spec)
    console.log(`${spec.name}: stopped${killed ? ' (killed after the grace period)' : ''}`)
  }
  return 0
}

function docker (command: string): number {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore' })
  } catch {
    console.error('--docker needs a running Docker engine; without one, run the stack without --docker')
    return 1
  }
  const args = command === 'up' ? ['compose', 'up', '-d', '--wait'] : command === 'down' ? ['compose', 'down'] : ['compose', 'ps']
  execFileSync('docker', args, { stdio: 'inherit' })
  return 0
}

async function main (): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { docker: { type: 'boolean' }, timeout: { type: 'string', default: '180' }, help: { type: 'boolean', short: 'h' } }
  })
  const command = positionals[0]
  if (values.help === true || command === undefined) {
    console.log(HELP)
    return command === undefined && values.help !== true ? 1 : 0
  }
  if (!['up', 'down', 'status', 'reset'].includes(command)) {
    console.error(`unknown command "${command}"\n\n${HELP}`)
    return 1
  }
  if (values.docker === true) return docker(command)
  const config = loadConfig()
  switch (command) {
    case 'up': return await up(config, Number(values.timeout) * 1000)
    case 'status': return await status(config)
    case 'down': return await down(config)
    default:
      await down(config)
      rmSync(`${STACK_DIR}data`, { recursive: true, force: true })
      console.log('stack data deleted')
      return 0
  }
}

process.exitCode = await main()
