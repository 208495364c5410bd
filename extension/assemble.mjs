// Assembles the unpacked extension: manifest.json, the extension's own files, and the built
// web package under pkg/. Usage: node extension/assemble.mjs PKG_DIR OUT_DIR
//
// Chromium refuses to load a folder holding any name that starts with "_" (node_modules/.bin,
// target/…), so only an explicit set of files is copied.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleMarkdown } from "./bundle-markdown.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const [pkgDir, out] = process.argv.slice(2).map((p) => path.resolve(p));
if (!pkgDir || !out) throw new Error("usage: node assemble.mjs PKG_DIR OUT_DIR");

/** Files of extension/ that ship (this script and tests stay out). */
const SHIPPED = /\.(html|css|js|png|svg|json)$/;
const SKIPPED = new Set(["assemble.mjs", "bundle-markdown.mjs"]);

function copyTree(from, to, filter) {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (entry.name.startsWith("_") || entry.name.startsWith(".")) continue;
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) {
      copyTree(src, dst, filter);
    } else if (filter(entry.name)) {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(src, dst);
    }
  }
}

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
fs.copyFileSync(path.join(root, "manifest.json"), path.join(out, "manifest.json"));
copyTree(here, out, (name) => SHIPPED.test(name) && !SKIPPED.has(name));
copyTree(pkgDir, path.join(out, "pkg"), (name) => /\.(js|wasm)$/.test(name));
// The Markdown renderer imports its parser from node_modules: the popup gets the bundled module
// in place of the source file.
await bundleMarkdown(path.join(out, "popup/markdown.js"));

const manifest = JSON.parse(fs.readFileSync(path.join(out, "manifest.json"), "utf8"));
const referenced = [
  manifest.background.service_worker,
  manifest.action.default_popup,
  ...Object.values(manifest.icons),
];
const missing = referenced.filter((f) => !fs.existsSync(path.join(out, f)));
if (missing.length) throw new Error(`extension files missing: ${missing.join(", ")}`);
