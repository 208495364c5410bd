// Benchmark: our wasm Socket.IO client against socket.io-client 4.8.4 and a raw WebSocket client.
// Called by `./build.sh bench` after the build (expects dist/pkg and dist/pkg-socketio).
//
//   node tests/bench/run.mjs [--rounds N] [--only PARTS]
//     --rounds N       rounds (default 5; or BENCH_ROUNDS=N)
//     --only PARTS     a comma list of start, life (memory; "memory" says the same),
//                      traffic (events, round trips, uploads, reconnect), wake (service-worker
//                      wake, minimal extensions) and extwake (the real extension's wake, with an
//                      ElizaOS server); default all. For quick iteration on one figure; the committed
//                      results come from a full run.
//
// Writes tests/bench/results.json and tests/bench/RESULTS.md and prints the table. Timing is a
// report, never asserted: the exit code is non-zero only if the harness itself could not run.
// See tests/bench/README.md for what each figure means.

import { CHROMIUM, FLAGS } from "../e2e/lib/chromium.mjs";
import { spawn, execFileSync } from "node:child_process";
import crypto from "node:crypto";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import net from "node:net";
import { chromium } from "playwright-core";
import { CdpConnection } from "./cdp.mjs";
import { WAKE_KINDS, wakeBench } from "./wake.mjs";
import { extensionWakeBench } from "./wake-extension.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");

// ---- configuration ----

const argRounds = process.argv.indexOf("--rounds");
const ROUNDS = Number(argRounds >= 0 ? process.argv[argRounds + 1] : process.env.BENCH_ROUNDS || 5);
const argOnly = process.argv.indexOf("--only");
const PART_NAMES = { start: "start", life: "life", memory: "life", traffic: "traffic", wake: "wake", extwake: "extwake" };
const ALL_PARTS = ["start", "life", "traffic", "wake", "extwake"];
const PARTS = new Set(
  (argOnly >= 0 ? process.argv[argOnly + 1] : ALL_PARTS.join(",")).split(",").map((p) => {
    if (!PART_NAMES[p.trim()]) throw new Error(`--only: unknown part ${p} (${Object.keys(PART_NAMES).join(", ")})`);
    return PART_NAMES[p.trim()];
  }),
);
const CLIENTS = ["ours", "sio", "raw"];
const NAMES = { ours: "ours (wasm)", sio: "socket.io-client", raw: "raw WS" };
const SMALL_N = 100_000; // ["tick",{"i":n,"roomId":"r"}]
const BIG_N = 20_000; // ~1 KB events
const WARM_N = 10_000; // warm-up burst / upload, not measured
const RTT_N = 2_000;
const RTT_WARM = 200;
const UPLOAD_N = 100_000;
const MEMORY_BURSTS = 3;
const RESTARTS = 3; // server restarts per traffic page (reconnect time: their median)
const START_PAGES = 3; // fresh pages per client per round for the start figure (the round's figure: their median)
const WAKES = 3; // service-worker wakes per client per round (the round's figure: their median)
const TIMEOUT_MS = 60_000; // per burst / upload
const WATCHDOG_MS = 20 * 60_000; // the whole run
const CLIENT_OPTS = { transports: ["websocket"], forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 100 };
// The flags every headless Chromium here needs, plus precise performance.memory and no
// background throttling.
const CHROMIUM_ARGS = [
  ...FLAGS,
  "--enable-precise-memory-info",
  "--disable-background-timer-throttling",
  "--disable-renderer-backgrounding",
  "--disable-backgrounding-occluded-windows",
];

const log = (...a) => console.error(`[bench ${((Date.now() - T0) / 1000).toFixed(0).padStart(3)}s]`, ...a);
const T0 = Date.now();

// ---- cleanup: every child and the browser go away, whatever happens ----

const cleanups = new Set();
async function cleanupAll() {
  for (const fn of [...cleanups].reverse()) {
    cleanups.delete(fn);
    try {
      await fn();
    } catch {
      // best effort
    }
  }
}
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, async () => {
    log(`${sig}: stopping`);
    await cleanupAll();
    process.exit(130);
  });
}
const watchdog = setTimeout(async () => {
  log(`watchdog: still running after ${WATCHDOG_MS / 60000} min, giving up`);
  await cleanupAll();
  process.exit(3);
}, WATCHDOG_MS);
watchdog.unref();

// ---- the bench server (a child process, so that a restart is a real one) ----

class BenchServer {
  constructor(dist) {
    this.dist = dist;
    this.child = null;
    this.port = 0;
    this.stopChild = () => this.stop();
  }

  async start(port = 0) {
    const child = spawn(process.execPath, [path.join(HERE, "server.mjs"), String(port)], {
      cwd: ROOT,
      env: { ...process.env, BENCH_DIST: this.dist },
      stdio: ["pipe", "pipe", "inherit"],
    });
    this.child = child;
    cleanups.add(this.stopChild);
    const lines = createInterface({ input: child.stdout });
    const [line] = await Promise.race([
      once(lines, "line"),
      once(child, "exit").then(([code]) => {
        throw new Error(`bench server exited (${code}) before listening`);
      }),
    ]);
    const info = JSON.parse(line);
    this.port = info.port;
    return info;
  }

  async stop() {
    const child = this.child;
    this.child = null;
    cleanups.delete(this.stopChild);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  }

