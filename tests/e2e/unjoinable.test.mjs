// One failing step never blocks the others: against a server that ignores or refuses joins,
// never acknowledges and has no history endpoint (tests/fixtures/unjoinable-eliza.mjs), the
// library reports the join and the history once each, still sends, and fails the message with
// JOIN_TIMEOUT (kept for Retry); the popup shows it as not delivered with Retry — never
// "Sending…" forever.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startUnjoinableEliza } from "../fixtures/unjoinable-eliza.mjs";
import { launchPlain, launchWithExtension } from "./lib/chromium.mjs";
import { spawnUntil } from "./lib/child.mjs";
import { ROOT } from "./lib/paths.mjs";
import { Popup } from "./lib/popup.mjs";
import { waitFor } from "./lib/wait.mjs";

let demo, browser;

before(async () => {
  [demo, browser] = await Promise.all([
    spawnUntil(process.execPath, [path.join(ROOT, "crate/demo/serve.mjs"), "--port", "0"], /^(http:\/\/127\.0\.0\.1:\d+\/)$/),
    launchPlain(),
  ]);
});

after(() => Promise.all([browser?.close(), demo?.stop()]));

for (const joins of ["ignore", "refuse"]) {
  test(`a server that ${joins}s joins: reported once, sent anyway, failed with JOIN_TIMEOUT, retried`, { timeout: 90_000 }, async () => {
    const server = await startUnjoinableEliza({ joins });
    try {
      const page = await browser.browser.newPage();
      await page.goto(new URL("/pkg/package.json", demo.match[1]).href);
      const result = await page.evaluate(async ({ serverUrl, agentId }) => {
        const pkg = await import("/pkg/eliza_socketio.js");
        await pkg.default();
        const client = new pkg.ElizaClient({ serverUrl, joinTimeout: 1000, messageAckTimeout: 1500 });
        const errors = [];
        client.on("error", (e) => errors.push(e.error.code));
        const channel = await client.joinDm(agentId);
        const failed = new Promise((resolve) => client.on("sendFailed", resolve));
        const id = client.send(channel.id, "is anyone there?");
        const failure = await failed;
        const entry = client.outbox().find((e) => e.clientMessageId === id);
        // Nothing more is reported while the client idles.
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        const errorsBeforeRetry = errors.slice();
        const refailed = new Promise((resolve) => client.on("sendFailed", resolve));
        client.retry(id);
        const second = await refailed;
        const info = client.serverInfo;
        client.disconnect();
        return { id, failure, entry, errorsBeforeRetry, second, info };
      }, { serverUrl: server.url, agentId: server.agent.id });

      assert.equal(result.failure.clientMessageId, result.id);
      assert.equal(result.failure.error.code, "JOIN_TIMEOUT");
      assert.match(result.failure.error.message, /never confirmed joining/);
      assert.equal(result.entry.state.kind, "failed", "kept in the outbox for Retry");
      assert.equal(result.entry.state.code, "JOIN_TIMEOUT");
      // Each failing step once: the unconfirmed join, the unreadable history.
      assert.deepEqual(result.errorsBeforeRetry.filter((c) => c === "JOIN_TIMEOUT"), ["JOIN_TIMEOUT"]);
      assert.deepEqual(result.errorsBeforeRetry.filter((c) => c === "HISTORY_UNAVAILABLE"), ["HISTORY_UNAVAILABLE"]);
      assert.equal(result.second.clientMessageId, result.id, "Retry sent it again, and it failed again");
      // The server got the message twice: once sent, once retried.
      const sent = server.sends().filter((p) => p.messageId === result.id);
      assert.equal(sent.length, 2);
      assert.equal(sent[0].serverId, "00000000-0000-0000-0000-000000000000");
      assert.equal(sent[0].messageServerId, "00000000-0000-0000-0000-000000000000");
      assert.equal(sent[0].roomId, sent[0].channelId);
      assert.equal(result.info.serverIdSource, "default", "message-server/current was 404");
      await page.close();
    } finally {
      await server.close();
    }
  });
}

test("the popup shows a message the server never takes as not delivered, with Retry; a woken worker does not probe again", { timeout: 120_000 }, async () => {
  const [server, ext] = await Promise.all([startUnjoinableEliza({ joins: "ignore" }), launchWithExtension()]);
  try {
    const popup = await Popup.open(ext);
    await popup.fillSettings({ serverUrl: server.url });
    await popup.save();
    await popup.openChat("Mute");
    await popup.send("hello?");
    await popup.waitForStatus("hello?", "pending");
    // The unconfirmed join is said in words (and once).
    await popup.page.getByText("The server did not confirm joining this chat: replies may not arrive.").waitFor({ timeout: 20_000 });
    // Join timeout, history attempts, acknowledgement timeout: bounded.
    await popup.waitForStatus("hello?", "failed", 60_000);
    const bubble = popup.bubbles("hello?", "own");
    await bubble.getByText("Not delivered").waitFor();
    await popup.screenshot("not-delivered");
    await waitFor(() => server.sends().length === 1, { timeout: 5_000, what: "the message reached the server" });
    await bubble.getByRole("button", { name: /^Retry/ }).click();
    await waitFor(() => server.sends().length === 2, { timeout: 10_000, what: "Retry sent it again" });
    assert.deepEqual(popup.errors, []);

    // What the client learnt (a 404 on message-server/current) is kept for this server: the
    // worker stopped and woken by the popup connects again without asking.
    const probes = () => server.requests.filter((r) => r === "GET /api/messaging/message-server/current").length;
    assert.equal(probes(), 1);
    const connections = server.connections;
    const cdp = await ext.context.newCDPSession(popup.page);
    const statuses = [];
    cdp.on("ServiceWorker.workerVersionUpdated", ({ versions }) => {
      for (const v of versions) if (v.scriptURL.endsWith("/background.js")) statuses.push(v.runningStatus);
    });
    await cdp.send("ServiceWorker.enable");
    await cdp.send("ServiceWorker.stopAllWorkers");
    await waitFor(() => statuses.includes("stopped"), { what: "the worker to stop" });
    await popup.close();
    const again = await Popup.open(ext);
    await waitFor(() => server.connections > connections, { timeout: 30_000, what: "the woken worker to connect" });
    await again.bubbles("hello?", "own").waitFor();
    assert.equal(probes(), 1, `REST requests: ${server.requests.join(", ")}`);
    await cdp.detach().catch(() => {});
    assert.deepEqual(again.errors, []);
  } finally {
    await Promise.all([ext.close(), server.close()]);
  }
});
