/**
 * Text for a terminal: names and values the CLI prints come from model files, trace files and
 * checkpoints, and a control character in one (an escape sequence, a carriage return, a bidi
 * override) could rewrite what the user sees. Every such character is printed as a `\uXXXX`
 * escape, which also keeps a JSON document valid and its values the same.
 */

/** C0 controls except tab and newline, DEL, C1 controls, line and paragraph separators, bidi controls. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

export const printable = (text: string): string =>
  text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
