// Waits for the build tests/e2e/global-setup.ts started (its lock), or builds dist/ itself when it
// is still stale (that build failed, or this file runs first): a failed build fails the file here.
// @ts-expect-error plain ESM script without types
import { buildIfStale } from '../../scripts/build-if-stale.mjs'

await (buildIfStale as () => Promise<void>)()
