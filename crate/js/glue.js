// Browser glue for the wasm core, imported by the Rust drivers (crate/src/web/glue.rs).
//
// It only moves values across the JS/wasm boundary; every protocol decision is made in Rust.
// It exists because some work is cheapest where the values live:
// - WebSocket and fetch callbacks: one call into wasm per frame, with the frame's first HEAD
//   bytes written straight into a buffer in wasm memory (the Socket.IO header) and the frame
//   itself passed by reference;
// - event arguments: JSON.parse / JSON.stringify and listener calls happen here, so a frame's
//   JSON is never copied through wasm memory;
// - binary arguments: found and replaced by placeholders (and back) in the JS values.

const encoder = new TextEncoder();

const RESERVED = new Set([
  "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener",
]);

// ---- time ----

/**
 * Milliseconds for the core's timers: `performance.now()` (pages, workers and service workers),
 * which never steps when the system clock is set, counted from `performance.timeOrigin` so that
 * readings stay close to Unix time. `Date.now()` only where there is no `performance`.
 */
export function monotonicNow() {
  return perf ? timeOrigin + perf.now() : Date.now();
}

// Looked up once: called for every frame and every emit, and `performance.timeOrigin` (a DOM
// getter, constant for the life of a global) cost more than `performance.now()` itself.
const perf = typeof performance === "object" && performance && typeof performance.now === "function" ? performance : null;
const timeOrigin = (perf && perf.timeOrigin) || 0;

// ---- transports ----

/**
 * Hands one text frame (a WebSocket message, or one record of a polling body) to the core: its
 * first bytes are written into the header buffer in wasm memory, the frame itself is passed by
 * reference and never copied into wasm memory. For a plain event the core answers where to
 * deliver it, and it is delivered here.
 */
function feedText(h, id, d) {
  let v = h.view;
  if (v.byteLength === 0) v = h.view = new Uint8Array(h.memory.buffer, h.head, h.headLen);
  // Copy the header: ASCII in a plain loop (no allocation), anything else via encodeInto
  // (which writes whole characters only).
  const n = d.length < v.length ? d.length : v.length;
  let i = 0;
  for (; i < n; i++) {
    const c = d.charCodeAt(i);
    if (c > 0x7f) break;
    v[i] = c;
  }
  let whole = i === d.length;
  if (i < n) {
    const { read, written } = encoder.encodeInto(d, v);
    i = written;
    whole = read === d.length;
  }
  const r = h.text(id, d, i, whole, monotonicNow());
  if (r >= 0 && deliverEvent(h.sockets[Math.floor(r / 4294967296)], d, r % 4294967296) === false) h.invalid();
}

function headerView(h) {
  // h.memory, h.head, h.headLen: the wasm memory and the buffer in it that receives the start of
  // each text frame (its Socket.IO header). A view onto it goes stale when the memory grows.
  if (!h.view || h.view.byteLength === 0) h.view = new Uint8Array(h.memory.buffer, h.head, h.headLen);
}

/** Opens a WebSocket whose events go to the handler functions `h` (Rust closures). */
export function wsOpen(id, url, h) {
  const ws = new WebSocket(url);
  headerView(h);
  ws.binaryType = "arraybuffer";
  ws.onopen = () => h.open(id, monotonicNow());
  ws.onmessage = (e) => {
    const d = e.data;
    if (typeof d === "string") feedText(h, id, d);
    else h.binary(id, d, monotonicNow());
  };
  ws.onerror = () => h.down(id, true, "websocket error", monotonicNow());
  ws.onclose = (e) =>
    h.down(id, false, "websocket closed (code " + e.code + (e.reason ? ": " + e.reason : "") + ")", monotonicNow());
  return ws;
}

/**
 * Sends a text frame made of a header and an optional JSON body (from `start`). Returns false,
 * the error kept for `takeThrown`, when `send` throws.
 */
export function wsSendText(ws, head, body, start) {
  try {
    ws.send(body === undefined ? head : head + (start ? body.slice(start) : body));
    return true;
  } catch (e) {
    thrown = e;
    return false;
  }
}

