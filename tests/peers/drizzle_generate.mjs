// Runs the real drizzle-kit `generate` for a TypeScript schema, answering its rename prompts.
//   node drizzle_generate.mjs <workdir> <schema.ts> <outdir> <name> [renameCount]
// drizzle-kit asks "created or renamed?" for each new column/table when something also
// disappeared; it needs a TTY, so it runs under script(1) and each prompt is answered (arrow
// down = rename, Enter) once its text appears on the terminal: no timing assumptions.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const [workdir, schema, out, name, renames = "0"] = process.argv.slice(2);
const peers = dirname(fileURLToPath(import.meta.url));
const kit = join(peers, "node_modules", ".bin", "drizzle-kit");
const config = join(workdir, "drizzle.config.mjs");
writeFileSync(config, `export default { dialect: "sqlite", schema: ${JSON.stringify(relative(workdir, resolve(schema)))}, out: ${JSON.stringify(relative(workdir, resolve(out)))} };\n`);

const cmd = `NODE_PATH='${join(peers, "node_modules")}' '${kit}' generate --config='${config}' --name='${name}'`;
const child = spawn("script", ["-qec", cmd, "/dev/null"], { cwd: workdir, stdio: ["pipe", "pipe", "inherit"] });
let text = ""; // the terminal output without colour and cursor codes
let promptAt = -1; // where the prompt being answered starts in `text`
let lastPromptEnd = 0; // where the previous answered prompt ended
let renamesLeft = Number(renames);
child.stdout.on("data", (chunk) => {
  text += chunk.toString().replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
  if (promptAt < 0) {
    const at = text.indexOf("created or renamed", lastPromptEnd);
    if (at >= 0) {
      promptAt = at;
      if (renamesLeft > 0) {
        renamesLeft -= 1;
        child.stdin.write("\x1b[B"); // arrow down: the "rename" option
      } else {
        answer("\r"); // keep "create"
      }
    }
  }
  // The cursor drawn on the "~ old › new  rename" line: the arrow arrived, confirm it.
  if (promptAt >= 0 && /❯\s*~/.test(text.slice(promptAt))) answer("\r");
  if (/Your SQL migration file|No schema changes/.test(text)) child.stdin.end();
});
function answer(key) {
  child.stdin.write(key);
  lastPromptEnd = text.length;
  promptAt = -1;
}
child.on("exit", (code) => {
  if (!/Your SQL migration file|No schema changes/.test(text)) {
    process.stderr.write(text);
    process.exit(code || 1);
  }
  process.exit(0);
});
