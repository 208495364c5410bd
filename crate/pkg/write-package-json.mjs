// Writes the package.json (and a short README) of a built web package.
// Usage: node write-package-json.mjs OUT_DIR FEATURES
import fs from "node:fs";
import path from "node:path";

const [out, features = ""] = process.argv.slice(2);
const crate = fs.readFileSync(new URL("../Cargo.toml", import.meta.url), "utf8");
const version = crate.match(/^version = "([^"]+)"/m)[1];
const withEliza = features.split(",").includes("eliza");

const pkg = {
  name: withEliza ? "eliza-socketio" : "eliza-socketio-core",
  version,
  description: withEliza
    ? "Socket.IO client compiled from Rust to WebAssembly, with an ElizaOS agent chat client"
    : "Socket.IO client compiled from Rust to WebAssembly",
  type: "module",
  main: "eliza_socketio.js",
  module: "eliza_socketio.js",
  types: "eliza_socketio.d.ts",
  files: fs.readdirSync(out).filter((f) => f !== "package.json"),
  license: "MIT",
};
fs.writeFileSync(path.join(out, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
