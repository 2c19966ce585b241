/**
 * What every `--json` document starts with, whatever the command and outcome: the schema version,
 * the tool, the command and a status. Errors are documents too (`status: "error"`, `code`,
 * `message`, `exitCode`), so that stdout under `--json` is always one valid document. The shipped
 * JSON Schema (schema/result.schema.json) describes them all.
 */
export const SCHEMA_VERSION = 1

export type Command = 'check' | 'resume' | 'simulate' | 'replay' | 'list' | 'matrix' | 'merge' | 'graph'

export type DocumentStatus = 'ok' | 'violation' | 'incomplete' | 'error'

export interface Tool {
  readonly name: string
  readonly version: string
}

export function envelope(command: Command, status: DocumentStatus, tool: Tool) {
  return { schemaVersion: SCHEMA_VERSION, tool: { name: tool.name, version: tool.version }, command, status }
}

/**
 * The document of a command that ended in an error: a CheckerError's code, `USAGE` for a bad
 * command line, `INTERNAL` for a fault of mrcheck itself.
 */
export function errorDocument(command: Command | undefined, error: { readonly code: string; readonly message: string }, exitCode: number, tool: Tool) {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: tool.name, version: tool.version },
    ...(command === undefined ? {} : { command }),
    status: 'error' as const,
    code: error.code,
    message: error.message,
    exitCode,
  }
}
