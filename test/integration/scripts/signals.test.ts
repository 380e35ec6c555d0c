import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { test, type TestContext } from 'node:test'
import { waitFor } from '../../../lib/processes.ts'
import { createEnvironment, freePort } from '../../../lib/environment.ts'
import { createLogger } from '../../../lib/log.ts'
import { topology } from '../../../processors/topology.ts'

// Ctrl-C as a terminal sends it: SIGINT to the whole foreground process group, and a second
// one just after (npm forwards the terminal's to its child). Each entry point runs as the
// leader of a group of its own, and must finish its cleanup, exit 0 and leave nothing behind.

const ROOT = new URL('../../../', import.meta.url).pathname

interface Run {
  pid: number
  output: () => string
  exit: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

function run (t: TestContext, args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (c: Buffer) => { output += c.toString() })
  child.stderr.on('data', (c: Buffer) => { output += c.toString() })
  const exit = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>(resolve => {
    child.once('exit', (code, signal) => { resolve({ code, signal }) })
  })
  if (child.pid === undefined) throw new Error(`${args.join(' ')} did not start`)
  const pid = child.pid
  t.after(() => { signalGroup(pid, 'SIGKILL') })
  return { pid, output: () => output, exit }
}

function signalGroup (pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch {}
}

/** Live (not zombie) processes: pid → parent pid and process group. */
function liveProcesses (): Map<number, { ppid: number, pgid: number }> {
  const live = new Map<number, { ppid: number, pgid: number }>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      // The fields after the parenthesised name: state, ppid, pgrp, …
      const [state, ppid, pgid] = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')
      if (state !== 'Z') live.set(Number(entry), { ppid: Number(ppid), pgid: Number(pgid) })
    } catch {}
  }
  return live
}

function groupMembers (pgid: number): number[] {
  return [...liveProcesses()].filter(([, p]) => p.pgid === pgid).map(([pid]) => pid)
}

function descendants (ancestor: number): number[] {
  const live = liveProcesses()
  const found = new Set([ancestor])
  for (let grew = true; grew;) {
    grew = false
    for (const [pid, p] of live) {
      if (!found.has(pid) && found.has(p.ppid)) {
        found.add(pid)
        grew = true
      }
    }
  }
  found.delete(ancestor)
  return [...found]
}

/** Waits for `ready` in the output, sends the group two SIGINTs 50 ms apart, awaits the exit. */
async function interrupt (r: Run, ready: RegExp, timeoutMs = 60000): Promise<{ code: number | null, signal: NodeJS.Signals | null }> {
  let exited = false
  r.exit.then(() => { exited = true }, () => {})
  await waitFor(`${ready}`, async () => {
    if (exited) throw new Error(`exited before ${ready}:\n${r.output()}`)
    return ready.test(r.output())
  }, timeoutMs)
  signalGroup(r.pid, 'SIGINT')
  // The second Ctrl-C as npm forwards it: once the first has started the cleanup (a fixed
  // pause could land after a fast cleanup, or before a slow start of it on a loaded box).
  await waitFor('the cleanup to start', async () => exited || /stopping/.test(r.output()), timeoutMs, 5)
  signalGroup(r.pid, 'SIGINT')
  return await r.exit
}

async function assertGroupGone (pgid: number): Promise<void> {
  // Reparented members, if any, are reaped by init; give that a moment.
  await waitFor(`process group ${pgid} to empty`, async () => groupMembers(pgid).length === 0, 5000).catch(() => {})
  assert.deepEqual(groupMembers(pgid), [], `left in process group ${pgid}`)
}

test('the sample API exits 0 on a double Ctrl-C', { timeout: 60000 }, async t => {
  const port = await freePort()
  const r = run(t, ['scripts/sample-api.ts', '--port', String(port)], { LOG_LEVEL: 'info' })
  const result = await interrupt(r, /sample API listening/)
  assert.deepEqual(result, { code: 0, signal: null }, r.output())
  await assertGroupGone(r.pid)
})

test('the API server exits 0 on a double Ctrl-C', { timeout: 60000 }, async t => {
  const port = await freePort()
  const r = run(t, ['api/server.ts'], { LOG_LEVEL: 'info', API_PORT: String(port) })
  const result = await interrupt(r, /API and dashboard listening/)
  assert.deepEqual(result, { code: 0, signal: null }, r.output())
  assert.match(r.output(), /"msg":"stopped"/)
  await assertGroupGone(r.pid)
})

test('npm start -- --only sinks finishes stopping through a second Ctrl-C and exits 0', { timeout: 120000 }, async t => {
  const env = await createEnvironment('signals', createLogger('silent'), topology)
  t.after(() => env.dispose())
  const r = run(t, ['scripts/start.ts', '--only', 'sinks'], { ...env.env, LOG_LEVEL: 'info' })
  const result = await interrupt(r, /pipeline running/)
  assert.deepEqual(result, { code: 0, signal: null }, r.output())
  // The second signal came mid-cleanup (leaving the consumer groups takes a while).
  assert.match(r.output(), /"msg":"already stopping"/)
  assert.match(r.output(), /"msg":"stopped"/)
  await assertGroupGone(r.pid)
})

test('npm run demo stops every process it started on a double Ctrl-C and exits 0', { timeout: 5 * 60 * 1000 }, async t => {
  // Its own namespace, database and ports; the stack is already up, so the demo leaves it be.
  const env = await createEnvironment('demosig', createLogger('silent'), topology)
  t.after(() => env.dispose())
  const r = run(t, ['scripts/demo.ts', '--days', '1'], { ...env.env, API_PORT: String(await freePort()) })
  let exited = false
  r.exit.then(() => { exited = true }, () => {})
  await waitFor('the dashboard line', async () => {
    if (exited) throw new Error(`the demo exited early:\n${r.output()}`)
    return /dashboard on/.test(r.output())
  }, 4 * 60 * 1000)
  // Its children run in process groups of their own: find them by parentage.
  const started = descendants(r.pid)
  t.after(() => { for (const pid of started) signalGroup(pid, 'SIGKILL') })
  assert.equal(started.length, 3, 'the sample API, the pipeline and the API')
  const result = await interrupt(r, /dashboard on/)
  assert.deepEqual(result, { code: 0, signal: null }, r.output())
  const live = liveProcesses()
  assert.deepEqual(started.filter(pid => live.has(pid)), [], `left running:\n${r.output()}`)
  await assertGroupGone(r.pid)
})
