// Preloaded into the push benches' station process (NODE_OPTIONS=--import): writes its pid to
// $BENCH_STATION_STATS; a first SIGUSR2 starts a span, the second writes the CPU time the station
// spent in it (user + system, ms) to the same file, and with BENCH_PROFILE=<dir> also the V8 CPU profile of that span as
// push-station.cpuprofile. CPU time, unlike wall time, hardly moves with the machine's load.
// Plain .mjs: it loads before tsx does.
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'

const statsFile = process.env.BENCH_STATION_STATS
const profileDir = process.env.BENCH_PROFILE
let since = process.cpuUsage()
if (statsFile) writeFileSync(statsFile, JSON.stringify({ pid: process.pid }))
const session = profileDir ? new Session() : null
if (session) {
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 500 })
}

/** Starts a measured span (a first SIGUSR2) or ends it and writes it (the second). */
let open = false
process.on('SIGUSR2', async () => {
  if (!open) {
    open = true
    since = process.cpuUsage()
    if (session) await session.post('Profiler.start')
    if (statsFile) writeFileSync(statsFile, JSON.stringify({ pid: process.pid, started: true }))
    return
  }
  open = false
  const used = process.cpuUsage(since)
  if (session) {
    const { profile } = await session.post('Profiler.stop')
    writeFileSync(join(profileDir, 'push-station.cpuprofile'), JSON.stringify(profile))
  }
  if (statsFile)
    writeFileSync(
      statsFile,
      JSON.stringify({ pid: process.pid, userMs: used.user / 1000, systemMs: used.system / 1000 }),
    )
})
