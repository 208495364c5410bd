// What both wake benchmarks (wake.mjs, wake-extension.mjs) need: polling, a temporary folder that
// is removed even while Chromium's helpers still write to it, and Chromium started directly with
// unpacked extensions and a DevTools port (not through Playwright, which would hold each worker at
// start to attach to it).

import { spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value; throws `${what} within N ms` after `timeoutMs`. */
export async function waitUntil(fn, what, timeoutMs = 20000, everyMs = 10) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`${what} within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** A new temporary folder; `remove()` deletes it (again at exit if Chromium still holds it). */
export function tempDir(prefix, log) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const remove = () => {
    try {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch (e) {
      log(`could not remove ${dir} yet (${e.message}); trying again at exit`);
      process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    }
  };
  return { dir, remove };
}

/** Starts Chromium with the unpacked `extensions` and DevTools on `port`; `stop()` ends it and
 *  `stderrTail()` gives the last of what it printed (for errors). */
export function launchWithExtensions({ chromium, flags, profile, extensions, port }) {
  const list = extensions.join(",");
  const child = spawn(
    chromium,
    [
      ...flags,
      `--user-data-dir=${profile}`,
      `--remote-debugging-address=127.0.0.1`,
      `--remote-debugging-port=${port}`,
      `--disable-extensions-except=${list}`,
      `--load-extension=${list}`,
      "about:blank",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  return { stop, stderrTail: () => stderr.trim().split("\n").pop() ?? "" };
}
