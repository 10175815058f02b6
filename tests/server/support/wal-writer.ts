// A station process's writes, cut off by a crash (tests/server/sqlite-checkpoints.test.ts): opens the
// SQLite store in $DATA_DIR with its checkpoint worker idle, commits $COMMITS blobs of 400 KiB, says
// COMMITTED and waits to be killed, so whatever it committed is in the WAL alone.
import { sql } from 'kysely'
import { openStore } from '../../../src/server/db/store'

const store = await openStore({ dataDir: process.env.DATA_DIR!, sqliteCheckpoints: { intervalMs: 3_600_000 } })
await sql`create table wal_probe (id integer primary key, b blob not null)`.execute(store.db)
for (let i = 0; i < Number(process.env.COMMITS); i++)
  await store.db.transaction().execute((trx) => sql`insert into wal_probe (b) values (randomblob(409600))`.execute(trx))
console.log('COMMITTED')
setInterval(() => {}, 60_000)
