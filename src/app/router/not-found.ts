// Where an unknown address sends its reader: the station pages' home for /station/…, the drive list otherwise.
import type { RouteLocationRaw } from 'vue-router'

export function notFoundHome(path: string): { to: RouteLocationRaw; label: string } {
  return path === '/station' || path.startsWith('/station/')
    ? { to: { name: 'station-dashboard' }, label: 'common.notFound.toStation' }
    : { to: { name: 'drives' }, label: 'common.notFound.toDrives' }
}
