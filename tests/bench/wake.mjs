// Service-worker wake: two minimal MV3 extensions, generated at run time from one shared source
// (tests/bench/wake/), that differ only in the client their worker imports:
//   ours  dist/pkg-socketio (the Socket.IO-only package; a join is a plain acknowledged emit)
//   sio   socket.io-client 4.8.4, its ESM build from tests/node_modules
// When its worker starts, each connects to the bench server, emits an acknowledged "join" to a
// room, and reports its timings (performance.timeOrigin-based, in the worker) to the server.
//
// Chromium is started here directly (not through Playwright) with both extensions loaded, and
// driven over a plain DevTools connection: Playwright attaches a debugger to every service worker
// of a context it manages and holds each one at start until it has set it up, which would be
// timed too. The worker is stopped as the browser stops an idle one (ServiceWorker.stopAllWorkers)
// and woken by a runtime message from one of the extension's pages.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CdpConnection } from "./cdp.mjs";
import { launchWithExtensions, sleep, tempDir, waitUntil } from "./extension-browser.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const SHARED = path.join(HERE, "wake");

/** What each extension's client.js is, and the files it needs beside the shared source. */
const VARIANTS = {
  ours: {
    client: `import init, { io } from "./pkg/eliza_socketio.js";\n\n/** Instantiates the wasm (fetched from the extension's own files) and returns io(). */\nexport async function load() {\n  await init();\n  return io;\n}\n`,
    files: (dist) => [[path.join(dist, "pkg-socketio"), "pkg", (n) => /\.(js|wasm)$/.test(n)]],
  },
  sio: {
    client: `import { io } from "./sio/socket.io.esm.min.js";\n\nexport async function load() {\n  return io;\n}\n`,
    files: () => [[path.join(ROOT, "tests/node_modules/socket.io-client/dist"), "sio", (n) => n === "socket.io.esm.min.js"]],
  },
};
export const WAKE_KINDS = Object.keys(VARIANTS);

/** Writes the two unpacked extensions under `dir`; returns {kind: folder}. */
function writeExtensions(dir, dist, serverUrl) {
  const out = {};
  for (const [kind, v] of Object.entries(VARIANTS)) {
    const ext = path.join(dir, `wake-${kind}`);
    fs.mkdirSync(ext, { recursive: true });
    for (const f of fs.readdirSync(SHARED)) fs.copyFileSync(path.join(SHARED, f), path.join(ext, f));
    // BENCH_WAKE_CLIENT_OURS=file.js (or _SIO) swaps in another client.js, to try other ways of
    // loading; a folder instead is copied in whole (its client.js and whatever that imports).
    const override = process.env[`BENCH_WAKE_CLIENT_${kind.toUpperCase()}`];
    fs.writeFileSync(path.join(ext, "client.js"), v.client);
    if (override && fs.statSync(override).isDirectory()) fs.cpSync(override, ext, { recursive: true });
    else if (override) fs.copyFileSync(override, path.join(ext, "client.js"));
    fs.writeFileSync(path.join(ext, "config.js"), `export const KIND = ${JSON.stringify(kind)};\nexport const SERVER = ${JSON.stringify(serverUrl)};\n`);
    for (const [from, to, keep] of v.files(dist)) {
      fs.mkdirSync(path.join(ext, to), { recursive: true });
      for (const f of fs.readdirSync(from)) if (keep(f)) fs.copyFileSync(path.join(from, f), path.join(ext, to, f));
    }
    out[kind] = ext;
  }
  return out;
}

/**
 * Runs the wake measurement: `rounds` rounds, each waking ours then sio `perRound` times in turn
 * (ours, sio, ours, sio, …). Returns {perRound: [{ours: {...}, sio: {...}}], chromium, ...}.
 */
