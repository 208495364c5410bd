// Serves the demo page and the built web package, with no dependencies:
//
//   node crate/demo/serve.mjs [--port 8080] [--pkg dist/pkg] [--markdown dist/markdown]
//
//   /             crate/demo/index.html (and the demo's other files)
//   /pkg/…        the web package built by ./build.sh
//   /markdown/…   the Markdown renderer the extension's popup uses, bundled by ./build.sh
//
// Listens on 127.0.0.1 only. The first line on stdout is the page's URL (port 0 picks a free
// port, which is how the tests start it).
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PORT ?? "8080" },
    pkg: { type: "string", default: path.resolve(here, "../../dist/pkg") },
    markdown: { type: "string", default: path.resolve(here, "../../dist/markdown") },
  },
});
const roots = { "/pkg/": path.resolve(args.pkg), "/markdown/": path.resolve(args.markdown), "/": here };

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  // instantiateStreaming() refuses a .wasm served with any other type.
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
};

/** The file a URL path names, or null when it is malformed or outside the served folders. */
function resolve(urlPath) {
  const prefix = Object.keys(roots).find((p) => urlPath.startsWith(p));
  let rel;
  try {
    rel = decodeURIComponent(urlPath.slice(prefix.length)) || "index.html";
  } catch {
    return null; // A broken %-escape (URIError) names no file.
  }
  const file = path.resolve(roots[prefix], rel);
  return file.startsWith(roots[prefix] + path.sep) ? file : null;
}

const server = http.createServer((req, res) => {
  let file = null;
  try {
    file = resolve(new URL(req.url, "http://localhost").pathname);
  } catch {
    // An unparsable request target: answered 404 below, never a crash.
  }
  if (req.method !== "GET" || !file || file.endsWith(".mjs")) {
    res.writeHead(404).end("not found\n");
    return;
  }
  fs.readFile(file, (err, body) => {
    if (err) {
      res.writeHead(404).end("not found\n");
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      "cache-control": "no-store",
    });
    res.end(body);
  });
});

server.listen(Number(args.port), "127.0.0.1", () => {
  console.log(`http://127.0.0.1:${server.address().port}/`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => server.close(() => process.exit(0)));
