// Soak: the ElizaOS server restarts 20 times (SOAK_RESTARTS to change) in the middle of two
// conversations, one through ElizaClient in a page (the built package) and one through the
// extension's popup. In every round both write while the server is down; after each restart
// the messages must reach the server exactly once and every reply must be delivered, exactly
// once. The figures are printed for the README.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startEliza } from "../fixtures/eliza.mjs";
import { launchWithExtension } from "./lib/chromium.mjs";
import { spawnUntil } from "./lib/child.mjs";
import { ROOT } from "./lib/paths.mjs";
import { Popup } from "./lib/popup.mjs";
import { channelMessages, dmChannelId } from "./lib/server.mjs";
import { inWorker } from "./lib/worker.mjs";
import { waitFor } from "./lib/wait.mjs";

// About 2 minutes on a quiet machine (ElizaOS starts in ~3 s), up to 5 on a loaded one (~9 s).
const RESTARTS = Number(process.env.SOAK_RESTARTS ?? 20);
let eliza, ext, demo;

before(async () => {
  [eliza, ext, demo] = await Promise.all([
    startEliza({ agents: ["Echo"] }),
    launchWithExtension(),
    spawnUntil(process.execPath, [path.join(ROOT, "crate/demo/serve.mjs"), "--port", "0"], /^(http:\/\/127\.0\.0\.1:\d+\/)$/),
  ]);
});

after(async () => {
  await Promise.all([ext?.close(), demo?.stop(), eliza?.dispose()]);
});

/** A page running ElizaClient (dist/pkg) in a DM with the agent; it logs what it receives. */
async function libraryChat() {
  const page = await ext.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(new URL("/pkg/package.json", demo.match[1]).href);
  const ids = await page.evaluate(async (serverUrl) => {
    const pkg = await import("/pkg/eliza_socketio.js");
    await pkg.default();
    const client = new pkg.ElizaClient({ serverUrl, userName: "Soak" });
    const [agent] = await client.agents();
    const dm = await client.joinDm(agent.id);
    window.received = [];
    client.onChannel(dm.id, "message", ({ message }) => window.received.push({ id: message.id, text: message.text }));
    window.send = (text) => client.send(dm.id, text);
    window.client = client;
    return { entityId: client.entityId, agentId: agent.id };
  }, eliza.url);
  return { page, errors, ...ids };
}

/** For each text: how many distinct message ids carried it (1 = once; 0 = lost; >1 = duplicated). */
function countsByText(texts, messages) {
  return texts.map((text) => new Set(messages.filter((m) => m.text === text).map((m) => m.id)).size);
}

function figures(label, counts) {
  return {
    label,
    lost: counts.filter((n) => n === 0).length,
    duplicated: counts.filter((n) => n > 1).length,
    once: counts.filter((n) => n === 1).length,
  };
}

test(`${RESTARTS} server restarts mid-conversation: nothing lost, nothing twice, every reply delivered`, { timeout: 60_000 + RESTARTS * 30_000 }, async () => {
  const started = Date.now();
  const library = await libraryChat();
  const popup = await Popup.open(ext);
  await popup.fillSettings({ serverUrl: eliza.url, userName: "Soak popup" });
  await popup.save();
  await popup.openChat("Echo");

  const libTexts = [];
  const popupTexts = [];
  const phases = { stop: 0, start: 0, replies: 0 };
  const timed = async (phase, work) => {
    const t = Date.now();
    await work();
    phases[phase] += Date.now() - t;
  };
  for (let round = 1; round <= RESTARTS; round++) {
    await timed("stop", () => eliza.stop());
    const libText = `library message ${round}`;
    const popupText = `popup message ${round}`;
    await library.page.evaluate((t) => window.send(t), libText);
    await popup.send(popupText);
    libTexts.push(libText);
    popupTexts.push(popupText);
    await timed("start", () => eliza.start());
    // The conversation goes on: both replies arrive before the next restart.
    await timed("replies", async () => {
      await waitFor(() => library.page.evaluate((t) => window.received.some((m) => m.text === t), `echo: ${libText}`), {
        timeout: 60_000,
        what: `the library's reply in round ${round}`,
      });
      await popup.waitForReply(`echo: ${popupText}`, 60_000);
    });
  }

  // What each side received, and what the server stored.
  const libReceived = await library.page.evaluate(() => window.received);
  const popupShown = await popup.page.locator("#messages .msg").evaluateAll((nodes) =>
    nodes.map((n) => ({ id: n.dataset.id, text: n.querySelector(".bubble").textContent })),
  );
  const popupEntity = await inWorker(ext, async () => (await chrome.storage.local.get("entityId")).entityId);
  const libStored = await channelMessages(eliza, await dmChannelId(eliza, library.entityId, library.agentId));
  const popupStored = await channelMessages(eliza, await dmChannelId(eliza, popupEntity, library.agentId));
  const stored = (list) => list.map((m) => ({ id: m.id, text: m.content }));
  const replies = (texts) => texts.map((t) => `echo: ${t}`);

  const report = [
    figures("library: messages on the server", countsByText(libTexts, stored(libStored))),
    figures("library: replies on the server", countsByText(replies(libTexts), stored(libStored))),
    figures("library: messages delivered to the page", countsByText(libTexts, libReceived)),
    figures("library: replies delivered to the page", countsByText(replies(libTexts), libReceived)),
    figures("popup: messages on the server", countsByText(popupTexts, stored(popupStored))),
    figures("popup: replies on the server", countsByText(replies(popupTexts), stored(popupStored))),
    figures("popup: messages shown", countsByText(popupTexts, popupShown)),
    figures("popup: replies shown", countsByText(replies(popupTexts), popupShown)),
  ];
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const mean = (ms) => (ms / RESTARTS / 1000).toFixed(1);
  console.log(`# soak: ${RESTARTS} restarts of ElizaOS in ${seconds} s, ${RESTARTS} messages each way per client`);
  console.log(`# mean per round: stop ${mean(phases.stop)} s, start ${mean(phases.start)} s, reconnect and replies ${mean(phases.replies)} s`);
  for (const r of report) console.log(`# ${r.label}: ${r.once} once, ${r.lost} lost, ${r.duplicated} duplicated`);

  for (const r of report) assert.deepEqual({ ...r, once: undefined }, { label: r.label, lost: 0, duplicated: 0, once: undefined });
  for (const r of report) assert.equal(r.once, RESTARTS, r.label);
  assert.equal(await popup.page.locator("#messages [data-status=pending], #messages [data-status=failed]").count(), 0);
  assert.deepEqual(await library.page.evaluate(() => window.client.outbox()), []);
  assert.deepEqual([...library.errors, ...popup.errors], []);
  await library.page.evaluate(() => window.client.disconnect());
});
