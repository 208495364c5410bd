// Rich replies in the extension's popup (Chromium) against a real ElizaOS server: the echo agent
// answers "echo: <text>", so sending Markdown brings back a Markdown reply.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEliza } from "../fixtures/eliza.mjs";
import { launchWithExtension } from "./lib/chromium.mjs";
import { Popup } from "./lib/popup.mjs";
import { postAgentMessage, dmChannelId } from "./lib/server.mjs";
import {
  HOSTILE_SAMPLE,
  MARKDOWN_SAMPLE,
  SAMPLE_CODE,
  assertHostileInert,
  assertSampleStructure,
  copyFirstCodeBlock,
  inspectRendered,
} from "./lib/markdown.mjs";

let eliza, ext, popup;

before(async () => {
  [eliza, ext] = await Promise.all([startEliza({ agents: ["Echo"] }), launchWithExtension()]);
  popup = await Popup.open(ext);
  await popup.fillSettings({ serverUrl: eliza.url, userName: "Ada" });
  await popup.save();
  await popup.openChat("Echo");
});

after(async () => {
  await Promise.all([ext?.close(), eliza?.dispose()]);
});

/** The agent's delivered bubble whose text contains `marker`. */
async function replyBubble(marker) {
  const bubble = popup.page
    .locator("#messages .msg.agent[data-status=delivered] .bubble")
    .filter({ hasText: marker })
    .first();
  try {
    await bubble.waitFor({ timeout: 30_000 });
  } catch (error) {
    error.message += `\npopup state: ${await popup.describe()}`;
    throw error;
  }
  return bubble;
}

test("a Markdown reply renders as structure, and its code block's copy button copies the code", { timeout: 90_000 }, async () => {
  await popup.send(MARKDOWN_SAMPLE);
  const bubble = await replyBubble("a quoted line");
  assertSampleStructure(await inspectRendered(bubble), "echo: ");

  // The user's own message stays plain text.
  const own = popup.page.locator("#messages .msg.own .bubble").last();
  assert.equal(await own.textContent(), MARKDOWN_SAMPLE);
  assert.equal(await own.locator("*").count(), 0);

  // The clipboard is read back the way a user would: pasting into the composer.
  const pasted = await copyFirstCodeBlock(popup.page, bubble, async () => {
    await popup.input.fill("");
    await popup.input.focus();
    await popup.page.keyboard.press("ControlOrMeta+V");
    const value = await popup.input.inputValue();
    await popup.input.fill("");
    return value;
  });
  assert.equal(pasted, SAMPLE_CODE);
  assert.equal(await bubble.getByRole("button", { name: "Copied" }).count(), 1, "the button says it copied");

  // The code block scrolls sideways instead of widening the bubble.
  const pre = bubble.locator("pre");
  assert.equal(await pre.evaluate((n) => getComputedStyle(n).overflowX), "auto");
  await popup.page.getByRole("button", { name: "Copy code" }).waitFor();
  await popup.screenshot("markdown-reply", { readme: true });
  assert.deepEqual(popup.errors, []);
});

test("script and data URLs, raw HTML and images in a reply stay inert", { timeout: 90_000 }, async () => {
  await popup.send(HOSTILE_SAMPLE);
  const bubble = await replyBubble("raw link");
  assertHostileInert(await inspectRendered(bubble));
  assert.equal(await popup.page.locator("#messages .bubble :is(img, script, iframe, object, embed, style)").count(), 0);
  const images = await popup.page.locator("img").evaluateAll((nodes) => nodes.map((n) => new URL(n.src).pathname));
  assert.ok(images.every((p) => p.startsWith("/icons/")), `only the popup's own icons: ${images}`);
  assert.equal(await popup.page.evaluate(() => window.pwned), undefined, "no script ran");
  assert.deepEqual(popup.dialogs, [], "no dialog opened");
  assert.deepEqual(popup.errors, []);
});

test("attachments of a reply show as http(s) links with their title", { timeout: 90_000 }, async () => {
  const agentId = eliza.agents.find((a) => a.name === "Echo").id;
  const entityId = await (await ext.serviceWorker()).evaluate(async () => (await chrome.storage.local.get("entityId")).entityId);
  const channelId = await dmChannelId(eliza, entityId, agentId);
  await postAgentMessage(eliza, {
    channelId,
    agentId,
    text: "Here is **the report**.",
    attachments: [
      { url: "https://example.com/report.pdf", title: "Quarterly report", contentType: "application/pdf" },
      { url: "javascript:alert(1)", title: "not a link", contentType: "text/html" },
      { url: "data:text/html,<script>alert(2)</script>", title: "nor this", contentType: "text/html" },
    ],
  });
  const bubble = await replyBubble("Here is the report.");
  const summary = await inspectRendered(bubble);
  assert.deepEqual(summary.violations, []);
  assert.deepEqual(summary.strong, ["the report"]);
  assert.deepEqual(summary.attachments, [
    { href: "https://example.com/report.pdf", text: "Quarterly report", target: "_blank", rel: "noopener noreferrer" },
  ]);
  assert.deepEqual(popup.dialogs, []);
});