  /** Stops the server and starts a new one on the same port, `gapMs` later. */
  async restart(gapMs = 0) {
    const tStop = Date.now();
    await this.stop();
    await new Promise((r) => setTimeout(r, gapMs));
    const info = await this.start(this.port);
    return { tStop, tListen: info.t };
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }
}

// ---- statistics ----

const median = (xs) => {
  const s = xs.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : null;
};
const round1 = (x) => Math.round(x * 10) / 10;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// ---- the packages under test ----

/**
 * Copies dist/pkg-socketio and dist/pkg aside for the whole run: other builds may rewrite dist/
 * meanwhile, and every round must load the same files. Checks that the copies are whole.
 */
function snapshotDist() {
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), "eliza-bench-"));
  const remove = () => fs.rmSync(dist, { recursive: true, force: true });
  cleanups.add(remove);
  process.on("exit", remove); // even when something exits the process early
  const build = {};
  for (const name of ["pkg-socketio", "pkg"]) {
    const to = path.join(dist, name);
    fs.cpSync(path.join(ROOT, "dist", name), to, { recursive: true });
    const wasmFile = path.join(to, "eliza_socketio_bg.wasm");
    const wasm = fs.readFileSync(wasmFile);
    if (!WebAssembly.validate(wasm)) throw new Error(`dist/${name}/eliza_socketio_bg.wasm is not valid wasm (a build still writing it?)`);
    build[name] = {
      wasmSha256: crypto.createHash("sha256").update(wasm).digest("hex").slice(0, 16),
      wasmBuilt: fs.statSync(path.join(ROOT, "dist", name, "eliza_socketio_bg.wasm")).mtime.toISOString(),
    };
  }
  // The real extension, for its wake (it carries its own copy of dist/pkg).
  if (fs.existsSync(path.join(ROOT, "dist/extension/manifest.json"))) {
    fs.cpSync(path.join(ROOT, "dist/extension"), path.join(dist, "extension"), { recursive: true });
  }
  return { dist, build };
}

// ---- bundle sizes ----

function gzipSize(file) {
  try {
    return execFileSync("gzip", ["-9c", file], { maxBuffer: 1 << 26 }).length;
  } catch {
    return zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
  }
}

/** The files a browser loads for a package: its JS glue, its snippets, its wasm. */
function packageFiles(dir) {
  const files = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|wasm)$/.test(e.name)) files.push(p);
    }
  };
  walk(dir);
  return files.sort();
}

function bundleSizes(dist) {
  const measure = (files) => {
    const parts = files.map((f) => ({ file: path.relative(ROOT, f), bytes: fs.statSync(f).size, gzip: gzipSize(f) }));
    return {
      files: parts,
      bytes: parts.reduce((a, p) => a + p.bytes, 0),
      gzip: parts.reduce((a, p) => a + p.gzip, 0),
      wasmBytes: parts.filter((p) => p.file.endsWith(".wasm")).reduce((a, p) => a + p.bytes, 0),
      wasmGzip: parts.filter((p) => p.file.endsWith(".wasm")).reduce((a, p) => a + p.gzip, 0),
    };
  };
  return {
    ours: measure(packageFiles(path.join(dist, "pkg-socketio"))),
    oursFull: measure(packageFiles(path.join(dist, "pkg"))),
    sio: measure([path.join(ROOT, "tests/node_modules/socket.io-client/dist/socket.io.esm.min.js")]),
    raw: measure([path.join(HERE, "page/raw-client.js")]),
  };
}

// ---- the renderer's CPU time, from /proc (ns resolution) ----
//
// DevTools' ScriptDuration counts only script run by tasks: not microtasks (where socket.io-client
// flushes its emits, for one), not event dispatch, IPC or GC. The renderer main thread's CPU time
// counts everything the client costs the page, so it is reported next to it.

const readNs = (file) => {
  try {
    return Number(fs.readFileSync(file, "utf8").split(" ")[0]);
  } catch {
    return 0;
  }
};

/**
 * The renderer process of a page, from a short trace: DevTools' TracingStartedInBrowser event lists
 * each frame with its process id, and a page target's main frame id is its target id.
 */
async function rendererPidOf(page) {
  const events = [];
  const off = page.conn.onEvent((m) => {
    if (m.sessionId === page.sessionId && m.method === "Tracing.dataCollected") events.push(...m.params.value);
  });
  try {
    await page.send("Tracing.start", { categories: "disabled-by-default-devtools.timeline", transferMode: "ReportEvents" });
    const complete = page.waitForEvent("Tracing.tracingComplete", 10000);
    await page.send("Tracing.end");
    await complete;
  } catch (e) {
    log(`could not trace the page to find its renderer: ${e.message}`);
    return null;
  } finally {
    off();
  }
  const frames = events.find((e) => e.name === "TracingStartedInBrowser")?.args?.data?.frames || [];
  return frames.find((f) => f.frame === page.targetId)?.processId ?? null;
}

/** The renderer's main thread ("CrRendererMain"; normally the process's first thread). */
function mainThreadOf(pid) {
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      if (fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim() === "CrRendererMain") return Number(tid);
    }
  } catch {
    return null;
  }
  return pid;
}

const cpuOf = (pid, mainTid) => {
  if (!pid || !mainTid) return { mainNs: null, allNs: null };
  let allNs = 0;
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) allNs += readNs(`/proc/${pid}/task/${tid}/schedstat`);
  } catch {
    return { mainNs: null, allNs: null };
  }
  return { mainNs: readNs(`/proc/${pid}/task/${mainTid}/schedstat`), allNs };
};

