// The chat page written only in Rust (crate/examples/rust-chat, built into dist/example-rust),
// served by crate/demo/serve.mjs, in Chromium against a real ElizaOS server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startEliza } from "../fixtures/eliza.mjs";
import { launchPlain } from "./lib/chromium.mjs";
import { spawnUntil } from "./lib/child.mjs";
import { ROOT } from "./lib/paths.mjs";

let eliza, served, browser;

before(async () => {
  [eliza, served, browser] = await Promise.all([
    startEliza({ agents: ["Echo"] }),
    spawnUntil(
      process.execPath,
      [path.join(ROOT, "crate/demo/serve.mjs"), "--port", "0", "--pkg", path.join(ROOT, "dist/example-rust")],
      /^(http:\/\/127\.0\.0\.1:\d+\/)$/,
    ),
    launchPlain(),
  ]);
});

after(() => Promise.all([browser?.close(), served?.stop(), eliza?.dispose()]));

test("the Rust page lists the agent, opens a DM, sends and shows the reply as text", { timeout: 90_000 }, async () => {
  const page = await browser.browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${served.match[1]}pkg/index.html?server=${encodeURIComponent(eliza.url)}`);
  assert.equal(await page.getByLabel("Server").inputValue(), eliza.url, "the page read ?server=");
  await page.getByRole("button", { name: "Connect" }).click();
  await page.locator("#agent option", { hasText: "Echo" }).waitFor({ state: "attached", timeout: 30_000 });
  const message = page.getByRole("textbox", { name: "Message" });
  await message.waitFor({ state: "visible" });
  await page.waitForFunction(() => !document.getElementById("text").disabled, null, { timeout: 30_000 });

  const text = 'from Rust <img src=x onerror="window.pwned=1"> & bye';
  await message.fill(text);
  await message.press("Enter");
  const reply = page.locator("#log li.agent", { hasText: `echo: ${text}` });
  await reply.waitFor({ timeout: 30_000 }).catch(async (error) => {
    const shown = await page.evaluate(() => [document.getElementById("status").textContent, document.getElementById("log").innerText]);
    throw new Error(`${error.message}\npage shows: ${JSON.stringify(shown)}\nerrors: ${errors.join("\n")}`);
  });
  assert.equal(await page.locator("#log li.own", { hasText: text }).count(), 1, "own message shown once, acknowledged");
  assert.equal(await page.locator("#log li.pending").count(), 0);
  assert.equal(await page.locator("#log img").count(), 0, "markup in messages must not become elements");
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.deepEqual(errors, []);
});
