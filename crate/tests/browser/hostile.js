// Hostile-server scenarios, run by wasm-bindgen-test in real Chromium and Firefox (see
// ../hostile.rs) against tests/fixtures/hostile.mjs (started through the control server).
// Each case checks the events the client reports, that nothing escapes as an uncaught error,
// that the client still answers afterwards (it reconnects and echoes: the wasm did not trap),
// and that wasm memory — and, in Chromium, the JS heap — come back to within a small constant
// of where they were before.
//   ctx.io(url, opts), ctx.control, ctx.memory (the module's WebAssembly.Memory)

/** Wasm memory a case may leave behind: a few allocator pages, nothing proportional to input. */
const WASM_SLACK = 1024 * 1024;
/** JS heap a case may leave behind (measured after garbage collection, Chromium only). */
const HEAP_SLACK = 4 * 1024 * 1024;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function assert(cond, message) {
  if (!cond) throw new Error("assertion failed: " + message);
}

async function hostileUrl(ctx) {
  const res = await fetch(ctx.control + "/hostile", { method: "POST" });
  if (!res.ok) throw new Error("control POST /hostile: " + res.status);
  return (await res.json()).url;
}

/** Records events; `next(ev)` resolves with the arguments of the next one not yet taken. */
function record(target, names) {
  const log = [];
  const waiting = [];
  for (const ev of names) {
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
    next(ev, ms = 10000) {
      const idx = log.findIndex((e) => e.ev === ev && !e.taken);
      if (idx >= 0) {
        log[idx].taken = true;
        return Promise.resolve(log[idx].args);
      }
      return new Promise((resolve, reject) => {
        const w = { ev, resolve };
        w.timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(w), 1);
          const seen = log.map((e) => e.ev).slice(-20);
          reject(new Error(`timed out waiting for "${ev}"; last seen: ${JSON.stringify(seen)}`));
        }, ms);
        waiting.push(w);
      });
    },
  };
}

async function settle() {
  for (let i = 0; i < 4; i++) {
    if (typeof globalThis.gc === "function") globalThis.gc();
    await sleep(30);
  }
}

