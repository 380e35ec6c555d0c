import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

// The layering, enforced (README "Layout"; docs/processors.md "Where the clients live"):
//   lib/         shared pieces: imports nothing of the pipeline's own folders;
//   clients/     the Octopus and Carbon Intensity APIs: lib/ and other clients only;
//   processors/  source/ (the contract every source implements) and account/ (the account of
//                record) at the bottom; each source folder on source/ only; the join on source/
//                only; forecast/ and the ingest runtime on source/ and account/; topology.ts
//                over them all. Nothing runs back up, and no two files import each other round.
// Imports are read with a regex over `from '…'` and `import '…'`, type imports included: a
// type cycle is a cycle for a reader too.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..')
const CODE = ['lib', 'clients', 'processors', 'sinks', 'api', 'scripts', 'bench', 'sample-api']

/** processors/<folder> → the processors/ folders it may import. A folder not listed is a source. */
const PROCESSOR_FOLDERS: Record<string, readonly string[]> = {
  source: [],
  account: [],
  join: ['source'],
  forecast: ['source', 'account'],
  ingest: ['source', 'account']
}
const SOURCE_FOLDER: readonly string[] = ['source']
/** Root files of processors/: names.ts is below everything; topology.ts and index.ts compose it all. */
const ROOT_BELOW = new Set(['processors/names.ts'])
/**
 * The one edge from a folder up to topology.ts: the seed reads the pipeline's topology by
 * default (its many callers, the tests' included, may pass the account sources instead).
 */
const READS_TOPOLOGY = new Set(['processors/ingest/seed.ts'])

export interface Import { from: string, to: string, line: number }

function tsFiles (dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap(entry => {
    const path = `${dir}/${entry.name}`
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'public' ? [] : tsFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|(?:^|\n)\s*import\s+'([^']+)'/g

/** The relative imports of every .ts file under CODE, as repository paths. */
function readImports (): Import[] {
  const imports: Import[] = []
  for (const file of CODE.flatMap(tsFiles)) {
    const text = readFileSync(join(ROOT, file), 'utf8')
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2]
      if (!specifier.startsWith('.')) continue
      const line = text.slice(0, match.index + match[0].length).split('\n').length
      imports.push({ from: file, to: relative(ROOT, normalize(join(ROOT, dirname(file), specifier))), line })
    }
  }
  return imports
}

const top = (path: string): string => path.split('/')[0]
/** processors/<folder> of a file, or undefined for a root file of processors/ (or outside it). */
function processorFolder (path: string): string | undefined {
  const parts = path.split('/')
  return parts[0] === 'processors' && parts.length > 2 ? parts[1] : undefined
}
const shown = (i: Import): string => `${i.from}:${i.line} imports ${i.to}`

/** Why an import runs against the layering, or undefined when it may be made. */
export function violation (i: Import): string | undefined {
  const [from, to] = [top(i.from), top(i.to)]
  if (from === 'lib' && ['clients', 'processors', 'sinks', 'api', 'scripts', 'bench'].includes(to)) return 'lib/ imports nothing of the pipeline\'s folders'
  if (from === 'clients' && to !== 'lib' && to !== 'clients') return 'clients/ imports lib/ and clients/ only'
  if (from !== 'processors' || to !== 'processors') return undefined
  const [fromFolder, toFolder] = [processorFolder(i.from), processorFolder(i.to)]
  if (fromFolder === undefined) return i.from === 'processors/names.ts' ? 'processors/names.ts is below every folder' : undefined
  if (toFolder === undefined) {
    if (ROOT_BELOW.has(i.to)) return undefined
    if (i.to === 'processors/topology.ts' && READS_TOPOLOGY.has(i.from)) return undefined
    return `processors/${fromFolder}/ does not import the composition root (${i.to})`
  }
  if (fromFolder === toFolder) return undefined
  const allowed = PROCESSOR_FOLDERS[fromFolder] ?? SOURCE_FOLDER
  if (allowed.includes(toFolder)) return undefined
  const role = PROCESSOR_FOLDERS[fromFolder] === undefined ? `the source processors/${fromFolder}/` : `processors/${fromFolder}/`
  return `${role} may import ${allowed.length === 0 ? 'no other processors/ folder' : allowed.map(f => `processors/${f}/`).join(', ')}`
}

