// Small DOM helpers. Text from the network only ever goes through textContent.

export const $ = (id) => document.getElementById(id);

/**
 * Creates an element: `el("li", {className: "msg", dataset: {id}}, child, "text", …)`.
 * Strings become text nodes; nothing is ever parsed as HTML.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "style") Object.assign(node.style, value);
    else if (key in node && !key.startsWith("aria")) node[key] = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** A small stroked icon from path data (constant strings from this code, not from the network). */
export function icon(...paths) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  for (const d of paths) {
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

export const ICONS = {
  clock: ["M12 7v5l3 2", "M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0z"],
  check: ["M5 12.5l4.5 4.5L19 7.5"],
  alert: ["M12 8v5", "M12 16.5v.01", "M10.3 3.9L2.4 17.5A2 2 0 0 0 4.1 20.5h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z"],
};

/**
 * Makes `parent`'s children exactly `nodes`, in order, touching only what differs: unchanged
 * nodes stay where they are (keeping focus and screen-reader state).
 */
export function reconcile(parent, nodes) {
  let cursor = parent.firstChild;
  for (const node of nodes) {
    if (node === cursor) {
      cursor = cursor.nextSibling;
      continue;
    }
    parent.insertBefore(node, cursor);
  }
  while (cursor) {
    const next = cursor.nextSibling;
    cursor.remove();
    cursor = next;
  }
}

/** A stable hue for an agent's avatar. */
export function hueOf(text) {
  let hash = 0;
  for (const ch of String(text)) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return hash % 360;
}

export function avatar(name, size = "") {
  const node = el("span", { className: `avatar ${size}`.trim(), "aria-hidden": "true" });
  setAvatar(node, name);
  return node;
}

export function setAvatar(node, name) {
  node.textContent = [...String(name || "?").trim()][0]?.toUpperCase() ?? "?";
  node.style.setProperty("--hue", String(hueOf(name)));
}
