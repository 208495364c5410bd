// Messages the server never confirms: the popup marks them failed, Retry sends again (once),
// Discard drops them. The network in front of the real server loses the messages
// (lib/lossy-proxy.mjs); the extension's acknowledgement timeout is 15 s.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEliza } from "../fixtures/eliza.mjs";
import { launchWithExtension } from "./lib/chromium.mjs";
import { startLossyProxy } from "./lib/lossy-proxy.mjs";
import { Popup } from "./lib/popup.mjs";
import { channelMessages, dmChannelId } from "./lib/server.mjs";

let eliza, ext, proxy;

before(async () => {
  [eliza, ext] = await Promise.all([startEliza({ agents: ["Echo"] }), launchWithExtension()]);
  proxy = await startLossyProxy(eliza.port);
});

after(async () => {
  await Promise.all([ext?.close(), proxy?.close(), eliza?.dispose()]);
});

test("unconfirmed messages fail; Retry delivers once, Discard drops", { timeout: 120_000 }, async () => {
  const popup = await Popup.open(ext);
  await popup.fillSettings({ serverUrl: proxy.url });
  await popup.save();
  await popup.openChat("Echo");
  await popup.send("before the network breaks");
  await popup.waitForReply("echo: before the network breaks");

  proxy.dropSends = true;
  const [retried, discarded] = ["lost, then retried", "lost, then discarded"];
  await popup.send(retried);
  await popup.send(discarded);
  await popup.waitForStatus(retried, "pending");
  await popup.waitForStatus(discarded, "pending");
  await popup.waitForStatus(retried, "failed", 60_000);
  await popup.waitForStatus(discarded, "failed", 60_000);
  assert.ok(proxy.dropped >= 2, `the proxy ate ${proxy.dropped} messages`);
  const failedBubble = popup.bubbles(retried, "own");
  await failedBubble.getByText("Not delivered").waitFor();
  await popup.screenshot("failed-messages");

  proxy.dropSends = false;
  await failedBubble.getByRole("button", { name: /^Retry/ }).click();
  await popup.waitForReply(`echo: ${retried}`);
  await popup.waitForStatus(retried, "delivered");

  await popup.bubbles(discarded, "own").getByRole("button", { name: /^Discard/ }).click();
  await popup.bubbles(discarded, "own").waitFor({ state: "detached" });

  const entityId = await (await ext.serviceWorker()).evaluate(async () => (await chrome.storage.local.get("entityId")).entityId);
  const channelId = await dmChannelId(eliza, entityId, eliza.agents[0].id);
  const stored = (await channelMessages(eliza, channelId)).map((m) => m.content);
  assert.equal(stored.filter((t) => t === retried).length, 1, "the retried message reached the server once");
  assert.equal(stored.filter((t) => t === discarded).length, 0, "the discarded message never did");

  // The outbox is empty now: nothing comes back after the popup reopens.
  await popup.close();
  const again = await Popup.open(ext);
  await again.waitForView("chat");
  await again.waitForReply(`echo: ${retried}`);
  assert.equal(await again.bubbles(discarded).count(), 0);
  assert.equal(await again.page.locator("#messages [data-status=failed], #messages [data-status=pending]").count(), 0);
  assert.deepEqual([...popup.errors, ...again.errors], []);
});
