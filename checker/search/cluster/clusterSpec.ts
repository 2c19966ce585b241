/**
 * The spec a cluster search checks, built the same way by the coordinator and by every worker
 * from the model each was given on its own command line, with the parameters and options of the
 * run (plain data). The coordinator publishes what identifies it (RunMeta); a worker joins only
 * when its own build agrees in every part: the mrcheck release, the model code's hash and the
 * spec's signature (compile/specSignature.ts).
 */
import type { AnyModel } from '../../model/model.js'
import { instantiate } from '../../compile/instantiate.js'
import { compileSpec, type CompiledSpec } from '../../compile/compile.js'
import { reductionFor, type ReducedSpec } from '../../reduce/reduction.js'
import { signatureMismatch, specSignature, type SpecSignature } from '../../compile/specSignature.js'
import { CheckerError } from '../../result/errors.js'
import { ClusterError, PROTOCOL, type RunMeta } from './protocol.js'

export interface BuiltSpec {
  readonly compiled: CompiledSpec
  readonly c: ReducedSpec
  readonly params: Record<string, unknown>
}

/** Builds the spec of `model` at `params` with the run's options. */
export function buildClusterSpec(model: AnyModel, params: Readonly<Record<string, unknown>>, options: RunMeta['options']): BuiltSpec {
  const inst = instantiate(model, params)
  const compiled = compileSpec(inst.spec, inst.props, options.only === undefined ? {} : { only: [...options.only] })
  const temporal = Object.keys(compiled.props.temporal ?? {})
  if (temporal.length > 0) {
    throw new CheckerError(
      'OPTION_CLASH',
      `Temporal properties (${temporal.join(', ')}) cannot be checked by a cluster search yet: check them on one machine ` +
        `(mrcheck check ${model.name}, with --workers for its cores), or leave them out here by naming the safety ` +
        'properties to check (--invariant, --property).',
    )
  }
  const reduction = reductionFor(compiled, {
    ...(options.symmetry === undefined ? {} : { symmetry: options.symmetry }),
    ...(options.view === undefined ? {} : { view: options.view }),
  })
  return { compiled, c: reduction === undefined ? compiled : { ...compiled, reduction }, params: inst.params }
}

/** What a worker checks a run against: its own model, code and release. */
export interface WorkerIdentity {
  readonly model: AnyModel
  readonly codeHash: string
  readonly version: string
}

/** The spec of run `meta` as this worker builds it, or a ClusterError saying why it may not join. */
export function joinSpec(meta: RunMeta, me: WorkerIdentity): BuiltSpec {
  const refuse = (why: string): never => {
    throw new ClusterError(`This worker cannot join the run: ${why}.`)
  }
  if (meta.protocol !== PROTOCOL) refuse(`the run speaks protocol ${meta.protocol}, this worker ${PROTOCOL}`)
  if (meta.version !== me.version) refuse(`the run's coordinator is mrcheck ${meta.version}, this worker is mrcheck ${me.version}`)
  if (meta.model.name !== me.model.name) refuse(`the run checks model "${meta.model.name}", this worker was given "${me.model.name}"`)
  if (meta.model.codeHash !== me.codeHash) {
    refuse(`the model's code differs (run: ${meta.model.codeHash.slice(0, 16)}, this worker: ${me.codeHash.slice(0, 16)}); give every process the same file`)
  }
  let built: BuiltSpec
  try {
    built = buildClusterSpec(me.model, meta.model.params, meta.options)
  } catch (e) {
    return refuse(`its parameters or options do not build a spec here (${(e as Error).message})`)
  }
  const differs = signatureMismatch(meta.signature as unknown as SpecSignature, specSignature(built.compiled))
  if (differs !== undefined) refuse(`${differs} differ from the run's`)
  return built
}
