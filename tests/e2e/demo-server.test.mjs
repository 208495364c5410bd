// The demo server (crate/demo/serve.mjs) answers malformed request targets instead of crashing.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import path from "node:path";
import { spawnUntil } from "./lib/child.mjs";
import { ROOT } from "./lib/paths.mjs";

const demo = await spawnUntil(process.execPath, [path.join(ROOT, "crate/demo/serve.mjs"), "--port", "0"], /^(http:\/\/127\.0\.0\.1:(\d+)\/)$/);
after(() => demo.stop());
const port = Number(demo.match[2]);

/** Sends one raw HTTP/1.1 request line (no client-side URL parsing) and returns the status line. */
function rawGet(target) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let answer = "";
    socket.setEncoding("latin1");
    socket.on("connect", () => socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    socket.on("data", (chunk) => (answer += chunk));
    socket.on("end", () => resolve(answer.split("\r\n")[0]));
    socket.on("error", reject);
  });
}

test("a broken %-escape gets 404 and the server keeps serving", async () => {
  for (const target of ["/%E0%A4%A", "/pkg/%E0%A4%A", "/%", "//%zz"]) {
    assert.equal(await rawGet(target), "HTTP/1.1 404 Not Found", target);
  }
  assert.equal(demo.child.exitCode, null, "the server is still running");
  assert.equal(await rawGet("/"), "HTTP/1.1 200 OK");
});
