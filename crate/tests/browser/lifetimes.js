// Lifetimes and time, run by wasm-bindgen-test in real Chromium and Firefox (see ../lifetimes.rs)
// against real socket.io 4.8 servers spawned through the test control server
// (tests/fixtures/sio-control.mjs).
//
// The page's WebSocket, setTimeout/clearTimeout and fetch are wrapped while a scenario runs
// (`watch()`), so a scenario can count what the library still holds after a handle is freed:
// open WebSockets, armed timers, requests in flight, and errors thrown by timer callbacks (a
// freed closure called by a timer throws "closure invoked ... after being dropped").

// The real functions, taken before any wrapping: the scenarios' own waits use these.
const real = {
  setTimeout: globalThis.setTimeout.bind(globalThis),
  clearTimeout: globalThis.clearTimeout.bind(globalThis),
  WebSocket: globalThis.WebSocket,
  fetch: globalThis.fetch.bind(globalThis),
  Date: globalThis.Date,
};

const sleep = (ms) => new Promise((r) => real.setTimeout(r, ms));

function assert(cond, message) {
  if (!cond) throw new Error("assertion failed: " + message);
}

async function until(cond, message, ms = 5000) {
  for (let waited = 0; waited < ms; waited += 25) {
    if (await cond()) return;
    await sleep(25);
  }
  throw new Error("timed out: " + message);
}

