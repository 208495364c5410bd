// The same built extension folder in Firefox: installed as a temporary add-on, one
// send/reply with a real ElizaOS server through the popup page, then a Markdown reply.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { startEliza } from "../fixtures/eliza.mjs";
import { ENTER, launchFirefoxWithExtension } from "./lib/firefox.mjs";
import { ARTIFACTS_DIR } from "./lib/paths.mjs";

let eliza, firefox;

before(async () => {
  [eliza, firefox] = await Promise.all([startEliza({ agents: ["Echo"] }), launchFirefoxWithExtension()]);
});

after(async () => {
  await Promise.all([firefox?.close(), eliza?.dispose()]);
});

test("Firefox: set up the server, open a chat, send and see the reply", { timeout: 120_000 }, async () => {
  const s = firefox.session;
  await s.goto(firefox.popupUrl);
  await s.waitUntil(`return document.getElementById("app").dataset.view === "settings"`, "the settings view");

  await s.clear("#server-url");
  await s.type("#server-url", eliza.url);
  await s.click("#test-connection");
  await s.waitUntil(`return document.getElementById("test-result").dataset.tone === "ok"`, "a good connection test");
  assert.match(await s.text("#test-result"), /Connected: 1 agent\b/);
  await s.click("#save-settings");

  await s.waitUntil(`return document.querySelector(".agent-row[aria-label^='Echo,']")`, "Echo in the list");
  await s.click(".agent-row[aria-label^='Echo,']");
  await s.waitUntil(`return document.getElementById("app").dataset.view === "chat"`, "the chat view");

  const text = "hello from Firefox <b>bold</b>";
  await s.type("#message-input", text + ENTER);
  const reply = `echo: ${text}`;
  await s.waitUntil(
    `return [...document.querySelectorAll("#messages .msg.agent .bubble")].some((b) => b.textContent === ${JSON.stringify(reply)})`,
    "the agent's reply",
  );
  const own = await s.execute(`return [...document.querySelectorAll("#messages .msg.own")].map((m) => [m.querySelector(".bubble").textContent, m.dataset.status])`);
  assert.deepEqual(own, [[text, "delivered"]]);
  assert.equal(await s.execute(`return document.querySelectorAll("#messages b").length`), 0, "text, not markup");

  // A Markdown reply renders as structure in Firefox too, with only the http(s) link live.
  const markdown = "**bold** `code` [site](https://example.com/) [bad](javascript:alert(1)) <img src=x onerror=alert(1)>";
  await s.type("#message-input", markdown + ENTER);
  await s.waitUntil(
    `return [...document.querySelectorAll("#messages .msg.agent .bubble")].some((b) => b.textContent.includes("[bad]") || b.textContent.includes("bold code site bad"))`,
    "the agent's Markdown reply",
  );
  const rendered = await s.execute(`
    const bubble = [...document.querySelectorAll("#messages .msg.agent .bubble")].at(-1);
    return {
      text: bubble.textContent,
      strong: [...bubble.querySelectorAll("strong")].map((n) => n.textContent),
      code: [...bubble.querySelectorAll("code")].map((n) => n.textContent),
      links: [...bubble.querySelectorAll("a")].map((a) => [a.getAttribute("href"), a.target, a.rel, a.textContent]),
      images: document.querySelectorAll("#messages img").length,
    };`);
  assert.deepEqual(rendered, {
    text: "echo: bold code site bad <img src=x onerror=alert(1)>",
    strong: ["bold"],
    code: ["code"],
    links: [["https://example.com/", "_blank", "noopener noreferrer", "site"]],
    images: 0,
  });

  await mkdir(ARTIFACTS_DIR, { recursive: true });
  await writeFile(path.join(ARTIFACTS_DIR, "firefox-chat.png"), await s.screenshot());
});
