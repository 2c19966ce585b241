/**
 * Calls the i-th of a fixed list of functions through a `switch` compiled once, so that each
 * function has a call site of its own. Calling them all from one site in a loop makes that site
 * see every function: the engine then neither inlines them nor specializes their reads of the
 * state. Used for the model's properties, which run on every new state or every step.
 */
export type Dispatch = (i: number, a: unknown, b?: unknown, c?: unknown) => boolean

export function compileDispatch(fns: readonly ((a: any, b: any, c: any) => boolean)[]): Dispatch {
  const names = fns.map((_, i) => `f${i}`)
  const cases = names.map((f, i) => `    case ${i}: return ${f}(a, b, c)`).join('\n')
  return new Function(
    ...names,
    `return function dispatch(i, a, b, c) {\n  switch (i) {\n${cases}\n  }\n  return true\n}`,
  )(...fns)
}
