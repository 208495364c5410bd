// The demo page (crate/demo), served by its own server, chatting with a real ElizaOS server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startDemoSetup } from "./lib/demo.mjs";
import { ARTIFACTS_DIR } from "./lib/paths.mjs";

let setup, eliza;

before(async () => {
  setup = await startDemoSetup();
  eliza = setup.eliza;
});

after(() => setup?.dispose());

test("the demo page lists the agent, opens a DM, sends and shows the reply as text", { timeout: 90_000 }, async () => {
  const page = await setup.browser.newPage();
  const errors = [];
  const consoleLines = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => consoleLines.push(m.text()));
  await page.goto(setup.url);
  await page.getByLabel("Server").fill(eliza.url);
  await page.getByRole("button", { name: "Connect" }).click();
  await page.getByRole("button", { name: "Open chat" }).click();
  assert.equal(await page.getByLabel("Agent").locator("option:checked").textContent(), "Echo");

  const text = 'hello <img src=x onerror="window.pwned=1"> & bye';
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.getByRole("textbox", { name: "Message" }).press("Enter");
  const reply = page.locator("#log li.agent", { hasText: `echo: ${text}` });
  await reply.waitFor({ timeout: 30_000 }).catch(async (error) => {
    const shown = await page.evaluate(() => [document.getElementById("status").textContent, document.getElementById("log").innerText]);
    throw new Error(`${error.message}\npage shows: ${JSON.stringify(shown)}\nerrors: ${errors.join("\n")}\nconsole: ${consoleLines.join("\n")}`);
  });

  assert.equal(await page.locator("#log img").count(), 0, "markup in messages must not become elements");
  assert.equal(await page.locator("#log li.own", { hasText: text }).count(), 1, "own message shown once");
  assert.equal(await page.locator("#log li.pending").count(), 0, "own message acknowledged");
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, "demo-page.png") });
  assert.deepEqual(errors, []);
});
