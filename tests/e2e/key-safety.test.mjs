// The API key goes only where the user meant it to: the server it was entered for, never a
// redirect's target, not over plain http to another machine without a warning, and the
// background hands settings only to the extension's own popup.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { startEliza } from "../fixtures/eliza.mjs";
import { launchWithExtension } from "./lib/chromium.mjs";
import { EXTENSION_DIR } from "./lib/paths.mjs";
import { Popup } from "./lib/popup.mjs";
import { inWorker } from "./lib/worker.mjs";
import { waitFor } from "./lib/wait.mjs";

const KEY = "correct-horse-battery-staple";
const cleanups = [];
after(() => Promise.all(cleanups.map((fn) => fn())));

/**
 * A loopback HTTP server that records every request (WebSocket upgrades included) and answers
 * with `respond(req, res)` (404 by default). Returns {url, requests, close()}.
 */
async function recordingServer(respond = (_req, res) => res.writeHead(404).end()) {
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url, headers: req.headers });
    respond(req, res);
  });
  server.on("upgrade", (req, socket) => {
    requests.push({ url: req.url, headers: req.headers });
    socket.destroy();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  };
  cleanups.push(close);
  return { url: `http://127.0.0.1:${server.address().port}`, requests, close };
}

const keysSeen = (requests) => requests.filter((r) => r.headers["x-api-key"] !== undefined || r.url.includes(KEY));

async function launch(options) {
  const ext = await launchWithExtension(options);
  cleanups.push(() => ext.close());
  return ext;
}

test("the key stays with its server: another server URL asks for its own key", { timeout: 120_000 }, async () => {
  const [eliza, ext, other] = await Promise.all([
    startEliza({ agents: ["Echo"], authToken: KEY }),
    launch(),
    recordingServer(),
  ]);
  cleanups.push(() => eliza.dispose());
  const popup = await Popup.open(ext);
  await popup.fillSettings({ serverUrl: eliza.url, apiKey: KEY });
  await popup.save();
  await popup.agent("Echo").waitFor();

  // Another server: the key field empties and says why.
  await popup.fillSettings({ serverUrl: other.url });
  assert.equal(await popup.page.getByLabel("API key", { exact: true }).inputValue(), "");
  await popup.page.locator("#api-key-cleared:not([hidden])").waitFor();
  await popup.save();
  await waitFor(() => other.requests.length > 0, { what: "the extension to reach the other server" });
  const saved = await inWorker(ext, async () => (await chrome.storage.local.get("settings")).settings);
  assert.equal(saved.apiKey, "", "no key stored for the other server");

  // Even a settings request that still carries the old key (say, from an outdated popup)
  // does not send it to the new origin: the background drops a key entered for another origin.
  const answers = await popup.page.evaluate(
    ({ serverUrl, apiKey, keyOrigin }) =>
      new Promise((resolve) => {
        const port = chrome.runtime.connect({ name: "eliza-chat-popup" });
        const answers = [];
        port.onMessage.addListener((m) => {
          if (m.rid === 1) port.postMessage({ rid: 2, type: "agents" }); // a REST request to the server
          if (m.rid) answers.push(m.ok ? "ok" : m.error.code);
          if (m.rid === 2) resolve(answers);
        });
        port.postMessage({ rid: 1, type: "saveSettings", settings: { serverUrl, apiKey, apiKeyOrigin: keyOrigin, userName: "" } });
      }),
    { serverUrl: other.url + "/", apiKey: KEY, keyOrigin: eliza.url },
  );
  assert.equal(answers[0], "ok", `saveSettings: ${answers}`);
  assert.ok(other.requests.some((r) => r.url.startsWith("/api/agents")), "the agent list was asked of the other server");
  assert.deepEqual(keysSeen(other.requests), [], "the other server never saw the key");
  assert.deepEqual(popup.errors, []);
});

test("plain http to another machine: warned before the key is sent", { timeout: 90_000 }, async () => {
  const ext = await launch();
  const popup = await Popup.open(ext);
  // *.invalid never resolves (RFC 2606): nothing leaves the machine whatever happens.
  await popup.fillSettings({ serverUrl: "http://eliza.invalid:3000", apiKey: KEY });
  await popup.page.getByRole("button", { name: "Save", exact: true }).click();
  const warning = popup.page.locator("#test-result[data-tone=warn]");
  await warning.waitFor();
  assert.match(await warning.textContent(), /unencrypted.*press Save again/);
  assert.equal(await popup.view, "settings", "nothing was saved");
  assert.equal(await inWorker(ext, async () => (await chrome.storage.local.get("settings")).settings ?? null), null);
  await popup.screenshot("key-over-http-warning");

  // https and loopback addresses go through without the warning.
  await popup.fillSettings({ serverUrl: "http://127.0.0.1:9", apiKey: KEY });
  const result = await popup.testConnection();
  assert.equal(result.tone, "error");
  assert.match(result.text, /unreachable/);
});

test("a redirect never carries the key to another origin", { timeout: 90_000 }, async () => {
  const target = await recordingServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"success":true,"data":{"agents":[]}}'));
  const redirector = await recordingServer((req, res) => res.writeHead(307, { location: target.url + req.url }).end());
  const ext = await launch();
  const popup = await Popup.open(ext);
  await popup.fillSettings({ serverUrl: redirector.url, apiKey: KEY });
  const result = await popup.testConnection();
  assert.equal(result.tone, "error", result.text);
  assert.ok(redirector.requests.length > 0, "the extension asked the redirecting server");
  assert.ok(keysSeen(redirector.requests).length > 0, "the key went to the server it was entered for");
  assert.deepEqual(keysSeen(target.requests), [], "the redirect's target never saw the key");
});

test("only the extension's own popup may talk to the background", { timeout: 90_000 }, async () => {
  // The built extension plus one more page of its own, which is not the popup.
  const dir = await mkdtemp(path.join(os.tmpdir(), "e2e-extension-probe-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await cp(EXTENSION_DIR, dir, { recursive: true });
  await writeFile(path.join(dir, "probe.html"), '<!doctype html><script type="module" src="probe.js"></script>');
  await writeFile(
    path.join(dir, "probe.js"),
    `window.outcome = new Promise((resolve) => {
      const port = chrome.runtime.connect({ name: "eliza-chat-popup" });
      port.onMessage.addListener((m) => resolve({ answered: m }));
      port.onDisconnect.addListener(() => resolve({ disconnected: true }));
      port.postMessage({ rid: 1, type: "hello" });
    });`,
  );
  const ext = await launch({ extensionDir: dir });
  const probe = await ext.context.newPage();
  await probe.goto(`chrome-extension://${ext.extensionId}/probe.html`);
  const outcome = await probe.evaluate(() => window.outcome);
  assert.deepEqual(outcome, { disconnected: true }, `the background answered another page: ${JSON.stringify(outcome)}`);

  // The popup itself still works.
  const popup = await Popup.open(ext);
  assert.equal(await popup.view, "settings");
});
