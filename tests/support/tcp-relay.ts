// A TCP relay on 127.0.0.1 between the station and its PostgreSQL that a test can cut and mend:
// cut() drops every open connection and, until mend(), refuses new ones ('refuse') or accepts
// them and never answers ('blackhole', like a network partition or a dead failover address).
import { connect, createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

export type CutMode = 'refuse' | 'blackhole'

export class TcpRelay {
  private server: Server | null = null
  private readonly sockets = new Set<Socket>()
  private mode: CutMode | null = null
  /** Connections the relay accepted (a reconnect shows as a new one). */
  accepted = 0

  constructor(private readonly target: { host: string; port: number }) {}

  get port(): number {
    return (this.server!.address() as AddressInfo).port
  }

  async listen(): Promise<number> {
    this.server = createServer((client) => {
      this.accepted++
      this.sockets.add(client)
      client.on('close', () => this.sockets.delete(client))
      client.on('error', () => client.destroy())
      if (this.mode === 'refuse') return void client.destroy()
      if (this.mode === 'blackhole') return
      const upstream = connect(this.target.port, this.target.host)
      this.sockets.add(upstream)
      upstream.on('close', () => {
        this.sockets.delete(upstream)
        client.destroy()
      })
      upstream.on('error', () => upstream.destroy())
      client.on('close', () => upstream.destroy())
      client.pipe(upstream)
      upstream.pipe(client)
    })
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    return this.port
  }

  /** The database goes away: open connections drop, new ones fail as `mode` says. */
  cut(mode: CutMode = 'refuse'): void {
    this.mode = mode
    for (const s of this.sockets) s.destroy()
  }

  /** The database is back. Blackholed connections stay dead (as after a real partition). */
  mend(): void {
    this.mode = null
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }
}
