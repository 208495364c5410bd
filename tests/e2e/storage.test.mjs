// What the extension stores: one message-size limit shared with the client library, chats
// written sparingly while a reply streams in, and a full storage.local (Chrome's 10 MB quota)
// that costs the oldest history, never the outbox.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEliza } from "../fixtures/eliza.mjs";
import { launchWithExtension } from "./lib/chromium.mjs";
import { Popup } from "./lib/popup.mjs";
import { channelMessages, dmChannelId } from "./lib/server.mjs";
import { inWorker, stopWorker } from "./lib/worker.mjs";
import { waitFor } from "./lib/wait.mjs";

let eliza, ext, popup;

before(async () => {
  [eliza, ext] = await Promise.all([startEliza({ agents: ["Echo"] }), launchWithExtension()]);
  popup = await Popup.open(ext);
  await popup.fillSettings({ serverUrl: eliza.url });
  await popup.save();
  await popup.openChat("Echo");
  await popup.send("first words");
  await popup.waitForReply("echo: first words");
});

after(async () => {
  await Promise.all([ext?.close(), eliza?.dispose()]);
});

const echoId = () => eliza.agents[0].id;

test("one message-size limit, in UTF-8 bytes, with the client library's error", { timeout: 60_000 }, async () => {
  // 50,001 "é": 50,001 characters but 100,002 bytes, over the library's 100,000.
  await popup.input.fill("é".repeat(50_001));
  await popup.input.press("Enter");
  const error = popup.page.locator("#composer-error:not([hidden])");
  await error.waitFor();
  assert.match(await error.textContent(), /too long: 100002 bytes of UTF-8 text, at most 100000/);
  assert.equal(await popup.page.locator("#messages .msg.own[data-status=pending]").count(), 0, "nothing was queued");
  await popup.input.fill("");
});

test("a streamed reply does not rewrite the chat for every chunk", { timeout: 90_000 }, async () => {
  // Every write of the chat while it holds a preview of the reply, and each preview's length.
  await inWorker(
    ext,
    (key) => {
      self.streamingWrites = [];
      chrome.storage.onChanged.addListener((changes) => {
        const preview = changes[key]?.newValue?.messages?.find((m) => m.status === "streaming");
        if (preview) self.streamingWrites.push(preview.text.length);
      });
    },
    `chat:${echoId()}`,
  );
  // The echo model streams its answer 8 characters at a time, 10 ms apart: over 250 chunks.
  const text = `[stream] ${"streaming ".repeat(200)}`.trim();
  const chunks = Math.ceil(`echo: ${text}`.length / 8);
  await popup.send(text);
  await popup.waitForReply(`echo: ${text}`, 60_000);
  const writes = await inWorker(ext, () => self.streamingWrites);
  console.log(`# a reply streamed in ${chunks} chunks was stored ${writes.length} times while streaming`);
  // Written once per chunk before; now about once a second, whatever the chunk rate.
  assert.ok(writes.length < chunks / 10, `stored ${writes.length} times for ${chunks} chunks`);
});

test("storage full: the oldest history goes, the outbox survives a restart and is delivered once", { timeout: 180_000 }, async () => {
  // Old chats (from agents of long ago) fill storage.local to the brim, from the worker itself.
  const filled = await inWorker(ext, async () => {
    const quota = chrome.storage.local.QUOTA_BYTES;
    const message = (chat, i, size) => ({
      id: `${chat}-${i}`, clientMessageId: null, text: "x".repeat(size), createdAt: Date.UTC(2020, 0, 1) + i * 1000,
      senderName: "Old agent", own: false, fromAgent: true, thought: null, status: "delivered", error: null, localTime: false,
    });
    const chat = (n, count, size) => ({
      agentId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`, agentName: `Old ${n}`, channelId: null, thinkingSince: null,
      messages: Array.from({ length: count }, (_, i) => message(n, i, size)),
    });
    let n = 0;
    while (quota - (await chrome.storage.local.getBytesInUse(null)) > 950_000) {
      const c = chat(++n, 100, 9_000);
      await chrome.storage.local.set({ [`chat:${c.agentId}`]: c });
    }
    // The last one leaves a few hundred bytes.
    const free = quota - (await chrome.storage.local.getBytesInUse(null));
    const c = chat(++n, 1, 0);
    const overhead = JSON.stringify(c).length + `chat:${c.agentId}`.length;
    c.messages[0].text = "x".repeat(free - overhead - 300);
    await chrome.storage.local.set({ [`chat:${c.agentId}`]: c });
    return { chats: n, free: quota - (await chrome.storage.local.getBytesInUse(null)), quota };
  });
  console.log(`# storage.local filled with ${filled.chats} old chats; ${filled.free} of ${filled.quota} bytes free`);
  assert.ok(filled.free < 400);

  // The background loads them (as after any browser restart), with the server down.
  await popup.close();
  await eliza.stop();
  const blank = await ext.context.newPage();
  await stopWorker(ext, blank);
  await blank.close();
  popup = await Popup.open(ext);
  await popup.waitForView("chat");

  const text = "written while storage is full";
  await popup.send(text);
  await popup.waitForStatus(text, "pending");
  const stored = () => inWorker(ext, async (t) => (await chrome.storage.local.get("outbox")).outbox?.some((e) => e.text === t), text);
  await waitFor(stored, { what: "the outbox to be stored despite the full storage" });
  const usage = await inWorker(ext, () => chrome.storage.local.getBytesInUse(null));
  assert.ok(usage <= filled.quota, `${usage} bytes in use`);

  // The worker stops (its memory is gone); the stored outbox is all that is left of the message.
  await popup.close();
  const blank2 = await ext.context.newPage();
  await stopWorker(ext, blank2);
  await blank2.close();
  await eliza.start();
  popup = await Popup.open(ext);
  await popup.waitForView("chat");
  await popup.waitForReply(`echo: ${text}`, 60_000);
  await popup.waitForStatus(text, "delivered");

  const entityId = await inWorker(ext, async () => (await chrome.storage.local.get("entityId")).entityId);
  const channelId = await dmChannelId(eliza, entityId, echoId());
  const onServer = (await channelMessages(eliza, channelId)).filter((m) => m.content === text);
  assert.equal(onServer.length, 1, "the server has the message exactly once");

  // The oldest history paid for it; the current chat kept its messages.
  const after = await inWorker(ext, async (echo) => {
    const all = await chrome.storage.local.get(null);
    const chats = Object.values(all).filter((v) => v?.messages);
    return {
      oldMessages: chats.filter((c) => c.agentId !== echo).reduce((n, c) => n + c.messages.length, 0),
      echoTexts: all[`chat:${echo}`].messages.map((m) => m.text),
      outbox: all.outbox,
    };
  }, echoId());
  const before = (filled.chats - 1) * 100 + 1;
  console.log(`# old messages: ${before} before, ${after.oldMessages} after`);
  assert.ok(after.oldMessages < before, "old history was dropped");
  assert.ok(after.echoTexts.includes("first words") && after.echoTexts.includes("echo: first words"), "the recent chat is whole");
  assert.deepEqual(after.outbox, [], "the outbox is empty once delivered");
  assert.deepEqual(popup.errors, []);
});
