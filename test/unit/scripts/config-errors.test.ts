import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'

// Every entry point reports a bad variable as `<command>: invalid configuration: <problem>`,
// one line per problem, and exits 1: no stack trace. The problems stop the process before
// anything connects, so nothing needs to be running.

const ROOT = new URL('../../../', import.meta.url).pathname
const BAD = { KAFKA_BROKERS: 'x:99999', API_HOST: 'http://x' }
const PROBLEMS = [
  'invalid configuration: KAFKA_BROKERS port must be from 1 to 65535, got "x:99999"',
  'invalid configuration: API_HOST must be a hostname or an IP address (no port, scheme or brackets), got "http://x"'
]

// [file and arguments, command name it reports]
const ENTRY_POINTS: Array<[args: string[], command: string]> = [
  [['scripts/start.ts'], 'start'],
  [['api/server.ts'], 'api'],
  [['scripts/seed.ts', '2024-01-01'], 'seed'],
  [['scripts/replay.ts', '--all'], 'replay'],
  [['scripts/setup.ts'], 'setup'],
  [['scripts/schemas.ts', 'check'], 'schemas'],
  [['scripts/sample-api.ts'], 'sample-api'],
  [['scripts/octopus-discover.ts', '--account', 'A-1234ABCD'], 'octopus:discover'],
  [['scripts/demo.ts', '--exit'], 'demo'],
  [['bench/run.ts'], 'bench'],
  [['bench/chaos.ts'], 'chaos']
]

function run (args: string[]): { status: number | null, stderr: string, stdout: string } {
  const { status, stderr, stdout } = spawnSync(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...BAD },
    encoding: 'utf8',
    timeout: 30000
  })
  return { status, stderr, stdout }
}

for (const [args, command] of ENTRY_POINTS) {
  test(`${args.join(' ')} with a bad KAFKA_BROKERS and API_HOST prints one line per problem and exits 1`, () => {
    const { status, stderr, stdout } = run(args)
    assert.equal(status, 1, stderr)
    assert.deepStrictEqual(stderr.trimEnd().split('\n'), PROBLEMS.map(p => `${command}: ${p}`))
    assert.doesNotMatch(stderr, /\bat .+:\d+:\d+/, 'no stack trace')
    assert.equal(stdout, '')
  })
}