// What the last call that returned a failure (false, undefined) threw; read by `takeThrown`.
// The hot calls report failure this way rather than as wasm-bindgen `catch` imports, whose
// wrapper made a closure over `arguments` for every call.
let thrown;

export function takeThrown() {
  const e = thrown;
  thrown = undefined;
  return e;
}

export function wsSendBinary(ws, data) {
  ws.send(data);
}

/** Closes a WebSocket without reporting anything more about it. */
export function wsClose(ws) {
  ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
  try {
    ws.close();
  } catch (_) {
    // Already closing: nothing left to do.
  }
}

/**
 * One polling request with fetch (works in windows, workers and service workers, unlike
 * XMLHttpRequest). A GET's body is read as a stream and split on the record separator as it
 * arrives: each record goes to the core like a WebSocket frame (`feedText`, or `h.binary` for
 * `b<base64>`), so neither the body nor its records are ever copied whole into wasm memory, and
 * a record growing past `h.maxMessage` is refused before it is complete. Reports the end with
 * `h.done(tag, ok, error)`; returns the request's AbortController. `tag` is the transport id
 * times two, plus one for a POST.
 */
export function httpRequest(tag, url, body, withCredentials, h) {
  const ctrl = new AbortController();
  const init = {
    method: body === undefined ? "GET" : "POST",
    credentials: withCredentials ? "include" : "omit",
    cache: "no-store",
    signal: ctrl.signal,
  };
  if (body !== undefined) {
    init.body = body;
    init.headers = { "content-type": "text/plain;charset=UTF-8" };
  }
  const fail = (e) => {
    if (!ctrl.signal.aborted) h.done(tag, false, String((e && e.message) || e), monotonicNow());
  };
  fetch(url, init)
    .then((res) => {
      if (!res.ok) {
        if (res.body) res.body.cancel().catch(() => {});
        return h.done(tag, false, "HTTP " + res.status + " " + res.statusText, monotonicNow());
      }
      // A POST's answer ("ok") says nothing the status does not: never read it.
      if (body !== undefined) {
        if (res.body) res.body.cancel().catch(() => {});
        return h.done(tag, true, undefined, monotonicNow());
      }
      headerView(h);
      return readPoll(res, tag / 2, h, ctrl).then((complete) => {
        if (complete) h.done(tag, true, undefined, monotonicNow());
      });
    })
    .catch(fail);
  return ctrl;
}

const SEPARATOR = "\x1e";

/**
 * Feeds the records of a polling body to the core as they stream in. Resolves true when the
 * body ended and every record was handed over, false when the core stopped it (closed the
 * transport, or a record was refused).
 */
