import { execFile, spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import { startChild, type Child } from '../lib/processes.ts'

// `npm run bench -- --baseline <rev>`: the revision checked out into a git worktree under
// .bench/ (git-ignored), its own bench run there with the same options, so that its figures
// come from its own code end to end (seed, environment, processes), back to back with ours.

const run = promisify(execFile)

export interface Baseline {
  /** As given on the command line. */
  rev: string
  commit: string
  /** The worktree. */
  dir: string
}

async function git (root: string, args: string[]): Promise<string> {
  return (await run('git', ['-C', root, ...args], { maxBuffer: 64 * 2 ** 20 })).stdout.trim()
}

/**
 * Checks `rev` out (detached) into `<root>/.bench/baseline-<commit>`, replacing a worktree
 * left there by an interrupted run. node_modules is a link to ours when package-lock.json is
 * the same at `rev`, else `npm ci` installs the revision's own.
 */
export async function checkoutBaseline (root: string, rev: string, say: (text: string) => void): Promise<Baseline> {
  const commit = await git(root, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]).catch(() => '')
  if (commit === '') throw new Error(`--baseline: "${rev}" is not a commit of this repository`)
  const dir = join(root, '.bench', `baseline-${commit.slice(0, 12)}`)
  mkdirSync(join(root, '.bench'), { recursive: true })
  if (existsSync(dir)) await removeBaseline(root, dir)
  await git(root, ['worktree', 'add', '--detach', dir, commit])
  const lock = (await run('git', ['-C', root, 'show', `${commit}:package-lock.json`], { maxBuffer: 64 * 2 ** 20 })).stdout
  if (lock === readFileSync(join(root, 'package-lock.json'), 'utf8')) {
    symlinkSync(realpathSync(join(root, 'node_modules')), join(dir, 'node_modules'))
  } else {
    say(`baseline ${commit.slice(0, 12)}: package-lock.json differs, npm ci in ${dir}`)
    await new Promise<void>((resolve, reject) => {
      const npm = spawn('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] })
      npm.once('error', reject)
      npm.once('exit', code => code === 0 ? resolve() : reject(new Error(`npm ci in ${dir} exited ${code}`)))
    })
  }
  return { rev, commit, dir }
}

/** `git worktree remove --force` (its bench's results and links go with it), then prune. */
export async function removeBaseline (root: string, dir: string): Promise<void> {
  await git(root, ['worktree', 'remove', '--force', dir]).catch(() => {})
  await git(root, ['worktree', 'prune'])
}

export interface BaselineRun {
  child: Child
  /** Resolves with the baseline bench's results file (parsed), or rejects if it failed. */
  results: Promise<unknown>
}

/**
 * Runs the baseline's own bench/run.ts with `args`: its table and logs go to `logFile`, its
 * progress lines to `say`. Its results are the newest bench-*.json it wrote; they and its log
 * are copied beside ours as `<ours>-baseline.json|log` (the worktree is removed afterwards).
 */
export function runBaselineBench (baseline: Baseline, args: string[], logFile: NodeJS.WritableStream, say: (text: string) => void, copyTo: string): BaselineRun {
  const started = Date.now()
  // Without our compile cache setting: the baseline's own processes run as its code starts them.
  const child = startChild('baseline bench', join(baseline.dir, 'bench', 'run.ts'), args, { NODE_COMPILE_CACHE: undefined }, logFile, [])
  if (child.process.stderr !== null) createInterface({ input: child.process.stderr }).on('line', line => { say(`baseline: ${line.replace(/^\[bench\] /, '')}`) })
  const results = child.exited.then(code => {
    if (code !== 0) throw new Error(`the baseline's bench (${baseline.commit.slice(0, 12)}) exited ${code}: its output is in the bench log`)
    const dir = join(baseline.dir, 'bench', 'results')
    const newest = (ext: string): string | undefined => readdirSync(dir)
      .filter(f => f.startsWith('bench-') && f.endsWith(ext) && statSync(join(dir, f)).mtimeMs >= started)
      .sort((x, y) => statSync(join(dir, y)).mtimeMs - statSync(join(dir, x)).mtimeMs)[0]
    const json = newest('.json')
    if (json === undefined) throw new Error(`the baseline's bench wrote no results file in ${dir}`)
    const log = newest('.log')
    if (log !== undefined) copyFileSync(join(dir, log), `${copyTo}-baseline.log`)
    return JSON.parse(readFileSync(join(dir, json), 'utf8')) as unknown
  })
  return { child, results }
}
