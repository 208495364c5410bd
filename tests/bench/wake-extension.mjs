// Service-worker wake of the real extension (dist/extension, the ElizaOS layer): its background
// with saved settings and one chat, against a real ElizaOS server (tests/fixtures/eliza.mjs).
// Woken by a runtime port from one of the extension's pages (the background closes any port that
// is not its popup's, but the connection has started it); the figure is the time from the wake to
// the server's `channel_joined` answer to the background's re-join, seen by a TCP tap between the
// extension and the server (both clocks are this machine's wall clock, ms).
//
// Only ours: socket.io-client has no such extension to compare with. Chromium is started directly
// (not through Playwright, which would hold each worker at start to attach to it).

import crypto from "node:crypto";
import { once } from "node:events";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { startEliza } from "../fixtures/eliza.mjs";
import { CdpConnection } from "./cdp.mjs";
import { launchWithExtensions, sleep, tempDir, waitUntil } from "./extension-browser.mjs";


/**
 * A TCP tap in front of the ElizaOS server: every connection through it is recorded with the time
 * it opened and the time the server's first `channel_joined` went back through it. Frames from a
 * server are not masked, and this server does not compress them, so the event name is in the bytes.
 */
async function startTap(upstreamPort) {
  const connections = [];
  const sockets = new Set();
  const server = net.createServer((client) => {
    const record = { openedAt: Date.now(), joinedAt: null };
    connections.push(record);
    const upstream = net.connect(upstreamPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    let tail = "";
    upstream.on("data", (chunk) => {
      if (record.joinedAt === null) {
        const text = tail + chunk.toString("latin1");
        if (text.includes("channel_joined")) record.joinedAt = Date.now();
        tail = text.slice(-20);
      }
    });
    client.once("data", (d) => (record.request = d.toString("latin1").split("\r\n")[0].slice(0, 80)));
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    connections,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** `rounds` rounds of `perRound` wakes; each round's figures are the medians of its wakes. */
export async function extensionWakeBench({ chromium, flags, extensionDir, rounds, perRound, log, cleanups, freePort }) {
  const wakes = rounds * perRound;
  const { dir, remove: removeDir } = tempDir("eliza-bench-extwake-", log);
  cleanups.add(removeDir);
  const extDir = path.join(dir, "extension");
  if (!fs.existsSync(path.join(extensionDir, "manifest.json"))) throw new Error(`${extensionDir} holds no extension: run ./build.sh`);
  fs.cpSync(extensionDir, extDir, { recursive: true });

  log("extension wake: starting an ElizaOS server");
  const eliza = await startEliza({ agents: ["Echo"] });
  const disposeEliza = () => eliza.dispose();
  cleanups.add(disposeEliza);
  const tap = await startTap(eliza.port);
  cleanups.add(tap.close);

  const port = await freePort();
  const chrome = launchWithExtensions({ chromium, flags, profile: path.join(dir, "profile"), extensions: [extDir], port });
  const stopChrome = chrome.stop;
  cleanups.add(stopChrome);
  let cdp;
  try {
    cdp = await waitUntil(() => CdpConnection.connect(port).catch(() => null), `extension wake: Chromium's DevTools port (${chrome.stderrTail()})`);
    const worker = await waitUntil(async () => {
      const { targetInfos } = await cdp.send("Target.getTargets");
      return targetInfos.find((t) => t.type === "service_worker" && t.url.startsWith("chrome-extension://"));
    }, "the extension's service worker to start");
    const id = new URL(worker.url).host;

    // A page of the extension that runs none of its scripts (not the popup, which would hold a
    // port to the background and reconnect it): extension APIs are there all the same.
    const { targetId } = await cdp.send("Target.createTarget", { url: `chrome-extension://${id}/popup.css` });
    const { sessionId } = await cdp.send("Target.attachToTarget", { targetId, flatten: true });
    const send = (method, params) => cdp.send(method, params, sessionId);
    const evaluate = async (expression) => {
      const r = await send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true });
      if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description || r.exceptionDetails.text);
      return r.result.value;
    };
    await waitUntil(() => evaluate("typeof chrome === 'object' && !!chrome.storage").catch(() => false), "the extension page");

    // Saved settings and one chat, as after a user's first session.
    const agent = eliza.agents[0];
    const entityId = crypto.randomUUID();
    const dm = await (await fetch(`${eliza.url}/api/messaging/dm-channel?currentUserId=${entityId}&targetUserId=${agent.id}`)).json();
    const state = {
      settings: { serverUrl: tap.url, apiKey: "", apiKeyOrigin: "", userName: "Bench", restApi: true, roomId: "", agentName: "" },
      entityId,
      [`chat:${agent.id}`]: { agentId: agent.id, agentName: agent.name, channelId: dm.data.id, messages: [], thinkingSince: null },
    };
    await evaluate(`chrome.storage.local.set(${JSON.stringify(state)}).then(() => true)`);

    await send("ServiceWorker.enable");
    let status = "unknown";
    cdp.onEvent((m) => {
      if (m.sessionId !== sessionId || m.method !== "ServiceWorker.workerVersionUpdated") return;
      for (const v of m.params.versions) if (v.scriptURL.includes(id)) status = v.runningStatus;
    });

    const samples = [];
    const missed = []; // wakes with no re-join within the time limit (tried again)
    const wake = async () => {
      await send("ServiceWorker.stopAllWorkers");
      await waitUntil(async () => status === "stopped", "the worker to stop");
      // The background's reconnect alarm would wake it on its own.
      await evaluate("chrome.alarms.clearAll().then(() => true)");
      await sleep(200);
      const before = tap.connections.length;
      const wakeAt = await evaluate("(() => { const t = Date.now(); chrome.runtime.connect({ name: 'bench-wake' }); return t; })()");
      const joined = await waitUntil(async () => tap.connections.slice(before).find((c) => c.joinedAt !== null), "", 15000).catch(() => null);
      if (joined) return { wakeToJoinedMs: joined.joinedAt - wakeAt, wakeToOpenMs: joined.openedAt - wakeAt };
      const seen = tap.connections.slice(before).map((c) => `${c.request ?? "(nothing sent)"} +${c.openedAt - wakeAt} ms`);
      missed.push(`worker ${status}; connections since the wake: ${seen.join("; ") || "none"}`);
      log(`extension wake: no re-join within 15 s (${missed.at(-1)}); waking again`);
      if (missed.length > 3) throw new Error(`extension wake: no re-join within 15 s, ${missed.length} times (last: ${missed.at(-1)})`);
      return null;
    };
    // The first wake is not measured: it finds no server facts stored and probes the server.
    while (!(await wake()));
    while (samples.length < wakes) {
      const sample = await wake();
      if (sample) samples.push(sample);
    }
    const med = (xs) => {
      const s = [...xs].sort((a, b) => a - b);
      const m = s.length >> 1;
      return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
    };
    const perRoundResults = [];
    for (let r = 0; r < rounds; r++) {
      const w = samples.slice(r * perRound, (r + 1) * perRound);
      perRoundResults.push({
        wakeToJoinedMs: med(w.map((s) => s.wakeToJoinedMs)),
        wakeToOpenMs: med(w.map((s) => s.wakeToOpenMs)),
        wakes: w,
        elizaRelease: eliza.release,
        missed: r === 0 ? missed : [],
      });
    }
    log(`extension wake → chat re-joined: ${samples.map((s) => s.wakeToJoinedMs).join(", ")} ms (ElizaOS ${eliza.release})`);
    return { rounds: perRoundResults, release: eliza.release };
  } finally {
    cdp?.close();
    await stopChrome();
    cleanups.delete(stopChrome);
    tap.close();
    cleanups.delete(tap.close);
    await eliza.dispose();
    cleanups.delete(disposeEliza);
    removeDir();
    cleanups.delete(removeDir);
  }
}