// ---- pages ----

/**
 * A fresh page in its own browser context (its own renderer process and HTTP cache), driven over
 * the plain CDP connection (see cdp.mjs for why not Playwright's Page).
 */
async function openPage(env, { cpu = true } = {}) {
  const page = await env.cdp.newPage();
  const close = () => page.close();
  cleanups.add(close);
  await page.goto(`${env.server.url}/bench.html`);
  await page.waitFor(() => !!window.bench);
  if (!cpu) {
    return {
      page,
      evaluate: (fn, ...args) => page.evaluate(fn, ...args),
      async close() {
        cleanups.delete(close);
        await close();
      },
    };
  }
  // timeTicks, not threadTicks: reading the thread CPU clock at every probe costs a syscall, which
  // added ~3 µs of main-thread CPU to every WebSocket message here (measured) and slowed the page.
  const timeDomain = "timeTicks";
  await page.send("Performance.enable", { timeDomain });
  const pid = await rendererPidOf(page);
  const mainTid = pid && mainThreadOf(pid);
  const scriptSeconds = async () =>
    (await page.send("Performance.getMetrics")).metrics.find((m) => m.name === "ScriptDuration").value;
  return {
    page,
    timeDomain,
    rendererPid: pid,
    evaluate: (fn, ...args) => page.evaluate(fn, ...args),
    async gc() {
      await page.send("HeapProfiler.collectGarbage");
      await page.evaluate(() => new Promise((r) => setTimeout(r, 50)));
      await page.send("HeapProfiler.collectGarbage");
    },
    async heap() {
      const usage = await page.send("Runtime.getHeapUsage");
      return { ...usage, performanceMemory: await page.evaluate(() => bench.jsHeap()) };
    },
    /** Runs fn() and reports what it cost the page: ScriptDuration and renderer CPU time. */
    async measure(fn) {
      const s0 = await scriptSeconds();
      const c0 = cpuOf(pid, mainTid);
      const result = await fn();
      const c1 = cpuOf(pid, mainTid);
      const s1 = await scriptSeconds();
      return {
        result,
        scriptS: s1 - s0,
        mainCpuS: c0.mainNs == null ? null : (c1.mainNs - c0.mainNs) / 1e9,
        rendererCpuS: c0.allNs == null ? null : (c1.allNs - c0.allNs) / 1e9,
      };
    },
    get errors() {
      return page.errors;
    },
    async close() {
      cleanups.delete(close);
      await close();
    },
  };
}

const perUnit = (seconds, n) => (seconds == null ? null : (seconds * 1e6) / Math.max(1, n));

/** Runs a burst with its costs; the server prepares it first (not timed). */
async function measuredBurst(p, kind, n) {
  const prep = await p.evaluate((k, n) => bench.prepare(k, n), kind, n);
  if (!prep.ok) throw new Error(`server could not prepare ${kind} burst: ${prep.error}`);
  const m = await p.measure(() => p.evaluate((k, n, t) => bench.burst(k, n, t), kind, n, TIMEOUT_MS));
  const r = m.result;
  return {
    ...r,
    frameBytes: prep.bytes,
    payloadBytes: prep.payloadBytes,
    eventsPerSec: r.complete ? n / (r.totalMs / 1000) : null,
    usPerEvent: perUnit(m.scriptS, r.received),
    mainCpuUsPerEvent: perUnit(m.mainCpuS, r.received),
    rendererCpuUsPerEvent: perUnit(m.rendererCpuS, r.received),
  };
}

/**
 * Start: import → connect in fresh pages, START_PAGES per client, the clients interleaved page by
 * page (ours, ours with the .wasm fetch begun beside import(), sio, raw, ours, …) and before the
 * round's heavy pages, so that whatever the browser is busy with falls on all alike. Returns
 * {client: figures}; the round's figures are the medians.
 */
async function startPhase(env) {
  const variants = ["ours", "oursParallel", ...CLIENTS.filter((c) => c !== "ours")];
  const samples = Object.fromEntries(variants.map((v) => [v, []]));
  for (let i = 0; i < START_PAGES; i++) {
    for (const v of variants) {
      const p = await openPage(env, { cpu: false });
      try {
        samples[v].push(await p.evaluate((k, o) => bench.load(k, o), v, CLIENT_OPTS));
        await p.evaluate(() => bench.disconnect());
      } finally {
        await p.close();
      }
    }
  }
  const med = (v, key) => median(samples[v].map((s) => s[key]));
  const out = {};
  for (const c of CLIENTS) {
    out[c] = {
      startMs: med(c, "ms"),
      importMs: med(c, "importMs"),
      jsMs: med(c, "jsMs"),
      initMs: med(c, "initMs"),
      parallelMs: c === "ours" ? med("oursParallel", "ms") : null,
      parallelInitMs: c === "ours" ? med("oursParallel", "initMs") : null,
      samples: c === "ours" ? { ours: samples.ours, oursParallel: samples.oursParallel } : samples[c],
    };
  }
  return out;
}

