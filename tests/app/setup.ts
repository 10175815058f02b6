// App tests run against a real IndexedDB implementation in memory.
import 'fake-indexeddb/auto'
import { loadMessages } from '../../src/app/i18n'

// The app loads English and the manager's messages only when needed; tests mount screens in
// either language directly, so every message is on hand before any test creates an i18n.
await loadMessages()
