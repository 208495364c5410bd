// Agents answer in Markdown: this renders a safe subset of it as DOM nodes, for the popup and
// the demo page alike.
//
// The parser is mdast-util-from-markdown (micromark underneath): CommonMark-compliant, maintained
// by the unified collective, no dependencies outside its own small family, and its output is a
// plain syntax tree (mdast) whose text is already decoded — no HTML string is produced anywhere,
// so nothing has to be escaped or sanitised afterwards. marked and markdown-it were the other
// candidates; both are built around emitting an HTML string, so their tokens carry text meant
// for one.
//
// Every node is made with createElement/createTextNode. Raw HTML in the source stays literal
// text, images are never loaded (an http(s) image becomes a link, anything else its alt text),
// and only absolute http(s) URLs become links (opened in a new tab, without opener or referrer).
import { fromMarkdown } from "mdast-util-from-markdown";
import { el, icon } from "./dom.js";

/** Nesting deeper than this (blockquotes in blockquotes…) is shown as its plain text. */
const MAX_DEPTH = 24;
/** Attachments shown per message: the rest are summed up in one line. */
const MAX_ATTACHMENTS = 20;
const COPY_ICON = ["M9 9h10v10H9z", "M5 15V5h10"];

/** The URL as an absolute http(s) href, or null for anything else (javascript:, data:, relative…). */
export function safeHref(url) {
  if (typeof url !== "string" || url === "") return null;
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
}

/** Renders Markdown `text` into a new `div.md`. Never throws: on any failure the text is shown as it is. */
export function renderMarkdown(text) {
  const root = el("div", { className: "md" });
  const source = typeof text === "string" ? text : String(text ?? "");
  try {
    const tree = fromMarkdown(source);
    const renderer = new Renderer(definitionsOf(tree));
    root.append(...renderer.children(tree, 0));
  } catch {
    // Not expected for any input (see the renderer tests), but a reply must never vanish.
    root.replaceChildren(el("p", {}, source));
  }
  return root;
}

/**
 * The `attachments[]` of a message ({url, title, contentType}) as a list of links, or null when
 * none has an http(s) URL. Nothing is fetched or embedded: an image is a link like any other.
 */
export function renderAttachments(attachments) {
  if (!Array.isArray(attachments)) return null;
  const items = [];
  let hidden = 0;
  for (const attachment of attachments) {
    const href = safeHref(attachment?.url);
    if (!href) continue;
    if (items.length === MAX_ATTACHMENTS) {
      hidden += 1;
      continue;
    }
    const title = textOf(attachment.title) || textOf(attachment.name) || href;
    const type = textOf(attachment.contentType);
    const link = externalLink(href, title);
    if (type) link.title = `${title} (${type})`;
    items.push(el("li", {}, link));
  }
  if (!items.length) return null;
  if (hidden) items.push(el("li", { className: "more" }, `and ${hidden} more`));
  return el("ul", { className: "attachments", "aria-label": "Attachments" }, items);
}

const textOf = (value) => (typeof value === "string" ? value.trim() : "");

function externalLink(href, ...children) {
  return el("a", { href, target: "_blank", rel: "noopener noreferrer" }, ...children);
}

/** Link and image definitions (`[id]: url`), by the identifier references use. */
function definitionsOf(tree) {
  const definitions = new Map();
  const visit = (node, depth) => {
    if (depth > MAX_DEPTH) return;
    if (node.type === "definition" && !definitions.has(node.identifier)) definitions.set(node.identifier, node);
    for (const child of node.children ?? []) visit(child, depth + 1);
  };
  visit(tree, 0);
  return definitions;
}

/**
 * The plain text of a node, as a last resort for what is not rendered as structure. A loop, not
 * recursion: it handles the nesting too deep to render (thousands of `>` or list markers).
 */
function plainText(node) {
  const parts = [];
  const pending = [node];
  while (pending.length) {
    const next = pending.pop();
    if (typeof next.value === "string") parts.push(next.value);
    else if (next.type === "image" || next.type === "imageReference") parts.push(next.alt ?? "");
    else if (next.children) for (let i = next.children.length - 1; i >= 0; i--) pending.push(next.children[i]);
  }
  return parts.join("");
}

class Renderer {
  constructor(definitions) {
    this.definitions = definitions;
  }

