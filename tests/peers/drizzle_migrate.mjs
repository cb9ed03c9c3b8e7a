// Applies a migration folder with drizzle-orm's own migrator (better-sqlite3), as the original
// Node backend did, and prints how many __drizzle_migrations rows it added.
//   node drizzle_migrate.mjs <database file> <migrations folder>
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";

const [file, folder] = process.argv.slice(2);
const sqlite = new Database(file);
const count = () => {
  const t = sqlite.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = '__drizzle_migrations'").get();
  return t.n === 0 ? 0 : sqlite.prepare('SELECT count(*) AS n FROM "__drizzle_migrations"').get().n;
};
const before = count();
migrate(drizzle(sqlite), { migrationsFolder: folder });
console.log(`applied ${count() - before}`);
sqlite.close();
