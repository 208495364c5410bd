// Headless Chromium for the end-to-end tests: plain pages, or a profile with the unpacked
// extension loaded. Every launch gets a fresh profile that close() deletes.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { EXTENSION_DIR } from "./paths.mjs";

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

/**
 * Flags headless Chromium needs on a closed network, running as root: no sandbox, and none of
 * the background traffic that would fail (it can stall start-up).
 */
export const FLAGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/**
 * A persistent Chromium profile with the extension loaded.
 * Returns {context, extensionId, serviceWorker(), close()}.
 */
export async function launchWithExtension({ extensionDir = EXTENSION_DIR, colorScheme = "light", deviceScaleFactor = 2 } = {}) {
  const profile = await mkdtemp(path.join(os.tmpdir(), "e2e-chromium-"));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      // headless mode comes from --headless=new: Playwright's own headless shell cannot load extensions.
      headless: false,
      colorScheme,
      // Screenshots at 2x look sharp in the README.
      deviceScaleFactor,
      viewport: { width: 380, height: 560 },
      args: [...FLAGS, `--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`],
    });
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker", { timeout: 30_000 }));
    const extensionId = new URL(worker.url()).host;
    return {
      context,
      extensionId,
      popupUrl: `chrome-extension://${extensionId}/popup.html`,
      /** The extension's service worker right now (a new one after a restart). */
      async serviceWorker() {
        const live = context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${extensionId}/`));
        return live ?? context.waitForEvent("serviceworker", { timeout: 30_000 });
      },
      async close() {
        await context.close().catch(() => {});
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context?.close().catch(() => {});
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}

/** A plain browser (no extension) for web pages. Returns {browser, close()}. */
export async function launchPlain() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: false, args: FLAGS });
  return { browser, close: () => browser.close().catch(() => {}) };
}
