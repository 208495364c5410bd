// Bundles the Markdown renderer (extension/popup/markdown.js) with its parser into one ES module,
// for the extension's popup and the demo page. Usage: node extension/bundle-markdown.mjs OUT_FILE
//
// The parser comes from the root package.json (pinned in its lock); the bundle has no imports left,
// so the extension ships no node_modules (Chromium refuses folders whose names start with "_").
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
export const RENDERER = path.join(here, "popup/markdown.js");

/** Writes the bundle to `outfile`; returns its size in bytes. */
export async function bundleMarkdown(outfile) {
  const result = await build({
    entryPoints: [RENDERER],
    outfile,
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    metafile: true,
    logLevel: "warning",
    legalComments: "eof",
    // decode-named-character-reference's "browser" build decodes entities by assigning them to
    // innerHTML; its "worker" build looks them up in a table instead. No text goes to innerHTML.
    conditions: ["worker"],
  });
  return result.metafile.outputs[path.relative(process.cwd(), outfile)]?.bytes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [out] = process.argv.slice(2);
  if (!out) throw new Error("usage: node bundle-markdown.mjs OUT_FILE");
  await bundleMarkdown(path.resolve(out));
}