/** Start, then memory: a fresh page, GC, heap; import + connect; GC, heap; bursts; GC, heap. */
async function lifePage(env, kind) {
  const p = await openPage(env);
  try {
    await p.gc();
    const heapBefore = await p.heap();
    const start = await p.evaluate((k, o) => bench.load(k, o), kind, CLIENT_OPTS);
    await p.gc();
    const heapConnected = await p.heap();
    const wasmConnected = await p.evaluate(() => bench.wasmMemory());
    const bursts = [];
    for (let i = 0; i < MEMORY_BURSTS; i++) bursts.push(await measuredBurst(p, "small", SMALL_N));
    await p.gc();
    const heapAfter = await p.heap();
    const wasmAfter = await p.evaluate(() => bench.wasmMemory());
    return {
      startMs: start.ms,
      importMs: start.importMs,
      heapBefore,
      heapConnected,
      heapAfter,
      wasmConnected,
      wasmAfter,
      clientHeapBytes: heapConnected.usedSize - heapBefore.usedSize,
      burstsHeapGrowthBytes: heapAfter.usedSize - heapConnected.usedSize,
      burstsWasmGrowthBytes: wasmAfter - wasmConnected,
      bursts: bursts.map(({ n, received, complete, outOfOrder, totalMs, eventsPerSec, usPerEvent, mainCpuUsPerEvent }) => ({
        n,
        received,
        complete,
        outOfOrder,
        totalMs,
        eventsPerSec,
        usPerEvent,
        mainCpuUsPerEvent,
      })),
      pageErrors: p.errors,
    };
  } finally {
    await p.close();
  }
}

/** Throughput, round trips, uploads and finally reconnection, in one page. */
async function trafficPage(env, kind) {
  const p = await openPage(env);
  try {
    const crossOriginIsolated = await p.evaluate(() => bench.crossOriginIsolated());
    await p.evaluate((k, o) => bench.load(k, o), kind, CLIENT_OPTS);

    await measuredBurst(p, "small", WARM_N); // warm-up (JIT, buffers)
    const small = await measuredBurst(p, "small", SMALL_N);
    const big = await measuredBurst(p, "big", BIG_N);

    const r = await p.measure(() => p.evaluate((n, w) => bench.rtt(n, w), RTT_N, RTT_WARM));
    const rttSamples = r.result;
    const rtt = {
      meanUs: mean(rttSamples),
      p50Us: percentile(rttSamples, 50),
      p90Us: percentile(rttSamples, 90),
      p99Us: percentile(rttSamples, 99),
      mainCpuUsPerCall: perUnit(r.mainCpuS, RTT_N + RTT_WARM),
      samplesUs: rttSamples.map(round1),
    };

    await p.evaluate((n, t) => bench.upload(n, t), WARM_N, TIMEOUT_MS); // warm-up
    const u = await p.measure(() => p.evaluate((n, t) => bench.upload(n, t), UPLOAD_N, TIMEOUT_MS));
    const up = u.result;
    const upload = {
      ...up,
      eventsPerSec: up.server.complete && up.server.firstToLastMs > 0 ? UPLOAD_N / (up.server.firstToLastMs / 1000) : null,
      usPerEmit: perUnit(u.scriptS, UPLOAD_N),
      mainCpuUsPerEmit: perUnit(u.mainCpuS, UPLOAD_N),
      rendererCpuUsPerEmit: perUnit(u.rendererCpuS, UPLOAD_N),
    };

    // A random gap before the new server listens, so that no client's retry timer is in a lucky
    // phase with the restart every time.
    const restarts = [];
    for (let i = 0; i < RESTARTS; i++) {
      await p.evaluate(() => bench.armReconnect());
      const { tStop, tListen } = await env.server.restart(Math.random() * 100);
      const rc = await p.evaluate((t) => bench.reconnected(t), 15000);
      restarts.push({
        ...rc,
        tStop,
        tListen,
        listenToConnectMs: rc.ok ? rc.connectAt - tListen : null,
        stopToConnectMs: rc.ok ? rc.connectAt - tStop : null,
        stopToDisconnectMs: rc.disconnectAt ? rc.disconnectAt - tStop : null,
      });
      if (!rc.ok) break;
    }
    const reconnect = {
      ok: restarts.every((r) => r.ok),
      managerReconnect: restarts.every((r) => r.managerReconnect),
      listenToConnectMs: median(restarts.map((r) => r.listenToConnectMs)),
      stopToConnectMs: median(restarts.map((r) => r.stopToConnectMs)),
      stopToDisconnectMs: median(restarts.map((r) => r.stopToDisconnectMs)),
      restarts,
    };
    await p.evaluate(() => bench.disconnect());
    return {
      crossOriginIsolated,
      timeDomain: p.timeDomain,
      rendererPid: p.rendererPid,
      small,
      big,
      rtt,
      upload,
      reconnect,
      pageErrors: p.errors,
    };
  } finally {
    await p.close();
  }
}

// ---- metrics: how each figure is read from a round's raw results ----

