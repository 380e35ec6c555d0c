import { loadConfigOrExit } from '../lib/config.ts'
import { createLogger } from '../lib/log.ts'
import { describeError } from '../lib/errors.ts'
import { setup } from '../lib/setup.ts'
import { topology } from '../processors/topology.ts'

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`Usage: npm run setup

Prepares what the pipeline needs, idempotently (a second run changes nothing and says so):
  - creates the database named in DATABASE_URL if it is missing
  - applies sql/NNN_*.sql in order (tracked in energy_usage.schema_migrations)
  - creates every topic with TOPIC_PARTITIONS partitions and its configs
  - registers schemas/*.avsc as <topic>-value with BACKWARD compatibility; a breaking
    change is refused, naming subject and field, and nothing is registered`)
  process.exit(0)
}

const config = loadConfigOrExit('setup')
const log = createLogger(config.logLevel).child({ component: 'setup' })
try {
  const report = await setup(config, log, topology)
  const changed = report.databaseCreated || report.migrationsApplied.length > 0 ||
    report.topicChanges.length > 0 || report.schemasRegistered.length > 0
  log.info(report, changed ? 'setup done' : 'setup done: nothing to change, everything was in place')
} catch (err) {
  log.error({ err }, `setup failed: ${describeError(err)}`)
  process.exitCode = 1
}
