// Every /api answer carries this station's mark and echoes the phone's request id, so a phone can
// tell the station's own refusal from a captive portal's or a proxy's page, and ignore a reply that
// a middlebox handed to the wrong request (docs/sync-protocol.md, "Whose answer is it").
import type { MiddlewareHandler } from 'hono'
import { REQUEST_ID_HEADER, REQUEST_ID_PATTERN, STATION_MARK, STATION_MARK_HEADER } from '../../domain/sync-protocol'

export function stationMark(): MiddlewareHandler {
  return async (c, next) => {
    await next()
    // Set after the handler (and onError) ran, so refusals carry the mark too.
    c.res.headers.set(STATION_MARK_HEADER, STATION_MARK)
    const id = c.req.header(REQUEST_ID_HEADER)
    if (id && REQUEST_ID_PATTERN.test(id)) c.res.headers.set(REQUEST_ID_HEADER, id)
    c.res.headers.set('Access-Control-Expose-Headers', `${STATION_MARK_HEADER}, ${REQUEST_ID_HEADER}`)
  }
}
