// Benchmark peer: drizzle-orm + better-sqlite3 applying a migration folder to a new database.
//   node drizzle_bench.mjs <database file> <migrations folder>   -> prints milliseconds
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";

const [file, folder] = process.argv.slice(2);
const start = process.hrtime.bigint();
const sqlite = new Database(file);
sqlite.pragma("journal_mode = WAL");
sqlite.pragma("synchronous = NORMAL");
migrate(drizzle(sqlite), { migrationsFolder: folder });
sqlite.close();
console.log(Number(process.hrtime.bigint() - start) / 1e6);
