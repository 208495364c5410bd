// The benchmark's peer: a socket.io 4.8 server plus the static page that loads the three clients.
//
//   node tests/bench/server.mjs [PORT]     (0 or nothing: a free port)
//
// Prints one JSON line when listening: {"port": N, "t": Date.now()}. Loopback only.
//
// The server must not compete with the client for the 2 CPU cores, so it does as little as it can:
// - bursts (server → client) are encoded once, as complete WebSocket frames concatenated into one
//   Buffer, and written with one socket write straight under the engine.io WebSocket transport;
// - uploads (client → server) are counted at the engine.io level: while one runs, the socket's
//   `data` listener is swapped for a counter, so socket.io never decodes those packets.

import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Server } from "socket.io";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");

/** URL prefix → folder served under it. */
const DIST = process.env.BENCH_DIST || path.join(ROOT, "dist"); // run.mjs passes its snapshot of dist/
const STATIC = [
  ["/pkg-socketio/", path.join(DIST, "pkg-socketio")],
  ["/pkg/", path.join(DIST, "pkg")],
  ["/sio/", path.join(ROOT, "tests/node_modules/socket.io-client/dist")],
  ["/", path.join(HERE, "page")],
];
const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".html": "text/html", ".map": "application/json" };

/** What the wake-benchmark extensions' workers reported (tests/bench/wake.mjs reads them). */
const wakeReports = [];

function serveStatic(req, res) {
  const url = new URL(req.url, "http://x");
  let pathname = decodeURIComponent(url.pathname);
  if (pathname === "/wake-reports") {
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(wakeReports));
    return;
  }
  if (pathname === "/") pathname = "/bench.html";
  if (pathname === "/favicon.ico") {
    res.writeHead(204).end();
    return;
  }
  for (const [prefix, dir] of STATIC) {
    if (!pathname.startsWith(prefix)) continue;
    const file = path.resolve(dir, "." + pathname.slice(prefix.length - 1));
    if (!file.startsWith(dir + path.sep)) break;
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, {
        "content-type": TYPES[path.extname(file)] || "application/octet-stream",
        "cache-control": "no-store",
        // Cross-origin isolation gives performance.now() 5 µs resolution instead of 100 µs.
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-embedder-policy": "require-corp",
        "cross-origin-resource-policy": "same-origin",
      });
      res.end(body);
    });
    return;
  }
  res.writeHead(404).end();
}

// ---- pre-encoded bursts ----

const LOREM =
  "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. ";

/** The Socket.IO packet (without the Engine.IO "4") of burst event number i. */
const PACKETS = {
  // ["tick",{"i":n,"roomId":"r"}]
  small: (i) => `2["tick",{"i":${i},"roomId":"r"}]`,
  // about 1 KB of JSON: ["big",{"i":n,"roomId":"r","text":"…"}]
  big: (i) => `2["big",{"i":${i},"roomId":"r","text":"${LOREM.repeat(8).slice(0, 980 - String(i).length)}"}]`,
};

/** One unmasked, final, text WebSocket frame. */
function wsTextFrame(payload) {
  const len = payload.length;
  let head;
  if (len < 126) {
    head = Buffer.from([0x81, len]);
  } else if (len < 65536) {
    head = Buffer.alloc(4);
    head[0] = 0x81;
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = 0x81;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return [head, payload];
}

const bursts = new Map(); // "kind:n" → { frames: Buffer, packets: string[] (first and last) , bytes }

function prepareBurst(kind, n) {
  const key = `${kind}:${n}`;
  let burst = bursts.get(key);
  if (burst) return burst;
  const make = PACKETS[kind];
  if (!make) throw new Error(`unknown burst kind ${kind}`);
  const parts = [];
  let payloadBytes = 0;
  for (let i = 0; i < n; i++) {
    const payload = Buffer.from("4" + make(i));
    payloadBytes += payload.length;
    parts.push(...wsTextFrame(payload));
  }
  burst = { key, n, frames: Buffer.concat(parts), packets: parts.length ? [make(0), make(n - 1)] : [], payloadBytes };
  bursts.set(key, burst);
  return burst;
}

/** Writes a prepared burst to the socket's WebSocket in one write, under engine.io. */
function writeBurst(socket, burst) {
  const transport = socket.conn.transport;
  const ws = transport && transport.name === "websocket" ? transport.socket : null;
  const sender = ws && ws._sender;
  const deflate = transport && transport.perMessageDeflate;
  const extensions = ws && ws._extensions && Object.keys(ws._extensions).length;
  if (sender && typeof sender.sendFrame === "function" && !deflate && !extensions) {
    sender.sendFrame([burst.frames], () => {});
    return "frames";
  }
  // Fallback (polling, or a negotiated extension): still pre-encoded, but one packet at a time.
  const make = PACKETS[burst.key.split(":")[0]];
  for (let i = 0; i < burst.n; i++) socket.conn.write(make(i));
  return "packets";
}

// ---- server ----

const httpServer = http.createServer(serveStatic);
const io = new Server(httpServer, { serveClient: false, cors: { origin: false } });

io.on("connection", (socket) => {
  socket.on("prepare", (kind, n, ack) => {
    try {
      const b = prepareBurst(kind, n);
      ack({ ok: true, bytes: b.frames.length, payloadBytes: b.payloadBytes, first: b.packets[0] });
    } catch (e) {
      ack({ ok: false, error: e.message });
    }
  });

  socket.on("burst", (kind, n) => {
    const b = bursts.get(`${kind}:${n}`) || prepareBurst(kind, n);
    writeBurst(socket, b);
  });

  // The wake benchmark: a worker joins a room (acknowledged), then reports its timings.
  socket.on("join", (room, ack) => {
    if (typeof room !== "string" || typeof ack !== "function") return;
    socket.join(room);
    ack({ room, joined: socket.rooms.has(room) });
  });
  socket.on("wake-report", (report, ack) => {
    if (report && typeof report === "object") wakeReports.push({ ...report, receivedAt: Date.now() });
    if (typeof ack === "function") ack(true);
  });

  socket.on("echo", (x, ack) => {
    if (typeof ack === "function") ack(x);
  });

  let upload = null;
  socket.on("upload-start", (n, ack) => {
    if (upload) upload.finish(false);
    const client = socket.client;
    const conn = socket.conn;
    const original = client.ondata;
    const state = { n, count: 0, first: 0n, last: 0n, firstPacket: null, lastPacket: null };
    const counter = (data) => {
      if (typeof data === "string" && data.startsWith('2["tick"')) {
        const now = process.hrtime.bigint();
        if (state.count === 0) {
          state.first = now;
          state.firstPacket = data;
        }
        state.count++;
        state.last = now;
        if (state.count === n) {
          state.lastPacket = data;
          finish(true);
        }
      } else {
        original(data);
      }
    };
    const finish = (complete) => {
      conn.off("data", counter);
      conn.on("data", original);
      upload = null;
      socket.emit("uploaded", {
        complete,
        count: state.count,
        firstToLastMs: Number(state.last - state.first) / 1e6,
        firstPacket: state.firstPacket,
        lastPacket: state.lastPacket,
      });
    };
    upload = { finish };
    conn.off("data", original);
    conn.on("data", counter);
    ack(true);
  });
  socket.on("upload-abort", () => upload && upload.finish(false));
});

const port = Number(process.argv[2] || 0);
httpServer.listen(port, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: httpServer.address().port, t: Date.now() }) + "\n");
});

// A restart is an abrupt exit: the kernel closes every connection.
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => process.exit(0));
process.stdin.on("end", () => process.exit(0)); // the parent went away
process.stdin.resume();