async function readPoll(res, id, h, ctrl) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  // The unfinished record: its pieces, joined only once its end is seen (no quadratic copying).
  let pieces = [];
  let pending = 0;
  const record = (d) => {
    if (d.length === 0) h.bad(id, 0, monotonicNow());
    else if (d.charCodeAt(0) === 98 /* b */) {
      const bytes = base64Bytes(d);
      if (bytes === undefined) h.bad(id, 1, monotonicNow());
      else h.binary(id, bytes.buffer, monotonicNow());
    } else feedText(h, id, d);
    return !ctrl.signal.aborted;
  };
  const chunk = (text) => {
    let from = 0;
    for (let at = text.indexOf(SEPARATOR); at >= 0; at = text.indexOf(SEPARATOR, from)) {
      let d = text.slice(from, at);
      if (pieces.length) {
        pieces.push(d);
        d = pieces.join("");
        pieces = [];
        pending = 0;
      }
      from = at + 1;
      if (!record(d)) return false;
    }
    if (from < text.length) {
      pieces.push(from ? text.slice(from) : text);
      pending += text.length - from;
      // UTF-16 units: more of them than maxMessage means more bytes than that too.
      if (pending > h.maxMessage) {
        h.bad(id, 2, monotonicNow());
        return false;
      }
    }
    return true;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (ctrl.signal.aborted) return false;
      if (done) break;
      if (!chunk(decoder.decode(value, { stream: true }))) return false;
    }
    const tail = decoder.decode();
    if (tail && !chunk(tail)) return false;
    return record(pieces.join(""));
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** The bytes of a polling `b<base64>` record, or undefined when it is not valid base64. */
function base64Bytes(d) {
  let bin;
  try {
    bin = atob(d.slice(1));
  } catch (_) {
    return undefined;
  }
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

// ---- payload values ----

/** The text of a payload (`text` from UTF-16 offset `start`). */
export function textSlice(text, start) {
  return start ? text.slice(start) : text;
}

/** Whether a payload (from `start`) is longer than `limit` UTF-8 bytes, counting only when needed. */
export function utf8Exceeds(text, start, limit) {
  const units = text.length - start;
  if (units > limit) return true; // every UTF-16 unit is at least one byte
  if (units * 3 <= limit) return false; // and at most three
  return utf8Length(text, start) > limit;
}

/** At most `max` UTF-16 units of a payload, from `start`. */
export function textPrefix(text, start, max) {
  return text.slice(start, start + max);
}

/** UTF-16 units of a payload from `start`. */
export function textUnits(text, start) {
  return text.length - start;
}

/** Size of an attachment in bytes. */
export function binaryLength(v) {
  return v.byteLength === undefined ? (v.size ?? 0) : v.byteLength;
}

/** UTF-8 size of a payload, for polling's maxPayload accounting. */
export function utf8Length(text, start) {
  let n = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function isBinary(v) {
  return v instanceof ArrayBuffer || ArrayBuffer.isView(v) || (typeof Blob !== "undefined" && v instanceof Blob);
}

function hasBinary(v, depth) {
  if (!v || typeof v !== "object" || depth > 64) return false;
  if (isBinary(v)) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (hasBinary(v[i], depth + 1)) return true;
    return false;
  }
  if (typeof v.toJSON === "function") return false;
  for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k) && hasBinary(v[k], depth + 1)) return true;
  return false;
}

/** Replaces binary values by `{_placeholder:true,num:i}`, collecting them in `out`. */
function deconstruct(v, out) {
  if (!v || typeof v !== "object") return v;
  if (isBinary(v)) {
    out.push(v);
    return { _placeholder: true, num: out.length - 1 };
  }
  if (Array.isArray(v)) return v.map((x) => deconstruct(x, out));
  if (typeof v.toJSON === "function") return v;
  const copy = {};
  for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k)) copy[k] = deconstruct(v[k], out);
  return copy;
}

/** Puts attachments back where their placeholders are; throws on a bad placeholder. */
function reconstruct(v, attachments) {
  if (!v || typeof v !== "object") return v;
  if (v._placeholder === true) {
    if (typeof v.num === "number" && v.num >= 0 && v.num < attachments.length) return attachments[v.num];
    throw new Error("illegal attachments");
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = reconstruct(v[i], attachments);
  } else {
    for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k)) v[k] = reconstruct(v[k], attachments);
  }
  return v;
}

