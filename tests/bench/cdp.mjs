// A minimal Chrome DevTools Protocol client for the benchmark's pages.
//
// Why not Playwright's own Page: Playwright enables the Network domain in every page it manages,
// so Chromium reports each WebSocket frame to it (network service → browser → Playwright, and the
// renderer's inspector too). With 100,000 frames a burst that costs several CPU-seconds in the
// browser process and caps every client near 20,000 events/s, which would measure DevTools rather
// than the clients. Playwright still launches and closes the browser; the pages live in browser
// contexts Playwright does not know (it detaches from those), driven over this plain CDP connection
// with only Page, Runtime, Log, Performance and HeapProfiler enabled.

import WebSocket from "ws";

export class CdpConnection {
  /** Connects to the browser target of a Chromium started with --remote-debugging-port. */
  static async connect(port) {
    const version = await (await fetch(`http://127.0.0.1:${port}/json/version`)).json();
    const ws = new WebSocket(version.webSocketDebuggerUrl, { perMessageDeflate: false, maxPayload: 1 << 30 });
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    return new CdpConnection(ws);
  }

  constructor(ws) {
    this.ws = ws;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Set();
    ws.on("message", (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}${msg.error.data ? " (" + msg.error.data + ")" : ""}`));
        else p.resolve(msg.result);
      } else {
        for (const fn of this.listeners) fn(msg);
      }
    });
    ws.on("close", () => {
      for (const p of this.pending.values()) p.reject(new Error(`${p.method}: DevTools connection closed`));
      this.pending.clear();
    });
  }

  send(method, params = {}, sessionId) {
    const id = this.nextId++;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.ws.send(JSON.stringify(msg));
    });
  }

  /** fn({method, params, sessionId}) for every event; returns a remover. */
  onEvent(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  close() {
    this.ws.close();
  }

  /** A new page in a new browser context (its own renderer process, cache and storage). */
  async newPage() {
    const { browserContextId } = await this.send("Target.createBrowserContext", { disposeOnDetach: true });
    const { targetId } = await this.send("Target.createTarget", { url: "about:blank", browserContextId });
    const { sessionId } = await this.send("Target.attachToTarget", { targetId, flatten: true });
    return new CdpPage(this, browserContextId, targetId, sessionId);
  }
}

export class CdpPage {
  constructor(conn, browserContextId, targetId, sessionId) {
    this.conn = conn;
    this.browserContextId = browserContextId;
    this.targetId = targetId;
    this.sessionId = sessionId;
    this.errors = [];
    this.waiters = new Set();
    this.removeListener = conn.onEvent((msg) => {
      if (msg.sessionId !== sessionId) return;
      const { method, params } = msg;
      if (method === "Runtime.exceptionThrown") {
        const d = params.exceptionDetails;
        this.errors.push(`uncaught: ${d.exception?.description || d.text}`);
      } else if (method === "Runtime.consoleAPICalled" && (params.type === "error" || params.type === "warning")) {
        this.errors.push(`console.${params.type}: ${params.args.map((a) => a.value ?? a.description).join(" ")}`);
      } else if (method === "Log.entryAdded" && (params.entry.level === "error" || params.entry.level === "warning")) {
        this.errors.push(`${params.entry.source}: ${params.entry.text}`);
      }
      for (const w of this.waiters) w(method, params);
    });
  }

  send(method, params) {
    return this.conn.send(method, params, this.sessionId);
  }

  waitForEvent(name, timeoutMs = 30000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`no ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      const w = (method, params) => {
        if (method !== name) return;
        clearTimeout(timer);
        this.waiters.delete(w);
        resolve(params);
      };
      this.waiters.add(w);
    });
  }

  async goto(url) {
    await Promise.all([this.send("Page.enable"), this.send("Runtime.enable"), this.send("Log.enable")]);
    const loaded = this.waitForEvent("Page.loadEventFired");
    const nav = await this.send("Page.navigate", { url });
    if (nav.errorText) throw new Error(`navigation to ${url} failed: ${nav.errorText}`);
    await loaded;
  }

  /** Calls `fn(...args)` in the page (awaiting a returned promise); returns its JSON value. */
  async evaluate(fn, ...args) {
    const expression = `(${fn})(...${JSON.stringify(args)})`;
    const r = await this.send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) {
      const d = r.exceptionDetails;
      throw new Error(d.exception?.description || d.text);
    }
    return r.result.value;
  }

  /** Polls until `fn()` is truthy in the page. */
  async waitFor(fn, timeoutMs = 10000) {
    const until = Date.now() + timeoutMs;
    while (!(await this.evaluate(fn))) {
      if (Date.now() > until) throw new Error(`page condition not met within ${timeoutMs} ms: ${fn}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close() {
    this.removeListener();
    await this.conn.send("Target.disposeBrowserContext", { browserContextId: this.browserContextId }).catch(() => {});
  }
}
