/**
 * Strongly connected components by Tarjan's algorithm, iterative: the depth-first search keeps
 * its own stack of (node, next edge) in typed arrays instead of recursing, so a long chain of
 * states cannot overflow the JavaScript call stack (TLC's LiveWorker does the same).
 *
 * The search runs on a region of the graph: the nodes whose `region` entry equals a label, and
 * only the edges between two such nodes. Each component found is given a fresh label, so a later
 * run restricted to that label sees exactly that component. This is what the fairness refinement
 * (fairComponents.ts) needs: drop some nodes of a component, search the rest again.
 */
export interface Csr {
  readonly offsets: Int32Array
  readonly targets: Int32Array
}

export class SccFinder {
  /** Bytes of working memory per node: five Int32 arrays and one of bytes. */
  static readonly bytesPerNode = 5 * 4 + 1

  private readonly index: Int32Array
  private readonly low: Int32Array
  private readonly onStack: Uint8Array
  private readonly stack: Int32Array
  private readonly callNode: Int32Array
  private readonly callEdge: Int32Array

  constructor(
    private readonly g: Csr,
    nodes: number,
  ) {
    this.index = new Int32Array(nodes).fill(-1)
    this.low = new Int32Array(nodes)
    this.onStack = new Uint8Array(nodes)
    this.stack = new Int32Array(nodes)
    this.callNode = new Int32Array(nodes)
    this.callEdge = new Int32Array(nodes)
  }

  /**
   * The components of the region `label`, which must be exactly the nodes in `roots`. Each
   * component is relabelled in `region` with `fresh()`; those of at least `minSize` nodes are
   * returned as lists of their nodes (most components of a behaviour graph are single states, and
   * allocating an array for each would dominate the run time). A step at a time: it yields
   * after every 65,536 nodes it enters (checkTemporal.ts).
   */
  *run(region: Int32Array, label: number, roots: ArrayLike<number>, fresh: () => number, minSize = 1): Generator<void, Int32Array[]> {
    const { offsets, targets } = this.g
    const { index, low, onStack, stack, callNode, callEdge } = this
    for (let i = 0; i < roots.length; i++) index[roots[i]!] = -1
    const out: Int32Array[] = []
    let counter = 0
    let sp = 0 // depth-first call stack
    let top = 0 // Tarjan's stack of nodes not yet in a component
    for (let r = 0; r < roots.length; r++) {
      const root = roots[r]!
      if (index[root] !== -1) continue
      let next = root // the node to enter, or -1
      while (next >= 0 || sp > 0) {
        if (next >= 0) {
          // Enter `next`: number it, push it on both stacks. (Inline: a closure over the counters
          // would keep them in a heap context and slow the loop several times.)
          index[next] = counter
          low[next] = counter
          counter++
          stack[top++] = next
          onStack[next] = 1
          callNode[sp] = next
          callEdge[sp] = offsets[next]!
          sp++
          next = -1
          if ((counter & 0xffff) === 0) yield
        }
        const v = callNode[sp - 1]!
        const e = callEdge[sp - 1]!
        if (e < offsets[v + 1]!) {
          callEdge[sp - 1] = e + 1
          const w = targets[e]!
          if (region[w] !== label) continue
          if (index[w] === -1) next = w
          else if (onStack[w] === 1 && index[w]! < low[v]!) low[v] = index[w]!
          continue
        }
        sp--
        if (low[v] === index[v]) {
          let start = top
          do start--
          while (stack[start] !== v)
          const id = fresh()
          for (let i = start; i < top; i++) {
            onStack[stack[i]!] = 0
            region[stack[i]!] = id
          }
          if (top - start >= minSize) out.push(stack.slice(start, top))
          top = start
        }
        if (sp > 0) {
          const u = callNode[sp - 1]!
          if (low[v]! < low[u]!) low[u] = low[v]!
        }
      }
    }
    return out
  }
}