export async function wakeBench({ chromium, flags, dist, serverUrl, fetchReports, rounds, perRound, log, cleanups, freePort }) {
  // Chromium's helper processes may still write to the profile for a moment after it exits.
  const { dir, remove: removeDir } = tempDir("eliza-bench-wake-", log);
  cleanups.add(removeDir);
  const exts = writeExtensions(dir, dist, serverUrl);
  const port = await freePort();
  const chrome = launchWithExtensions({ chromium, flags, profile: path.join(dir, "profile"), extensions: Object.values(exts), port });
  const stopChrome = chrome.stop;
  cleanups.add(stopChrome);
  let cdp;
  try {
    cdp = await waitUntil(() => CdpConnection.connect(port).catch(() => null), `wake: Chromium's DevTools port (${chrome.stderrTail()})`);
    // Each extension's id, from its worker's URL; which one is which, from its own page.
    const workers = await waitUntil(async () => {
      const { targetInfos } = await cdp.send("Target.getTargets");
      const sw = targetInfos.filter((t) => t.type === "service_worker" && t.url.startsWith("chrome-extension://"));
      return sw.length >= 2 ? sw : null;
    }, "both extensions' service workers to start");
    const pages = {};
    for (const w of workers) {
      const id = new URL(w.url).host;
      const page = await openPage(cdp, `chrome-extension://${id}/wake.html`);
      const kind = await page.evaluate("window.KIND");
      pages[kind] = page;
    }
    for (const k of WAKE_KINDS) if (!pages[k]) throw new Error(`wake: no extension page for ${k}`);

    // The ServiceWorker domain, from one extension page, sees every worker of the profile.
    const control = pages.ours;
    const running = new Map(); // scriptURL → runningStatus
    cdp.onEvent((m) => {
      if (m.sessionId !== control.sessionId || m.method !== "ServiceWorker.workerVersionUpdated") return;
      for (const v of m.params.versions) running.set(v.scriptURL, v.runningStatus);
    });
    await control.send("ServiceWorker.enable");
    const allStopped = () => [...running.values()].every((s) => s === "stopped") && running.size >= 2;

    const results = [];
    let wakeId = 0;
    for (let round = 1; round <= rounds; round++) {
      const samples = Object.fromEntries(WAKE_KINDS.map((k) => [k, []]));
      for (let i = 0; i < perRound; i++) {
        for (const kind of WAKE_KINDS) {
          await control.send("ServiceWorker.stopAllWorkers");
          await waitUntil(async () => allStopped(), "the workers to stop");
          await sleep(200); // let the server see the old socket go
          const id = `w${++wakeId}`;
          const answer = await pages[kind].evaluate(`window.wake(${JSON.stringify(id)})`);
          if (!answer || answer.error) throw new Error(`wake ${kind}: ${answer ? answer.error : "no answer"}`);
          const report = await waitUntil(async () => (await fetchReports()).find((r) => r.wakeId === id), `the ${kind} worker's report`);
          samples[kind].push({
            wakeToJoinedMs: report.timeOrigin + report.joinedMs - answer.wakeAt,
            startToJoinedMs: report.joinedMs,
            wakeToStartMs: report.timeOrigin - answer.wakeAt,
            scriptMs: report.scriptMs,
            loadMs: report.loadedMs - report.scriptMs,
            connectMs: report.connectedMs - report.loadedMs,
            joinMs: report.joinedMs - report.connectedMs,
            joinAck: report.joinAck,
            marks: report.marks,
          });
        }
      }
      const med = (xs) => {
        const s = [...xs].sort((a, b) => a - b);
        const m = s.length >> 1;
        return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
      };
      const roundResult = {};
      for (const kind of WAKE_KINDS) {
        const s = samples[kind];
        roundResult[kind] = {
          wakeToJoinedMs: med(s.map((x) => x.wakeToJoinedMs)),
          startToJoinedMs: med(s.map((x) => x.startToJoinedMs)),
          scriptMs: med(s.map((x) => x.scriptMs)),
          loadMs: med(s.map((x) => x.loadMs)),
          connectMs: med(s.map((x) => x.connectMs)),
          joinMs: med(s.map((x) => x.joinMs)),
          wakes: s,
        };
      }
      log(
        `wake round ${round}: ` +
          WAKE_KINDS.map((k) => `${k} wake→joined ${roundResult[k].wakeToJoinedMs.toFixed(1)} ms (start→joined ${roundResult[k].startToJoinedMs.toFixed(1)}, load ${roundResult[k].loadMs.toFixed(1)})`).join(" · "),
      );
      results.push(roundResult);
    }
    const version = (await cdp.send("Browser.getVersion")).product;
    return { rounds: results, chromium: version };
  } finally {
    cdp?.close();
    await stopChrome();
    cleanups.delete(stopChrome);
    removeDir();
    cleanups.delete(removeDir);
  }
}

/** An extension page in the default profile (where the extensions live), over plain CDP. */
async function openPage(cdp, url) {
  const { targetId } = await cdp.send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await cdp.send("Target.attachToTarget", { targetId, flatten: true });
  const send = (method, params) => cdp.send(method, params, sessionId);
  await send("Page.enable");
  const loaded = new Promise((resolve) => {
    const off = cdp.onEvent((m) => {
      if (m.sessionId === sessionId && m.method === "Page.loadEventFired") {
        off();
        resolve();
      }
    });
  });
  await send("Page.navigate", { url });
  await loaded;
  const evaluate = async (expression) => {
    const r = await send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description || r.exceptionDetails.text);
    return r.result.value;
  };
  await waitUntil(() => evaluate("!!window.wake"), `${url} to load`);
  return { sessionId, send, evaluate };
}
