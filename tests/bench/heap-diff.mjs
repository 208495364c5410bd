// What a connected client holds in the JS heap: a DevTools heap snapshot of a fresh bench page
// before the client is imported, and one after it has connected (both after a forced GC); the
// objects only the second one holds, grouped by type and constructor, largest first.
//
//   node tests/bench/heap-diff.mjs [ours|sio|raw …] [--top N]     (after ./build.sh; default ours sio)
//
// Reads dist/ in place (no copy) and prints a table per client; the figures go in STARTUP.md.

import { spawn } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { CHROMIUM, FLAGS } from "../e2e/lib/chromium.mjs";
import { CdpConnection } from "./cdp.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const topArg = args.indexOf("--top");
const TOP = topArg >= 0 ? Number(args.splice(topArg, 2)[1]) : 25;
const KINDS = args.length ? args : ["ours", "sio"];

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

async function snapshot(page) {
  const chunks = [];
  const off = page.conn.onEvent((m) => {
    if (m.sessionId === page.sessionId && m.method === "HeapProfiler.addHeapSnapshotChunk") chunks.push(m.params.chunk);
  });
  await page.send("HeapProfiler.collectGarbage");
  await page.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false, captureNumericValue: false });
  off();
  return JSON.parse(chunks.join(""));
}

/** id → {type, name, size} of every node in a snapshot. */
function nodesOf(snap) {
  const meta = snap.snapshot.meta;
  const fields = meta.node_fields;
  const types = meta.node_types[fields.indexOf("type")];
  const [iType, iName, iId, iSize] = ["type", "name", "id", "self_size"].map((f) => fields.indexOf(f));
  const n = fields.length;
  const out = new Map();
  for (let i = 0; i < snap.nodes.length; i += n) {
    out.set(snap.nodes[i + iId], { type: types[snap.nodes[i + iType]], name: snap.strings[snap.nodes[i + iName]], size: snap.nodes[i + iSize] });
  }
  return out;
}

/** A group key: the node type, and the constructor for objects (strings and code by type only). */
function groupOf(node) {
  switch (node.type) {
    case "object":
    case "closure":
    case "native":
      return `${node.type} ${node.name}`;
    case "code":
      // Bytecode, feedback and the like, named after what they belong to (trimmed).
      return `code ${node.name.replace(/\s+\(.*$/, "").slice(0, 40)}`;
    case "hidden":
    case "array":
      return `${node.type} ${node.name.slice(0, 40)}`;
    default:
      return node.type;
  }
}

async function measure(cdp, url, kind) {
  const page = await cdp.newPage();
  try {
    await page.goto(url);
    await page.waitFor(() => !!window.bench);
    await page.send("HeapProfiler.enable");
    const before = nodesOf(await snapshot(page));
    await page.evaluate((k) => bench.load(k, { transports: ["websocket"], forceNew: true }), kind);
    await page.evaluate(() => new Promise((r) => setTimeout(r, 100)));
    const after = nodesOf(await snapshot(page));
    const groups = new Map();
    let total = 0;
    let freed = 0;
    for (const [id, node] of after) {
      if (before.has(id)) continue;
      total += node.size;
      const g = groupOf(node);
      const e = groups.get(g) || { count: 0, size: 0 };
      e.count++;
      e.size += node.size;
      groups.set(g, e);
    }
    for (const [id, node] of before) if (!after.has(id)) freed += node.size;
    const byType = new Map();
    for (const [g, e] of groups) {
      const t = g.split(" ")[0];
      byType.set(t, (byType.get(t) || 0) + e.size);
    }
    const usage = await page.send("Runtime.getHeapUsage");
    return { kind, total, freed, usedSize: usage.usedSize, byType: [...byType].sort((a, b) => b[1] - a[1]), groups: [...groups].sort((a, b) => b[1].size - a[1].size) };
  } finally {
    await page.close();
  }
}

async function main() {
  const server = spawn(process.execPath, [path.join(HERE, "server.mjs"), "0"], { stdio: ["pipe", "pipe", "inherit"] });
  const stopServer = () => server.exitCode === null && server.kill("SIGTERM");
  process.on("exit", stopServer);
  const [line] = await once(createInterface({ input: server.stdout }), "line");
  const url = `http://127.0.0.1:${JSON.parse(line).port}/bench.html`;
  const port = await freePort();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: false,
    args: [...FLAGS, "--remote-debugging-address=127.0.0.1", `--remote-debugging-port=${port}`],
  });
  try {
    const cdp = await CdpConnection.connect(port);
    for (const kind of KINDS) {
      const r = await measure(cdp, url, kind);
      const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
      console.log(`\n## ${kind}: objects new after connect ${kb(r.total)} (objects gone since before: ${kb(r.freed)})`);
      console.log(`by type: ${r.byType.map(([t, s]) => `${t} ${kb(s)}`).join(", ")}`);
      console.log("| group | count | self size |\n|---|--:|--:|");
      for (const [g, e] of r.groups.slice(0, TOP)) console.log(`| ${g.replace(/\|/g, "\\|")} | ${e.count} | ${kb(e.size)} |`);
    }
    cdp.close();
  } finally {
    await browser.close();
    stopServer();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
