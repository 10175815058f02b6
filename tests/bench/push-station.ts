// The push benches' view of the station process: its CPU time over the push (load-robust, unlike
// wall time) and, with BENCH_PROFILE=<dir>, its CPU profile (push-station.cpuprofile), by the
// preload push-station-profile.mjs, set up through NODE_OPTIONS before the station starts.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface StationMeter {
  /** Starts the station with the preload in its environment. */
  launch<T>(start: () => Promise<T>): Promise<T>
  /** Starts the measured span (the push). */
  start(): Promise<void>
  /** Ends it: the station's CPU ms (user + system) spent in it. */
  stop(): Promise<number>
  dispose(): void
}

export function stationMeter(): StationMeter {
  const dir = mkdtempSync(join(tmpdir(), 'bloodbus-station-meter-'))
  const file = join(dir, 'stats.json')
  const preload = fileURLToPath(new URL('./push-station-profile.mjs', import.meta.url))
  const read = (): { pid?: number; started?: boolean; userMs?: number; systemMs?: number } => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as ReturnType<typeof read>
    } catch {
      return {}
    }
  }
  const signal = async (until: (s: ReturnType<typeof read>) => boolean) => {
    const pid = read().pid
    if (!pid) throw new Error('the station did not load the meter')
    process.kill(pid, 'SIGUSR2')
    for (let i = 0; i < 600 && !until(read()); i++) await new Promise((r) => setTimeout(r, 50))
    return read()
  }
  return {
    async launch(start) {
      if (process.env.BENCH_PROFILE) mkdirSync(process.env.BENCH_PROFILE, { recursive: true })
      const before = process.env.NODE_OPTIONS
      process.env.BENCH_STATION_STATS = file
      process.env.NODE_OPTIONS = `${before ?? ''} --import ${preload}`.trim()
      try {
        return await start()
      } finally {
        if (before === undefined) delete process.env.NODE_OPTIONS
        else process.env.NODE_OPTIONS = before
        delete process.env.BENCH_STATION_STATS
      }
    },
    async start() {
      await signal((s) => s.started === true)
    },
    async stop() {
      const s = await signal((s) => s.userMs !== undefined)
      return (s.userMs ?? NaN) + (s.systemMs ?? NaN)
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * CPU seconds (user + system) used so far by this process's descendants whose command line
 * matches `name` (e.g. Chromium's browser, renderer, GPU and utility processes), from /proc.
 * Linux only; 0 elsewhere.
 */
export function descendantsCpuMs(name: RegExp, by?: Map<string, number>): number {
  let stats: string[]
  try {
    stats = readdirSync('/proc').filter((d) => /^\d+$/.test(d))
  } catch {
    return 0
  }
  const tick = 1000 / 100 // USER_HZ is 100 on Linux
  const parent = new Map<number, number>()
  const cpu = new Map<number, number>()
  const command = new Map<number, string>()
  for (const pid of stats) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      parent.set(Number(pid), Number(fields[1]))
      cpu.set(Number(pid), (Number(fields[11]) + Number(fields[12])) * tick)
      command.set(Number(pid), readFileSync(`/proc/${pid}/cmdline`, 'utf8'))
    } catch {
      // gone meanwhile
    }
  }
  const mine = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === process.pid) return true
    return false
  }
  let sum = 0
  for (const [pid, ms] of cpu) {
    const cmd = command.get(pid) ?? ''
    if (!mine(pid) || !name.test(cmd)) continue
    sum += ms
    const kind = /--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser'
    const service = /--utility-sub-type=([\w.]+)/.exec(cmd)?.[1]
    const key = service ? `${kind} ${service}` : kind
    by?.set(key, (by.get(key) ?? 0) + ms)
  }
  return sum
}
