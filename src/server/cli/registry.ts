// The CLI's command registry. A command lives in its own file under src/server/cli/, calls
// registerCommand() when imported, and src/server/cli.ts imports that file (one line).
import { parseArgs, type ParseArgsConfig } from 'node:util'

export interface CliIo {
  stdout(text: string): void
  stderr(text: string): void
  /** Directory relative paths are resolved against. */
  cwd: string
}

export interface CliCommand {
  name: string
  /** One line for `help`. */
  summary: string
  /** Usage text shown by `help <command>` and after a usage error. */
  usage: string
  /** Returns the process exit code. */
  run(args: string[], io: CliIo): Promise<number> | number
}

/** Bad options or arguments: the dispatcher prints the message and the command's usage, exit 2. */
export class CliUsageError extends Error {}

const commands = new Map<string, CliCommand>()

export function registerCommand(command: CliCommand): void {
  if (commands.has(command.name)) throw new Error(`CLI command ${command.name} registered twice`)
  commands.set(command.name, command)
}

export function findCommand(name: string): CliCommand | undefined {
  return commands.get(name)
}

export function listCommands(): CliCommand[] {
  return [...commands.values()].sort((a, b) => a.name.localeCompare(b.name))
}

/** util.parseArgs, strict, with its errors turned into usage errors. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false })
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error))
  }
}
