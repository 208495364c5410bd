// The extension in Chromium against a real ElizaOS server, driven through the real popup page:
// set-up, chat, history across popup reopenings, hostile text, the unread badge, a message sent
// while the server is down, and a service worker stopped in the middle of a conversation.
//
// The tests run in order and share one browser profile and one server, like a user's session.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEliza } from "../fixtures/eliza.mjs";
import { launchWithExtension } from "./lib/chromium.mjs";
import { Popup } from "./lib/popup.mjs";
import { channelMessages, dmChannelId } from "./lib/server.mjs";
import { waitFor } from "./lib/wait.mjs";

let eliza, ext, popup;

before(async () => {
  [eliza, ext] = await Promise.all([startEliza({ agents: ["Echo", "Parrot"] }), launchWithExtension()]);
});

after(async () => {
  await Promise.all([ext?.close(), eliza?.dispose()]);
});

const echo = () => eliza.agents.find((a) => a.name === "Echo");

/** Evaluates in the extension's current service worker (a new one after a restart). */
async function inWorker(fn, arg) {
  const worker = await ext.serviceWorker();
  return worker.evaluate(fn, arg);
}

const badgeText = () => inWorker(() => chrome.action.getBadgeText({}));

async function serverCopiesOf(text) {
  const entityId = await inWorker(async () => (await chrome.storage.local.get("entityId")).entityId);
  const channelId = await dmChannelId(eliza, entityId, echo().id);
  const messages = await channelMessages(eliza, channelId);
  return messages.filter((m) => m.content === text);
}

test("first run: the settings test the connection, and saving lists the agents", { timeout: 90_000 }, async () => {
  popup = await Popup.open(ext);
  assert.equal(await popup.view, "settings", "a fresh install opens on the settings");
  await popup.page.getByText("Welcome to ElizaOS Chat").waitFor();
  assert.equal(await popup.page.getByLabel("Server URL").inputValue(), "http://localhost:3000");

  await popup.fillSettings({ serverUrl: "http://127.0.0.1:1", userName: "Ada" });
  const unreachable = await popup.testConnection();
  assert.equal(unreachable.tone, "error");
  assert.match(unreachable.text, /Server unreachable/);

  await popup.fillSettings({ serverUrl: eliza.url });
  const ok = await popup.testConnection();
  assert.equal(ok.tone, "ok");
  assert.match(ok.text, /Connected: 2 agents/);
  await popup.screenshot("settings", { readme: true });

  await popup.save();
  await popup.agent("Echo").waitFor();
  await popup.agent("Parrot").waitFor();
  await popup.page.locator("#conn[data-state=connected]").waitFor();
  assert.equal(await popup.agent("Echo").getAttribute("data-status"), "active");
  await popup.screenshot("agent-list", { readme: true });
});

test("opens a chat, sends with Enter, shows the agent's reply", { timeout: 90_000 }, async () => {
  await popup.openChat("Echo");
  await popup.page.getByText("Start a conversation with Echo").waitFor();

  await popup.send("Hi Echo! What can you do?");
  await popup.waitForReply("echo: Hi Echo! What can you do?");
  await popup.waitForStatus("Hi Echo! What can you do?", "delivered");

  // Shift+Enter inserts a newline instead of sending.
  await popup.input.fill("Two lines:");
  await popup.input.press("Shift+Enter");
  await popup.input.pressSequentially("second line");
  assert.equal(await popup.input.inputValue(), "Two lines:\nsecond line");
  await popup.input.press("Enter");
  await popup.waitForReply("echo: Two lines:\nsecond line");

  assert.deepEqual(await popup.transcript(), [
    "Hi Echo! What can you do?",
    "echo: Hi Echo! What can you do?",
    "Two lines:\nsecond line",
    "echo: Two lines:\nsecond line",
  ]);
  assert.equal(await popup.page.locator("#messages").getAttribute("aria-live"), "polite");
  await popup.screenshot("chat", { readme: true });
});

test("closing and reopening the popup shows the history", { timeout: 90_000 }, async () => {
  const before = await popup.transcript();
  await popup.close();
  popup = await Popup.open(ext);
  // The popup reopens where it was left: in the chat.
  await popup.waitForView("chat");
  await popup.waitForReply("echo: Two lines:\nsecond line");
  assert.deepEqual(await popup.transcript(), before);

  // Back to the list and in again, with the keyboard only: same history.
  await popup.page.getByRole("button", { name: "Back to agents" }).focus();
  await popup.page.keyboard.press("Enter");
  await popup.waitForView("agents");
  await popup.agent("Echo").focus();
  await popup.page.keyboard.press("Enter");
  await popup.waitForView("chat");
  await popup.waitForReply("echo: Two lines:\nsecond line");
  assert.deepEqual(await popup.transcript(), before);
  // The composer has the focus: typing and Enter send.
  assert.equal(await popup.page.evaluate(() => document.activeElement?.id), "message-input");
});