  children(parent, depth, tight = false) {
    const nodes = [];
    for (const child of parent.children ?? []) {
      // In a tight list, an item's paragraphs are its inline content.
      if (tight && child.type === "paragraph") nodes.push(...this.children(child, depth + 1));
      else nodes.push(...this.node(child, depth + 1));
    }
    return nodes;
  }

  /** One mdast node → DOM nodes (a list: some render as nothing). */
  node(node, depth) {
    if (depth > MAX_DEPTH) return [document.createTextNode(plainText(node))];
    switch (node.type) {
      case "paragraph":
        return [el("p", {}, this.children(node, depth))];
      case "heading":
        return [el("p", { className: `md-heading h${node.depth}` }, el("strong", {}, this.children(node, depth)))];
      case "thematicBreak":
        return [el("hr")];
      case "blockquote":
        return [el("blockquote", {}, this.children(node, depth))];
      case "list":
        return [this.list(node, depth)];
      case "listItem":
        return [el("li", {}, this.children(node, depth, !node.spread))];
      case "code":
        return [codeBlock(node.value ?? "", node.lang)];
      case "html":
        // Raw HTML is shown as the text it is; a block of it keeps its own paragraph.
        return [depth === 1 ? el("p", { className: "md-raw" }, node.value) : document.createTextNode(node.value)];
      case "text":
        return [document.createTextNode(node.value)];
      case "emphasis":
        return [el("em", {}, this.children(node, depth))];
      case "strong":
        return [el("strong", {}, this.children(node, depth))];
      case "delete":
        return [el("del", {}, this.children(node, depth))];
      case "inlineCode":
        return [el("code", {}, node.value)];
      case "break":
        return [el("br")];
      case "link":
        return [this.link(node.url, node.title, this.children(node, depth))];
      case "image":
        return [image(node.url, node.alt)];
      case "linkReference":
      case "imageReference":
        return this.reference(node, depth);
      case "definition":
        return [];
      default:
        return [document.createTextNode(plainText(node))];
    }
  }

  list(node, depth) {
    const props = {};
    // `start` is whatever number the source wrote: keep it only when the browser can show it.
    if (node.ordered && Number.isSafeInteger(node.start) && node.start !== 1) props.start = node.start;
    return el(node.ordered ? "ol" : "ul", props, this.children(node, depth));
  }

  link(url, title, children) {
    const href = safeHref(url);
    if (!href) return el("span", { className: "md-link-text" }, children);
    const link = externalLink(href, children);
    if (typeof title === "string" && title) link.title = title;
    return link;
  }

  reference(node, depth) {
    const definition = this.definitions.get(node.identifier);
    if (!definition) return [document.createTextNode(plainText(node))];
    if (node.type === "imageReference") return [image(definition.url, node.alt)];
    return [this.link(definition.url, definition.title, this.children(node, depth))];
  }
}

/** An image is never loaded: an http(s) one becomes a link named by its alt text. */
function image(url, alt) {
  const href = safeHref(url);
  const label = alt || "image";
  return href ? externalLink(href, label) : document.createTextNode(alt ?? "");
}

/** A fenced or indented code block, scrolling sideways, with a button that copies its text. */
function codeBlock(value, lang) {
  const code = el("code", {}, value);
  const button = el("button", { type: "button", className: "copy-code", title: "Copy code", "aria-label": "Copy code" }, icon(...COPY_ICON));
  button.addEventListener("click", () => copyCode(button, code, value));
  const props = { className: "md-code" };
  if (typeof lang === "string" && lang) props.dataset = { lang: lang.slice(0, 32) };
  return el("div", props, el("pre", {}, code), button);
}

async function copyCode(button, code, value) {
  try {
    await navigator.clipboard.writeText(value);
    setCopyState(button, "copied", "Copied");
  } catch {
    // No clipboard access (e.g. the page lost focus): select the code so that Ctrl+C copies it.
    const range = document.createRange();
    range.selectNodeContents(code);
    getSelection()?.removeAllRanges();
    getSelection()?.addRange(range);
    setCopyState(button, "selected", "Selected: press Ctrl+C to copy");
  }
}

function setCopyState(button, state, label) {
  button.dataset.copied = state;
  button.title = label;
  button.setAttribute("aria-label", label);
  clearTimeout(button.resetTimer);
  button.resetTimer = setTimeout(() => {
    delete button.dataset.copied;
    button.title = "Copy code";
    button.setAttribute("aria-label", "Copy code");
  }, 2000);
}
