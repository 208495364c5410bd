// Firefox with the extension installed as a temporary add-on, driven over the WebDriver HTTP
// API of geckodriver (no Selenium). The add-on's moz-extension:// UUID is fixed through the
// `extensions.webextensions.uuids` pref, so the test knows the popup's URL.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { spawnUntil } from "./child.mjs";
import { EXTENSION_DIR } from "./paths.mjs";
import { waitFor } from "./wait.mjs";

export const GECKODRIVER = process.env.GECKODRIVER || path.join(os.homedir(), ".cargo/bin/geckodriver");
export const FIREFOX = process.env.FIREFOX || "/usr/bin/firefox-esr";
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
export const ENTER = "\uE007";

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** A WebDriver session: the few commands the tests need. */
class Session {
  constructor(base, id) {
    this.url = `${base}/session/${id}`;
  }

  async command(method, route, body) {
    const res = await fetch(this.url + route, {
      method,
      headers: body ? { "content-type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const { value } = await res.json();
    if (!res.ok) throw new Error(`WebDriver ${method} ${route}: ${value?.error}: ${value?.message}`);
    return value;
  }

  goto(url) {
    return this.command("POST", "/url", { url });
  }

  /** Runs a function body in the page: `return …` gives the result. */
  execute(script, ...args) {
    return this.command("POST", "/execute/sync", { script, args });
  }

  async find(css) {
    const value = await this.command("POST", "/element", { using: "css selector", value: css });
    return value[ELEMENT];
  }

  async click(css) {
    await this.command("POST", `/element/${await this.find(css)}/click`, {});
  }

  /** Types into an element like a user (real key events; ENTER presses Enter). */
  async type(css, text) {
    await this.command("POST", `/element/${await this.find(css)}/value`, { text });
  }

  async clear(css) {
    await this.command("POST", `/element/${await this.find(css)}/clear`, {});
  }

  async text(css) {
    return this.command("GET", `/element/${await this.find(css)}/text`);
  }

  /** Waits until the script (a function body) returns something truthy. */
  waitUntil(script, what, timeout = 30_000) {
    return waitFor(() => this.execute(script), { what, timeout, interval: 150 });
  }

  async screenshot() {
    return Buffer.from(await this.command("GET", "/screenshot"), "base64");
  }
}

/** Starts geckodriver and Firefox, installs the add-on. Returns {session, popupUrl, close()}. */
export async function launchFirefoxWithExtension({ extensionDir = EXTENSION_DIR } = {}) {
  const manifest = JSON.parse(await readFile(path.join(extensionDir, "manifest.json"), "utf8"));
  const geckoId = manifest.browser_specific_settings.gecko.id;
  const uuid = randomUUID();
  const port = await freePort();
  // --allow-system-access lets WebDriver open moz-extension:// pages (refused otherwise);
  // --websocket-port 0: no fixed BiDi port that a parallel run could hold.
  const driver = await spawnUntil(
    GECKODRIVER,
    ["--host", "127.0.0.1", "--port", String(port), "--allow-system-access", "--websocket-port", "0"],
    /Listening on/,
  );
  const base = `http://127.0.0.1:${port}`;
  let session;
  try {
    const res = await fetch(`${base}/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        capabilities: {
          alwaysMatch: {
            browserName: "firefox",
            "moz:firefoxOptions": {
              binary: FIREFOX,
              args: ["-headless", "-width=420", "-height=640"],
              prefs: {
                "extensions.webextensions.uuids": JSON.stringify({ [geckoId]: uuid }),
                // A closed network: no update checks, telemetry or first-run pages.
                "app.update.enabled": false,
                "datareporting.policy.dataSubmissionEnabled": false,
                "browser.shell.checkDefaultBrowser": false,
              },
            },
          },
        },
      }),
    });
    const { value } = await res.json();
    if (!res.ok) throw new Error(`cannot start Firefox: ${value?.message}`);
    session = new Session(base, value.sessionId);
    await session.command("POST", "/moz/addon/install", { path: extensionDir, temporary: true });
    return {
      session,
      popupUrl: `moz-extension://${uuid}/popup.html`,
      async close() {
        await session.command("DELETE", "").catch(() => {});
        await driver.stop();
      },
    };
  } catch (error) {
    if (session) await session.command("DELETE", "").catch(() => {});
    await driver.stop();
    throw error;
  }
}
