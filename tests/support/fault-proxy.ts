// An HTTP proxy on 127.0.0.1 that sits between a phone's sync engine and the station and breaks
// the network on purpose, reproducibly by seed: connections dropped before the request and after
// the station committed, 500s and 429s, stalls past the client's timeout, requests delivered
// twice, replies handed out of order (the reply to an earlier request), a captive portal's or a
// proxy's own 400/401/403 pages, and replies swapped between devices (proxies sharing a ReplyMixer).
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export const FAULTS = [
  'pass',
  'drop-before',
  'drop-after',
  'error-500',
  'error-500-after',
  'rate-limit',
  'stall-before',
  'stall-after',
  'twice',
  'stale-reply',
  'portal-400', // a captive portal's HTML 400; the station never sees the request
  'portal-401', // a proxy's HTML 401
  'proxy-403', // a filtering proxy's JSON 403 {code, message}, without the station's mark
  'swap-reply', // the station commits; the phone gets another device's latest reply, headers and all
  'swap-reply-bare', // the same, with the station's headers stripped (only the body's echo is left)
] as const
export type ProxyFault = (typeof FAULTS)[number]

/** Small seeded PRNG (sfc32): the same seed gives the same fault sequence. */
export function seededRandom(seed: number): () => number {
  let a = 0x9e3779b9 ^ seed
  let b = 0x243f6a88 ^ (seed * 31)
  let c = 0xb7e15162 ^ (seed * 17)
  let d = seed | 0
  const next = () => {
    a |= 0
    b |= 0
    c |= 0
    d |= 0
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return (t >>> 0) / 4294967296
  }
  for (let i = 0; i < 15; i++) next()
  return next
}

export interface FaultProxyOptions {
  /** Where the station listens now (changes when it restarts). */
  target: { host: string; port: number }
  seed: number
  /** Probability of each fault other than 'pass' for one request (the rest passes). */
  rates?: Partial<Record<Exclude<ProxyFault, 'pass'>, number>>
  /** How long a stall holds the request or reply (longer than the client's timeout). */
  stallMs?: number
  /** Called for each request with the fault chosen (for counting). */
  onFault?: (fault: ProxyFault, path: string) => void
  /** Shared by the proxies of several phones, so 'swap-reply' can hand one phone another's reply. */
  mixer?: ReplyMixer
}

/** The latest station reply per path kind from each proxy, for swapping replies between devices. */
export class ReplyMixer {
  private readonly latest = new Map<string, Map<FaultProxy, Upstream>>()
  note(owner: FaultProxy, kind: string, reply: Upstream): void {
    let byOwner = this.latest.get(kind)
    if (!byOwner) this.latest.set(kind, (byOwner = new Map()))
    byOwner.set(owner, reply)
  }
  /** Another proxy's latest reply for this kind of request, if any. */
  other(owner: FaultProxy, kind: string, random: () => number): Upstream | null {
    const others = [...(this.latest.get(kind) ?? new Map<FaultProxy, Upstream>()).entries()].filter(
      ([o]) => o !== owner,
    )
    if (others.length === 0) return null
    return others[Math.floor(random() * others.length)]![1]
  }
}

interface Upstream {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
  'content-length',
])

export class FaultProxy {
  private server: Server | null = null
  private readonly random: () => number
  private readonly sockets = new Set<Socket>()
  /** Last reply per path kind, handed out instead of the real one by 'stale-reply'. */
  private readonly lastReply = new Map<string, Upstream>()
  enabled = true
  target: { host: string; port: number }
  readonly counts = Object.fromEntries(FAULTS.map((f) => [f, 0])) as Record<ProxyFault, number>
  /** Requests that reached the station (twice counts two). */
  forwarded = 0
  /** 409s the station itself answered to this proxy's phone. */
  stationConflicts = 0
  /** Replies of another device handed to this phone. */
  swapped = 0

  constructor(private readonly opts: FaultProxyOptions) {
    this.random = seededRandom(opts.seed)
    this.target = opts.target
  }

