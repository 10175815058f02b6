// What the first screen leaves out (it reads through db/boot-read.ts) and the app loads once that
// screen is up (main.ts, afterFirstScreen): Dexie with the database open, and the modules that
// write or look donors up, so a save, a draft, a PIN or a donor lookup finds them loaded.
import { fieldDb } from './index'

export async function warmWriters(): Promise<void> {
  await Promise.all([
    fieldDb().open(),
    import('./field-records'),
    import('./drafts'),
    import('./eligibility'),
    import('./pin-attempts'),
  ])
}
