// Two chats open at once (two popup pages, two agents): each view shows only its own
// channel's messages. Then one agent stops: the list marks it, and its chat says so.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEliza } from "../fixtures/eliza.mjs";
import { launchWithExtension } from "./lib/chromium.mjs";
import { Popup } from "./lib/popup.mjs";
import { stopAgent } from "./lib/server.mjs";

let eliza, ext;

before(async () => {
  [eliza, ext] = await Promise.all([startEliza({ agents: ["Echo", "Parrot"] }), launchWithExtension()]);
});

after(async () => {
  await Promise.all([ext?.close(), eliza?.dispose()]);
});

test("two chats at once: each view gets only its own messages", { timeout: 90_000 }, async () => {
  const echoView = await Popup.open(ext);
  await echoView.fillSettings({ serverUrl: eliza.url, userName: "Ada" });
  await echoView.save();
  await echoView.openChat("Echo");

  const parrotView = await Popup.open(ext);
  await parrotView.openChat("Parrot");

  await Promise.all([echoView.send("only for Echo"), parrotView.send("only for Parrot")]);
  await Promise.all([echoView.waitForReply("echo: only for Echo"), parrotView.waitForReply("echo: only for Parrot")]);
  // A second round, so that late strays from the first would show up by now.
  await Promise.all([echoView.send("Echo again"), parrotView.send("Parrot again")]);
  await Promise.all([echoView.waitForReply("echo: Echo again"), parrotView.waitForReply("echo: Parrot again")]);

  assert.deepEqual(await echoView.transcript(), ["only for Echo", "echo: only for Echo", "Echo again", "echo: Echo again"]);
  assert.deepEqual(await parrotView.transcript(), [
    "only for Parrot",
    "echo: only for Parrot",
    "Parrot again",
    "echo: Parrot again",
  ]);
  await echoView.screenshot("rooms-echo");
  await parrotView.screenshot("rooms-parrot");
  assert.deepEqual([...echoView.errors, ...parrotView.errors], []);
  await Promise.all([echoView.close(), parrotView.close()]);
});

test("an inactive agent is marked in the list, and its chat says it will not answer", { timeout: 90_000 }, async () => {
  const parrot = eliza.agents.find((a) => a.name === "Parrot");
  await stopAgent(eliza, parrot.id);

  const popup = await Popup.open(ext);
  if ((await popup.view) === "chat") await popup.page.getByRole("button", { name: "Back to agents" }).click();
  await popup.page.getByRole("button", { name: "Refresh the agent list" }).click();
  await popup.page.locator(`.agent-row[data-agent-id="${parrot.id}"][data-status=inactive]`).waitFor();
  await popup.agent("Parrot").getByText("Inactive").waitFor();
  assert.equal(await popup.agent("Echo").getAttribute("data-status"), "active");
  await popup.screenshot("agents-inactive");

  await popup.openChat("Parrot");
  const notice = popup.page.getByRole("alert").filter({ hasText: "Parrot is inactive" });
  await notice.waitFor();
  assert.equal(await popup.page.locator("#subtitle").textContent(), "Inactive");
  await popup.screenshot("chat-inactive");

  await popup.openChat("Echo");
  await popup.page.locator("#inactive-notice").waitFor({ state: "hidden" });
  await popup.close();
});
