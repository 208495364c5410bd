// Test-side calls to the socket.io control server (tests/fixtures/sio-control.mjs) for the Rust
// API tests (../rust_api.rs). Only the test harness talks to it; the client under test is Rust.

async function call(control, method, path, body) {
  const res = await fetch(control + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${text}`);
  return text;
}

/** Spawns a socket.io server; `options` is JSON text. Resolves with `{id, url}` as JSON text. */
export function spawnServer(control, options) {
  return call(control, "POST", "/servers", options);
}

/** `POST /servers/:id/<action>` (raw, emit, stop, start…) with an optional JSON text body. */
export function serverAction(control, id, action, body) {
  return call(control, "POST", `/servers/${id}/${action}`, body);
}

/** The server's connected sockets, as JSON text. */
export function serverClients(control, id) {
  return call(control, "GET", `/servers/${id}/clients`);
}

export function disposeServer(control, id) {
  return call(control, "DELETE", `/servers/${id}`);
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
