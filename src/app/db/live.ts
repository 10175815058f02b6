// Dexie's live queries for the stores and composables: a query re-runs when a table it read
// changes (in this tab or another). Re-exported here so only db/ imports Dexie.
export { liveQuery, type Subscription } from 'dexie'
