// `npm run cli -- <command> [options]`. Commands register themselves from their own files under
// src/server/cli/; add a command with one import line below.
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { Refusal } from './repo/refusal'
import './cli/generate'
import './cli/report'
import './cli/create-station'
import './cli/create-admin'
import './cli/enroll-code'
import './cli/import'
import './cli/export'
import './cli/generate-into-db'
import './cli/db-report'
import { CliUsageError, findCommand, listCommands, type CliIo } from './cli/registry'

function helpText(): string {
  const commands = listCommands()
  const width = Math.max(...commands.map((c) => c.name.length))
  return [
    'Blood Bus command line',
    '',
    'Usage: npm run cli -- <command> [options]',
    '       npm run cli -- help <command>',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  List the commands, or show one command's usage`,
    '',
  ].join('\n')
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
}

/** Runs one command line; returns the exit code (0 ok, 1 failed, 2 usage). */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...args] = argv
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? args[0] : undefined
    if (topic === undefined) {
      io.stdout(helpText())
      return 0
    }
    const command = findCommand(topic)
    if (!command) {
      io.stderr(`Unknown command: ${topic}\n\n${helpText()}`)
      return 2
    }
    io.stdout(`${command.summary}\n\n${command.usage}\n`)
    return 0
  }
  const command = findCommand(name)
  if (!command) {
    io.stderr(`Unknown command: ${name}\n\n${helpText()}`)
    return 2
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${command.summary}\n\n${command.usage}\n`)
    return 0
  }
  try {
    return await command.run(args, io)
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr(`${name}: ${error.message}\n\n${command.usage}\n`)
      return 2
    }
    // A repo refusal says its code too (station_exists, invalid_station, …), as the API would.
    if (error instanceof Refusal) io.stderr(`${name}: ${error.code}: ${error.message}\n`)
    else io.stderr(`${name}: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
}

function isMain(): boolean {
  const script = process.argv[1]
  if (!script) return false
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href
  } catch {
    return false
  }
}

if (isMain()) {
  process.exitCode = await runCli(process.argv.slice(2))
}