const METRICS = [
  { key: "smallEventsPerSec", label: `server→client ${SMALL_N / 1000}k small events: events/s ↑`, unit: "eps", get: (t) => t.traffic?.small?.eventsPerSec },
  { key: "smallUsPerEvent", label: "  client µs/event, ScriptDuration ↓", unit: "us", get: (t) => t.traffic?.small?.usPerEvent },
  { key: "smallMainCpuUsPerEvent", label: "  client µs/event, renderer main-thread CPU ↓", unit: "us", get: (t) => t.traffic?.small?.mainCpuUsPerEvent },
  { key: "bigEventsPerSec", label: `server→client ${BIG_N / 1000}k ~1 KB events: events/s ↑`, unit: "eps", get: (t) => t.traffic?.big?.eventsPerSec },
  { key: "bigUsPerEvent", label: "  client µs/event, ScriptDuration ↓", unit: "us", get: (t) => t.traffic?.big?.usPerEvent },
  { key: "bigMainCpuUsPerEvent", label: "  client µs/event, renderer main-thread CPU ↓", unit: "us", get: (t) => t.traffic?.big?.mainCpuUsPerEvent },
  { key: "rttMeanUs", label: `round trip, ${RTT_N.toLocaleString("en-US")} sequential emitWithAck: mean µs ↓`, unit: "us", get: (t) => t.traffic?.rtt?.meanUs },
  { key: "rttP50Us", label: "  p50 µs ↓", unit: "us", get: (t) => t.traffic?.rtt?.p50Us },
  { key: "uploadEventsPerSec", label: `client→server ${UPLOAD_N / 1000}k emits: events/s at the server ↑`, unit: "eps", get: (t) => t.traffic?.upload?.eventsPerSec },
  { key: "uploadUsPerEmit", label: "  client µs/emit, ScriptDuration ↓", unit: "us", get: (t) => t.traffic?.upload?.usPerEmit },
  { key: "uploadMainCpuUsPerEmit", label: "  client µs/emit, renderer main-thread CPU ↓", unit: "us", get: (t) => t.traffic?.upload?.mainCpuUsPerEmit },
  { key: "startMs", label: `start: import → connect, fresh page, median of ${START_PAGES} (ms) ↓`, unit: "ms", get: (t) => t.start?.startMs, range: true },
  { key: "startImportMs", label: "  of which: import (for ours: JS module + init(), i.e. wasm fetch, compile, instantiate) (ms) ↓", unit: "ms", get: (t) => t.start?.importMs, range: true },
  { key: "startInitMs", label: "  of which: init() alone (ms) ↓", unit: "ms", get: (t) => t.start?.initMs, range: true, oursOnly: true },
  { key: "startParallelMs", label: "  ours with the .wasm fetch begun beside import() (README; the others as above) (ms) ↓", unit: "ms", get: (t, c) => (c === "ours" ? t.start?.parallelMs : t.start?.startMs), range: true },
  { key: "clientHeapBytes", label: "memory: JS heap added by a connected client ↓", unit: "kb", get: (t) => t.life?.clientHeapBytes, range: true },
  { key: "wasmConnectedBytes", label: "  wasm memory of a connected client ↓", unit: "kb", get: (t) => t.life?.wasmConnected, oursOnly: true },
  { key: "burstsHeapGrowthBytes", label: `  JS heap after ${MEMORY_BURSTS}×${SMALL_N / 1000}k events − before ↓`, unit: "kb", get: (t) => t.life?.burstsHeapGrowthBytes },
  { key: "burstsWasmGrowthBytes", label: `  wasm memory after ${MEMORY_BURSTS}×${SMALL_N / 1000}k events − before ↓`, unit: "kb", get: (t) => t.life?.burstsWasmGrowthBytes, oursOnly: true },
  { key: "reconnectMs", label: `reconnect (delay 100/100): restarted server listening → connect, median of ${RESTARTS} (ms) ↓`, unit: "ms", get: (t) => t.traffic?.reconnect?.listenToConnectMs },
  { key: "disconnectDetectMs", label: "  server stopped → `disconnect` event (ms) ↓", unit: "ms", get: (t) => t.traffic?.reconnect?.stopToDisconnectMs },
  { key: "wakeMs", label: `service-worker wake: wake message → reconnected and joined, median of ${WAKES} (ms) ↓`, unit: "ms", get: (t) => t.wake?.wakeToJoinedMs, range: true },
  { key: "wakeStartMs", label: "  worker start (its timeOrigin) → joined (ms) ↓", unit: "ms", get: (t) => t.wake?.startToJoinedMs, range: true },
  { key: "wakeScriptMs", label: "  of which: worker start → its script runs (static imports loaded) (ms) ↓", unit: "ms", get: (t) => t.wake?.scriptMs, range: true },
  { key: "wakeLoadMs", label: "  of which: import + init of the client (ms) ↓", unit: "ms", get: (t) => t.wake?.loadMs, range: true },
  { key: "wakeConnectMs", label: "  of which: connect (ms) ↓", unit: "ms", get: (t) => t.wake?.connectMs, range: true },
  { key: "extWakeMs", label: `  the real extension (dist/extension, ElizaOS server): wake → its chat re-joined, median of ${WAKES} (ms) ↓`, unit: "ms", get: (t) => t.extwake?.wakeToJoinedMs, range: true, oursOnly: true },
];

const fmt = {
  eps: (v) => Math.round(v).toLocaleString("en-US"),
  us: (v) => (v < 10 ? v.toFixed(2) : v < 1000 ? v.toFixed(1) : Math.round(v).toLocaleString("en-US")),
  ms: (v) => (v < 100 ? v.toFixed(1) : Math.round(v).toLocaleString("en-US")),
  kb: (v) => `${(v / 1024).toFixed(1)} KB`,
  bytes: (v) => `${v.toLocaleString("en-US")} B`,
};
const ratio = (a, b) => (a == null || b == null || b === 0 ? null : a / b);
const fmtRatio = (r) => (r == null ? "–" : `${r.toFixed(2)}×`);
const fmtVal = (unit, v) => (v == null ? "–" : fmt[unit](v));

