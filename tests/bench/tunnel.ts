// A TCP relay that counts the bytes crossing it both ways (headers, bodies, answers): what a
// phone's data plan pays, whatever the HTTP layer compresses.
import { createServer, connect, type Server } from 'node:net'

/** Counts every byte both ways between the phone and the station. */
export async function countingTunnel(
  targetPort: number,
): Promise<{ port: number; bytes: { up: number; down: number }; close(): Promise<void> }> {
  const bytes = { up: 0, down: 0 }
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1')
    client.on('data', (d: Buffer) => {
      bytes.up += d.length
    })
    upstream.on('data', (d: Buffer) => {
      bytes.down += d.length
    })
    client.pipe(upstream).pipe(client)
    const end = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end)
    upstream.on('error', end)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  return {
    port,
    bytes,
    close: () =>
      new Promise((r) => {
        server.close(() => r())
        server.unref()
      }),
  }
}
