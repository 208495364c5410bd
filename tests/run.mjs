// Runs every test that needs real peers: test servers, headless Chromium and Firefox.
// Called by `./build.sh test` after the native tests; expects dist/ to be built.
//
//   node tests/run.mjs            all suites
//   node tests/run.mjs NAME…      only the named suites (see SUITES below)
//
// Every server and browser is started here or by a suite and stopped before exit, even on failure.

import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const HOME = process.env.HOME || "/root";
const children = new Set();

/** Runs a command to completion, streaming its output; rejects on a non-zero exit. */
function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"], ...opts });
    children.add(child);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      children.delete(child);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(" ")} failed (${signal || "exit " + code})`));
    });
  });
}

/** Starts the Socket.IO control server and returns its URL. */
async function startControl() {
  const child = spawn(process.execPath, [path.join(ROOT, "tests/fixtures/sio-control.mjs")], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "inherit"],
  });
  children.add(child);
  child.on("exit", () => children.delete(child));
  const lines = createInterface({ input: child.stdout });
  const [line] = await Promise.race([
    once(lines, "line"),
    once(child, "exit").then(() => {
      throw new Error("the control server exited before it was ready");
    }),
  ]);
  return { url: JSON.parse(line).control, stop: () => stop(child) };
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await once(child, "exit");
  clearTimeout(timer);
}

/** cargo test of the wasm browser suites in one browser, against the control server. */
function wasmTests(browser, control, cargoArgs = ["--test", "browser", "--test", "worker", "--test", "hostile", "--test", "lifetimes"], extraEnv = {}) {
  const env = {
    ...process.env,
    ...extraEnv,
    SIO_CONTROL_URL: control,
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER: "wasm-bindgen-test-runner",
    WASM_BINDGEN_TEST_TIMEOUT: "600",
    WASM_BINDGEN_TEST_WEBDRIVER_JSON: path.join(ROOT, "crate/webdriver.json"),
  };
  // The runner prefers GECKODRIVER over CHROMEDRIVER: set exactly one.
  delete env.GECKODRIVER;
  delete env.CHROMEDRIVER;
  delete env.SAFARIDRIVER;
  if (browser === "firefox") env.GECKODRIVER = process.env.GECKODRIVER || path.join(HOME, ".cargo/bin/geckodriver");
  else env.CHROMEDRIVER = process.env.CHROMEDRIVER || "/usr/bin/chromedriver";
  return run(
    "cargo",
    ["test", "-p", "eliza-socketio", "--target", "wasm32-unknown-unknown", ...cargoArgs],
    { env },
  );
}

/** An end-to-end suite: node:test files under tests/e2e/, one at a time (they start browsers). */
const e2e = (...files) => () =>
  run(process.execPath, ["--test", "--test-concurrency=1", ...files.map((f) => `tests/e2e/${f}`)]);

const SUITES = {
  /** What ships stays within the committed size budgets (tests/size/budget.json), and a connected
   *  Socket.IO-only client within 128 KB of wasm memory (its stack use measured). */
  size: async () => {
    await run(process.execPath, ["tests/size/check.mjs"]);
    await run(process.execPath, ["--test", "tests/size/memory.test.mjs"]);
  },
  /** The test servers themselves (socket.io control server, ElizaOS fixture). */
  fixtures: () => run(process.execPath, ["--test", "--test-concurrency=1", "tests/node/"]),
  /** The Socket.IO client in Chromium and Firefox pages and a service worker. */
  browsers: async () => {
    const control = await startControl();
    try {
      await wasmTests("chromium", control.url);
      await wasmTests("firefox", control.url);
    } finally {
      await control.stop();
    }
  },
  /** Freed handles and a wall clock set back (also part of "browsers"), in Chromium and Firefox,
   *  then handles released by the garbage collector ("collected"). */
  lifetimes: async () => {
    const control = await startControl();
    try {
      for (const browser of process.env.LIFETIMES_BROWSERS?.split(",") ?? ["chromium", "firefox"]) {
        await wasmTests(browser, control.url, ["--test", "lifetimes"]);
      }
    } finally {
      await control.stop();
    }
    await e2e("collected.test.mjs")();
  },
  /** Handles released by the garbage collector instead of free() (Chromium, --expose-gc). */
  collected: e2e("collected.test.mjs"),
  /** The Rust API (feature rust-api): rustdoc without warnings and its examples compiled, then
   *  the API in Chromium and Firefox against the control server and a real ElizaOS server, then
   *  the example page written in Rust. */
  rustapi: async () => {
    const features = ["--features", "rust-api"];
    const wasm = ["-p", "eliza-socketio", "--target", "wasm32-unknown-unknown", ...features];
    await run("cargo", ["doc", "--no-deps", ...wasm], { env: { ...process.env, RUSTDOCFLAGS: "-D warnings" } });
    // Every rustdoc example of the Rust API is `no_run`: this compiles them all for wasm32.
    await run("cargo", ["test", "--doc", ...wasm]);
    const { startEliza } = await import("./fixtures/eliza.mjs");
    const control = await startControl();
    let eliza;
    try {
      eliza = await startEliza({ agents: ["Echo"] });
      for (const browser of ["chromium", "firefox"]) {
        await wasmTests(browser, control.url, [...features, "--test", "rust_api"], { ELIZA_URL: eliza.url });
      }
    } finally {
      await eliza?.dispose();
      await control.stop();
    }
    // The example page built only in Rust (dist/example-rust).
    await e2e("rust-example.test.mjs")();
  },
  /** The generated TypeScript declarations compile, and misuse is a type error. */
  types: () => run(path.join(ROOT, "tests/node_modules/.bin/tsc"), ["-p", "tests/types/tsconfig.json"]),
  /** The extension in Chromium, through its popup, against a real ElizaOS server. */
  extension: e2e(
    "extension.test.mjs",
    "rooms.test.mjs",
    "apikey.test.mjs",
    "failures.test.mjs",
    "storage.test.mjs",
    "timestamps.test.mjs",
    "key-safety.test.mjs",
    "diagnostics-popup.test.mjs",
  ),
  /** The same extension folder in Firefox (temporary add-on, geckodriver). */
  firefox: e2e("firefox.test.mjs"),
  /** web-ext lint of the extension folder. */
  lint: e2e("lint.test.mjs"),
  /** Library and popup against ElizaOS 1.4.2, 1.6.4 and 1.7.2, and a server that never lets a
   * client join (join timeout, unreadable history, unacknowledged messages). */
  releases: e2e("releases.test.mjs", "unjoinable.test.mjs"),
  /** 20 ElizaOS restarts mid-conversation, through ElizaClient in a page and through the popup. */
  soak: e2e("soak.test.mjs"),
  /** The demo page (crate/demo) in Chromium against a real ElizaOS server. */
  page: e2e("page.test.mjs", "library.test.mjs", "demo-server.test.mjs", "diagnostics.test.mjs"),
  /** Markdown replies: the renderer alone, the demo page and the popup (Chromium, real ElizaOS). */
  markdown: e2e("markdown-page.test.mjs", "markdown.test.mjs"),
  /** The seed document's server shape (no REST, presence, typing) from a page and the popup,
   * and a real ElizaOS server ignoring typing. */
  seed: e2e("seed.test.mjs", "seed-popup.test.mjs", "typing-eliza.test.mjs"),
  /** client.diagnostics() and the popup's Diagnostics view (also part of "page" and "extension"). */
  diagnostics: e2e("diagnostics.test.mjs", "diagnostics-popup.test.mjs"),
};

async function main() {
  const wanted = process.argv.slice(2);
  // "diagnostics" repeats files of "page" and "extension", "lifetimes" parts of "browsers" and
  // "collected": run on request only.
  const names = wanted.length ? wanted : Object.keys(SUITES).filter((n) => n !== "diagnostics" && n !== "lifetimes");
  for (const name of names) {
    if (!SUITES[name]) throw new Error(`unknown suite ${name}; known: ${Object.keys(SUITES).join(", ")}`);
  }
  const failed = [];
  for (const name of names) {
    console.log(`\n--- ${name}`);
    const started = Date.now();
    try {
      await SUITES[name]();
      console.log(`--- ${name}: ok (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (e) {
      console.error(`--- ${name}: FAILED: ${e.message}`);
      failed.push(name);
    }
  }
  if (failed.length) {
    console.error(`\nfailed suites: ${failed.join(", ")}`);
    process.exitCode = 1;
  } else {
    console.log(`\nall suites passed: ${names.join(", ")}`);
  }
}

async function cleanup() {
  await Promise.all([...children].map((c) => stop(c).catch(() => {})));
}

for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => cleanup().finally(() => process.exit(130)));
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(cleanup);