function summarize(rounds, bundle) {
  const rows = [];
  for (const m of METRICS) {
    const samples = {};
    const medians = {};
    const ranges = {};
    for (const c of CLIENTS) {
      samples[c] = rounds.map((r) => m.get(r[c] || {}, c) ?? null);
      medians[c] = m.oursOnly && c !== "ours" ? null : median(samples[c]);
      const xs = samples[c].filter((x) => typeof x === "number" && Number.isFinite(x));
      ranges[c] = medians[c] == null || !xs.length ? null : [Math.min(...xs), Math.max(...xs)];
    }
    rows.push({
      key: m.key,
      label: m.label,
      unit: m.unit,
      samples,
      medians,
      ranges: m.range ? ranges : undefined,
      ratioToSio: ratio(medians.ours, medians.sio),
      ratioToRaw: ratio(medians.ours, medians.raw),
    });
  }
  const bundleRow = (key, label, get) => {
    const medians = { ours: get(bundle.ours), sio: get(bundle.sio), raw: get(bundle.raw) };
    return { key, label, unit: "bytes", samples: null, medians, ratioToSio: ratio(medians.ours, medians.sio), ratioToRaw: ratio(medians.ours, medians.raw) };
  };
  const full = (key, label, get) => {
    const medians = { ours: get(bundle.oursFull), sio: get(bundle.sio), raw: get(bundle.raw) };
    return { key, label, unit: "bytes", samples: null, medians, ratioToSio: ratio(medians.ours, medians.sio), ratioToRaw: ratio(medians.ours, medians.raw) };
  };
  rows.push(bundleRow("bundleBytes", "bundle (Socket.IO only: wasm + JS glue): raw ↓", (b) => b.bytes));
  rows.push(bundleRow("bundleGzip", "  gzip -9 ↓", (b) => b.gzip));
  rows.push(full("bundleFullBytes", "bundle with the ElizaOS layer (dist/pkg): raw ↓", (b) => b.bytes));
  rows.push(full("bundleFullGzip", "  gzip -9 ↓", (b) => b.gzip));
  return rows;
}

function markdown(rows, machine, build, notes, rounds) {
  const out = [];
  out.push("# Benchmark results", "");
  out.push(
    `Machine: ${machine.cpu}, ${machine.cores} cores · Chromium ${machine.chromium} · Node ${machine.node} · ` +
      `${machine.date} · commit ${machine.commit}${machine.dirty ? " (with uncommitted changes)" : ""} · ` +
      `load average ${machine.loadavgStart.map((x) => x.toFixed(2)).join("/")} at start, ` +
      `${machine.loadavgEnd.map((x) => x.toFixed(2)).join("/")} at end`,
    "",
    `Packages: dist/pkg-socketio wasm sha256 ${build["pkg-socketio"].wasmSha256}… (built ${build["pkg-socketio"].wasmBuilt}), ` +
      `dist/pkg wasm sha256 ${build.pkg.wasmSha256}… (built ${build.pkg.wasmBuilt}); socket.io-client 4.8.4, server socket.io 4.8.4.`,
    "",
  );
  out.push(...notes.map((n) => `- ${n}`), "");
  out.push("| metric | ours | socket.io-client | raw WS | ours/sio | ours/raw |");
  out.push("|---|--:|--:|--:|--:|--:|");
  for (const r of rows) {
    if (CLIENTS.every((c) => r.medians[c] == null)) continue; // a part this run left out
    // Timing and heap figures carry their run-to-run range (min–max over the rounds).
    const v = (c) =>
      fmtVal(r.unit, r.medians[c]) + (r.ranges?.[c] && rounds > 1 ? ` (${fmtVal(r.unit, r.ranges[c][0])}–${fmtVal(r.unit, r.ranges[c][1])})` : "");
    out.push(`| ${r.label.replace(/^ {2}/, "↳ ")} | ${v("ours")} | ${v("sio")} | ${v("raw")} | ${fmtRatio(r.ratioToSio)} | ${fmtRatio(r.ratioToRaw)} |`);
  }
  out.push("");
  return out.join("\n");
}

function gitFacts() {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: ROOT }).toString().trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "crate", "Cargo.toml", "Cargo.lock"], { cwd: ROOT })
      .toString()
      .trim().length > 0;
    return { commit, dirty };
  } catch {
    return { commit: "unknown", dirty: false };
  }
}

// ---- main ----

