import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { COMPILE_CACHE, NODE_FLAGS, PARTS } from '../../../lib/processes.ts'

// The benchmark and the fault suite start the pipeline the way package.json's start scripts
// do: the same arguments and the same Node flags, so their figures hold for `npm run start:*`.

const scripts = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts

test('npm run start:<part> runs each part as the benchmark measures it', () => {
  for (const [name, part] of Object.entries(PARTS)) {
    assert.equal(scripts[`start:${name}`], [`NODE_COMPILE_CACHE=${COMPILE_CACHE} exec node`, ...part.flags, 'scripts/start.ts', ...part.args].join(' '), `start:${name}`)
  }
})

test('npm start (everything in one process) runs with the flags the demo and tests use', () => {
  assert.equal(scripts.start, [`NODE_COMPILE_CACHE=${COMPILE_CACHE} exec node`, ...NODE_FLAGS, 'scripts/start.ts'].join(' '))
})

test('every script that runs node keeps its modules in the compile cache, so none loads the type stripper once the cache has them', () => {
  const runsNode = Object.entries(scripts).filter(([, command]) => /(^|exec )node /.test(command.replace(/^NODE_COMPILE_CACHE=\S+ /, '')))
  assert.ok(runsNode.length >= 20, `${runsNode.length} scripts run node`)
  for (const [name, command] of runsNode) assert.ok(command.startsWith(`NODE_COMPILE_CACHE=${COMPILE_CACHE} `), `${name}: ${command}`)
})
