// Driving the extension's popup page like a user: Playwright locators by role and label.
import path from "node:path";
import { mkdir } from "node:fs/promises";
import { ARTIFACTS_DIR, README_SHOTS_DIR } from "./paths.mjs";

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export class Popup {
  constructor(page) {
    this.page = page;
    this.errors = [];
    this.dialogs = [];
    /** Console output, for failure reports. */
    this.console = [];
    page.on("pageerror", (error) => this.errors.push(error.message));
    page.on("console", (message) => this.console.push(`${message.type()}: ${message.text()}`));
    page.on("dialog", (dialog) => {
      this.dialogs.push(dialog.message());
      dialog.dismiss().catch(() => {});
    });
  }

  /** Opens popup.html in a new tab of the extension's browser. */
  static async open(ext) {
    const page = await ext.context.newPage();
    const popup = new Popup(page);
    await page.goto(ext.popupUrl);
    await page.locator("#app:not([data-view=loading])").waitFor();
    return popup;
  }

  get view() {
    return this.page.locator("#app").getAttribute("data-view");
  }

  async waitForView(view, timeout = 20_000) {
    await this.page.locator(`#app[data-view=${view}]`).waitFor({ timeout });
  }

  // ---- settings ----

  async openSettings() {
    if ((await this.view) !== "settings") await this.page.getByRole("button", { name: "Settings", exact: true }).click();
    await this.waitForView("settings");
  }

  async fillSettings({ serverUrl, apiKey, userName }) {
    await this.openSettings();
    if (serverUrl !== undefined) await this.page.getByLabel("Server URL").fill(serverUrl);
    if (apiKey !== undefined) await this.page.getByLabel("API key", { exact: true }).fill(apiKey);
    if (userName !== undefined) await this.page.getByLabel("Display name").fill(userName);
  }

  /** Clicks "Test connection" and returns the result's tone ("ok" | "error") and text. */
  async testConnection() {
    await this.page.getByRole("button", { name: "Test connection" }).click();
    const result = this.page.locator("#test-result[data-tone=ok], #test-result[data-tone=error]");
    await result.waitFor({ timeout: 20_000 });
    return { tone: await result.getAttribute("data-tone"), text: await result.textContent() };
  }

  async save() {
    await this.page.getByRole("button", { name: "Save", exact: true }).click();
    await this.waitForView("agents");
  }

  // ---- agents and chats ----

  agent(name) {
    return this.page.getByRole("button", { name: new RegExp(`^${escapeRegExp(name)},`) });
  }

  async openChat(name) {
    if ((await this.view) === "chat") {
      if ((await this.page.locator("#title").textContent()) === name) return;
      await this.page.getByRole("button", { name: "Back to agents" }).click();
    }
    await this.agent(name).click();
    await this.waitForView("chat");
    await this.page.locator("#title", { hasText: name }).waitFor();
  }

  get input() {
    return this.page.getByRole("textbox", { name: "Message" });
  }

  /** Types a message and presses Enter. */
  async send(text) {
    await this.input.fill(text);
    await this.input.press("Enter");
    await this.page.waitForFunction(() => document.getElementById("message-input").value === "");
  }

  /** The bubbles (li.msg) whose text is exactly `text`. */
  bubbles(text, who = "any") {
    const selector = who === "own" ? ".msg.own" : who === "agent" ? ".msg.agent" : ".msg";
    return this.page.locator(`#messages ${selector}`).filter({
      has: this.page.locator(".bubble", { hasText: new RegExp(`^${escapeRegExp(text)}$`) }),
    });
  }

  /** Waits for the agent's final message `text` (a streamed preview does not count). */
  async waitForReply(text, timeout = 30_000) {
    try {
      await this.bubbles(text, "agent").and(this.page.locator("[data-status=delivered]")).first().waitFor({ timeout });
    } catch (error) {
      error.message += `\npopup state: ${await this.describe()}`;
      throw error;
    }
  }

  /** What the popup shows, for failure messages. */
  async describe() {
    const state = await this.page
      .evaluate(() => ({
        view: document.getElementById("app").dataset.view,
        connection: document.getElementById("conn").dataset.state,
        banner: document.getElementById("banner").hidden ? null : document.getElementById("banner-text").textContent,
        messages: [...document.querySelectorAll("#messages .msg")].map((m) => `${m.dataset.status} ${m.querySelector(".bubble").textContent}`),
      }))
      .catch((e) => ({ unavailable: e.message }));
    return JSON.stringify({ ...state, console: this.console.slice(-20) }, null, 1);
  }

  /** Waits until the user's message `text` has the delivery status given. */
  async waitForStatus(text, status, timeout = 30_000) {
    await this.bubbles(text, "own").and(this.page.locator(`[data-status=${status}]`)).first().waitFor({ timeout });
  }

  /** Every bubble's text in the open chat, in order. */
  async transcript() {
    return this.page.locator("#messages .msg .bubble").allTextContents();
  }

  // ---- artifacts ----

  /**
   * Saves a screenshot under tests/artifacts/. Those marked `readme` also replace the README's
   * copies in tests/e2e/screenshots/ when UPDATE_SCREENSHOTS=1, so that a test run leaves the
   * committed files alone.
   */
  async screenshot(name, { readme = false } = {}) {
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    await this.page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`) });
    if (readme && process.env.UPDATE_SCREENSHOTS === "1") {
      await mkdir(README_SHOTS_DIR, { recursive: true });
      await this.page.screenshot({ path: path.join(README_SHOTS_DIR, `${name}.png`) });
    }
  }

  async close() {
    await this.page.close();
  }
}
