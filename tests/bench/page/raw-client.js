// "The practical limit": a hand-written client over a bare WebSocket that speaks just enough
// Engine.IO v4 / Socket.IO v5 for the benchmark (main namespace, text frames, events and acks,
// ping → pong, reconnection after a fixed delay). Not a general client: no binary, no namespaces,
// no buffering while disconnected.

export function io(url, opts = {}) {
  return new RawSocket(url, opts);
}

class RawSocket {
  constructor(url, opts) {
    const u = new URL(url, location.href);
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    u.pathname = "/socket.io/";
    u.search = "?EIO=4&transport=websocket";
    this.url = u.href;
    this.delay = opts.reconnectionDelay ?? 1000;
    this.listeners = new Map();
    this.acks = new Map();
    this.nextId = 0;
    this.connected = false;
    this.closed = false;
    this.id = undefined;
    this.open();
  }

  open() {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onmessage = (e) => this.onFrame(e.data);
    ws.onclose = () => {
      if (this.ws !== ws) return;
      const was = this.connected;
      this.connected = false;
      if (was) this.fire("disconnect", ["transport close"]);
      if (!this.closed) setTimeout(() => this.open(), this.delay);
    };
  }

  onFrame(d) {
    const eio = d.charCodeAt(0);
    if (eio === 52 /* 4 message */) {
      const sio = d.charCodeAt(1);
      if (sio === 50 /* 2 event */) {
        let i = 2;
        let id = -1;
        for (let c = d.charCodeAt(i); c >= 48 && c <= 57; c = d.charCodeAt(++i)) id = (id < 0 ? 0 : id * 10) + c - 48;
        const args = JSON.parse(i === 2 ? d.slice(2) : d.slice(i));
        const ev = args.shift();
        if (id >= 0) args.push((...res) => this.ws.send("43" + id + JSON.stringify(res)));
        this.fire(ev, args);
      } else if (sio === 51 /* 3 ack */) {
        let i = 2;
        let id = 0;
        for (let c = d.charCodeAt(i); c >= 48 && c <= 57; c = d.charCodeAt(++i)) id = id * 10 + c - 48;
        const cb = this.acks.get(id);
        if (cb) {
          this.acks.delete(id);
          cb(JSON.parse(d.slice(i)));
        }
      } else if (sio === 48 /* 0 connect */) {
        this.id = JSON.parse(d.slice(2)).sid;
        this.connected = true;
        this.fire("connect", []);
      } else if (sio === 49 /* 1 disconnect */) {
        this.connected = false;
        this.fire("disconnect", ["io server disconnect"]);
      } else if (sio === 52 /* 4 connect error */) {
        this.fire("connect_error", [new Error(d.slice(2))]);
      }
    } else if (eio === 50 /* 2 ping */) {
      this.ws.send("3");
    } else if (eio === 48 /* 0 open */) {
      this.ws.send("40");
    } else if (eio === 49 /* 1 close */) {
      this.ws.close();
    }
  }

  fire(ev, args) {
    const fns = this.listeners.get(ev);
    if (!fns) return;
    if (fns.length === 1) fns[0](...args);
    else for (const fn of fns.slice()) fn(...args);
  }

  on(ev, fn) {
    const fns = this.listeners.get(ev);
    if (fns) fns.push(fn);
    else this.listeners.set(ev, [fn]);
    return () => this.off(ev, fn);
  }

  off(ev, fn) {
    const fns = this.listeners.get(ev);
    if (!fns) return;
    const i = fns.indexOf(fn);
    if (i >= 0) fns.splice(i, 1);
    if (!fns.length) this.listeners.delete(ev);
  }

  emit(ev, ...args) {
    this.ws.send("42" + JSON.stringify([ev, ...args]));
  }

  emitWithAck(ev, ...args) {
    return new Promise((resolve) => {
      const id = this.nextId++;
      this.acks.set(id, (res) => resolve(res[0]));
      this.ws.send("42" + id + JSON.stringify([ev, ...args]));
    });
  }

  disconnect() {
    this.closed = true;
    this.connected = false;
    this.ws.close();
  }
}
