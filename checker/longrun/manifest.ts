/**
 * A checkpoint's manifest (`manifest.json`): how to rebuild the spec, the spec's shape, the loop
 * counters, what the search found so far, and the state file it goes with; and reading one back,
 * checking its framing and the JSON type of every field before any is used.
 */
import { join } from 'node:path'
import { statSync } from 'node:fs'
import { CheckerError } from '../result/errors.js'
import type { SpecSignature } from '../compile/specSignature.js'
import type { Found } from '../trace/trace.js'
import { bad, readFramed, type ModelCode } from './checkpoint.js'

export const MANIFEST = 'manifest.json'

/**
 * What a checkpoint keeps of the one-worker search's expander (search/expand.ts): its counters and
 * what it found so far.
 */
export interface ExpanderCounts {
  generated: number
  readonly enabled: Float64Array
  readonly produced: Float64Array
  readonly found: Found[]
  readonly broken: Set<string>
  readonly reached: Set<string>
}

/** The loop state of the search between two expansions. */
export interface LoopState {
  readonly next: number
  readonly levelEnd: number
  readonly depth: number
}

export interface Manifest {
  readonly format: number
  readonly createdAt: string
  readonly model: { readonly name: string; readonly ref?: string; readonly params: Record<string, unknown>; readonly code?: ModelCode }
  /** The spec the search ran on (compile/specSignature.ts): resuming with another one is refused. */
  readonly signature: SpecSignature
  readonly options: Record<string, unknown>
  readonly everyMs: number
  readonly diskMiB?: number
  readonly spec: { readonly width: number; readonly instances: number; readonly actions: readonly string[] }
  readonly store: 'exact' | 'fingerprint'
  readonly count: number
  readonly loop: LoopState
  readonly generated: number
  readonly enabled: number[]
  readonly produced: number[]
  readonly found: Found[]
  readonly broken: string[]
  readonly reached: string[]
  readonly warnings: string[]
  readonly stateFile: { readonly name: string; readonly bytes: number; readonly sha256: string }
}

/** Reads and checks a checkpoint's manifest (format, checksum). */
export function readManifest(dir: string): Manifest {
  let isDirectory: boolean
  try {
    isDirectory = statSync(dir).isDirectory()
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(e as Error).message})`
    throw new CheckerError('BAD_INPUT', `Checkpoint directory ${dir} ${why}.`)
  }
  if (!isDirectory) throw new CheckerError('BAD_INPUT', `Checkpoint directory ${dir} is not a directory: give the directory \`check --checkpoint\` wrote.`)
  const file = join(dir, MANIFEST)
  const payload = readFramed(file, 'manifest')
  let m: unknown
  try {
    m = JSON.parse(payload.toString('utf8'))
  } catch (e) {
    return bad(file, `is not valid JSON (${(e as Error).message})`)
  }
  for (const [path, kind] of Object.entries(MANIFEST_FIELDS)) {
    const value = path.split('.').reduce<unknown>((o, k) => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[k] : undefined), m)
    const is = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value
    if (is !== kind) bad(file, value === undefined ? `lacks the field ${path}` : `has ${path} of type ${is}, not ${kind}`)
  }
  const manifest = m as Manifest
  if (!/^state-\d+\.bin$/.test(manifest.stateFile.name)) bad(file, `names the state file ${JSON.stringify(manifest.stateFile.name)}, not state-<n>.bin`)
  return manifest
}

/** The fields every manifest has, and their JSON types, checked before any of them is used. */
const MANIFEST_FIELDS: Readonly<Record<string, 'number' | 'string' | 'object' | 'array'>> = {
  format: 'number',
  model: 'object',
  'model.name': 'string',
  'model.params': 'object',
  options: 'object',
  everyMs: 'number',
  signature: 'object',
  spec: 'object',
  'spec.width': 'number',
  'spec.instances': 'number',
  'spec.actions': 'array',
  store: 'string',
  count: 'number',
  loop: 'object',
  'loop.next': 'number',
  'loop.levelEnd': 'number',
  'loop.depth': 'number',
  generated: 'number',
  enabled: 'array',
  produced: 'array',
  found: 'array',
  broken: 'array',
  reached: 'array',
  warnings: 'array',
  stateFile: 'object',
  'stateFile.name': 'string',
  'stateFile.bytes': 'number',
  'stateFile.sha256': 'string',
}