test("a streamed reply shows as it is written, then is replaced by the final text", { timeout: 90_000 }, async () => {
  // Record every state the agent's bubbles go through (the stream lasts a fraction of a second).
  await popup.page.evaluate(() => {
    window.seenAgentBubbles = new Set();
    const record = () => {
      for (const m of document.querySelectorAll("#messages .msg.agent")) {
        window.seenAgentBubbles.add(`${m.dataset.status}|${m.querySelector(".bubble").textContent}`);
      }
    };
    new MutationObserver(record).observe(document.getElementById("messages"), { subtree: true, childList: true, characterData: true, attributes: true });
  });
  const text = "[stream] streamed <b>bold</b> & more";
  await popup.send(text);
  await popup.waitForReply(`echo: ${text}`);
  const seen = await popup.page.evaluate(() => [...window.seenAgentBubbles]);
  const previews = seen.filter((s) => s.startsWith("streaming|")).map((s) => s.slice("streaming|".length));
  assert.ok(previews.length > 0, "a provisional bubble was shown");
  for (const preview of previews) {
    assert.ok(`echo: ${text}`.startsWith(preview), `the preview is readable text so far: ${JSON.stringify(preview)}`);
  }
  assert.equal(await popup.bubbles(`echo: ${text}`, "agent").count(), 1, "the final text replaced the preview");
  assert.equal(await popup.page.locator("#messages [data-status=streaming]").count(), 0);
  assert.equal(await popup.page.locator("#messages b").count(), 0);
});

test("dark mode follows the system", { timeout: 90_000 }, async () => {
  const background = () => popup.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await background();
  await popup.page.emulateMedia({ colorScheme: "dark" });
  const dark = await background();
  assert.notEqual(dark, light);
  assert.equal(dark, "rgb(20, 21, 27)");
  await popup.screenshot("chat-dark");
  await popup.page.emulateMedia({ colorScheme: "light" });
});

test("a hostile reply is shown as text, never as markup", { timeout: 90_000 }, async () => {
  const hostile = "<img src=x onerror=alert(1)>";
  await popup.send(hostile);
  await popup.waitForReply(`echo: ${hostile}`);
  assert.equal(await popup.page.locator("#messages img").count(), 0, "no <img> element was created");
  assert.equal(await popup.page.locator("img[src=x]").count(), 0);
  assert.ok(await popup.bubbles(`echo: ${hostile}`, "agent").first().isVisible(), "the markup shows as text");
  assert.ok(await popup.bubbles(hostile, "own").first().isVisible());
  assert.deepEqual(popup.dialogs, [], "no script ran");
});

test("the badge counts replies that arrive while the popup is closed; viewing clears it", { timeout: 90_000 }, async () => {
  assert.equal(await badgeText(), "");
  const text = "[slow:1500] ping while you are away";
  await popup.send(text);
  await popup.waitForStatus(text, "delivered");
  await popup.close();

  await waitFor(async () => (await badgeText()) === "1", { what: "badge 1" });

  popup = await Popup.open(ext);
  await popup.waitForView("chat");
  await popup.waitForReply(`echo: ${text}`);
  await waitFor(async () => (await badgeText()) === "", { what: "badge cleared" });
});

test("a message sent while the server is down waits, then goes out exactly once and is answered", { timeout: 90_000 }, async () => {
  await eliza.stop();
  await popup.page.locator("#banner:not([hidden])").waitFor({ timeout: 20_000 });
  await popup.page.locator("#conn:not([data-state=connected])").waitFor();

  const text = "sent while the server was down";
  await popup.send(text);
  await popup.waitForStatus(text, "pending");
  await popup.bubbles(text, "own").getByText("Sending…").waitFor();
  // The banner counts down to the next attempt.
  await popup.page.locator("#banner-text", { hasText: /Reconnecting in \d+ s/ }).waitFor({ timeout: 20_000 });
  await popup.screenshot("offline-pending");

  await eliza.start();
  await popup.waitForReply(`echo: ${text}`, 40_000);
  await popup.waitForStatus(text, "delivered");
  await popup.page.locator("#banner").waitFor({ state: "hidden" });

  assert.equal(await popup.bubbles(text, "own").count(), 1, "shown once");
  assert.equal(await popup.bubbles(`echo: ${text}`, "agent").count(), 1, "answered once");
  const stored = await serverCopiesOf(text);
  assert.equal(stored.length, 1, "the server has the message exactly once");
  assert.equal((await serverCopiesOf(`echo: ${text}`)).length, 1, "and one answer");
});

test("the service worker stopped mid-conversation: it restarts, reconnects and delivers the reply", { timeout: 90_000 }, async () => {
  const text = "[slow:3000] are you still there?";
  await popup.send(text);
  await popup.waitForStatus(text, "delivered");
  await popup.page.locator("#thinking:not([hidden])", { hasText: "Echo is thinking…" }).waitFor();

  // Stop the worker the way the browser does when it is idle (DevTools protocol), and watch
  // it stop and run again.
  const cdp = await ext.context.newCDPSession(popup.page);
  const statuses = [];
  cdp.on("ServiceWorker.workerVersionUpdated", ({ versions }) => {
    for (const v of versions) if (v.scriptURL.endsWith("/background.js")) statuses.push(v.runningStatus);
  });
  await cdp.send("ServiceWorker.enable");
  await cdp.send("ServiceWorker.stopAllWorkers");
  await waitFor(() => statuses.includes("stopped"), { what: "the worker to stop" });

  // The popup reconnects (which starts the worker again); the restarted worker reconnects to
  // the server and the reply arrives, live or from history.
  await popup.waitForReply(`echo: ${text}`, 30_000);
  assert.equal(statuses.at(-1), "running", `worker states: ${statuses.join(" → ")}`);
  assert.ok(statuses.indexOf("running", statuses.indexOf("stopped")) > 0, "the worker ran again after stopping");
  assert.equal(await popup.bubbles(`echo: ${text}`, "agent").count(), 1);
  assert.equal(await popup.bubbles(text, "own").count(), 1);
  await popup.page.locator("#thinking").waitFor({ state: "hidden" });
  await cdp.detach();

  assert.deepEqual(popup.errors, []);
  await popup.screenshot("after-worker-restart");
});
