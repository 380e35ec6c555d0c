import { spawn } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { STACK_DIR, type ServiceSpec } from './services.ts'

// Starting and stopping exactly the processes `up` started: each one's pid lives in
// .stack/run/<name>.pid and is trusted only while /proc says it is still our command.

const RUN_DIR = join(STACK_DIR, 'run')
const LOG_DIR = join(STACK_DIR, 'logs')

export function logFile (name: string): string {
  return join(LOG_DIR, `${name}.log`)
}

function pidFile (name: string): string {
  return join(RUN_DIR, `${name}.pid`)
}

/** The pid of the running service, or undefined (a stale pid file is removed). */
export function runningPid (spec: ServiceSpec): number | undefined {
  const file = pidFile(spec.name)
  if (!existsSync(file)) return undefined
  const pid = Number(readFileSync(file, 'utf8').trim())
  let cmdline = ''
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
  } catch {}
  if (cmdline.includes(spec.marker)) return pid
  rmSync(file, { force: true })
  return undefined
}

export function start (spec: ServiceSpec): number {
  mkdirSync(RUN_DIR, { recursive: true })
  mkdirSync(LOG_DIR, { recursive: true })
  spec.prepare?.()
  const out = openSync(logFile(spec.name), 'a')
  const child = spawn(spec.java, spec.args, { detached: true, stdio: ['ignore', out, out] })
  closeSync(out)
  child.unref()
  if (child.pid === undefined) throw new Error(`${spec.name} did not start`)
  writeFileSync(pidFile(spec.name), `${child.pid}\n`)
  return child.pid
}

/** SIGTERM, then SIGKILL after `graceMs`; returns whether it had to kill. */
export async function stop (spec: ServiceSpec, graceMs = 30000): Promise<boolean> {
  const pid = runningPid(spec)
  if (pid === undefined) return false
  process.kill(pid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline && alive(pid)) await sleep(200)
  const killed = alive(pid)
  if (killed) process.kill(pid, 'SIGKILL')
  rmSync(pidFile(spec.name), { force: true })
  return killed
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2].startsWith('Z')
  } catch {
    return false
  }
}

export function portOpen (address: string, timeoutMs = 1000): Promise<boolean> {
  const [host, port] = address.split(':')
  return new Promise(resolve => {
    const socket = connect({ host, port: Number(port), timeout: timeoutMs })
    const done = (open: boolean): void => { socket.destroy(); resolve(open) }
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
    socket.once('timeout', () => done(false))
  })
}

/** The last lines of a service's log, for failure messages. */
export function logTail (name: string, lines = 25): string {
  const file = logFile(name)
  if (!existsSync(file)) return '(no log)'
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
}
