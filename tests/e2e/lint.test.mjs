// The built extension folder passes Mozilla's add-on linter (web-ext lint) with no errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { EXTENSION_DIR, ROOT } from "./lib/paths.mjs";

const WEB_EXT = path.join(ROOT, "tests/node_modules/.bin/web-ext");

test("web-ext lint: 0 errors on dist/extension", { timeout: 60_000 }, async () => {
  // web-ext exits non-zero when it finds errors; the JSON report is on stdout either way.
  const { stdout } = await promisify(execFile)(WEB_EXT, ["lint", "--source-dir", EXTENSION_DIR, "--output", "json"], {
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error) => error);
  const report = JSON.parse(stdout);
  for (const w of report.warnings) console.log(`# lint warning ${w.code}: ${w.message}`);
  assert.deepEqual(
    report.errors.map((e) => `${e.code} ${e.file ?? ""}: ${e.message}`),
    [],
  );
  // Warnings about the manifest Chrome and Firefox share are expected (Chrome's service_worker
  // key, Firefox for Android versions); none about the code.
  assert.ok(!report.warnings.some((w) => w.file && w.file !== "manifest.json"), "no warnings about the code");
});
