// The popup's Diagnostics view against a real ElizaOS server that requires an API key: a refused
// handshake with a wrong key, then a working chat shown live (connection, confirmed join, events,
// a server restart), "Copy report" — whose text, like the report itself, never holds the key —
// and a finding: joins reaching the server without their channel id.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEliza } from "../fixtures/eliza.mjs";
import { launchWithExtension } from "./lib/chromium.mjs";
import { Popup } from "./lib/popup.mjs";
import { startLossyProxy } from "./lib/lossy-proxy.mjs";

const KEY = "diag-popup-key-5f2c9e71";
let eliza, ext, popup;

before(async () => {
  [eliza, ext] = await Promise.all([startEliza({ agents: ["Echo"], serverApiKey: KEY }), launchWithExtension()]);
  // The test reads what "Copy report" wrote from the real clipboard.
  await ext.context.grantPermissions(["clipboard-read", "clipboard-write"]);
});

after(async () => {
  await Promise.all([ext?.close(), eliza?.dispose()]);
});

/** A row of the view: the <dd> after the <dt> named `label`. */
const fact = (label) => popup.page.locator("#diagnostics-body dt", { hasText: new RegExp(`^${label}$`) }).locator("xpath=following-sibling::dd[1]");

async function openDiagnostics() {
  await popup.page.getByRole("button", { name: "Diagnostics" }).click();
  await popup.waitForView("diagnostics");
  await popup.page.locator("#diagnostics-body .diag-section").first().waitFor();
}

/** The report as the background hands it to the popup, over the popup's own port protocol. */
function reportOverPort() {
  return popup.page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const port = chrome.runtime.connect({ name: "eliza-chat-popup" });
        port.onMessage.addListener((m) => {
          if (m.rid !== 1) return;
          port.disconnect();
          m.ok ? resolve(m.result) : reject(new Error(m.error.message));
        });
        port.postMessage({ rid: 1, type: "diagnostics" });
      }),
  );
}

test("a wrong API key shows as a refused handshake and an auth error", { timeout: 90_000 }, async () => {
  popup = await Popup.open(ext);
  await popup.fillSettings({ serverUrl: eliza.url, apiKey: "not-the-key", userName: "Ada" });
  await popup.save();
  await openDiagnostics();
  await fact("Handshake").filter({ hasText: /^refused: .*API Key/ }).waitFor({ timeout: 20_000 });
  await fact("auth").filter({ hasText: /UNAUTHORIZED/ }).waitFor();
  assert.equal(await fact("State").getAttribute("data-tone"), "warn");
  await popup.screenshot("diagnostics-wrong-key");
});

test("the view shows a working chat live, and Copy report copies it without the key", { timeout: 120_000 }, async () => {
  await popup.fillSettings({ apiKey: KEY });
  await popup.save();
  await popup.openChat("Echo");
  await popup.send("hello diagnostics");
  await popup.waitForReply("echo: hello diagnostics");

  await openDiagnostics();
  await fact("Handshake").filter({ hasText: /^ok$/ }).waitFor({ timeout: 20_000 });
  assert.equal(await fact("Server").textContent(), eliza.url);
  assert.equal(await fact("Transport").textContent(), "websocket");
  assert.match(await fact("Socket id").textContent(), /^[\w-]{10,}$/);
  assert.match(await fact("Permission").textContent(), /^granted/);
  const echoRow = fact("Echo");
  await echoRow.filter({ hasText: /join confirmed at/ }).waitFor();
  assert.equal(await echoRow.getAttribute("data-tone"), "ok");
  await popup.page.locator(".diag-finding.ok", { hasText: "No common mistake recognised." }).waitFor();
  const events = await popup.page.locator(".diag-events li span:not(.diag-channel)").allTextContents();
  for (const name of ["channel_joined", "messageBroadcast", "messageAck"]) assert.ok(events.includes(name), `${name} in ${events}`);
  await popup.screenshot("diagnostics", { readme: true });

  // Live: a server restart shows while the view stays open, and the join is confirmed again.
  await eliza.stop();
  await fact("State").filter({ hasText: /^(reconnecting|disconnected)$/ }).waitFor({ timeout: 30_000 });
  await fact("connection").waitFor({ timeout: 30_000 });
  await eliza.start();
  await fact("State").filter({ hasText: /^connected$/ }).waitFor({ timeout: 40_000 });
  await fact("Echo").filter({ hasText: /join confirmed at/ }).waitFor({ timeout: 20_000 });

  await popup.page.getByRole("button", { name: "Copy report" }).click();
  await popup.page.locator("#copy-result", { hasText: "Report copied" }).waitFor();
  const copied = await popup.page.evaluate(() => navigator.clipboard.readText());
  assert.match(copied, /^ElizaOS Chat diagnostics/);
  assert.ok(copied.includes(`server URL: ${eliza.url}`), copied);
  assert.ok(copied.includes("handshake: ok"), copied);
  assert.match(copied, /Echo [0-9a-f-]{36} \(DM\): join confirmed/);
  assert.ok(copied.includes("messageBroadcast"), copied);
  assert.ok(!copied.includes(KEY), "the key's value is not in the copied text");

  const report = await reportOverPort();
  assert.equal(report.serverUrl, eliza.url);
  assert.ok(!JSON.stringify(report).includes(KEY), "nor in the diagnostics object");

  await popup.page.getByRole("button", { name: "Back to agents" }).click();
  await popup.waitForView("chat");
  assert.deepEqual(popup.errors, []);
});

test("a finding shows in the view: joins that reach the server without their channel id", { timeout: 90_000 }, async () => {
  const proxy = await startLossyProxy(eliza.port);
  try {
    proxy.stripJoinIds = true;
    await popup.fillSettings({ serverUrl: proxy.url, apiKey: KEY });
    await popup.save();
    await popup.openChat("Echo");
    await openDiagnostics();
    const finding = popup.page.locator(".diag-finding[data-kind=missingFields]");
    await finding.waitFor({ timeout: 20_000 });
    assert.match(await finding.textContent(), /^Missing fields.*channelId is required/);
    await fact("join").filter({ hasText: /channelId is required/ }).waitFor();
    assert.ok(proxy.stripped >= 1);
    await popup.screenshot("diagnostics-finding", { readme: true });
    assert.deepEqual(popup.errors, []);
  } finally {
    await proxy.close();
  }
});