/** Bytes of an attachment, for polling's base64 form. */
export function binaryBytes(v) {
  return v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * Encodes `args` (the event name or nothing, then arguments) as packet data.
 * Returns the JSON text when there is no binary, else `[text, attachments]`.
 * Throws like JSON.stringify does (cycles, BigInt).
 */
export function encodeArgs(args) {
  if (!hasBinary(args, 0)) return JSON.stringify(args);
  const attachments = [];
  const text = JSON.stringify(deconstruct(args, attachments));
  return [text, attachments];
}

/**
 * Prepares an emit: validates the event name, splits off a trailing callback, and encodes
 * `[ev, ...args]`. Returns the JSON text when there is neither callback nor binary (the common
 * case, one string across the boundary), else `[text, attachments | undefined, callback | undefined]`.
 * Returns undefined, the error kept for `takeThrown`, on a bad name and where JSON.stringify
 * throws (cycles, BigInt).
 */
export function encodeEmit(ev, args) {
  try {
    if (typeof ev !== "string" && typeof ev !== "number") {
      throw new TypeError("event name must be a string, got " + typeof ev);
    }
    if (RESERVED.has(ev)) throw new Error('"' + ev + '" is a reserved event name');
    const ack = args.length && typeof args[args.length - 1] === "function" ? args.pop() : undefined;
    args.unshift(ev);
    const encoded = encodeArgs(args);
    if (ack === undefined && typeof encoded === "string") return encoded;
    return typeof encoded === "string" ? [encoded, undefined, ack] : [encoded[0], encoded[1], ack];
  } catch (e) {
    thrown = e;
    return undefined;
  }
}

/** A callback and a promise settled by it with (err, value), for emitWithAck. */
export function promiseAck() {
  let fn;
  const promise = new Promise((resolve, reject) => {
    fn = (err, value) => (err ? reject(err) : resolve(value));
  });
  return [promise, fn];
}

// ---- delivery to listeners ----

function report(e) {
  // A throwing listener must not disturb the connection or the other listeners.
  if (typeof reportError === "function") reportError(e);
  else setTimeout(() => {
    throw e;
  });
}

function call(fn, self, args) {
  try {
    fn.apply(self, args);
  } catch (e) {
    report(e);
  }
}

/** Event listeners of one socket or manager. */
export class Listeners {
  constructor() {
    this.map = new Map();
    this.any = [];
    this.anyOut = [];
  }

  on(ev, fn, once, prepend) {
    if (typeof fn !== "function") throw new TypeError("listener must be a function");
    let list = this.map.get(ev);
    if (!list) this.map.set(ev, (list = []));
    const entry = once ? onceWrapper(this, ev, fn) : fn;
    if (prepend) list.unshift(entry);
    else list.push(entry);
    return () => this.off(ev, fn);
  }

  off(ev, fn) {
    if (ev === undefined) return this.map.clear();
    if (fn === undefined) return this.map.delete(ev);
    const list = this.map.get(ev);
    if (!list) return;
    const i = list.findIndex((l) => l === fn || l.listener === fn);
    if (i >= 0) list.splice(i, 1);
    if (!list.length) this.map.delete(ev);
  }

  listeners(ev) {
    return (this.map.get(ev) || []).map((l) => l.listener || l);
  }

  addAny(outgoing, fn, prepend) {
    if (typeof fn !== "function") throw new TypeError("listener must be a function");
    const list = outgoing ? this.anyOut : this.any;
    if (prepend) list.unshift(fn);
    else list.push(fn);
    return () => this.removeAny(outgoing, fn);
  }

  removeAny(outgoing, fn) {
    const list = outgoing ? this.anyOut : this.any;
    if (fn === undefined) list.length = 0;
    else {
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    }
  }

  /** Emits a lifecycle event (connect, disconnect, …) with explicit arguments. */
  emit(ev, a, b) {
    const list = this.map.get(ev);
    if (!list) return;
    const args = arguments.length > 2 ? [a, b] : arguments.length > 1 ? [a] : [];
    for (const fn of list.slice()) call(fn, undefined, args);
  }

  /** Calls catch-all listeners with the whole args, then the event's listeners. */
  emitEvent(args) {
    if (this.any.length) for (const fn of this.any.slice()) call(fn, undefined, args);
    const list = this.map.get(args[0]);
    if (!list) return;
    if (list.length === 1) return call(list[0], undefined, args.slice(1));
    const rest = args.slice(1);
    for (const fn of list.slice()) call(fn, undefined, rest);
  }

  /** Tells outgoing catch-all listeners about a packet's data (JSON text). */
  emitOutgoing(text, start) {
    if (!this.anyOut.length) return;
    const args = JSON.parse(start ? text.slice(start) : text);
    for (const fn of this.anyOut.slice()) call(fn, undefined, args);
  }
}

function onceWrapper(target, ev, fn) {
  const w = function (...args) {
    target.off(ev, w);
    return fn.apply(this, args);
  };
  w.listener = fn;
  return w;
}

/**
 * Delivers a server event: parses its JSON (`text` from offset `start`), restores attachments,
 * appends an ack function when the server asked for one, and calls the listeners.
 * Returns false when the data is not a valid event, else the last argument when it is a string
 * (the recovery offset) or true.
 */
export function deliverEvent(target, text, start, attachments, ackId, acker) {
  let args;
  try {
    args = JSON.parse(start ? text.slice(start) : text);
    if (!Array.isArray(args) || !args.length) return false;
    if (attachments !== undefined) args = reconstruct(args, attachments);
  } catch (_) {
    return false;
  }
  const last = args[args.length - 1];
  if (ackId >= 0) {
    let sent = false;
    args.push((...reply) => {
      if (sent) return;
      sent = true;
      acker(ackId, reply);
    });
  }
  target.emitEvent(args);
  return typeof last === "string" ? last : true;
}

/**
 * Settles an emit's acknowledgement callback: with the server's arguments (JSON text from
 * `start`, attachments restored), or with `error`. Callbacks without an error parameter are not
 * called on failure, as in socket.io-client. Returns false when the data is invalid.
 */
export function settleAck(fn, withError, error, text, start, attachments) {
  if (error !== undefined) {
    if (withError) call(fn, undefined, [error]);
    return true;
  }
  let args;
  try {
    args = JSON.parse(start ? text.slice(start) : text);
    if (!Array.isArray(args)) return false;
    if (attachments !== undefined) args = reconstruct(args, attachments);
  } catch (_) {
    return false;
  }
  if (withError) args.unshift(null);
  call(fn, undefined, args);
  return true;
}

/** Parses JSON text from the server (e.g. connect_error data); undefined when invalid. */
export function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch (_) {
    return undefined;
  }
}

