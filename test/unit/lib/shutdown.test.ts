import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'

// A process with onShutdown around `cleanup`, driven by real signals; `before` runs before it says ready.
function fixture (cleanup: string, before = ''): string {
  return `
    import { onShutdown } from ${JSON.stringify(new URL('../../../lib/shutdown.ts', import.meta.url).href)}
    import { createLogger } from ${JSON.stringify(new URL('../../../lib/log.ts', import.meta.url).href)}
    const stop = onShutdown(createLogger('info'), async reason => { ${cleanup} })
    setInterval(() => {}, 1000)
    ${before}
    console.log('ready')`
}

async function run (code: string, signals: NodeJS.Signals[]): Promise<{ code: number | null, signal: NodeJS.Signals | null, messages: string[] }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (c: Buffer) => { out += c.toString() })
  const exit = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>(resolve => {
    child.once('exit', (code, signal) => { resolve({ code, signal }) })
  })
  while (!out.includes('ready\n')) await sleep(10)
  for (const signal of signals) {
    child.kill(signal)
    await sleep(50)
  }
  const result = await exit
  const messages = out.split('\n').filter(line => line.startsWith('{')).map(line => (JSON.parse(line) as { msg: string }).msg)
  return { ...result, messages }
}

test('the first signal runs the cleanup, later ones are ignored, then exit 0', async () => {
  const result = await run(fixture('await new Promise(resolve => setTimeout(resolve, 300))'), ['SIGINT', 'SIGINT', 'SIGTERM'])
  assert.deepEqual(result, { code: 0, signal: null, messages: ['stopping', 'already stopping', 'already stopping', 'stopped'] })
})

test('a failing cleanup exits 1', async () => {
  const result = await run(fixture('throw new Error(\'boom\')'), ['SIGTERM'])
  assert.deepEqual(result, { code: 1, signal: null, messages: ['stopping', 'shutdown failed'] })
})

test('stop() runs the cleanup once with its exit code; a signal after it is ignored', async () => {
  const result = await run(fixture('await new Promise(resolve => setTimeout(resolve, 300))',
    'console.log(JSON.stringify({ msg: [stop(\'failed\', 3), stop(\'again\')].join(\' \') }))'), ['SIGINT'])
  assert.deepEqual(result, { code: 3, signal: null, messages: ['stopping', 'true false', 'already stopping', 'stopped'] })
})
