// Size budgets of what ships: fails when a built file outgrows its budget in budget.json.
//
// Sizes are deterministic for a given toolchain and lock file, so they are asserted (timings are
// not). A budget is raised only on purpose, in the commit that needs it, saying why.
//
//   node tests/size/check.mjs           check dist/ against budget.json
//   node tests/size/check.mjs --print   print the table only
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const budget = JSON.parse(readFileSync(path.join(HERE, "budget.json"), "utf8"));

/** Raw and gzip -9 bytes of the files of one package. */
function measure(files) {
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const full = path.join(ROOT, file);
    if (!existsSync(full)) throw new Error(`${file} is missing: run ./build.sh first`);
    const bytes = readFileSync(full);
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gzip };
}

const printOnly = process.argv.includes("--print");
const failures = [];
console.log(`${"package".padEnd(34)} ${"raw".padStart(9)} ${"gzip -9".padStart(9)} ${"budget".padStart(9)}`);
for (const [name, entry] of Object.entries(budget.packages)) {
  const { raw, gzip } = measure(entry.files);
  const over = gzip > entry.maxGzipBytes;
  console.log(
    `${name.padEnd(34)} ${String(raw).padStart(9)} ${String(gzip).padStart(9)} ${String(entry.maxGzipBytes).padStart(9)}${over ? "  OVER" : ""}`,
  );
  if (over) failures.push(`${name}: ${gzip} gzip bytes, budget ${entry.maxGzipBytes} (${entry.files.join(", ")})`);
}
if (!printOnly && failures.length) {
  console.error(`\nover budget (tests/size/budget.json):\n  ${failures.join("\n  ")}`);
  process.exitCode = 1;
} else if (!printOnly) {
  console.log("\nevery package is within its budget");
}
