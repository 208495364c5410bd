// Browser scenarios for the Socket.IO client, run by wasm-bindgen-test in real Chromium and Firefox
// (see ../browser.rs) against real socket.io 4.8 servers spawned through the test control server
// (tests/fixtures/sio-control.mjs). Each scenario receives:
//   ctx.io(url, opts)      → Socket      (the exported io())
//   ctx.manager(url, opts) → Manager     (new Manager(url, opts))
//   ctx.control            → base URL of the control server

// ---- helpers ----

async function control(ctx, method, path, body) {
  const res = await fetch(ctx.control + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function spawn(ctx, options = {}) {
  const server = await control(ctx, "POST", "/servers", options);
  server.stop = () => control(ctx, "POST", `/servers/${server.id}/stop`);
  server.start = () => control(ctx, "POST", `/servers/${server.id}/start`);
  server.freeze = () => control(ctx, "POST", `/servers/${server.id}/freeze`);
  server.thaw = () => control(ctx, "POST", `/servers/${server.id}/thaw`);
  server.drop = () => control(ctx, "POST", `/servers/${server.id}/drop`);
  server.raw = (frame) => control(ctx, "POST", `/servers/${server.id}/raw`, frame);
  server.emit = (body) => control(ctx, "POST", `/servers/${server.id}/emit`, body);
  server.received = () => control(ctx, "GET", `/servers/${server.id}/received`);
  server.clients = () => control(ctx, "GET", `/servers/${server.id}/clients`);
  server.dispose = () => control(ctx, "DELETE", `/servers/${server.id}`);
  return server;
}

/** Records events of a socket or manager; `next(ev)` resolves with the arguments of the next one. */
function record(target, events) {
  const log = [];
  const waiting = [];
  for (const ev of events) {
    target.on(ev, (...args) => {
      log.push({ ev, args });
      for (let i = 0; i < waiting.length; i++) {
        const w = waiting[i];
        const idx = log.findIndex((e) => e.ev === w.ev && !e.taken);
        if (idx >= 0) {
          log[idx].taken = true;
          waiting.splice(i--, 1);
          clearTimeout(w.timer);
          w.resolve(log[idx].args);
        }
      }
    });
  }
  return {
    log,
    count: (ev) => log.filter((e) => e.ev === ev).length,
    next(ev, ms = 5000) {
      const idx = log.findIndex((e) => e.ev === ev && !e.taken);
      if (idx >= 0) {
        log[idx].taken = true;
        return Promise.resolve(log[idx].args);
      }
      return new Promise((resolve, reject) => {
        const w = { ev, resolve };
        w.timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(w), 1);
          reject(new Error(`timed out waiting for "${ev}"; seen: ${JSON.stringify(log.map((e) => e.ev))}`));
        }, ms);
        waiting.push(w);
      });
    },
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function assert(cond, message) {
  if (!cond) throw new Error("assertion failed: " + message);
}

function assertEq(actual, expected, message) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${message}: expected ${e}, got ${a}`);
}

async function until(cond, message, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await sleep(25);
  }
  throw new Error("timed out: " + message);
}

function bytes(buf) {
  return Array.from(buf instanceof ArrayBuffer ? new Uint8Array(buf) : buf);
}

/** Runs `body` with a fresh server and always cleans up sockets and the server. */
async function withServer(ctx, options, body) {
  const server = await spawn(ctx, options);
  const sockets = [];
  const track = (s) => (sockets.push(s), s);
  try {
    await body(server, track);
  } finally {
    for (const s of sockets) s.disconnect();
    await server.dispose();
  }
}

// ---- scenarios ----

export async function websocketOnly(ctx) {
  await withServer(ctx, {}, async (server, track) => {
    const s = track(ctx.io(server.url, { transports: ["websocket"], forceNew: true }));
    const ev = record(s, ["connect", "welcome", "echo"]);
    const [welcome] = await ev.next("welcome");
    assertEq(welcome.transport, "websocket", "transport");
    assert(s.connected && typeof s.id === "string", "connected with an id");
    assertEq(s.io.transport, "websocket", "manager transport");
    s.emit("echo", "hi", { n: 1, list: [1, 2, 3] }, null, true);
    assertEq(await ev.next("echo"), ["hi", { n: 1, list: [1, 2, 3] }, null, true], "echo");
    // Non-ASCII right after the header, and a frame whose first 64 bytes end mid-character.
    const text = "ünï€😀 " + "é".repeat(100);
    s.emit("echo", text);
    assertEq(await ev.next("echo"), [text], "non-ASCII echo");
  });
}

export async function pollingOnly(ctx) {
  await withServer(ctx, {}, async (server, track) => {
    const s = track(ctx.io(server.url, { transports: ["polling"], forceNew: true }));
    const ev = record(s, ["welcome", "echo"]);
    assertEq((await ev.next("welcome"))[0].transport, "polling", "transport");
    // Several emits in a row travel in as few POSTs as possible, in order.
    for (let i = 0; i < 20; i++) s.emit("echo", i, "ünïcödé €");
    for (let i = 0; i < 20; i++) assertEq(await ev.next("echo"), [i, "ünïcödé €"], "echo " + i);
    assertEq(s.io.transport, "polling", "still polling");
  });
}

export async function upgradesToWebSocket(ctx) {
  await withServer(ctx, {}, async (server, track) => {
    const s = track(ctx.io(server.url, { forceNew: true }));
    const m = record(s.io, ["upgrade"]);
    const ev = record(s, ["welcome", "echo"]);
    assertEq((await ev.next("welcome"))[0].transport, "polling", "starts on polling");
    assertEq(await m.next("upgrade"), ["websocket"], "upgrade event");
    await until(async () => (await server.clients())[0]?.transport === "websocket", "server sees websocket");
    s.emit("echo", "after upgrade");
    assertEq(await ev.next("echo"), ["after upgrade"], "echo over websocket");
  });
}

export async function acknowledgementsBothWays(ctx) {
  await withServer(ctx, {}, async (server, track) => {
    const s = track(ctx.io(server.url, { transports: ["websocket"], forceNew: true }));
    const ev = record(s, ["connect", "answer"]);
    await ev.next("connect");
    // Client → server, callback style and promise style.
    const viaCallback = await new Promise((resolve) => s.emit("ack", 1, "two", resolve));
    assertEq(viaCallback, 1, "callback gets the first ack argument");
    const viaPromise = await s.emitWithAck("ack", { deep: [1, { x: "y" }] });
    assertEq(viaPromise, { deep: [1, { x: "y" }] }, "emitWithAck resolves with the answer");
    // With a timeout, the callback gets an error first.
    const [err, value] = await new Promise((resolve) =>
      s.timeout(2000).emit("ack", "t", (...args) => resolve(args)),
    );
    assertEq([err, value], [null, "t"], "timeout(…).emit callback");
    // A server that never answers: the timeout fires with a coded error.
    const timedOut = await new Promise((resolve) => s.timeout(200).emit("echo", "no-ack", (e) => resolve(e)));
    assert(timedOut instanceof Error && timedOut.code === "ACK_TIMEOUT", "ack timeout error: " + timedOut);
    await s.timeout(200).emitWithAck("echo", "no-ack").then(
      () => assert(false, "should reject"),
      (e) => assertEq(e.code, "ACK_TIMEOUT", "emitWithAck rejects on timeout"),
    );
    // Server → client: the server asks, the client answers through the ack function.
    s.on("question", (payload, ack) => ack({ reply: payload.q * 2 }));
    s.emit("ask", { q: 21 });
    assertEq(await ev.next("answer"), [{ reply: 42 }], "server got the client's answer");
  });
}

export async function binaryBothWays(ctx) {
  await withServer(ctx, {}, async (server, track) => {
    for (const transports of [["websocket"], ["polling"]]) {
      const s = track(ctx.io(server.url, { transports, forceNew: true }));
      const ev = record(s, ["connect", "echo", "pushed"]);
      await ev.next("connect");
      const nested = { name: "files", parts: [new Uint8Array([1, 2, 3]), { inner: new Uint8Array([255, 0]).buffer }] };
      s.emit("echo", new Uint8Array([9, 8, 7]), nested, "text");
      const [a, b, c] = await ev.next("echo");
      assert(a instanceof ArrayBuffer, "binary arrives as ArrayBuffer");
      assertEq(bytes(a), [9, 8, 7], "first attachment " + transports);
      assertEq(bytes(b.parts[0]), [1, 2, 3], "nested attachment");
      assertEq(bytes(b.parts[1].inner), [255, 0], "deeply nested attachment");
      assertEq([b.name, c], ["files", "text"], "plain values around attachments");
      const ack = await s.emitWithAck("ack", new Uint8Array([5]));
      assertEq(bytes(ack), [5], "binary in an acknowledgement");
      await server.emit({ nsp: "/", event: "pushed", args: ["AQID", "x"], binaryArgs: [0] });
      const [pushed, x] = await ev.next("pushed");
      assertEq([bytes(pushed), x], [[1, 2, 3], "x"], "server-sent binary");
      s.disconnect();
    }
  });
}

export async function twoNamespacesShareOneConnection(ctx) {
  await withServer(ctx, {}, async (server, track) => {
    const root = track(ctx.io(server.url, { transports: ["websocket"] }));
    const admin = track(ctx.io(server.url + "/admin", { transports: ["websocket"] }));
    const r = record(root, ["welcome", "echo", "room-event"]);
    const a = record(admin, ["welcome", "echo", "room-event"]);
    assertEq((await r.next("welcome"))[0].nsp, "/", "root namespace");
    assertEq((await a.next("welcome"))[0].nsp, "/admin", "admin namespace");
    assert(root.io.id && root.io.id === admin.io.id, "one Engine.IO session for both");
    admin.emit("echo", "from admin");
    root.emit("echo", "from root");
    assertEq(await a.next("echo"), ["from admin"], "admin echo stays in admin");
    assertEq(await r.next("echo"), ["from root"], "root echo stays in root");
    // Rooms: only members get the broadcast.
    admin.emit("join", "blue");
    await admin.emitWithAck("ack", "sync");
    root.emit("to-room", "blue", "hello blue"); // root is not in /admin's room
    admin.emit("to-room", "blue", "hello blue");
    assertEq(await a.next("room-event"), ["blue", "hello blue"], "room member receives");
    await sleep(200);
    assertEq(r.count("room-event"), 0, "non-member receives nothing");
    assertEq(a.count("room-event"), 1, "exactly one broadcast");
    admin.disconnect();
    assert(root.connected, "leaving one namespace keeps the other");
    root.emit("echo", "still here");
    assertEq(await r.next("echo"), ["still here"], "root still works");
  });
}

export async function authAcceptedAndRejected(ctx) {
  await withServer(ctx, {}, async (server, track) => {
    const bad = track(ctx.io(server.url + "/private", { auth: { token: "wrong" }, forceNew: true }));
    const b = record(bad, ["connect", "connect_error"]);
    const [err] = await b.next("connect_error");
    assert(err instanceof Error, "connect_error gets an Error");
    assertEq([err.message, err.code, err.data], ["not authorized", "CONNECT_REFUSED", { reason: "bad token" }], "refusal");
    assert(!bad.connected && !bad.active, "a refused socket does not retry by itself");
    const good = track(ctx.io(server.url + "/private", { auth: { token: "secret", user: "ü" }, forceNew: true }));
    const g = record(good, ["welcome"]);
    const [welcome] = await g.next("welcome");
    assertEq(welcome.auth, { token: "secret", user: "ü" }, "server saw the auth payload");
    // Auth can be corrected and the socket connected again.
    bad.auth = { token: "secret" };
    bad.connect();
    await b.next("connect");
  });
}

export async function serverDisconnectDoesNotReconnect(ctx) {
  await withServer(ctx, {}, async (server, track) => {
    const s = track(ctx.io(server.url, { transports: ["websocket"], forceNew: true, reconnectionDelay: 50 }));
    const ev = record(s, ["connect", "disconnect"]);
    await ev.next("connect");
    s.emit("disconnect-me");
    assertEq(await ev.next("disconnect"), ["io server disconnect", undefined], "reason");
    await sleep(500);
    assert(!s.connected && !s.active, "stays disconnected");
    assertEq(ev.count("connect"), 1, "no automatic reconnection");
    s.connect();
    await ev.next("connect");
  });
}

export async function serverRestartReconnectsAndFlushesTheBuffer(ctx) {
  await withServer(ctx, {}, async (server, track) => {
    const s = track(ctx.io(server.url, {
      transports: ["websocket"], forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 400,
    }));
    const ev = record(s, ["connect", "disconnect"]);
    const m = record(s.io, ["reconnect_attempt", "reconnect_error", "reconnect"]);
    await ev.next("connect");
    await server.stop();
    assertEq((await ev.next("disconnect"))[0], "transport close", "reason");
    for (let i = 0; i < 5; i++) s.emit("buffered", i);
    assertEq(s.pendingCount, 5, "emits wait in the buffer");
    await m.next("reconnect_error", 5000); // at least one failed attempt while the server is down
    await server.start();
    const [attempts] = await m.next("reconnect", 10000);
    assert(attempts >= 2, "reconnected after several attempts: " + attempts);
    await ev.next("connect");
    assert(m.count("reconnect_attempt") >= 2, "attempts were announced");
    await until(async () => (await server.received()).filter((e) => e.event === "buffered").length === 5, "buffered events arrive");
    await sleep(200);
    const got = (await server.received()).filter((e) => e.event === "buffered").map((e) => e.args[0]);
    assertEq(got, [0, 1, 2, 3, 4], "each buffered event exactly once, in order");
    assertEq(s.pendingCount, 0, "buffer empty");
  });
}

export async function frozenServerTimesOutThenReconnects(ctx) {
  await withServer(ctx, { pingInterval: 300, pingTimeout: 200 }, async (server, track) => {
    const s = track(ctx.io(server.url, { transports: ["websocket"], forceNew: true, reconnectionDelay: 100 }));
    const ev = record(s, ["connect", "disconnect"]);
    const m = record(s.io, ["ping"]);
    await ev.next("connect");
    await m.next("ping", 2000);
    await server.freeze();
    const started = Date.now();
    assertEq((await ev.next("disconnect", 5000))[0], "ping timeout", "reason");
    assert(Date.now() - started < 2000, "detected within pingInterval + pingTimeout");
    await server.thaw();
    await ev.next("connect", 10000);
    s.emit("echo", "alive");
    await until(async () => (await server.received()).some((e) => e.event === "echo" && e.args[0] === "alive"), "works again");
  });
}

export async function malformedFramesAreErrorsNotCrashes(ctx) {
  await withServer(ctx, {}, async (server, track) => {
    const s = track(ctx.io(server.url, { transports: ["websocket"], forceNew: true, reconnectionDelay: 50, reconnectionDelayMax: 50 }));
    const ev = record(s, ["connect", "disconnect", "echo"]);
    const m = record(s.io, ["error"]);
    await ev.next("connect");
    const frames = [
      { frame: "4x" },
      { frame: "42{}" },
      { frame: '42["connect"]' },
      { frame: "9" },
      { frame: '42["ok",' }, // truncated JSON: found when parsing the arguments
      { binary: "AQID" }, // an attachment nobody announced
      { frame: '451-["a",{"_placeholder":true,"num":0}]' }, // announced, then a text frame instead
    ];
    for (const f of frames) {
      await server.raw(f);
      if (f.frame?.startsWith("451-")) await server.raw({ frame: '42["next"]' });
      const [err] = await m.next("error");
      assert(err instanceof Error && err.code === "PROTOCOL_ERROR", `error event for ${JSON.stringify(f)}: ${err}`);
      const [reason] = await ev.next("disconnect");
      assert(reason === "parse error" || reason === "transport error", `reason for ${JSON.stringify(f)}: ${reason}`);
      await ev.next("connect");
    }
    s.emit("echo", "survived");
    assertEq(await ev.next("echo"), ["survived"], "the client still works");
  });
}

export async function connectionStateRecovery(ctx) {
  await withServer(ctx, { recovery: true }, async (server, track) => {
    const s = track(ctx.io(server.url, { transports: ["websocket"], forceNew: true, reconnectionDelay: 100 }));
    const ev = record(s, ["connect", "disconnect", "tick"]);
    await ev.next("connect");
    assert(!s.recovered, "first connection is not a recovery");
    const firstId = s.id;
    await server.emit({ nsp: "/", event: "tick", args: [1] });
    await ev.next("tick");
    await server.drop();
    await ev.next("disconnect");
    await server.emit({ nsp: "/", event: "tick", args: [2] }); // missed while disconnected
    await ev.next("connect", 5000);
    assert(s.recovered, "session recovered");
    assertEq(s.id, firstId, "same socket id after recovery");
    const [missed] = await ev.next("tick", 3000);
    assertEq(missed, 2, "the missed event is replayed");
  });
}

export async function catchAllListenersAndVolatile(ctx) {
  await withServer(ctx, {}, async (server, track) => {
    const s = track(ctx.io(server.url, { transports: ["websocket"], forceNew: true, autoConnect: false }));
    const incoming = [];
    const outgoing = [];
    const offAny = s.onAny((...args) => incoming.push(args));
    s.onAnyOutgoing((...args) => outgoing.push(args));
    s.volatile.emit("echo", "dropped"); // not connected: a volatile emit is dropped, not buffered
    assertEq(s.pendingCount, 0, "volatile not buffered");
    const ev = record(s, ["connect", "echo"]);
    s.connect();
    await ev.next("connect");
    s.emit("echo", "a");
    await ev.next("echo");
    assertEq(outgoing, [["echo", "a"]], "outgoing catch-all");
    assert(incoming.some((a) => a[0] === "echo" && a[1] === "a"), "incoming catch-all");
    offAny();
    const before = incoming.length;
    s.emit("echo", "b");
    await ev.next("echo");
    assertEq(incoming.length, before, "unsubscribed");
    // A throwing listener does not break the connection or other listeners.
    s.on("echo", () => {
      throw new Error("listener bug");
    });
    const seen = new Promise((resolve) => s.on("echo", resolve));
    s.emit("echo", "c");
    assertEq(await seen, "c", "later listener still called");
    assert(s.connected, "still connected");
  });
}

export async function badInputGetsClearErrors(ctx) {
  const codeOf = (f) => {
    try {
      f();
    } catch (e) {
      assert(e instanceof Error, "throws an Error: " + e);
      return e.code || e.name;
    }
    return "no error";
  };
  assertEq(codeOf(() => ctx.io("ftp://127.0.0.1:1")), "INVALID_URL", "unsupported scheme");
  assertEq(codeOf(() => ctx.io("http://[not a host")), "INVALID_URL", "unparseable URL");
  assertEq(codeOf(() => ctx.io("http://127.0.0.1:1", { transports: ["carrier-pigeon"] })), "INVALID_OPTION", "transport");
  assertEq(codeOf(() => ctx.io("http://127.0.0.1:1", { reconnectionDelay: "soon" })), "INVALID_OPTION", "number option");
  assertEq(codeOf(() => ctx.io("http://127.0.0.1:1", { auth: () => ({}) })), "INVALID_OPTION", "auth function");
  await withServer(ctx, {}, async (server, track) => {
    const s = track(ctx.io(server.url, { transports: ["websocket"], forceNew: true }));
    await record(s, ["connect"]).next("connect");
    assertEq(codeOf(() => s.emit("connect")), "Error", "reserved event name");
    const cyclic = {};
    cyclic.self = cyclic;
    assertEq(codeOf(() => s.emit("echo", cyclic)), "TypeError", "unserializable argument");
    assert(s.connected, "still connected after rejected emits");
  });
  // Nothing listening on the port: connect_error with a transport error, then retries.
  const down = ctx.io("http://127.0.0.1:9", { transports: ["websocket"], forceNew: true, reconnectionDelay: 50, reconnectionAttempts: 2 });
  const ev = record(down, ["connect_error"]);
  const m = record(down.io, ["reconnect_failed"]);
  const [err] = await ev.next("connect_error");
  assertEq(err.code, "TRANSPORT_ERROR", "refused connection");
  await m.next("reconnect_failed", 5000);
  down.disconnect();
}

export async function retriesDeliverAtLeastOnce(ctx) {
  await withServer(ctx, { pingInterval: 300, pingTimeout: 200 }, async (server, track) => {
    const s = track(ctx.io(server.url, {
      transports: ["websocket"], forceNew: true, retries: 3, ackTimeout: 400, reconnectionDelay: 100, reconnectionDelayMax: 100,
    }));
    const ev = record(s, ["connect", "disconnect"]);
    await ev.next("connect");
    // The server stops answering: the emit times out, the connection drops, and the queued emit
    // is sent again once the server is back, until acknowledged.
    await server.freeze();
    const answer = s.emitWithAck("ack", "important");
    await ev.next("disconnect", 5000);
    await server.thaw();
    assertEq(await answer, "important", "acknowledged after the retry");
    const got = (await server.received()).filter((e) => e.event === "ack" && e.args[0] === "important");
    assert(got.length >= 1, "delivered at least once");
    // In order: a second emit waits for the first.
    const [a, b] = await Promise.all([s.emitWithAck("ack", 1), s.emitWithAck("ack", 2)]);
    assertEq([a, b], [1, 2], "queued emits in order");
  });
}

export async function managerApi(ctx) {
  await withServer(ctx, {}, async (server, track) => {
    const m = ctx.manager(server.url, { transports: ["websocket"], autoConnect: false });
    const events = record(m, ["open", "close"]);
    const admin = track(m.socket("/admin", { auth: { token: "x" } }));
    const root = track(m.socket("/"));
    assert(!admin.connected && !root.connected, "autoConnect: false waits");
    const a = record(admin, ["connect", "welcome"]);
    admin.connect();
    await events.next("open");
    assertEq((await a.next("welcome"))[0].auth, { token: "x" }, "socket auth");
    assertEq(m.transport, "websocket", "transport getter");
    assert(typeof m.id === "string", "engine id");
    m.close();
    await events.next("close");
    assert(!admin.connected, "closing the manager disconnects its sockets");
  });
}

/** Runs in a dedicated worker or service worker: no DOM, no XMLHttpRequest — polling uses fetch. */
export async function pollingInAWorker(ctx) {
  assert(typeof XMLHttpRequest === "undefined" || typeof window === "undefined", "running outside a window");
  await withServer(ctx, {}, async (server, track) => {
    const s = track(ctx.io(server.url, { transports: ["polling"], forceNew: true }));
    const ev = record(s, ["welcome", "echo"]);
    assertEq((await ev.next("welcome"))[0].transport, "polling", "polling in a worker");
    s.emit("echo", "from a worker", new Uint8Array([1, 2]));
    const [text, bin] = await ev.next("echo");
    assertEq([text, bytes(bin)], ["from a worker", [1, 2]], "echo");
    assertEq(await s.emitWithAck("ack", 7), 7, "ack");
  });
}
