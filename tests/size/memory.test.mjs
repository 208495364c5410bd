// Wasm memory of a connected Socket.IO-only client, and how much of its stack a client really
// uses: the measurement behind the stack size that build.sh links the package with.
//
// A real socket.io 4.8 server on 127.0.0.1 and headless Chromium. The page connects with the
// shipped dist/pkg-socketio, then drives the paths that go deepest: payloads nested to the core's
// JSON depth limit (and past it), binary attachments, acknowledgements both ways, a polling
// session upgraded to WebSocket, reconnection. The wasm linear memory starts zeroed and the stack
// (first in memory) grows down from its top, so the lowest non-zero byte below the top marks the
// deepest the stack has been.
//
//   node --test tests/size/memory.test.mjs        (after ./build.sh)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launchPlain } from "../e2e/lib/chromium.mjs";
import { leb, sections } from "../../crate/pkg/wasm-sections.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const require = createRequire(path.join(ROOT, "tests/package.json"));
const { Server } = require("socket.io");

/** The most wasm memory a connected client may hold (issue target). */
const MAX_CONNECTED_BYTES = 128 * 1024;
/** The JSON nesting the core accepts (crate/src/json.rs MAX_DEPTH). */
const MAX_DEPTH = 64;

let http, io, browser, base;

/** The stack size a wasm was linked with: the stack comes first in memory, so the first data
 *  segment starts where it ends (its offset is `i32.const N`). */
function stackBytes(wasm) {
  for (const { id, body } of sections(wasm)) {
    if (id === 11) {
      const [, first] = leb(wasm, body); // segment count
      const [flags, expr] = leb(wasm, first);
      assert.equal(flags, 0, "first data segment is active in memory 0");
      assert.equal(wasm[expr], 0x41, "its offset is an i32.const");
      return leb(wasm, expr + 1)[0];
    }
  }
  throw new Error("no data section");
}

before(async () => {
  http = createServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/") {
      res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>memory</title>");
      return;
    }
    const file = path.join(ROOT, "dist", path.normalize(url.pathname));
    if (!file.startsWith(path.join(ROOT, "dist", "pkg-socketio"))) return res.writeHead(404).end();
    try {
      const body = await readFile(file);
      const type = file.endsWith(".wasm") ? "application/wasm" : "text/javascript";
      res.writeHead(200, { "content-type": type }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  io = new Server(http, { maxHttpBufferSize: 1e7 });
  io.on("connection", (socket) => {
    // Echo every event back with its arguments, and answer acknowledgements with them.
    socket.onAny((event, ...args) => {
      const ack = typeof args.at(-1) === "function" ? args.pop() : null;
      if (ack) ack(args);
      else socket.emit(event, ...args);
    });
    socket.on("ask", (n) => {
      // The server asks; the client answers through its acknowledgement.
      socket.emit("question", n, () => socket.emit("answered", n));
    });
  });
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${http.address().port}`;
  ({ browser } = await launchPlain());
});

after(async () => {
  await browser?.close().catch(() => {});
  io?.close();
  http?.closeAllConnections?.();
  await new Promise((resolve) => http?.close(resolve) ?? resolve());
});

test("a connected client holds at most 128 KB of wasm memory; stack use is measured", { timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(base + "/");
  const result = await page.evaluate(async (maxDepth) => {
    const pkg = await import("/pkg-socketio/eliza_socketio.js");
    const wasm = await pkg.default();
    const memory = wasm.memory;
    const socket = pkg.io(location.origin, { transports: ["polling", "websocket"], reconnectionDelay: 50 });
    const once = (ev) => new Promise((resolve) => socket.once(ev, (...a) => resolve(a)));
    await once("connect");
    await new Promise((r) => setTimeout(r, 300)); // the upgrade to WebSocket
    const connectedBytes = memory.buffer.byteLength;

    const nested = (depth) => {
      let v = "leaf";
      for (let i = 1; i < depth; i++) v = [v];
      return v;
    };
    const deepest = nested(maxDepth - 1); // inside the event array: maxDepth containers in all
    const tooDeep = nested(maxDepth + 8);
    const got = once("deep");
    socket.emit("deep", deepest, { nested: nested(20) });
    await got;
    // Past the limit: the client refuses the packet (an error), without trapping.
    const errorsSeen = [];
    socket.on("connect_error", (e) => errorsSeen.push(e.code));
    socket.io.on("error", (e) => errorsSeen.push(e.code));
    socket.emit("deep", tooDeep);
    await new Promise((r) => setTimeout(r, 300));
    if (!socket.connected) await once("connect");
    const bin = once("bin");
    socket.emit("bin", new Uint8Array(4096).fill(7), { a: [new Uint8Array(3)] });
    await bin;
    const acked = await socket.timeout(5000).emitWithAck("acked", nested(maxDepth - 2), "x".repeat(20000));
    socket.on("question", (n, ack) => ack(n));
    const answered = once("answered");
    socket.emit("ask", 1);
    await answered;
    socket.disconnect();
    socket.connect();
    await once("connect");
    for (let i = 0; i < 200; i++) socket.emit("burst", i, { i, s: "y".repeat(i) });
    await new Promise((r) => setTimeout(r, 300));

    const bytes = new Uint8Array(memory.buffer);
    return {
      connectedBytes,
      finalBytes: memory.buffer.byteLength,
      ackedLength: acked.length,
      firstNonZero: bytes.findIndex((b) => b !== 0),
      errorsSeen,
    };
  }, MAX_DEPTH);
  const leanStack = stackBytes(await readFile(path.join(ROOT, "dist/pkg-socketio/eliza_socketio_bg.wasm")));
  const used = leanStack - result.firstNonZero;
  console.log(
    `wasm memory connected: ${result.connectedBytes / 1024} KB, at the end: ${result.finalBytes / 1024} KB; ` +
      `stack: ${used} of ${leanStack} bytes used at the deepest`,
  );
  assert.deepEqual(errors, []);
  assert.equal(result.ackedLength, 2);
  assert.ok(result.firstNonZero > 0 && result.firstNonZero < leanStack, `stack high-water mark inside the stack (${result.firstNonZero})`);
  // A margin of 4× over the deepest use measured here.
  assert.ok(used * 4 <= leanStack, `stack use ${used} B needs a stack of at least ${used * 4} B (have ${leanStack})`);
  assert.ok(result.connectedBytes <= MAX_CONNECTED_BYTES, `connected client holds ${result.connectedBytes} B of wasm memory`);
});
