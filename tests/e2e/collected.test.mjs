// Handles released by the garbage collector, not by free(): the web package (dist/pkg, built with
// --weak-refs) registers each handle with a FinalizationRegistry, so a Socket or an ElizaClient
// that a page stops referencing must close its connection once collected, reconnect no more and
// leave no timer armed — also an ElizaClient whose REST request is still pending (its request is
// aborted with it). Chromium runs with --expose-gc so the page can force collections; the server
// (socket.io 4.8, in this process) tells whether the connections closed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { CHROMIUM, FLAGS } from "./lib/chromium.mjs";
import { PKG_DIR, ROOT } from "./lib/paths.mjs";

const require = createRequire(path.join(ROOT, "tests/package.json"));
const { Server } = require("socket.io");

const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

let server, io, browser, url;
/** Socket.IO connections ever made on namespace "/". */
let made = 0;
/** REST requests (under /api/) left unanswered, still open. */
const hanging = new Set();

before(async () => {
  // One origin for the page, the package and the Socket.IO server.
  server = http.createServer(async (req, res) => {
    const name = new URL(req.url, "http://x").pathname;
    if (name === "/") return res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>gc</title>");
    if (name.startsWith("/api/")) {
      // Never answered: the client's request stays pending until it is aborted.
      hanging.add(res);
      res.on("close", () => hanging.delete(res));
      return;
    }
    if (!name.startsWith("/pkg/")) return res.writeHead(404).end();
    try {
      const body = await readFile(path.join(PKG_DIR, path.basename(name)));
      res.writeHead(200, { "content-type": TYPES[path.extname(name)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  io = new Server(server, { pingInterval: 25000, pingTimeout: 20000 });
  io.on("connection", () => made++);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: false, args: [...FLAGS, "--js-flags=--expose-gc"] });
});

after(async () => {
  await browser?.close().catch(() => {});
  for (const res of hanging) res.destroy();
  io?.close();
  await new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

const open = () => io.of("/").sockets.size;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(cond, message, ms = 10_000) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) {
    if (await cond()) return;
  }
  throw new Error("timed out: " + message);
}

test("a Socket and ElizaClients collected without free() close their connections", { timeout: 90_000 }, async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url + "/");
  await page.evaluate(async (serverUrl) => {
    if (typeof gc !== "function") throw new Error("gc() is not exposed");
    // The page's timers, counted while armed (the library calls the global setTimeout).
    const real = { setTimeout: setTimeout.bind(window), clearTimeout: clearTimeout.bind(window) };
    const armed = new Set();
    window.realSetTimeout = real.setTimeout;
    window.armedTimers = () => armed.size;
    window.setTimeout = (f, ms, ...args) => {
      const id = real.setTimeout(() => {
        armed.delete(id);
        f(...args);
      }, ms);
      armed.add(id);
      return id;
    };
    window.clearTimeout = (id) => {
      armed.delete(id);
      real.clearTimeout(id);
    };
    const pkg = await import("/pkg/eliza_socketio.js");
    await pkg.default();
    const fast = { transports: ["websocket"], reconnectionDelay: 100, reconnectionDelayMax: 100 };
    // Created in a function whose scope ends: only weak references remain.
    const refs = (() => {
      const socket = pkg.io(serverUrl, { ...fast, forceNew: true });
      const client = new pkg.ElizaClient({ serverUrl, rest: false, socket: fast });
      // On connecting, this one asks the REST API for the message server's id: no answer comes.
      const asking = new pkg.ElizaClient({ serverUrl, socket: fast });
      return [socket, client, asking].map((h) => new WeakRef(h));
    })();
    window.alive = () => refs.filter((r) => r.deref() !== undefined).length;
    window.connected = () => refs.every((r) => r.deref()?.connected);
  }, url);

  await until(() => page.evaluate(() => window.connected()), "all connected");
  await until(() => open() === 3, "the server has the three connections");
  await until(() => hanging.size === 1, "a REST request is pending");
  assert.ok((await page.evaluate(() => window.armedTimers())) >= 1, "heartbeat timers armed while connected");

  // Collect, with turns of the event loop in between so that finalizers run.
  await page.evaluate(async () => {
    for (let i = 0; i < 10 && window.alive() > 0; i++) {
      gc();
      await new Promise((r) => window.realSetTimeout(r, 50));
    }
    for (let i = 0; i < 4; i++) {
      gc();
      await new Promise((r) => window.realSetTimeout(r, 50));
    }
  });
  assert.equal(await page.evaluate(() => window.alive()), 0, "the handles were collected");
  await until(() => open() === 0, "the server sees the connections close");
  await until(() => hanging.size === 0, "the pending REST request was aborted");
  const total = made;
  await sleep(1000); // ten reconnection delays
  assert.equal(made, total, "nothing reconnected after the handles were collected");
  assert.equal(open(), 0, "nobody on the server");
  assert.equal(await page.evaluate(() => window.armedTimers()), 0, "no timer left armed");
  assert.deepEqual(errors, []);
  await page.close();
});
