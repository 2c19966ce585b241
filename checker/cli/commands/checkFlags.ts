/** The options of `mrcheck check`, as commander parses them (cluster mode reads or refuses them too). */
import type { StoreMode } from '../../search/bfs.js'

export interface CheckFlags {
  param: string[]
  invariant: string[]
  property: string[]
  maxStates?: number
  maxDepth?: number
  maxSeconds?: number
  continue?: boolean
  json?: boolean
  progress?: boolean
  fullStates?: boolean
  fairness: string[]
  traceOut?: string
  html?: string
  symmetry?: boolean
  view?: boolean
  por?: boolean
  store?: StoreMode
  memory?: number
  workers?: number
  checkpoint?: string
  every?: number
  disk?: number
  strict?: boolean
}
