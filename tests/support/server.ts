// Starts the real station server as a child process on a free port with its own data folder.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface RunningServer {
  url: string
  dataDir: string
  proc: ChildProcess
  /** Stops the process; the data folder stays unless `wipe` is true. */
  stop(wipe?: boolean): Promise<void>
}

export async function startServer(
  opts: { env?: Record<string, string>; dataDir?: string } = {},
): Promise<RunningServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'bloodbus-'))
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DEMO: '0', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  proc.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s\n${out}\n${stderr}`)), 60_000)
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /running at (http:\/\/\S+?)\/?\s/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!.replace('localhost', '127.0.0.1'))
      }
    })
    proc.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code}\n${out}\n${stderr}`))
    })
  })
  return {
    url,
    dataDir,
    proc,
    async stop(wipe = false) {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r))
        proc.kill('SIGTERM')
        await exited
      }
      if (wipe) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
