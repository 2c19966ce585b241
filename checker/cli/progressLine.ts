/** The lines a search prints about itself: its progress, and how to run it again. */
import type { Progress } from '../search/bfs.js'
import { formatCount as n } from '../report/count.js'

/** How to re-run a check from the command line. */
export function rerunCommand(ref: string, params: Record<string, unknown>): string {
  const args = Object.entries(params).map(([k, v]) => ` --param ${k}=${String(v)}`)
  return `mrcheck check ${ref}${args.join('')}`
}

export function progressLine(p: Progress): string {
  return (
    `Progress(${p.depth}) at ${(p.elapsedMs / 1000).toFixed(0)}s: ${n(p.generated)} states generated, ` +
    `${n(p.distinct)} distinct states found, ${n(p.left)} states left on queue (${n(p.statesPerSecond)} distinct/s)`
  )
}
