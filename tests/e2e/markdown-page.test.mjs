// The Markdown renderer in a plain Chromium page: first the module alone (many inputs, fast), then
// the demo page (crate/demo) chatting with a real ElizaOS server, which renders the same way as
// the extension's popup.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startDemoSetup } from "./lib/demo.mjs";
import { ARTIFACTS_DIR } from "./lib/paths.mjs";
import {
  HOSTILE_SAMPLE,
  MARKDOWN_SAMPLE,
  SAMPLE_CODE,
  assertHostileInert,
  assertSampleStructure,
  copyFirstCodeBlock,
  inspectRendered,
} from "./lib/markdown.mjs";

let setup, context;

before(async () => {
  setup = await startDemoSetup();
  context = await setup.browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
});

after(async () => {
  await context?.close();
  await setup?.dispose();
});

/** A page of the demo's origin, watching for scripts that should never run. */
async function openPage(url = setup.url) {
  const page = await context.newPage();
  const seen = { errors: [], dialogs: [] };
  page.on("pageerror", (e) => seen.errors.push(e.message));
  page.on("dialog", (d) => {
    seen.dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  await page.goto(url);
  return { page, seen };
}

/** Renders `text` (and `attachments`) with the module into a fresh box; returns its locator. */
async function render(page, text, attachments) {
  await page.evaluate(
    async ({ text, attachments }) => {
      const { renderMarkdown, renderAttachments } = await import("/markdown/markdown.js");
      const box = document.createElement("div");
      box.className = "unit";
      box.append(renderMarkdown(text));
      const links = renderAttachments(attachments);
      if (links) box.append(links);
      document.body.replaceChildren(box);
    },
    { text, attachments },
  );
  return page.locator("div.unit");
}

test("the renderer: the supported subset becomes structure", { timeout: 60_000 }, async () => {
  const { page, seen } = await openPage(`${setup.url}markdown/markdown.js`);
  assertSampleStructure(await inspectRendered(await render(page, MARKDOWN_SAMPLE)));

  // Hard and soft line breaks, nested lists, a loose list, references and autolinks.
  const box = await render(page, "line one  \nline two\n\n- a\n  - nested\n\n- b\n\n[ref][r] and <https://example.org/x>\n\n[r]: https://example.net/r");
  const summary = await inspectRendered(box);
  assert.deepEqual(summary.violations, []);
  assert.equal(await box.locator("br").count(), 1);
  assert.equal(await box.locator("ul ul > li").textContent(), "nested");
  assert.deepEqual(
    summary.links.map((l) => [l.href, l.text]),
    [["https://example.net/r", "ref"], ["https://example.org/x", "https://example.org/x"]],
  );
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test("the renderer: hostile input stays inert", { timeout: 60_000 }, async () => {
  const { page, seen } = await openPage(`${setup.url}markdown/markdown.js`);
  assertHostileInert(await inspectRendered(await render(page, HOSTILE_SAMPLE)));

  const variants = [
    "[a](javascript:alert(1))",
    "[a](<javascript:alert(1)>)",
    "[a](  JaVaScRiPt:alert(1)  )",
    "[a](java&#x09;script:alert(1))",
    "[a](%6Aavascript:alert(1))",
    "[a](vbscript:msgbox(1))",
    "[a](data:text/html,<script>alert(1)</script>)",
    "[a](//evil.example/x) [b](/relative) [c](#top) [d](mailto:x@example.com) [e](file:///etc/passwd)",
    "![a](javascript:alert(1)) ![b](https://example.com/x.png \"t\") ![c](x.png)",
    '<img src=x onerror=alert(1)> <IMG SRC="javascript:alert(1)"> <svg/onload=alert(1)>',
    "<script>alert(1)</script>\n\n<style>*{display:none}</style>\n\n<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    '<a href="javascript:alert(1)">x</a> <form action="javascript:alert(1)"><button>go</button></form>',
    '[a](https://example.com/" onclick="alert(1)) [b](https://example.com/ "x\\" onmouseover=\\"alert(1)")',
    "<https://example.com/\"><script>alert(1)</script>>",
    "&lt;script&gt;alert(1)&lt;/script&gt; &#60;img src=x onerror=alert(1)&#62;",
    "```\n<script>alert(1)</script>\n```\n\n`<img src=x onerror=alert(1)>`",
  ];
  for (const text of variants) {
    const summary = await inspectRendered(await render(page, text));
    assert.deepEqual(summary.violations, [], `inert: ${text}`);
    for (const link of summary.links) assert.match(link.href, /^https?:\/\//, `only http(s) links: ${text}`);
  }
  // The one http(s) image of the variants is a link, not an image.
  const image = await inspectRendered(await render(page, variants[8]));
  assert.deepEqual(image.links.map((l) => [l.href, l.text]), [["https://example.com/x.png", "b"]]);
  assert.match(image.text, /^a b c$/);
  // Entities are decoded to text, never to markup.
  const entities = await inspectRendered(await render(page, variants[14]));
  assert.equal(entities.text, "<script>alert(1)</script> <img src=x onerror=alert(1)>");

  assert.equal(await page.evaluate(() => document.querySelectorAll("img, script, iframe, style, form").length), 0);
  assert.deepEqual(seen.dialogs, []);
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test("the renderer: any input renders without throwing", { timeout: 60_000 }, async () => {
  const { page, seen } = await openPage(`${setup.url}markdown/markdown.js`);
  const results = await page.evaluate(async () => {
    const { renderMarkdown } = await import("/markdown/markdown.js");
    const inputs = [
      "",
      null,
      undefined,
      42,
      { text: "object" },
      ">".repeat(5000) + " deep",
      "- ".repeat(3000) + "deep list",
      "*".repeat(20000) + "stars" + "_".repeat(20000),
      "[".repeat(10000) + "x" + "](https://example.com)".repeat(100),
      "`".repeat(10000),
      "a\u0000b \uFFFD \uD800 lone surrogate",
      "word ".repeat(60000),
    ];
    return inputs.map((input) => {
      const node = renderMarkdown(input);
      return { tag: node.tagName, length: node.textContent.length, nested: node.querySelectorAll("blockquote, ul").length };
    });
  });
  for (const result of results) assert.equal(result.tag, "DIV");
  assert.ok(results[5].length > 0 && results[11].length >= 299_000, JSON.stringify(results));
  // Deep nesting is rendered as structure down to a limit, then as text (not the whole as text).
  assert.ok(results[5].nested > 10 && results[6].nested > 10, JSON.stringify(results));
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test("the renderer: attachments become http(s) links with their title", { timeout: 60_000 }, async () => {
  const { page } = await openPage(`${setup.url}markdown/markdown.js`);
  const box = await render(page, "see attached", [
    { url: "https://example.com/a.pdf", title: "Report", contentType: "application/pdf" },
    { url: "http://example.com/b.png", contentType: "image/png" },
    { url: "javascript:alert(1)", title: "script" },
    { url: "data:image/png;base64,AAAA", title: "data" },
    { url: "/relative/c.txt", title: "relative" },
    null,
    "https://example.com/string-only",
    { url: 42, title: "number" },
  ]);
  const summary = await inspectRendered(box);
  assert.deepEqual(summary.violations, []);
  assert.deepEqual(summary.attachments, [
    { href: "https://example.com/a.pdf", text: "Report", target: "_blank", rel: "noopener noreferrer" },
    { href: "http://example.com/b.png", text: "http://example.com/b.png", target: "_blank", rel: "noopener noreferrer" },
  ]);
  assert.equal(await box.locator(".attachments a").first().getAttribute("title"), "Report (application/pdf)");
  assert.equal(await (await render(page, "none", [{ url: "javascript:alert(1)" }])).locator(".attachments").count(), 0);
  await page.close();
});

test("the demo page renders Markdown replies the same way, inertly", { timeout: 90_000 }, async () => {
  const { page, seen } = await openPage();
  await page.getByLabel("Server").fill(setup.eliza.url);
  await page.getByRole("button", { name: "Connect" }).click();
  await page.getByRole("button", { name: "Open chat" }).click();
  const input = page.getByRole("textbox", { name: "Message" });

  await input.fill(MARKDOWN_SAMPLE);
  await input.press("Enter");
  const reply = page.locator("#log li.agent", { hasText: "a quoted line" }).locator(".md");
  await reply.waitFor({ timeout: 30_000 });
  assertSampleStructure(await inspectRendered(reply), "echo: ");
  assert.equal(await copyFirstCodeBlock(page, reply), SAMPLE_CODE);
  // The user's own message is plain text.
  assert.equal(await page.locator("#log li.own .md").count(), 0);
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, "demo-markdown.png") });

  await input.fill(HOSTILE_SAMPLE);
  await input.press("Enter");
  const hostile = page.locator("#log li.agent", { hasText: "raw link" }).locator(".md");
  await hostile.waitFor({ timeout: 30_000 });
  assertHostileInert(await inspectRendered(hostile));
  assert.equal(await page.locator("img").count(), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined, "no script ran");
  assert.deepEqual(seen.dialogs, []);
  assert.deepEqual(seen.errors, []);
});
