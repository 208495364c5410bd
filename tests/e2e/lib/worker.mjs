// The extension's service worker, seen from a test: evaluate in it, stop it like an idle browser does.
import { waitFor } from "./wait.mjs";

/** Evaluates `fn(arg)` in the extension's current service worker (a new one after a restart). */
export async function inWorker(ext, fn, arg) {
  const worker = await ext.serviceWorker();
  return worker.evaluate(fn, arg);
}

/**
 * Stops the extension's service worker through the DevTools protocol (as Chrome does with an
 * idle worker) and resolves once it has stopped. `page` is any page of the browser.
 */
export async function stopWorker(ext, page) {
  const cdp = await ext.context.newCDPSession(page);
  const statuses = [];
  cdp.on("ServiceWorker.workerVersionUpdated", ({ versions }) => {
    for (const v of versions) if (v.scriptURL.endsWith("/background.js")) statuses.push(v.runningStatus);
  });
  try {
    await cdp.send("ServiceWorker.enable");
    await cdp.send("ServiceWorker.stopAllWorkers");
    await waitFor(() => statuses.includes("stopped"), { what: "the service worker to stop" });
  } finally {
    await cdp.detach().catch(() => {});
  }
}