/** Wasm memory and (where it can be measured after a collection) the JS heap, in bytes. */
async function memory(ctx) {
  await settle();
  const heap =
    typeof globalThis.gc === "function" && performance.memory ? performance.memory.usedJSHeapSize : undefined;
  // Chromium runs with --js-flags=--expose-gc (crate/webdriver.json): there the heap must be measured.
  assert(heap !== undefined || !/Chrome\//.test(navigator.userAgent), "JS heap measurable in Chromium");
  return { wasm: ctx.memory.buffer.byteLength, heap };
}

let runs = 0;

/**
 * Wasm memory when the first case of this page started. Memory never shrinks, so each case is
 * held to it as well as to its own starting point: a case that grew memory cannot be hidden by an
 * earlier one that grew it first.
 */
let firstWasm;

/** A socket on hostile case `kase`; its reconnections reach a healthy session of the same run. */
function open(ctx, url, kase, transport, opts = {}) {
  const run = `${Date.now()}-${++runs}-${Math.random().toString(36).slice(2)}`;
  return ctx.io(url, {
    path: `/${kase}/`,
    query: { run },
    transports: [transport],
    forceNew: true,
    reconnectionDelay: 50,
    reconnectionDelayMax: 100,
    ...opts,
  });
}

/** The client answers: it is connected (or connects) and an echo comes back. */
async function stillWorks(s, ev) {
  if (!s.connected) {
    if (!s.active) s.connect();
    await ev.next("connect");
  }
  s.emit("echo", "alive", 1);
  const args = await ev.next("echo");
  assert(args[0] === "alive" && args[1] === 1, "echo after the hostile input: " + JSON.stringify(args));
}

/**
 * Runs one hostile case: a healthy warm-up connection first (so that lazily allocated state is
 * in the baseline), then `body(s, ev, m)` on a socket facing case `kase`, then the checks common
 * to every case.
 */
async function hostile(ctx, kase, transport, opts, body) {
  const url = await hostileUrl(ctx);
  {
    const warm = open(ctx, url, "normal", transport);
    const ev = record(warm, ["connect", "echo"]);
    await stillWorks(warm, ev);
    warm.disconnect();
  }
  const before = await memory(ctx);
  firstWasm ??= before.wasm;
  const uncaught = [];
  const onError = (e) => uncaught.push(e.error || e.message);
  const onRejection = (e) => uncaught.push(e.reason);
  addEventListener("error", onError);
  addEventListener("unhandledrejection", onRejection);
  let s;
  try {
    s = open(ctx, url, kase, transport, opts);
    const ev = record(s, ["connect", "connect_error", "disconnect", "echo", "tick", "huge", "early", "big", "endless", "cut"]);
    const m = record(s.io, ["error", "ping", "reconnect_attempt"]);
    await body(s, ev, m);
    await stillWorks(s, ev);
  } finally {
    if (s) s.disconnect();
    removeEventListener("error", onError);
    removeEventListener("unhandledrejection", onRejection);
  }
  await sleep(50);
  assert(uncaught.length === 0, "uncaught errors: " + uncaught.map(String).join("; "));
  const after = await memory(ctx);
  const grew = after.wasm - before.wasm;
  assert(grew <= WASM_SLACK, `${kase}/${transport}: wasm memory grew by ${grew} bytes (${before.wasm} → ${after.wasm})`);
  assert(
    after.wasm - firstWasm <= WASM_SLACK,
    `${kase}/${transport}: wasm memory is ${after.wasm} bytes, ${after.wasm - firstWasm} more than when the first case started`,
  );
  if (before.heap !== undefined) {
    const heap = after.heap - before.heap;
    assert(heap <= HEAP_SLACK, `${kase}/${transport}: JS heap grew by ${heap} bytes (${before.heap} → ${after.heap})`);
  }
}

/** The first session fails with an error of `code` reported before/at its end, then reconnection heals. */
async function failsWith(ev, m, code, reason) {
  const [err] = await m.next("error");
  assert(err instanceof Error && err.code === code, `error code ${err && err.code}, expected ${code}: ${err}`);
  if (reason) {
    const [why] = await ev.next("disconnect");
    assert(why === reason, `disconnect reason "${why}", expected "${reason}"`);
  }
  await ev.next("connect");
}

/** A handshake the client must refuse: connect_error PROTOCOL_ERROR, then a healthy reconnection. */
async function refusedHandshake(ctx, kase, transport) {
  await hostile(ctx, kase, transport, {}, async (s, ev) => {
    const [err] = await ev.next("connect_error");
    assert(err.code === "PROTOCOL_ERROR", `connect_error code ${err.code}: ${err.message}`);
    await ev.next("connect");
  });
}

// ---- handshakes ----

export const pingZeroPolling = (ctx) => refusedHandshake(ctx, "ping-zero", "polling");
export const pingZeroWebsocket = (ctx) => refusedHandshake(ctx, "ping-zero", "websocket");
export const pingHugePolling = (ctx) => refusedHandshake(ctx, "ping-huge", "polling");
export const pingHugeWebsocket = (ctx) => refusedHandshake(ctx, "ping-huge", "websocket");
export const handshakeGarbagePolling = (ctx) => refusedHandshake(ctx, "handshake-garbage", "polling");
export const handshakeGarbageWebsocket = (ctx) => refusedHandshake(ctx, "handshake-garbage", "websocket");
export const handshakeNotJsonPolling = (ctx) => refusedHandshake(ctx, "handshake-not-json", "polling");
export const handshakeNotJsonWebsocket = (ctx) => refusedHandshake(ctx, "handshake-not-json", "websocket");

// ---- CONNECT ----

async function noConnectAnswer(ctx, transport) {
  await hostile(ctx, "no-connect-answer", transport, { timeout: 500 }, async (s, ev) => {
    const [err] = await ev.next("connect_error", 5000);
    assert(err.code === "CONNECT_TIMEOUT", `connect_error code ${err.code}`);
    assert(!s.active && !s.connected, "the socket gave up, as after a refusal");
    s.connect(); // the next session of the run answers
    await ev.next("connect");
  });
}
export const noConnectAnswerPolling = (ctx) => noConnectAnswer(ctx, "polling");
export const noConnectAnswerWebsocket = (ctx) => noConnectAnswer(ctx, "websocket");

async function earlyFlood(ctx, transport) {
  await hostile(ctx, "early-flood", transport, {}, async (s, ev, m) => {
    const [err] = await ev.next("connect_error");
    assert(err.code === "TOO_LARGE", `connect_error code ${err.code}: ${err.message}`);
    await ev.next("connect");
    assert(ev.count("early") === 0, "events of the failed session are not delivered");
  });
}
export const earlyFloodPolling = (ctx) => earlyFlood(ctx, "polling");
export const earlyFloodWebsocket = (ctx) => earlyFlood(ctx, "websocket");

// ---- legitimate large traffic ----

async function flood(ctx, transport) {
  await hostile(ctx, "flood", transport, {}, async (s, ev) => {
    await ev.next("connect");
    const end = Date.now() + 60000;
    while (ev.count("tick") < 100000 && Date.now() < end) await sleep(50);
    const ticks = ev.log.filter((e) => e.ev === "tick");
    assert(ticks.length === 100000, `100,000 events delivered, got ${ticks.length}`);
    assert(ticks.every((e, i) => e.args[0] === i), "in order");
    ev.log.length = 0; // let the heap check see them go
  });
}
export const floodOfEventsPolling = (ctx) => flood(ctx, "polling");
export const floodOfEventsWebsocket = (ctx) => flood(ctx, "websocket");

async function hugeEvent(ctx, transport) {
  await hostile(ctx, "huge-event", transport, {}, async (s, ev) => {
    await ev.next("connect");
    const [text] = await ev.next("huge", 30000);
    assert(typeof text === "string" && text.length === 20 * 1024 * 1024, `20 MB event, got ${text && text.length}`);
    ev.log.length = 0;
  });
}
export const twentyMegabyteEventPolling = (ctx) => hugeEvent(ctx, "polling");
export const twentyMegabyteEventWebsocket = (ctx) => hugeEvent(ctx, "websocket");

export async function twoMegabytesOfTinyRecordsPolling(ctx) {
  await hostile(ctx, "small-garbage-2mb", "polling", {}, async (s, ev, m) => {
    await ev.next("connect");
    const end = Date.now() + 60000;
    while (m.count("ping") < 350000 && Date.now() < end) await sleep(50);
    assert(m.count("ping") === 350000, `every ping seen, got ${m.count("ping")}`);
    assert(s.connected, "still connected");
    m.log.length = 0;
  });
}

// ---- bodies and frames that never end or end too early ----

async function endless(ctx, kase, transport, opts, code, reason) {
  await hostile(ctx, kase, transport, opts, async (s, ev, m) => {
    await ev.next("connect");
    if (code) return failsWith(ev, m, code, reason);
    const [why] = await ev.next("disconnect", 15000);
    assert(why === reason, `disconnect reason "${why}", expected "${reason}"`);
    await ev.next("connect");
  });
}
export const endlessBodyPolling = (ctx) => endless(ctx, "endless-body", "polling", {}, null, "ping timeout");
export const endlessRecordPolling = (ctx) => endless(ctx, "endless-record", "polling", {}, null, "ping timeout");
export const endlessRecordOverLimitPolling = (ctx) =>
  endless(ctx, "endless-record", "polling", { maxMessageSize: 1024 * 1024 }, "TOO_LARGE", "transport error");
export const endlessMessageWebsocket = (ctx) => endless(ctx, "endless-record", "websocket", {}, null, "ping timeout");

async function midFrameClose(ctx, transport, reasons) {
  await hostile(ctx, "mid-frame-close", transport, {}, async (s, ev) => {
    await ev.next("connect");
    const [why] = await ev.next("disconnect");
    assert(reasons.includes(why), `disconnect reason "${why}", expected one of ${reasons}`);
    await ev.next("connect");
    assert(ev.count("cut") === 0, "nothing of the cut frame is delivered");
  });
}
export const midFrameClosePolling = (ctx) => midFrameClose(ctx, "polling", ["transport error"]);
// Browsers differ on whether a connection dying mid-message also fires `error`.
export const midFrameCloseWebsocket = (ctx) => midFrameClose(ctx, "websocket", ["transport close", "transport error"]);

// ---- malformed packets, attachments, limits ----

async function protocolError(ctx, kase, transport, reason, opts = {}, code = "PROTOCOL_ERROR") {
  await hostile(ctx, kase, transport, opts, async (s, ev, m) => {
    await ev.next("connect");
    await failsWith(ev, m, code, reason);
  });
}
export const malformedPacketsPolling = (ctx) => protocolError(ctx, "malformed", "polling", "parse error");
export const malformedPacketsWebsocket = (ctx) => protocolError(ctx, "malformed", "websocket", "parse error");
export const missingAttachmentsPolling = (ctx) => protocolError(ctx, "bad-attachments", "polling", "parse error");
export const missingAttachmentsWebsocket = (ctx) => protocolError(ctx, "bad-attachments", "websocket", "parse error");
export const tooManyAttachmentsPolling = (ctx) => protocolError(ctx, "too-many-attachments", "polling", "parse error");
export const tooManyAttachmentsWebsocket = (ctx) =>
  protocolError(ctx, "too-many-attachments", "websocket", "parse error");
export const badBase64Polling = (ctx) => protocolError(ctx, "bad-base64", "polling", "transport error");
export const badBase64Websocket = (ctx) => protocolError(ctx, "bad-base64", "websocket", "transport error");
export const longControlPacketPolling = (ctx) => protocolError(ctx, "long-control", "polling", "transport error");
export const longControlPacketWebsocket = (ctx) => protocolError(ctx, "long-control", "websocket", "transport error");
export const messageOverLimitPolling = (ctx) =>
  protocolError(ctx, "big-message", "polling", "transport error", { maxMessageSize: 1024 * 1024 }, "TOO_LARGE");
export const messageOverLimitWebsocket = (ctx) =>
  protocolError(ctx, "big-message", "websocket", "transport error", { maxMessageSize: 1024 * 1024 }, "TOO_LARGE");

export async function messageUnderTheDefaultLimitIsDelivered(ctx) {
  await hostile(ctx, "big-message", "websocket", {}, async (s, ev) => {
    await ev.next("connect");
    const [text] = await ev.next("big");
    assert(text.length === 2 * 1024 * 1024, "delivered whole");
    ev.log.length = 0;
  });
}

async function longOffset(ctx, transport) {
  await hostile(ctx, "long-offset", transport, {}, async (s, ev) => {
    await ev.next("connect");
    const [text] = await ev.next("tick");
    assert(text.length === 4 * 1024 * 1024, "delivered whole");
    ev.log.length = 0;
  });
}
export const longRecoveryOffsetPolling = (ctx) => longOffset(ctx, "polling");
export const longRecoveryOffsetWebsocket = (ctx) => longOffset(ctx, "websocket");

// ---- the ElizaOS layer ----

export async function elizaEventsAndRestBodiesAreBounded(ctx) {
  const url = await hostileUrl(ctx);
  const before = await memory(ctx);
  firstWasm ??= before.wasm;
  const run = `eliza-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const client = ctx.eliza({
    serverUrl: url + "/eliza",
    socket: { path: "/eliza/", query: { run }, transports: ["websocket"] },
  });
  try {
    const errors = [];
    client.on("error", (e) => errors.push(e));
    const end = Date.now() + 10000;
    while (!errors.length && Date.now() < end) await sleep(25);
    assert(errors.length === 1, "one error event for the oversized broadcast, got " + errors.length);
    assert(errors[0].error.code === "BAD_RESPONSE" && /1 MiB/.test(errors[0].error.message), JSON.stringify(errors[0]));
    const err = await client.agents().then(
      () => null,
      (e) => e,
    );
    assert(err && err.code === "BAD_RESPONSE" && /larger than/.test(err.message), "REST body over the limit: " + err);
    assert(client.connected, "the connection is untouched");
  } finally {
    client.disconnect();
  }
  const after = await memory(ctx);
  const grew = after.wasm - before.wasm;
  assert(grew <= WASM_SLACK && after.wasm - firstWasm <= WASM_SLACK, `wasm memory grew by ${grew} bytes`);
  if (before.heap !== undefined) assert(after.heap - before.heap <= HEAP_SLACK, `JS heap grew by ${after.heap - before.heap}`);
}

/** A SEND_MESSAGE acknowledgement answered with 2 MB: refused like an oversized event, the
 * message counts as acknowledged, and the reply never enters wasm memory. */
export async function elizaAckReplyIsBounded(ctx) {
  const url = await hostileUrl(ctx);
  const channel = "5f1c6c9e-6a57-4f0e-9a57-3f1c2b9d8e02";
  const run = `eliza-ack-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const opts = {
    serverUrl: url + "/eliza-ack",
    rest: false,
    socket: { path: "/eliza-ack/", query: { run }, transports: ["websocket"] },
  };
  {
    // A warm-up client on the same server with a normal reply, so that lazily allocated state
    // is in the baseline.
    const warm = ctx.eliza({ ...opts, socket: { ...opts.socket, path: "/normal/" } });
    const end = Date.now() + 10000;
    while (!warm.connected && Date.now() < end) await sleep(25);
    warm.join(channel, { history: false });
    warm.send(channel, "warm");
    await sleep(200);
    warm.free();
  }
  const before = await memory(ctx);
  firstWasm ??= before.wasm;
  const uncaught = [];
  const onError = (e) => uncaught.push(e.error || e.message);
  addEventListener("error", onError);
  const client = ctx.eliza(opts);
  try {
    const errors = [];
    const acks = [];
    client.on("error", (e) => errors.push(e));
    client.on("ack", (e) => acks.push(e));
    let end = Date.now() + 10000;
    while (!client.connected && Date.now() < end) await sleep(25);
    assert(client.connected, "connected");
    client.join(channel, { history: false });
    const id = client.send(channel, "hello");
    end = Date.now() + 10000;
    while (!errors.length && Date.now() < end) await sleep(25);
    assert(errors.length === 1, "one error event for the oversized reply, got " + errors.length);
    assert(errors[0].error.code === "BAD_RESPONSE" && /1 MiB/.test(errors[0].error.message), JSON.stringify(errors[0]));
    end = Date.now() + 5000;
    while (!acks.length && Date.now() < end) await sleep(25);
    assert(acks.length === 1 && acks[0].clientMessageId === id, "the message is acknowledged: " + JSON.stringify(acks));
    assert(client.outbox().length === 0, "nothing left in the outbox");
    assert(client.connected, "the connection is untouched");
  } finally {
    client.free();
    removeEventListener("error", onError);
  }
  assert(uncaught.length === 0, "uncaught: " + uncaught.map(String).join("; "));
  const after = await memory(ctx);
  const grew = after.wasm - before.wasm;
  assert(grew <= WASM_SLACK && after.wasm - firstWasm <= WASM_SLACK, `wasm memory grew by ${grew} bytes`);
  if (before.heap !== undefined) assert(after.heap - before.heap <= HEAP_SLACK, `JS heap grew by ${after.heap - before.heap}`);
}