  get url(): string {
    const addr = this.server?.address() as AddressInfo | null
    if (!addr) throw new Error('the proxy is not listening')
    return `http://127.0.0.1:${addr.port}`
  }

  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res)
    })
    this.server.on('connection', (s) => {
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    return this.url
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }

  private pick(): ProxyFault {
    if (!this.enabled) return 'pass'
    const r = this.random()
    let acc = 0
    for (const [fault, rate] of Object.entries(this.opts.rates ?? {}) as Array<[ProxyFault, number]>) {
      acc += rate
      if (r < acc) return fault
    }
    return 'pass'
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req)
    const fault = this.pick()
    this.counts[fault]++
    this.opts.onFault?.(fault, req.url ?? '')
    const kind = (req.url ?? '').split('?')[0]!
    const stallMs = this.opts.stallMs ?? 2_000
    const drop = () => {
      req.socket.destroy()
    }
    try {
      switch (fault) {
        case 'drop-before':
          return drop()
        case 'error-500':
          return send(res, {
            status: 500,
            headers: { 'content-type': 'application/json' },
            body: Buffer.from('{"code":"internal","message":"proxy says 500"}'),
          })
        case 'rate-limit':
          return send(res, {
            status: 429,
            headers: { 'content-type': 'application/json', 'retry-after': '0' },
            body: Buffer.from('{"code":"rate_limited","message":"slow down"}'),
          })
        case 'stall-before':
          await sleep(stallMs)
          return drop()
        case 'drop-after':
          await this.forward(req, body)
          return drop()
        case 'error-500-after':
          await this.forward(req, body)
          return send(res, { status: 502, headers: { 'content-type': 'text/plain' }, body: Buffer.from('bad gateway') })
        case 'stall-after':
          await this.forward(req, body)
          await sleep(stallMs)
          return drop()
        case 'twice': {
          const [, second] = await Promise.all([this.forward(req, body), this.forward(req, body)])
          return send(res, second)
        }
        case 'portal-400':
        case 'portal-401':
          return send(res, {
            status: fault === 'portal-400' ? 400 : 401,
            headers: { 'content-type': 'text/html; charset=utf-8' },
            body: Buffer.from(
              '<!doctype html><html><body><h1>Sign in to use this Wi-Fi</h1><form></form></body></html>',
            ),
          })
        case 'proxy-403':
          return send(res, {
            status: 403,
            headers: { 'content-type': 'application/json' },
            body: Buffer.from('{"code":"forbidden","message":"blocked by the network policy"}'),
          })
        case 'swap-reply':
        case 'swap-reply-bare': {
          const real = await this.forward(req, body)
          this.opts.mixer?.note(this, kind, real)
          const other = this.opts.mixer?.other(this, kind, this.random) ?? null
          if (!other) return send(res, real)
          this.swapped++
          if (fault === 'swap-reply') return send(res, other)
          const headers = Object.fromEntries(
            Object.entries(other.headers).filter(([k]) => !k.toLowerCase().startsWith('x-blood-bus')),
          )
          return send(res, { ...other, headers })
        }
        case 'stale-reply': {
          const previous = this.lastReply.get(kind)
          const real = await this.forward(req, body)
          this.lastReply.set(kind, real)
          return send(res, previous ?? real)
        }
        case 'pass': {
          const real = await this.forward(req, body)
          if (real.status === 200) this.lastReply.set(kind, real)
          this.opts.mixer?.note(this, kind, real)
          return send(res, real)
        }
      }
    } catch {
      // The station is down (restarting) or dropped us: the phone sees a dropped connection.
      drop()
    }
  }

  /** Time the station took, summed per path (ms). */
  readonly upstreamMs: Record<string, number> = {}

  private forward(req: IncomingMessage, body: Buffer): Promise<Upstream> {
    this.forwarded++
    const t0 = Date.now()
    const k = (req.url ?? '').split('?')[0]!
    const headers = {
      ...req.headers,
      host: `${this.target.host}:${this.target.port}`,
      'content-length': String(body.length),
    }
    delete headers.connection
    return new Promise((resolve, reject) => {
      const up = httpRequest(
        { host: this.target.host, port: this.target.port, method: req.method, path: req.url, headers, agent: false },
        (r) => {
          readAll(r).then((b) => {
            this.upstreamMs[k] = (this.upstreamMs[k] ?? 0) + Date.now() - t0
            if (r.statusCode === 409) this.stationConflicts++
            resolve({ status: r.statusCode ?? 502, headers: r.headers, body: b })
          }, reject)
        },
      )
      up.on('error', reject)
      up.end(body)
    })
  }
}

function send(res: ServerResponse, up: Upstream): void {
  if (res.destroyed) return
  const headers: Record<string, string | string[]> = {}
  for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v
  headers['content-length'] = String(up.body.length)
  res.writeHead(up.status, headers)
  res.end(up.body)
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    stream.on('data', (d: Buffer) => parts.push(d))
    stream.on('end', () => resolve(Buffer.concat(parts)))
    stream.on('error', reject)
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