/** Each cycle of the graph once, as the path round it (Tarjan's strongly connected components). */
export function cycles (edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (node: string): void => {
    index.set(node, index.size)
    low.set(node, index.get(node) as number)
    stack.push(node)
    onStack.add(node)
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next)
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number))
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node) as number, index.get(next) as number))
    }
    if (low.get(node) !== index.get(node)) return
    const component: string[] = []
    let member: string
    do {
      member = stack.pop() as string
      onStack.delete(member)
      component.push(member)
    } while (member !== node)
    if (component.length > 1 || edges.get(node)?.has(node) === true) found.push(component.sort())
  }
  for (const node of [...edges.keys()].sort()) if (!index.has(node)) visit(node)
  return found
}

function graph (imports: readonly Import[], nodeOf: (path: string) => string | undefined): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>()
  for (const i of imports) {
    const [from, to] = [nodeOf(i.from), nodeOf(i.to)]
    if (from === undefined || to === undefined || (from === to && nodeOf !== identity)) continue
    edges.set(from, (edges.get(from) ?? new Set()).add(to))
  }
  return edges
}
const identity = (path: string): string => path

const imports = readImports()

test('every import runs down the layers (lib ← clients ← processors/source ← sources, join ← topology)', () => {
  const wrong = imports.flatMap(i => {
    const why = violation(i)
    return why === undefined ? [] : [`${shown(i)}: ${why}`]
  })
  assert.deepStrictEqual(wrong, [], `imports against the layering:\n${wrong.join('\n')}`)
})

test('no cycle between processors/ folders', () => {
  const found = cycles(graph(imports.filter(i => top(i.from) === 'processors'), processorFolder))
  const named = found.map(c => `${c.join(' ↔ ')}: ${imports.filter(i => c.includes(processorFolder(i.from) ?? '') && c.includes(processorFolder(i.to) ?? '') && processorFolder(i.from) !== processorFolder(i.to)).map(shown).join('; ')}`)
  assert.deepStrictEqual(named, [], `folder cycles:\n${named.join('\n')}`)
})

test('no cycle between files', () => {
  const found = cycles(graph(imports, identity))
  const named = found.map(c => `${c.join(' ↔ ')}: ${imports.filter(i => c.includes(i.from) && c.includes(i.to)).map(shown).join('; ')}`)
  assert.deepStrictEqual(named, [], `file cycles:\n${named.join('\n')}`)
})

test('the checks name the offending import', () => {
  // The regex reads the imports it is meant to: a value import, a type import, a re-export.
  const read = (from: string, to: string): boolean => imports.some(i => i.from === from && i.to === to)
  assert.ok(read('processors/topology.ts', 'processors/mix/index.ts') && read('processors/source/types.ts', 'clients/octopus/types.ts') && read('processors/join/types.ts', 'processors/source/types.ts'))
  assert.equal(violation({ from: 'lib/http.ts', to: 'processors/topology.ts', line: 3 }), 'lib/ imports nothing of the pipeline\'s folders')
  assert.equal(violation({ from: 'clients/octopus/pages.ts', to: 'processors/source/types.ts', line: 1 }), 'clients/ imports lib/ and clients/ only')
  assert.equal(violation({ from: 'processors/mix/index.ts', to: 'processors/join/state.ts', line: 5 }), 'the source processors/mix/ may import processors/source/')
  assert.equal(violation({ from: 'processors/solar/index.ts', to: 'processors/pricing/index.ts', line: 1 }), 'the source processors/solar/ may import processors/source/')
  assert.equal(violation({ from: 'processors/join/aggregate.ts', to: 'processors/mix/index.ts', line: 1 }), 'processors/join/ may import processors/source/')
  assert.equal(violation({ from: 'processors/forecast/index.ts', to: 'processors/topology.ts', line: 7 }), 'processors/forecast/ does not import the composition root (processors/topology.ts)')
  assert.equal(violation({ from: 'processors/topology.ts', to: 'processors/mix/index.ts', line: 14 }), undefined)
  assert.deepStrictEqual(cycles(new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])], ['d', new Set(['a'])]])), [['a', 'b', 'c']])
})
