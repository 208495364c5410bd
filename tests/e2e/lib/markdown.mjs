// What the Markdown tests share: the messages they send, and checks that read the rendered DOM
// in the page (popup, demo page or a bare page with the renderer module).
import assert from "node:assert/strict";

/** A reply using every part of the supported subset. */
export const MARKDOWN_SAMPLE = [
  "Here is **bold**, *emphasis* and `inline code`.",
  "Second line of the same paragraph.",
  "",
  "```js",
  "const answer = 42;",
  "console.log(answer);",
  "```",
  "",
  "- first item",
  "- second item",
  "",
  "1. one",
  "2. two",
  "",
  "> a quoted line",
  "",
  'Read [the docs](https://example.com/docs "Docs").',
].join("\n");

export const SAMPLE_CODE = "const answer = 42;\nconsole.log(answer);";

/**
 * A reply trying every way of getting markup, a script URL or a data URL through. Anything that
 * runs sets window.pwned or opens a dialog.
 */
export const HOSTILE_SAMPLE = [
  "[js](javascript:window.pwned=1) [caps](JAVASCRIPT:alert(2)) [entity](&#106;avascript:alert(3))",
  "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==) <javascript:alert(5)> [ref]",
  '![pic](data:image/png;base64,iVBORw0KGgo=) ![remote](http://127.0.0.1:9/x.png) <img src=x onerror="window.pwned=6;alert(6)">',
  '<a href="javascript:alert(7)" onclick="window.pwned=7">raw link</a> <svg onload="window.pwned=8"></svg>',
  "",
  "<script>window.pwned=9;alert(9)</script>",
  "",
  '<iframe src="javascript:alert(10)"></iframe>',
  "",
  "[ref]: javascript:alert(11)",
].join("\n");

/** Pieces of HOSTILE_SAMPLE that must show up as literal text. */
export const HOSTILE_LITERALS = ['<img src=x onerror="window.pwned=6;alert(6)">', "<script>window.pwned=9;alert(9)</script>", "<svg onload"];

/**
 * Runs in the page: a summary of the rendered Markdown in `root`, and everything in it that
 * could load or run something.
 */
function inspect(root) {
  const texts = (selector) => [...root.querySelectorAll(selector)].map((n) => n.textContent);
  const allowed = new Set(["DIV", "P", "EM", "STRONG", "CODE", "PRE", "UL", "OL", "LI", "BLOCKQUOTE", "A", "BR", "HR", "SPAN", "BUTTON", "DEL", "svg", "path"]);
  const violations = [];
  for (const node of root.querySelectorAll("*")) {
    const tag = node.tagName;
    if (!allowed.has(tag)) violations.push(`element <${tag.toLowerCase()}>`);
    if ((tag === "svg" || tag === "path") && !node.closest("button.copy-code")) violations.push(`svg outside the copy button`);
    for (const attr of node.attributes) {
      if (/^on/i.test(attr.name)) violations.push(`${tag.toLowerCase()} has ${attr.name}`);
      if (/^(src|srcset|action|formaction|background|poster|data|xlink:href)$/i.test(attr.name)) violations.push(`${tag.toLowerCase()} has ${attr.name}`);
    }
    if (tag === "A" && !/^https?:$/.test(new URL(node.href, "http://invalid.test").protocol)) violations.push(`link to ${node.getAttribute("href")}`);
  }
  const links = [...root.querySelectorAll("a")].map((a) => ({ href: a.getAttribute("href"), target: a.target, rel: a.rel, title: a.title, text: a.textContent }));
  return {
    text: root.textContent,
    paragraphs: texts("p"),
    strong: texts("strong"),
    em: texts("em"),
    inlineCode: texts(":not(pre) > code"),
    codeBlocks: texts("pre > code"),
    copyButtons: root.querySelectorAll(".md-code > button.copy-code").length,
    bullets: texts("ul:not(.attachments) > li"),
    numbered: texts("ol > li"),
    quotes: texts("blockquote"),
    links,
    attachments: [...root.querySelectorAll(".attachments a")].map((a) => ({ href: a.getAttribute("href"), text: a.textContent, target: a.target, rel: a.rel })),
    violations,
  };
}

/** The summary of the rendered Markdown inside `locator` (one element). */
export async function inspectRendered(locator) {
  return locator.evaluate(inspect);
}

/** Asserts that `summary` shows MARKDOWN_SAMPLE (preceded by `prefix`, e.g. "echo: ") as structure. */
export function assertSampleStructure(summary, prefix = "") {
  assert.deepEqual(summary.violations, []);
  assert.equal(summary.paragraphs[0], `${prefix}Here is bold, emphasis and inline code.\nSecond line of the same paragraph.`);
  assert.deepEqual(summary.strong, ["bold"]);
  assert.deepEqual(summary.em, ["emphasis"]);
  assert.deepEqual(summary.inlineCode, ["inline code"]);
  assert.deepEqual(summary.codeBlocks, [SAMPLE_CODE]);
  assert.equal(summary.copyButtons, 1);
  assert.deepEqual(summary.bullets, ["first item", "second item"]);
  assert.deepEqual(summary.numbered, ["one", "two"]);
  assert.deepEqual(summary.quotes, ["a quoted line"]);
  assert.deepEqual(summary.links, [{ href: "https://example.com/docs", target: "_blank", rel: "noopener noreferrer", title: "Docs", text: "the docs" }]);
  assert.ok(!summary.text.includes("**") && !summary.text.includes("```"), "no Markdown syntax left in the text");
}

/** Asserts that `summary` shows HOSTILE_SAMPLE inert: no markup, no script or data URL. */
export function assertHostileInert(summary) {
  assert.deepEqual(summary.violations, []);
  for (const literal of HOSTILE_LITERALS) assert.ok(summary.text.includes(literal), `shown as text: ${literal}`);
  // The only anchor is the http image, as a link named by its alt text (never loaded).
  assert.deepEqual(summary.links, [{ href: "http://127.0.0.1:9/x.png", target: "_blank", rel: "noopener noreferrer", title: "", text: "remote" }]);
  for (const label of ["js", "caps", "entity", "data", "pic"]) {
    assert.ok(summary.text.includes(label), `the text of the refused link "${label}" stays`);
  }
}

/**
 * Clicks the copy button of the first code block in `locator` and returns the clipboard's text,
 * read by `readClipboard` (default: the Clipboard API, where the page may read it).
 */
export async function copyFirstCodeBlock(page, locator, readClipboard = () => page.evaluate(() => navigator.clipboard.readText())) {
  const button = locator.locator("button.copy-code").first();
  await button.click();
  await locator.locator('button.copy-code[data-copied="copied"]').first().waitFor({ timeout: 5_000 });
  return readClipboard();
}
