// API keys: a server that requires one (SERVER_API_KEY for the socket, or
// ELIZA_SERVER_AUTH_TOKEN for REST) — the popup says "wrong API key" clearly, and the right key
// works end to end.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startEliza } from "../fixtures/eliza.mjs";
import { launchWithExtension } from "./lib/chromium.mjs";
import { Popup } from "./lib/popup.mjs";

const KEY = "correct-horse-battery-staple";
const cleanups = [];
after(() => Promise.all(cleanups.map((fn) => fn())));

async function setUp(serverOptions) {
  const [eliza, ext] = await Promise.all([startEliza({ agents: ["Echo"], ...serverOptions }), launchWithExtension()]);
  cleanups.push(() => ext.close(), () => eliza.dispose());
  return { eliza, popup: await Popup.open(ext) };
}

/** Wrong key: clear error from "Test connection" and on the list; right key: a reply. */
async function wrongThenRight({ eliza, popup }, shotName) {
  await popup.fillSettings({ serverUrl: eliza.url, apiKey: "not-the-key" });
  const wrong = await popup.testConnection();
  assert.equal(wrong.tone, "error");
  assert.match(wrong.text, /Wrong API key/);
  await popup.screenshot(`${shotName}-test`);

  await popup.save();
  await popup.page.locator("#banner, #agents-empty").filter({ hasText: /Wrong API key/ }).first().waitFor({ timeout: 20_000 });
  await popup.screenshot(`${shotName}-list`);

  await popup.fillSettings({ apiKey: KEY });
  const right = await popup.testConnection();
  assert.equal(right.tone, "ok", right.text);
  assert.match(right.text, /Connected: 1 agent\b/);
  await popup.save();
  await popup.page.locator("#conn[data-state=connected]").waitFor({ timeout: 20_000 });
  assert.equal(await popup.page.locator("#banner").isHidden(), true);
  await popup.openChat("Echo");
  await popup.send("the key works");
  await popup.waitForReply("echo: the key works");
  assert.deepEqual(popup.errors, []);
}

test("socket key (SERVER_API_KEY): wrong key is reported, right key chats", { timeout: 90_000 }, async () => {
  const setup = await setUp({ serverApiKey: KEY });
  await wrongThenRight(setup, "wrong-socket-key");
  // The socket refusal also shows in the connection banner.
});

test("REST key (ELIZA_SERVER_AUTH_TOKEN): wrong key is reported, right key chats", { timeout: 90_000 }, async () => {
  const setup = await setUp({ authToken: KEY });
  await wrongThenRight(setup, "wrong-rest-key");
});
