/**
 * The README's code blocks that make up a consumer's project: a ```ts block whose first line is a
 * `// path` comment is that file; words after the language (```ts ava) name the test set-ups it
 * belongs to (none: every set-up); a ```json block tagged with a set-up holds package.json keys.
 */
export interface ReadmeFile {
  readonly path: string
  readonly text: string
  /** The set-ups the file belongs to; empty: all of them. */
  readonly setups: readonly string[]
}

const FENCE = /^```(\w+)([^\n]*)\n([\s\S]*?)^```$/gm

export function readmeFiles(readme: string): ReadmeFile[] {
  const files: ReadmeFile[] = []
  for (const [, lang, info, body] of readme.matchAll(FENCE)) {
    if (lang !== 'ts') continue
    const path = /^\/\/ (\S+\.ts)\n/.exec(body!)?.[1]
    if (path !== undefined) files.push({ path, text: body!, setups: info!.trim().split(/\s+/).filter(Boolean) })
  }
  return files
}

/** The package.json keys the README gives for `setup` (```json ava blocks, each a list of keys). */
export function readmePackageKeys(readme: string, setup: string): Record<string, unknown> {
  let keys: Record<string, unknown> = {}
  for (const [, lang, info, body] of readme.matchAll(FENCE)) {
    if (lang === 'json' && info!.trim().split(/\s+/).includes(setup)) keys = { ...keys, ...(JSON.parse(`{${body}}`) as object) }
  }
  return keys
}
