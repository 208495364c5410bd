// A server that sends a creation time no Date can hold (createdAt 9e15): the chat still opens,
// the messages show with their receive time, and later history still syncs. The real ElizaOS
// server stores the messages; a proxy in front of it (lib/time-warp-proxy.mjs) rewrites their
// times in the history answers, the way a broken server would send them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEliza } from "../fixtures/eliza.mjs";
import { launchWithExtension } from "./lib/chromium.mjs";
import { Popup } from "./lib/popup.mjs";
import { startTimeWarpProxy } from "./lib/time-warp-proxy.mjs";
import { channelMessages, dmChannelId, postMessage } from "./lib/server.mjs";
import { inWorker, stopWorker } from "./lib/worker.mjs";
import { waitFor } from "./lib/wait.mjs";

const MARKER = "[far-future]";
let eliza, ext, proxy;

before(async () => {
  [eliza, ext] = await Promise.all([startEliza({ agents: ["Echo"] }), launchWithExtension()]);
  proxy = await startTimeWarpProxy(eliza.port, { marker: MARKER, createdAt: 9e15 });
});

after(async () => {
  await Promise.all([ext?.close(), proxy?.close(), eliza?.dispose()]);
});

/**
 * With the extension's worker stopped (its socket gone), the same user writes from "another
 * device"; the server stores the message and the agent's answer, which the extension only
 * learns from history when it wakes.
 */
async function writeWhileAway(channelId, entityId, text) {
  // A worker woken meanwhile (by its reconnect alarm) must not get the messages live.
  proxy.blockSockets = true;
  const blank = await ext.context.newPage();
  await stopWorker(ext, blank);
  await postMessage(eliza, channelId, entityId, text);
  await waitFor(async () => (await channelMessages(eliza, channelId)).some((m) => m.content === `echo: ${text}`), {
    what: `the server to store the answer to ${text}`,
  });
  await blank.close();
  proxy.blockSockets = false;
}

test("createdAt 9e15 from the server: the chat opens, shows the messages, and history keeps syncing", { timeout: 150_000 }, async () => {
  let popup = await Popup.open(ext);
  await popup.fillSettings({ serverUrl: proxy.url });
  await popup.save();
  await popup.openChat("Echo");
  await popup.send("before the time warp");
  await popup.waitForReply("echo: before the time warp");
  const entityId = await inWorker(ext, async () => (await chrome.storage.local.get("entityId")).entityId);
  const channelId = await dmChannelId(eliza, entityId, eliza.agents[0].id);
  await popup.close();

  const warped = `${MARKER} written on another device`;
  await writeWhileAway(channelId, entityId, warped);

  // Waking up, the extension syncs history: both messages arrive with createdAt 9e15.
  popup = await Popup.open(ext);
  await popup.waitForView("chat");
  await popup.waitForReply(`echo: ${warped}`);
  assert.ok(proxy.rewritten >= 2, `the proxy sent ${proxy.rewritten} far-future times`);
  await popup.bubbles(warped, "own").waitFor();
  const times = await popup.page.locator("#messages .msg time").evaluateAll((nodes) =>
    nodes.map((t) => ({ text: t.textContent, dateTime: t.dateTime })),
  );
  for (const t of times) {
    assert.notEqual(t.text, "", "every message shows a time");
    assert.ok(!Number.isNaN(Date.parse(t.dateTime)), `a valid date: ${t.dateTime}`);
  }
  const stored = await inWorker(ext, async () => Object.values(await chrome.storage.local.get(null)).filter((v) => v?.messages));
  const storedTimes = stored.flatMap((chat) => chat.messages.map((m) => m.createdAt));
  assert.ok(storedTimes.length >= 4, `stored ${storedTimes.length} messages`);
  for (const t of storedTimes) assert.ok(Math.abs(t) <= 8.64e15, `stored time ${t} is a date`);
  await popup.screenshot("far-future-times");
  await popup.close();

  // Later history is not hidden behind a time in the far future.
  const later = "after the time warp, from the other device";
  await writeWhileAway(channelId, entityId, later);
  popup = await Popup.open(ext);
  await popup.waitForView("chat");
  await popup.waitForReply(`echo: ${later}`);
  await popup.bubbles(later, "own").waitFor();
  assert.equal(await popup.bubbles(`echo: ${warped}`, "agent").count(), 1, "the warped reply is shown once");
  assert.deepEqual(popup.errors, []);
  await popup.close();
});