/** An Error with a `code` (and optional `data`), as thrown and emitted by this library. */
export function makeError(message, code, data) {
  const e = new Error(message);
  e.code = code;
  if (data !== undefined) e.data = data;
  return e;
}

/** Reports an exception thrown by user code outside any listener. */
export function reportException(e) {
  report(e);
}

// ---- REST (ElizaOS layer) ----

/** Largest REST response body read (bytes): the body is decoded in wasm memory, which never shrinks. */
const REST_MAX_BYTES = 4 * 1024 * 1024;

/** A response's body as text, or undefined when it is larger than `max` bytes (reading stops there). */
async function readCapped(res, max) {
  if (Number(res.headers.get("content-length")) > max) {
    if (res.body) res.body.cancel().catch(() => {});
    return undefined;
  }
  if (!res.body) return res.text();
  const reader = res.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/**
 * A JSON API request. Resolves with `[status, bodyText]` whatever the status, or with
 * `[status, undefined, why]` when the body is over REST_MAX_BYTES; rejects only when the server
 * cannot be reached (or on timeout, or when `owner`, the AbortController of the client's
 * requests, is aborted), with the platform's error.
 */
export async function httpJson(method, url, apiKey, body, timeoutMs, owner) {
  const headers = { accept: "application/json" };
  if (apiKey) headers["X-API-KEY"] = apiKey;
  if (body !== undefined) headers["content-type"] = "application/json";
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  const stop = () => ctrl.abort();
  owner.signal.addEventListener("abort", stop);
  if (owner.signal.aborted) ctrl.abort();
  try {
    // redirect "error": a redirect must never carry X-API-KEY to another origin.
    const res = await fetch(url, { method, headers, body, cache: "no-store", credentials: "omit", redirect: "error", signal: ctrl.signal });
    const text = await readCapped(res, REST_MAX_BYTES);
    if (text === undefined) return [res.status, undefined, "response body larger than " + REST_MAX_BYTES + " bytes"];
    return [res.status, text];
  } catch (e) {
    if (owner.signal.aborted) throw new Error("the client was freed");
    throw ctrl.signal.aborted ? new Error("no answer within " + timeoutMs + " ms") : e;
  } finally {
    clearTimeout(timer);
    owner.signal.removeEventListener("abort", stop);
  }
}

/** An AbortController, for the requests a client owns. */
export function abortController() {
  return new AbortController();
}

/** A random v4 UUID (crypto.randomUUID where available). */
export function randomUuid() {
  if (typeof crypto !== "undefined" && crypto.randomUUID) return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
