import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { loadLocalSchemas, SCHEMAS_DIR } from '../lib/avro.ts'
import { loadConfigOrExit } from '../lib/config.ts'
import { describeError } from '../lib/errors.ts'
import { createRegistryClient } from '../lib/registry.ts'
import { checkSchemas, registerSchemas } from '../lib/schemas.ts'
import { completionSchemaText } from '../processors/source/fields.ts'
import { topology } from '../processors/topology.ts'

const HELP = `Usage: npm run schemas -- check|register|generate [--dir DIR]

  check     compare every DIR/*.avsc with the registry's latest version of <topic>-value
            and say per subject: registered, new, compatible or breaking (with why);
            registers nothing; exit 1 if anything is breaking
  register  register new and compatible schemas (as npm run setup does); refuses all if
            one is breaking
  generate  write DIR/completion.avsc from daily_summary's field table (the core fields of
            processors/source/fields.ts, then each source's own): a unit test fails until it is
  --dir     schema folder (default schemas/)`

const { values, positionals } = parseArgs({ allowPositionals: true, options: { dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } } })
const command = positionals[0]
if (command === 'generate') {
  const file = join(values.dir ?? SCHEMAS_DIR, 'completion.avsc')
  writeFileSync(file, completionSchemaText(topology.summaryFields))
  console.log(`wrote ${file}`)
  process.exit(0)
}
if (values.help === true || (command !== 'check' && command !== 'register')) {
  console.log(HELP)
  process.exit(values.help === true ? 0 : 1)
}
const config = loadConfigOrExit('schemas')
const registry = createRegistryClient(config)
const schemas = loadLocalSchemas(values.dir ?? SCHEMAS_DIR)
try {
  const checks = command === 'check' ? await checkSchemas(registry, schemas, config.namespace) : await registerSchemas(registry, schemas, config.namespace)
  for (const c of checks) {
    console.log(`${c.subject.padEnd(28)} ${c.status}${c.reasons.length > 0 ? `: ${c.reasons.join('; ')}` : ''}`)
  }
  if (checks.some(c => c.status === 'breaking')) process.exitCode = 1
} catch (err) {
  console.error(`schemas ${command}: ${describeError(err)}`)
  process.exitCode = 1
}