async function control(ctx, method, path, body) {
  const res = await real.fetch(ctx.control + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function withServer(ctx, options, body) {
  const server = await control(ctx, "POST", "/servers", options);
  for (const verb of ["stop", "start", "freeze", "thaw", "drop"]) {
    server[verb] = () => control(ctx, "POST", `/servers/${server.id}/${verb}`);
  }
  server.clients = () => control(ctx, "GET", `/servers/${server.id}/clients`);
  server.received = () => control(ctx, "GET", `/servers/${server.id}/received`);
  const w = watch();
  try {
    await body(server, w);
  } finally {
    w.restore();
    await control(ctx, "DELETE", `/servers/${server.id}`);
  }
}

/** Wraps WebSocket, setTimeout/clearTimeout and fetch until `restore()`. */
function watch() {
  const timers = new Set();
  const sockets = [];
  const requests = [];
  const errors = [];
  globalThis.setTimeout = function (f, ms, ...args) {
    const id = real.setTimeout(() => {
      timers.delete(id);
      try {
        if (typeof f === "function") f(...args);
      } catch (e) {
        errors.push(e);
        throw e;
      }
    }, ms);
    timers.add(id);
    return id;
  };
  globalThis.clearTimeout = function (id) {
    timers.delete(id);
    real.clearTimeout(id);
  };
  globalThis.WebSocket = class extends real.WebSocket {
    constructor(...args) {
      super(...args);
      sockets.push(this);
    }
  };
  globalThis.fetch = function (input, init) {
    const r = { signal: init && init.signal, settled: false };
    requests.push(r);
    return real.fetch(input, init).then(
      (res) => {
        r.settled = true;
        return res;
      },
      (e) => {
        r.settled = true;
        throw e;
      },
    );
  };
  const onError = (e) => errors.push(e.error || e.message);
  const onRejection = (e) => errors.push(e.reason);
  globalThis.addEventListener("error", onError);
  globalThis.addEventListener("unhandledrejection", onRejection);
  return {
    errors,
    timers: () => timers.size,
    socketsMade: () => sockets.length,
    openSockets: () => sockets.filter((s) => s.readyState === real.WebSocket.CONNECTING || s.readyState === real.WebSocket.OPEN).length,
    requestsMade: () => requests.length,
    /** Requests neither answered nor aborted. */
    pendingRequests: () => requests.filter((r) => !r.settled && !(r.signal && r.signal.aborted)).length,
    /** Nothing left: no WebSocket open, no timer armed, no request pending, no error. */
    assertNothingLeft(what) {
      assert(this.openSockets() === 0, `${what}: ${this.openSockets()} WebSocket(s) still open`);
      assert(this.timers() === 0, `${what}: ${this.timers()} timer(s) still armed`);
      assert(this.pendingRequests() === 0, `${what}: ${this.pendingRequests()} request(s) still pending`);
      this.assertNoErrors(what);
    },
    assertNoErrors(what) {
      assert(errors.length === 0, `${what}: errors ${errors.map((e) => String(e && e.message || e)).join("; ")}`);
    },
    restore() {
      globalThis.setTimeout = real.setTimeout;
      globalThis.clearTimeout = real.clearTimeout;
      globalThis.WebSocket = real.WebSocket;
      globalThis.fetch = real.fetch;
      globalThis.removeEventListener("error", onError);
      globalThis.removeEventListener("unhandledrejection", onRejection);
    },
  };
}

function dispose(handle) {
  assert(typeof Symbol.dispose === "symbol" && typeof handle[Symbol.dispose] === "function", "[Symbol.dispose] exists");
  handle[Symbol.dispose]();
}

const connected = (s) => until(() => s.connected, "connected");
const clientCount = async (server) => (await server.clients()).length;

// ---- scenarios ----

/** A socket's last handle freed leaves its namespace (and, as in socket.io-client, a connection
 * no socket uses closes); a Manager's last handle disposed closes its connection. */
export async function freedSocketLeavesAndLastHandleCloses(ctx) {
  await withServer(ctx, {}, async (server, w) => {
    const opts = { transports: ["websocket"], forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 100 };
    const s = ctx.io(server.url, opts);
    const admin = s.io.socket("/admin");
    await connected(s);
    await connected(admin);
    await until(async () => (await clientCount(server)) === 2, "two namespaces on the server");
    // Objects made by timeout() and volatile share the socket: freeing them leaves it connected.
    s.timeout(1000).free();
    s.volatile.free();
    await sleep(200);
    assert(s.connected && (await clientCount(server)) === 2, "a freed timeout()/volatile object leaves the socket alone");
    s.free();
    await until(async () => (await server.clients()).every((c) => c.nsp === "/admin"), "the freed socket left its namespace");
    assert(admin.connected && w.openSockets() === 1, "the connection stays while another socket uses it");
    admin.free();
    await until(async () => (await clientCount(server)) === 0, "the freed admin socket left too");
    await until(() => w.openSockets() === 0, "the connection closed with its last socket");

    // A Manager alone holds its connection open until its last handle goes.
    const manager = ctx.manager(server.url, opts);
    await until(() => w.openSockets() === 1, "the manager opened a connection");
    dispose(manager);
    await until(() => w.openSockets() === 0, "the last handle closed the connection");
    const made = w.socketsMade();
    await sleep(500); // past several reconnection delays
    assert(w.socketsMade() === made, "no reconnection after the last handle went");
    assert((await clientCount(server)) === 0, "nobody on the server");
    w.assertNothingLeft("after the last handle");
  });
}

/** A socket freed while waiting to reconnect stops: no timer, no attempt, even once the server is back. */
export async function freedReconnectingSocketStops(ctx) {
  await withServer(ctx, {}, async (server, w) => {
    const s = ctx.io(server.url, { transports: ["websocket"], forceNew: true, reconnectionDelay: 200, reconnectionDelayMax: 200 });
    await connected(s);
    let disconnected = false;
    s.on("disconnect", () => (disconnected = true));
    await server.stop();
    await until(() => disconnected && w.timers() > 0, "disconnected, a reconnection timer armed");
    await until(() => w.socketsMade() >= 2, "reconnecting");
    s.free();
    await until(() => w.openSockets() === 0 && w.timers() === 0, "the attempt and its timer are gone");
    await server.start();
    const made = w.socketsMade();
    await sleep(800);
    assert(w.socketsMade() === made, `no new attempt after free (${w.socketsMade() - made} made)`);
    assert((await clientCount(server)) === 0, "nobody on the restarted server");
    w.assertNothingLeft("after free");
  });
}

/** A polling connection disposed: its GET is aborted and no request follows. */
export async function disposedPollingManagerLeavesNoRequest(ctx) {
  await withServer(ctx, { pingInterval: 300, pingTimeout: 200 }, async (server, w) => {
    const manager = ctx.manager(server.url, { transports: ["polling"], reconnectionDelay: 100, reconnectionDelayMax: 100 });
    const s = manager.socket("/");
    await connected(s);
    await sleep(400); // a ping and its pong (a POST) went by
    assert(w.pendingRequests() >= 1, "a long-polling GET is pending");
    s.free();
    dispose(manager);
    await until(() => w.pendingRequests() === 0, "the GET is aborted and POSTs answered");
    const made = w.requestsMade();
    await sleep(700); // past a ping interval and a reconnection delay
    assert(w.requestsMade() === made, `no request after dispose (${w.requestsMade() - made} made)`);
    await until(async () => (await clientCount(server)) === 0, "the server sees the client go");
    w.assertNothingLeft("after dispose");
  });
}

/** A disposed ElizaClient with a message waiting for its acknowledgement: no timer fires a freed closure. */
export async function disposedElizaClientLeavesNothingBehind(ctx) {
  await withServer(ctx, {}, async (server, w) => {
    const channel = "5f1c6c9e-6a57-4f0e-9a57-3f1c2b9d8e01";
    const client = ctx.eliza({
      serverUrl: server.url,
      rest: false,
      messageAckTimeout: 400,
      socket: { transports: ["websocket"], reconnectionDelay: 100, reconnectionDelayMax: 100 },
    });
    await until(() => client.connected, "connected");
    client.join(channel);
    client.send(channel, "hello");
    await until(async () => (await server.received()).length >= 2, "join and message reached the server");
    assert(w.timers() >= 1, "the acknowledgement timer is armed");
    dispose(client);
    await until(() => w.openSockets() === 0, "the connection is closed");
    await until(async () => (await clientCount(server)) === 0, "the server sees the client go");
    await sleep(800); // past the acknowledgement deadline
    w.assertNothingLeft("after dispose");
  });
}

/** An ElizaClient runs on its connection's one timer: connected with a session deadline armed
 * (the user typing, a message waiting for its acknowledgement, a join waiting for its
 * confirmation) it holds one timer (the heartbeat's and the session's deadlines share it), and
 * the typing pause, the acknowledgement timeout and the join timeout still fire. */
export async function elizaClientRunsOnOneTimer(ctx) {
  await withServer(ctx, {}, async (server, w) => {
    const channel = "5f1c6c9e-6a57-4f0e-9a57-3f1c2b9d8e03";
    const client = ctx.eliza({
      serverUrl: server.url,
      rest: false,
      joinTimeout: 600,
      messageAckTimeout: 600,
      socket: { transports: ["websocket"] },
    });
    const errors = [];
    const failed = [];
    client.on("error", (e) => errors.push(e));
    client.on("sendFailed", (e) => failed.push(e));
    const received = async (pred) => (await server.received()).some(pred);
    const typing = (isTyping) => received((r) => r.event === "typing" && r.args[0] && r.args[0].isTyping === isTyping);
    try {
      await until(() => client.connected, "connected");
      assert(w.timers() === 1, `connected and idle: one timer armed (the heartbeat), got ${w.timers()}`);
      client.join(channel, { history: false });
      client.typing(channel, true);
      await until(() => typing(true), "typing reached the server");
      assert(w.timers() === 1, `while typing: one timer armed, got ${w.timers()}`);
      await until(() => typing(false), "the typing pause fired (3 s)", 6000);
      assert(w.timers() === 1, `idle again: one timer armed, got ${w.timers()}`);

      // The test server never answers a message's acknowledgement.
      const id = client.send(channel, "hello");
      await until(() => received((r) => r.event === "message" && r.args[0] && r.args[0].type === 2), "the message reached the server");
      assert(w.timers() === 1, `waiting for an acknowledgement: one timer armed, got ${w.timers()}`);
      await until(() => failed.some((e) => e.clientMessageId === id), "the acknowledgement timeout fired", 5000);

      // Nor does it confirm a join: with history wanted, the join waits for it until its timeout.
      const other = "5f1c6c9e-6a57-4f0e-9a57-3f1c2b9d8e04";
      client.join(other, { history: true });
      assert(w.timers() === 1, `waiting for a join: one timer armed, got ${w.timers()}`);
      await until(() => errors.some((e) => e.error.code === "JOIN_TIMEOUT"), "the join timeout fired", 5000);
      w.assertNoErrors("one timer");
    } finally {
      client.free();
    }
  });
}

// ---- a wall clock set back ----

const HOUR = 3_600_000;

/** Sets `Date` and `Date.now` back by `ms` until the returned function is called. */
function setClockBack(ms) {
  const Real = real.Date;
  function Stepped(...args) {
    if (!new.target) return new Real(Real.now() - ms).toString();
    return args.length ? new Real(...args) : new Real(Real.now() - ms);
  }
  Stepped.prototype = Real.prototype;
  Stepped.now = () => Real.now() - ms;
  Stepped.parse = Real.parse;
  Stepped.UTC = Real.UTC;
  globalThis.Date = Stepped;
  return () => {
    globalThis.Date = Real;
  };
}

/** The wall clock jumps back an hour mid-connection: reconnection and ping timeouts stay on time. */
export async function clockSetBackKeepsHeartbeatsAndReconnection(ctx) {
  await withServer(ctx, { pingInterval: 300, pingTimeout: 200 }, async (server) => {
    const s = ctx.io(server.url, { transports: ["websocket"], forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 100 });
    const log = [];
    s.on("connect", () => log.push("connect"));
    s.on("disconnect", (reason) => log.push("disconnect:" + reason));
    const count = (e) => log.filter((x) => x === e).length;
    try {
      await connected(s);
      const restore = setClockBack(HOUR);
      try {
        assert(Date.now() < real.Date.now() - HOUR + 1000, "the clock is set back");
        await server.drop();
        await until(() => count("connect") === 2, "reconnected after the drop (delay 100 ms)", 3000);
        await server.freeze();
        await until(() => log.includes("disconnect:ping timeout"), "ping timeout noticed (300 + 200 ms)", 3000);
        await server.thaw();
        await until(() => count("connect") === 3, "reconnected after the thaw", 5000);
      } finally {
        restore();
      }
    } finally {
      s.free();
    }
  });
}

/** `retryAt` of the state event is on the page's wall clock, even after the clock was set back. */
export async function clockSetBackKeepsRetryAtOnTheWallClock(ctx) {
  await withServer(ctx, {}, async (server) => {
    const client = ctx.eliza({
      serverUrl: server.url,
      rest: false,
      socket: { transports: ["websocket"], reconnectionDelay: 2000, reconnectionDelayMax: 2000, randomizationFactor: 0 },
    });
    const states = [];
    client.on("state", (s) => states.push({ ...s, seenAt: Date.now() }));
    const restore = setClockBack(HOUR);
    try {
      await until(() => client.connected, "connected");
      await server.stop();
      await until(() => states.some((s) => s.retryAt != null), "a reconnection is scheduled");
      const { retryAt, seenAt } = states.find((s) => s.retryAt != null);
      const ahead = retryAt - seenAt;
      assert(ahead > 1500 && ahead <= 2050, `retryAt is 2 s ahead of the (set back) wall clock, got ${ahead} ms`);
    } finally {
      restore();
      client.free();
    }
  });
}
