/**
 * Reading a checkpoint back (the format: longrun/checkpoint.ts): its manifest and state file are
 * checked against the spec to resume (shape, signature, counters, sizes, checksums), and the store
 * is rebuilt from the state file in blocks, with no copy of the file in memory.
 */
import { closeSync } from 'node:fs'
import { join } from 'node:path'
import { fingerprint } from '../encode/fingerprint.js'
import type { CompiledSpec } from '../compile/compile.js'
import { signatureMismatch, specSignature } from '../compile/specSignature.js'
import { ExactStore, FingerprintStore, type VisitedStore } from '../store/VisitedStore.js'
import { bad, framedBytes, openFramed, readAt, type Framed } from './checkpoint.js'
import { MANIFEST, readManifest, type ExpanderCounts, type LoopState, type Manifest } from './manifest.js'

/** A search restored from a checkpoint: its store and loop state, and what it had found. */
export interface Restored {
  readonly manifest: Manifest
  readonly store: VisitedStore
  readonly loop: LoopState
  /** Puts the counters and findings back into a fresh expander. */
  restore(expander: ExpanderCounts): void
}

/** Loads checkpoint `dir` for the compiled spec `c`, checking that it fits. */
export function loadCheckpoint(c: CompiledSpec, dir: string, maySpend?: (extra: number) => boolean): Restored {
  const m = readManifest(dir)
  const mfile = join(dir, MANIFEST)
  const W = c.codec.words
  if (m.model.name !== c.spec.name) bad(mfile, `is for model "${m.model.name}", not "${c.spec.name}"`)
  if (m.spec.width !== W) bad(mfile, `was written for states of ${m.spec.width} words; this spec's states have ${W}`)
  if (m.spec.instances !== c.instances.length) {
    bad(mfile, `was written for ${m.spec.instances} action instances; this spec has ${c.instances.length}`)
  }
  if (m.spec.actions.join(',') !== c.actionNames.join(',')) bad(mfile, `names actions ${m.spec.actions.join(', ')}; this spec's are ${c.actionNames.join(', ')}`)
  if (m.enabled.length !== c.actionNames.length || m.produced.length !== c.actionNames.length) {
    bad(mfile, `counts ${m.enabled.length} and ${m.produced.length} actions; this spec has ${c.actionNames.length}`)
  }
  const differs = signatureMismatch(m.signature, specSignature(c))
  if (differs !== undefined) {
    bad(mfile, `was written for another spec: ${differs} differ (the parameters, the selected properties or the model changed). Start the check again`)
  }
  if (m.store !== 'exact' && m.store !== 'fingerprint') bad(mfile, `holds a ${String(m.store)} store, which this mrcheck cannot resume`)
  const n = m.count
  const { next, levelEnd } = m.loop
  if (!(Number.isInteger(n) && n >= 0 && next >= 0 && next <= levelEnd && levelEnd <= n)) bad(mfile, 'has inconsistent counters')
  const sfile = join(dir, m.stateFile.name)
  // Read in blocks straight into the store: loading needs no copy of the file in memory.
  const f = openFramed(sfile, 'state')
  try {
    if (framedBytes('state', f.bytes) !== m.stateFile.bytes) {
      bad(sfile, `has ${f.bytes} bytes of data, which does not match the size recorded in ${mfile}`)
    }
    if (f.sha !== m.stateFile.sha256) bad(sfile, `does not match the checksum recorded in ${mfile}`)
    return restored(m, m.store === 'fingerprint' ? loadFingerprints(c, m, f, maySpend) : loadExact(m, f, W, maySpend))
  } finally {
    closeSync(f.fd)
  }
}

/** States read from a checkpoint at a time. */
const BLOCK = 65536

function loadExact(m: Manifest, f: Framed, W: number, maySpend?: (extra: number) => boolean): VisitedStore {
  const n = m.count
  if (f.bytes !== n * (W + 2) * 4) bad(f.file, `holds ${f.bytes} bytes, not the ${n * (W + 2) * 4} that ${n} states of ${W} words need`)
  const store = new ExactStore(W, maySpend)
  const words = new Uint32Array(BLOCK * W)
  const parent = new Int32Array(BLOCK)
  const via = new Int32Array(BLOCK)
  const fp = new Uint32Array(2)
  for (let first = 0; first < n; first += BLOCK) {
    const k = Math.min(BLOCK, n - first)
    readAt(f, words, k * W * 4, first * W * 4)
    readAt(f, parent, k * 4, (n * W + first) * 4)
    readAt(f, via, k * 4, (n * (W + 1) + first) * 4)
    for (let i = 0; i < k; i++) {
      fingerprint(words, i * W, W, fp)
      if (store.add(words, i * W, fp[0]!, fp[1]!, parent[i]!, via[i]!) !== first + i) {
        bad(f.file, `holds state ${first + i} twice, or more states than the memory budget allows`)
      }
    }
  }
  return store
}

function loadFingerprints(c: CompiledSpec, m: Manifest, f: Framed, maySpend?: (extra: number) => boolean): VisitedStore {
  const W = c.codec.words
  const n = m.count
  const q = n - m.loop.next
  const need = (n * 4 + q * W) * 4
  if (f.bytes !== need) bad(f.file, `holds ${f.bytes} bytes, not the ${need} that ${n} fingerprints and ${q} queued states of ${W} words need`)
  const store = new FingerprintStore(W, {
    ...(maySpend !== undefined ? { maySpend } : {}),
    wideInstances: c.instances.length > 0xffff,
    initialCapacity: Math.ceil(n / 0.75),
  })
  const fps = new Uint32Array(2 * BLOCK)
  const parent = new Int32Array(BLOCK)
  const instance = new Int32Array(BLOCK)
  for (let first = 0; first < n; first += BLOCK) {
    const k = Math.min(BLOCK, n - first)
    readAt(f, fps, k * 8, first * 8)
    readAt(f, parent, k * 4, (2 * n + first) * 4)
    readAt(f, instance, k * 4, (3 * n + first) * 4)
    for (let i = 0; i < k; i++) {
      if (!store.set.add(fps[2 * i]!, fps[2 * i + 1]!)) bad(f.file, `holds fingerprint ${first + i} twice`)
      store.records.append(parent[i]!, instance[i]!)
    }
  }
  const queue = new Uint32Array(BLOCK * W)
  for (let first = 0; first < q; first += BLOCK) {
    const k = Math.min(BLOCK, q - first)
    readAt(f, queue, k * W * 4, (4 * n + first * W) * 4)
    for (let i = 0; i < k; i++) store.frontier.push(queue, i * W)
  }
  return store
}

function restored(m: Manifest, store: VisitedStore): Restored {
  return {
    manifest: m,
    store,
    loop: { next: m.loop.next, levelEnd: m.loop.levelEnd, depth: m.loop.depth },
    restore(e: ExpanderCounts): void {
      e.generated = m.generated
      e.enabled.set(m.enabled)
      e.produced.set(m.produced)
      e.found.push(...m.found)
      for (const b of m.broken) e.broken.add(b)
      for (const r of m.reached) e.reached.add(r)
    },
  }
}
