// The popup's line to the background: requests with replies, and pushed updates.
//
// The background may stop and start again (Chrome stops idle service workers, or a test stops
// it): the port then closes, requests in flight fail, and a new port is opened at once —
// connecting is also what wakes the background up. `onReconnect` listeners re-sync the view.
import { ext } from "../lib/browser.js";
import { PORT_NAME } from "../lib/protocol.js";

export class BackgroundPort {
  constructor() {
    this.nextRid = 1;
    this.waiting = new Map();
    this.pushListeners = new Set();
    this.reconnectListeners = new Set();
    this.lastConnect = 0;
    this.open();
  }

  open() {
    this.lastConnect = Date.now();
    try {
      this.port = ext.runtime.connect({ name: PORT_NAME });
    } catch (error) {
      // The background is between two lives: try again shortly.
      console.warn("ElizaOS Chat: cannot reach the background yet", error);
      this.port = null;
      this.closed();
      return false;
    }
    this.port.onMessage.addListener((message) => this.receive(message));
    this.port.onDisconnect.addListener(() => this.closed());
    return true;
  }

  closed() {
    this.port = null;
    for (const { reject } of this.waiting.values()) {
      reject(Object.assign(new Error("The background restarted; try again."), { code: "RESTARTED" }));
    }
    this.waiting.clear();
    // A background that keeps failing at once is not hammered.
    const delay = Date.now() - this.lastConnect < 1000 ? 1000 : 0;
    setTimeout(() => {
      if (!this.open()) return;
      for (const listener of this.reconnectListeners) listener();
    }, delay);
  }

  receive(message) {
    if (message.rid !== undefined) {
      const waiter = this.waiting.get(message.rid);
      this.waiting.delete(message.rid);
      if (!waiter) return;
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
    } else if (message.push) {
      for (const listener of this.pushListeners) listener(message);
    }
  }

  /** Sends a request; resolves with its result or rejects with an Error carrying `code`. */
  request(type, args = {}) {
    const rid = this.nextRid++;
    return new Promise((resolve, reject) => {
      this.waiting.set(rid, { resolve, reject });
      try {
        if (!this.port) throw Object.assign(new Error("The background is restarting; try again."), { code: "RESTARTED" });
        this.port.postMessage({ rid, type, ...args });
      } catch (error) {
        this.waiting.delete(rid);
        reject(error);
      }
    });
  }

  onPush(listener) {
    this.pushListeners.add(listener);
  }

  onReconnect(listener) {
    this.reconnectListeners.add(listener);
  }
}
