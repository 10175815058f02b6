// Browser tests run against the production build, served by the real station server.
// @ts-expect-error plain ESM script without types
import { buildIfStale } from '../../scripts/build-if-stale.mjs'

export default async function setup(): Promise<void> {
  await (buildIfStale as () => Promise<void>)()
}
