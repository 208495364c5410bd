// The in-page half of the benchmark, driven by tests/bench/run.mjs through page.evaluate().
// One page holds at most one client. Every client is used through the same few calls
// (io, on, off, emit, emitWithAck), so the harness code each one runs is identical.

/** How each client is imported and created. */
const CLIENTS = {
  // ours: wasm-bindgen ES module; init() fetches and instantiates the .wasm and returns its exports.
  ours: async () => {
    const t0 = performance.now();
    const mod = await import("/pkg-socketio/eliza_socketio.js");
    const t1 = performance.now();
    const wasm = await mod.default();
    return { io: mod.io, memory: () => wasm.memory.buffer.byteLength, marks: { jsMs: t1 - t0, initMs: performance.now() - t1 } };
  },
  // ours, with the .wasm fetch begun beside import() (the README's way for pages that care about
  // start-up): init() takes the pending Response and compiles it as it streams in.
  oursParallel: async () => {
    const t0 = performance.now();
    const wasmResponse = fetch("/pkg-socketio/eliza_socketio_bg.wasm");
    const mod = await import("/pkg-socketio/eliza_socketio.js");
    const t1 = performance.now();
    const wasm = await mod.default({ module_or_path: wasmResponse });
    return { io: mod.io, memory: () => wasm.memory.buffer.byteLength, marks: { jsMs: t1 - t0, initMs: performance.now() - t1 } };
  },
  sio: async () => {
    const mod = await import("/sio/socket.io.esm.min.js");
    return { io: mod.io, memory: () => 0 };
  },
  raw: async () => {
    const mod = await import("/raw-client.js");
    return { io: mod.io, memory: () => 0 };
  },
};

// V8 keeps one number → string cache per page; it starts small and is replaced by a 64 KB one at
// the first collision. Creating a wasm module's exports names each function with its index as a
// string, which is enough to grow it, so in an otherwise empty page 64 KB of "JS heap added by
// the client" was this engine cache. Any real page has long grown it; so does this line, for all
// three clients alike, before anything is measured.
for (let i = 0; i < 4096; i++) String(i);

let client = null;
let socket = null;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Resolves with the promise's value, or with `fallback` after `ms`. */
const within = (promise, ms, fallback) => {
  let timer;
  return Promise.race([promise, new Promise((r) => (timer = setTimeout(() => r(fallback), ms)))]).finally(() =>
    clearTimeout(timer),
  );
};

const EVENT = { small: "tick", big: "big" };

window.bench = {
  crossOriginIsolated: () => self.crossOriginIsolated,

  /** Import the client (with its wasm, for ours), connect, and time it all. */
  async load(kind, opts) {
    const t0 = performance.now();
    client = await CLIENTS[kind]();
    const tImported = performance.now();
    socket = client.io(location.origin, opts);
    const connected = new Promise((resolve) => socket.on("connect", () => resolve(true)));
    const ok = await within(connected, 20000, false);
    const t1 = performance.now();
    if (!ok) throw new Error(`${kind}: no connect event within 20 s`);
    return { ms: t1 - t0, importMs: tImported - t0, ...client.marks };
  },

  wasmMemory: () => (client ? client.memory() : 0),
  jsHeap: () => (performance.memory ? performance.memory.usedJSHeapSize : null),

  prepare: (kind, n) => socket.emitWithAck("prepare", kind, n),

  /** Asks the server for a prepared burst and waits for all of its events at one JS callback. */
  async burst(kind, n, timeoutMs) {
    const ev = EVENT[kind];
    let count = 0;
    let expected = 0;
    let outOfOrder = 0;
    let tFirst = 0;
    let tLast = 0;
    let done;
    const finished = new Promise((r) => (done = r));
    const listener = (d) => {
      if (count === 0) tFirst = performance.now();
      if (d.i !== expected) outOfOrder++;
      expected = d.i + 1;
      if (++count === n) {
        tLast = performance.now();
        done(true);
      }
    };
    socket.on(ev, listener);
    const t0 = performance.now();
    socket.emit("burst", kind, n);
    const complete = await within(finished, timeoutMs, false);
    if (!complete) await sleep(500); // let stragglers in, to report how many arrived
    socket.off(ev, listener);
    return { n, received: count, complete, outOfOrder, firstMs: tFirst - t0, totalMs: complete ? tLast - t0 : null };
  },

  /** Sequential acknowledged emits; returns each round trip in µs (after `warm` unmeasured ones). */
  async rtt(n, warm) {
    for (let i = 0; i < warm; i++) await socket.emitWithAck("echo", i);
    const samples = new Array(n);
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const r = await socket.emitWithAck("echo", i);
      samples[i] = (performance.now() - t) * 1000;
      if (r !== i) throw new Error(`echo ${i} acknowledged with ${JSON.stringify(r)}`);
    }
    return samples;
  },

  /** `n` emits in a loop; the server counts them and reports its first-to-last time. */
  async upload(n, timeoutMs) {
    await socket.emitWithAck("upload-start", n);
    let done;
    const reported = new Promise((r) => (done = r));
    socket.on("uploaded", done);
    const t0 = performance.now();
    // In a task of its own: DevTools' ScriptDuration counts tasks, not microtasks or evaluations.
    const tLoop = await new Promise((r) =>
      setTimeout(() => {
        for (let i = 0; i < n; i++) socket.emit("tick", { i, roomId: "r" });
        r(performance.now());
      }, 0),
    );
    let server = await within(reported, timeoutMs, null);
    if (!server) {
      socket.emit("upload-abort");
      server = await within(reported, 5000, { complete: false, count: null });
    }
    const tEnd = performance.now();
    socket.off("uploaded", done);
    return { n, loopMs: tLoop - t0, totalMs: tEnd - t0, server };
  },

  /** Call before the server restarts; `reconnected()` then waits for the next `connect`. */
  armReconnect() {
    const state = { disconnectAt: null, connectAt: null, managerReconnect: false };
    socket.on("disconnect", () => (state.disconnectAt ??= Date.now()));
    if (socket.io && typeof socket.io.on === "function") socket.io.on("reconnect", () => (state.managerReconnect = true));
    this._reconnect = {
      state,
      connected: new Promise((r) =>
        socket.on("connect", () => {
          state.connectAt ??= Date.now();
          r(true);
        }),
      ),
    };
  },
  async reconnected(timeoutMs) {
    const ok = await within(this._reconnect.connected, timeoutMs, false);
    return { ok, ...this._reconnect.state };
  },

  disconnect() {
    if (socket) socket.disconnect();
  },
};
