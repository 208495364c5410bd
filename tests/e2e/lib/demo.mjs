// What the page tests share: a real ElizaOS server, the demo server (crate/demo/serve.mjs, which
// also serves the built package at /pkg/) on a free port, and a plain Chromium.
import path from "node:path";
import { startEliza } from "../../fixtures/eliza.mjs";
import { launchPlain } from "./chromium.mjs";
import { spawnUntil } from "./child.mjs";
import { ROOT } from "./paths.mjs";

/** Starts all three; returns {eliza, browser, url (the demo page), dispose()}. */
export async function startDemoSetup({ agents = ["Echo"] } = {}) {
  const [eliza, demo, browser] = await Promise.all([
    startEliza({ agents }),
    spawnUntil(process.execPath, [path.join(ROOT, "crate/demo/serve.mjs"), "--port", "0"], /^(http:\/\/127\.0\.0\.1:\d+\/)$/),
    launchPlain(),
  ]);
  return {
    eliza,
    browser: browser.browser,
    url: demo.match[1],
    dispose: () => Promise.all([browser.close(), demo.stop(), eliza.dispose()]),
  };
}