async function main() {
  for (const f of ["dist/pkg-socketio/eliza_socketio.js", "dist/pkg-socketio/eliza_socketio_bg.wasm", "dist/pkg/eliza_socketio_bg.wasm"]) {
    if (!fs.existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing: run ./build.sh first`);
  }
  const loadavgStart = os.loadavg();
  const { dist, build } = snapshotDist();
  const bundle = bundleSizes(dist);
  const server = new BenchServer(dist);
  await server.start(0);
  log(`bench server on ${server.url}`);

  // Playwright launches (and always closes) the browser; the pages are driven over a second,
  // plain DevTools connection on a loopback port (see cdp.mjs).
  const devtoolsPort = await freePort();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: false, // --headless=new is in the args
    // Our own signal handlers close everything in order (Playwright's would exit first).
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: [...CHROMIUM_ARGS, `--remote-debugging-address=127.0.0.1`, `--remote-debugging-port=${devtoolsPort}`],
  });
  const closeBrowser = () => browser.close();
  cleanups.add(closeBrowser);
  const cdp = await CdpConnection.connect(devtoolsPort);
  cleanups.add(() => cdp.close());
  const env = { server, cdp };
  log(`Chromium ${browser.version()}, ${ROUNDS} rounds, clients interleaved ${CLIENTS.join(" ")} each round`);

  const rounds = [];
  const failures = [];
  try {
    // One unmeasured page per client first: the browser's very first pages start its network
    // service, code caches and so on, which would be timed with whichever client comes first.
    if (PARTS.has("start") || PARTS.has("life")) {
      for (const c of CLIENTS) {
        const p = await openPage(env, { cpu: false });
        await p.evaluate((k, o) => bench.load(k, o), c, CLIENT_OPTS).finally(() => p.close());
      }
    }
    for (let round = 1; round <= ROUNDS; round++) {
      const results = Object.fromEntries(CLIENTS.map((c) => [c, {}]));
      if (PARTS.has("start")) {
        try {
          const start = await startPhase(env);
          for (const c of CLIENTS) results[c].start = start[c];
        } catch (e) {
          const msg = `round ${round}, start: ${e.message.split("\n")[0]}`;
          log(`FAILED ${msg}`);
          failures.push(msg);
        }
      }
      for (const c of CLIENTS) {
        for (const [part, fn] of [["life", lifePage], ["traffic", trafficPage]].filter(([part]) => PARTS.has(part))) {
          try {
            results[c][part] = await fn(env, c);
          } catch (e) {
            const msg = `round ${round}, ${NAMES[c]}, ${part}: ${e.message.split("\n")[0]}`;
            log(`FAILED ${msg}`);
            failures.push(msg);
            results[c][part] = { error: e.message };
            if (!server.child) await server.start(server.port); // a failed restart must not stop the others
          }
        }
        const t = results[c].traffic;
        const l = results[c].life;
        if (t && !t.error) {
          log(
            `round ${round} ${NAMES[c].padEnd(16)} small ${fmtVal("eps", t.small.eventsPerSec)}/s ${fmtVal("us", t.small.mainCpuUsPerEvent)} µs · ` +
              `big ${fmtVal("eps", t.big.eventsPerSec)}/s · rtt ${fmtVal("us", t.rtt.meanUs)} µs · ` +
              `up ${fmtVal("eps", t.upload.eventsPerSec)}/s ${fmtVal("us", t.upload.mainCpuUsPerEmit)} µs · ` +
              `reconnect ${fmtVal("ms", t.reconnect.listenToConnectMs)} ms` +
              (l && !l.error ? ` · start ${fmtVal("ms", l.startMs)} ms · heap +${fmtVal("kb", l.clientHeapBytes)}` : ""),
          );
        }
        const st = results[c].start;
        if (st && !st.error) {
          log(
            `round ${round} ${NAMES[c].padEnd(16)} start ${fmtVal("ms", st.startMs)} ms (import ${fmtVal("ms", st.importMs)}` +
              (st.initMs != null ? `, init ${fmtVal("ms", st.initMs)}; wasm fetched beside import: ${fmtVal("ms", st.parallelMs)}` : "") +
              ")" + (l && !l.error && !(t && !t.error) ? ` · heap +${fmtVal("kb", l.clientHeapBytes)}` : ""),
          );
        }
      }
      rounds.push(results);
    }
    await browser.close().catch(() => {});
    cleanups.delete(closeBrowser);

    // The service-worker wake, in a browser of its own with the two minimal extensions loaded.
    if (PARTS.has("wake")) {
      try {
        const wake = await wakeBench({
          chromium: CHROMIUM,
          flags: CHROMIUM_ARGS,
          dist,
          serverUrl: server.url,
          fetchReports: async () => (await fetch(`${server.url}/wake-reports`)).json(),
          rounds: ROUNDS,
          perRound: WAKES,
          log,
          cleanups,
          freePort,
        });
        wake.rounds.forEach((r, i) => {
          for (const k of WAKE_KINDS) (rounds[i][k] ??= {}).wake = r[k];
        });
      } catch (e) {
        log(`FAILED wake: ${e.message.split("\n")[0]}`);
        failures.push(`wake: ${e.message.split("\n")[0]}`);
      }
    }
    if (PARTS.has("extwake")) {
      try {
        const ext = await extensionWakeBench({ chromium: CHROMIUM, flags: CHROMIUM_ARGS, extensionDir: path.join(dist, "extension"), rounds: ROUNDS, perRound: WAKES, log, cleanups, freePort });
        ext.rounds.forEach((r, i) => ((rounds[i].ours ??= {}).extwake = r));
      } catch (e) {
        log(`FAILED extension wake: ${e.message.split("\n")[0]}`);
        failures.push(`extension wake: ${e.message.split("\n")[0]}`);
      }
    }
  } finally {
    await browser.close().catch(() => {});
    cleanups.delete(closeBrowser);
    await server.stop();
  }

  const rows = summarize(rounds, bundle);
  const git = gitFacts();
  const cpus = os.cpus();
  const machine = {
    cpu: cpus[0]?.model?.trim() || "unknown",
    cores: cpus.length,
    chromium: browser.version(),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    ...git,
    loadavgStart,
    loadavgEnd: os.loadavg(),
  };

  // Anything a client did not deliver, or delivered out of order, is a finding, not noise.
  const notes = [
    `${ROUNDS} rounds, clients interleaved ${CLIENTS.map((c) => NAMES[c]).join(", ")} in each; medians over the rounds. ` +
      `↑ higher is better, ↓ lower is better. Ratios are ours ÷ other.`,
    `Client cost per event: ScriptDuration (DevTools Performance.getMetrics, timeTicks; counts script run by tasks only, ` +
      `not microtasks, event dispatch or GC) and the renderer main thread's CPU time (/proc schedstat; everything the page spends), ` +
      `each divided by the events. events/s is wall time: server→client from the request to the last callback, ` +
      `client→server from the server's first to its last received packet.`,
    `Service-worker wake: two minimal MV3 extensions built from one source (tests/bench/wake/), one with dist/pkg-socketio, ` +
      `one with socket.io-client; the worker is stopped (DevTools ServiceWorker.stopAllWorkers) and woken by a runtime message ` +
      `from the extension's page; on start it imports its client, connects and emits an acknowledged join. ` +
      `${WAKES} wakes per client per round, interleaved; a round's figure is their median.`,
    `The real extension's wake: dist/extension with saved settings and one chat, a real ElizaOS server, the worker stopped as above ` +
      `and woken by a runtime port from one of its pages; wake → the server's channel_joined answer to the background's re-join, ` +
      `seen by a TCP tap in front of the server (wall clock, ms). The first wake (which probes the server) is not counted.`,
    `Figures with a range in brackets: median over the rounds (lowest–highest round).`,
    `Other work on this machine during the run shows in the load average; numbers may be noisy.`,
  ];
  if (PARTS.size < ALL_PARTS.length) notes.unshift(`**Partial run: only ${[...PARTS].join(", ")}.**`);
  for (const c of CLIENTS) {
    for (const [i, r] of rounds.entries()) {
      const t = r[c]?.traffic;
      const l = r[c]?.life;
      const check = (what, b) => {
        if (b && (!b.complete || b.outOfOrder)) {
          notes.push(`**${NAMES[c]}, round ${i + 1}, ${what}: ${b.received}/${b.n} events delivered, ${b.outOfOrder} out of order**`);
        }
      };
      if (t && !t.error) {
        check("100k burst", t.small);
        check("1 KB burst", t.big);
        if (!t.upload.server.complete) notes.push(`**${NAMES[c]}, round ${i + 1}, upload: the server counted ${t.upload.server.count}/${UPLOAD_N}**`);
        const expected = '2["tick",{"i":0,"roomId":"r"}]';
        if (t.upload.server.firstPacket && t.upload.server.firstPacket !== expected) {
          notes.push(`**${NAMES[c]}, round ${i + 1}: first uploaded packet was ${JSON.stringify(t.upload.server.firstPacket)}, expected ${JSON.stringify(expected)}**`);
        }
        if (c !== "raw" && t.reconnect.ok && !t.reconnect.managerReconnect) {
          notes.push(`**${NAMES[c]}, round ${i + 1}: connected again but the manager's \`reconnect\` event did not fire**`);
        }
        if (!t.reconnect.ok) notes.push(`**${NAMES[c]}, round ${i + 1}: no connect within 15 s of the server restart**`);
        // Refused connections while the server restarts are expected; anything else is not.
        const errors = [...t.pageErrors, ...(l?.pageErrors || [])].filter((e) => !/ERR_CONNECTION_REFUSED/.test(e));
        if (errors.length) notes.push(`${NAMES[c]}, round ${i + 1}: page errors: ${errors.slice(0, 3).join(" | ")}`);
      }
      if (l && !l.error) l.bursts.forEach((b, j) => check(`memory burst ${j + 1}`, { ...b, n: SMALL_N }));
    }
  }
  for (const m of rounds[0]?.ours?.extwake?.missed || []) notes.push(`**the real extension's wake: a wake with no re-join within 15 s, tried again (${m})**`);
  for (const f of failures) notes.push(`**failed: ${f}**`);

  const results = {
    machine,
    config: { rounds: ROUNDS, parts: [...PARTS], wakesPerRound: WAKES, clients: CLIENTS, SMALL_N, BIG_N, WARM_N, RTT_N, RTT_WARM, UPLOAD_N, MEMORY_BURSTS, RESTARTS, CLIENT_OPTS, CHROMIUM_ARGS },
    build,
    bundle,
    summary: rows,
    notes,
    rounds,
  };
  // A partial run (--only) leaves the committed full results alone.
  const outDir = PARTS.size < ALL_PARTS.length ? fs.mkdtempSync(path.join(os.tmpdir(), "eliza-bench-partial-")) : HERE;
  fs.writeFileSync(path.join(outDir, "results.json"), JSON.stringify(results, null, 1) + "\n");
  const md = markdown(rows, machine, build, notes, ROUNDS);
  fs.writeFileSync(path.join(outDir, "RESULTS.md"), md);
  console.log("\n" + md);
  log(`wrote ${path.relative(ROOT, outDir) || "."}/results.json and RESULTS.md in ${((Date.now() - T0) / 1000).toFixed(0)} s`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanupAll();
    clearTimeout(watchdog);
  });
