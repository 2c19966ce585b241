/**
 * What the workers of a parallel search must share with the coordinator. Each worker builds the
 * spec again from its source (ModelSource in search/workerProtocol.ts); a source that builds
 * another spec (other parameters, other properties than the ones given to `check`) would have the
 * workers search that one instead, and the result would answer a question nobody asked. So the
 * coordinator sends a signature of the spec it checks, and a worker whose spec differs refuses to
 * start, naming the part that differs.
 *
 * A part is a digest of what can be compared across threads: the name and constants, the state
 * layout, the initial states' words, the action instances with their parameters, and the names of
 * the properties. Not the functions: their source text depends on the compiler that loaded the
 * module (a test runner's own TypeScript compiler in the coordinator, esbuild in a worker), so two
 * builds of one spec could differ there. A model builds its functions from its constants, which
 * are compared.
 */
import { createHash } from 'node:crypto'
import type { CompiledSpec } from './compile.js'

export interface SpecSignature {
  readonly 'its name and constants': string
  readonly 'its state variables': string
  readonly 'its initial states': string
  readonly 'its actions': string
  readonly 'its properties': string
}

const digest = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex')
const names = (list: readonly (readonly [string, unknown])[]) => list.map(([name]) => name)

export function specSignature(c: CompiledSpec): SpecSignature {
  const words = new Uint32Array(c.codec.words)
  return {
    'its name and constants': digest([c.spec.name, c.spec.constants]),
    'its state variables': digest([c.codec.leaves, c.codec.setLeaves]),
    'its initial states': digest(
      c.init.map((s) => {
        c.codec.encode(s, words, 0)
        return Array.from(words)
      }),
    ),
    'its actions': digest(c.instances.map((i) => i.label)),
    'its properties': digest([
      names(c.invariants),
      names(c.actionProperties),
      names(c.reachable),
      Object.keys(c.props.temporal ?? {}),
      [...c.mechanisms],
    ]),
  }
}

/** The first part in which `theirs` differs from `ours`, or undefined when none does. */
export function signatureMismatch(ours: SpecSignature, theirs: SpecSignature): keyof SpecSignature | undefined {
  return (Object.keys(ours) as (keyof SpecSignature)[]).find((part) => ours[part] !== theirs[part])
}
