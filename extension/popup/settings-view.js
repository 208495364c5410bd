// The settings form: server URL, API key, display name; "Test connection" and "Save".
//
// A server other than localhost needs a host permission, requested from the click itself
// (browsers grant permissions.request only during a user gesture).
import { ext } from "../lib/browser.js";
import { keyTravelsInClear, normalizeSettings, permissionPatternFor } from "../lib/settings.js";
import { $, ICONS, icon } from "./dom.js";
import { describeError, plural } from "./format.js";

export class SettingsView {
  /** onTest(settings) → Promise<{agents, active}>; onSave(settings) → Promise. */
  constructor({ onTest, onSave }) {
    this.onTest = onTest;
    this.onSave = onSave;
    $("test-connection").addEventListener("click", () => this.run("test"));
    $("settings-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.run("save");
    });
    $("server-url").addEventListener("input", () => this.urlChanged());
    // A key typed in belongs to the server in the URL field at that moment.
    $("api-key").addEventListener("input", () => {
      this.keyOrigin = originOf($("server-url").value);
      this.clearTextAccepted = null;
      $("api-key-cleared").hidden = true;
    });
    $("no-rest").addEventListener("change", () => this.restChanged());
    $("toggle-key").addEventListener("click", () => {
      const show = $("api-key").type === "password";
      $("api-key").type = show ? "text" : "password";
      $("toggle-key").textContent = show ? "Hide" : "Show";
      $("toggle-key").setAttribute("aria-pressed", String(show));
      $("toggle-key").setAttribute("aria-label", show ? "Hide the API key" : "Show the API key");
    });
  }

  /** Shows saved settings; `savedUrl` (null before the first save) is the server in use. */
  fill(settings, { entityId, welcome, savedUrl }) {
    $("server-url").value = settings.serverUrl;
    $("api-key").value = settings.apiKey;
    this.keyOrigin = settings.apiKeyOrigin ?? "";
    this.clearTextAccepted = null;
    $("api-key-cleared").hidden = true;
    $("user-name").value = settings.userName;
    $("no-rest").checked = settings.restApi === false;
    $("room-id").value = settings.roomId ?? "";
    $("agent-name").value = settings.agentName ?? "";
    this.restChanged();
    $("entity-id").textContent = entityId ?? "";
    $("identity").hidden = !entityId;
    $("welcome").hidden = !welcome;
    this.savedUrl = savedUrl;
    this.urlChanged();
    this.result(null);
  }

  urlChanged() {
    this.clearTextAccepted = null;
    // The key never follows the URL to another server: the user enters the new server's key.
    if ($("api-key").value && originOf($("server-url").value) !== this.keyOrigin) {
      $("api-key").value = "";
      $("api-key-cleared").hidden = false;
    }
    const next = normalizeSettings(this.read()).settings?.serverUrl;
    $("server-change-note").hidden = !this.savedUrl || !next || next === this.savedUrl;
  }

  restChanged() {
    $("room-fields").hidden = !$("no-rest").checked;
  }

  read() {
    return {
      serverUrl: $("server-url").value,
      apiKey: $("api-key").value,
      apiKeyOrigin: this.keyOrigin,
      userName: $("user-name").value,
      restApi: !$("no-rest").checked,
      roomId: $("room-id").value,
      agentName: $("agent-name").value,
    };
  }

  /** Runs "test" or "save" for the form's values. Must start inside the click handler. */
  run(action) {
    const { settings, error } = normalizeSettings(this.read());
    if (error) {
      this.result("error", error);
      (error.startsWith("Enter the room") ? $("room-id") : $("server-url")).focus();
      return;
    }
    if (settings.apiKey && keyTravelsInClear(settings.serverUrl) && this.clearTextAccepted !== settings.serverUrl) {
      // Asked once per address: the second click is the user's informed choice.
      this.clearTextAccepted = settings.serverUrl;
      const again = action === "test" ? "Test connection" : "Save";
      this.result(
        "warn",
        `${new URL(settings.serverUrl).host} is reached over plain http: the API key would cross the network unencrypted. ` +
          `Use https://, or press ${again} again to send it anyway.`,
      );
      return;
    }
    const granted = requestHostPermission(settings.serverUrl);
    this.busy(true);
    this.result("info", action === "test" ? "Testing the connection…" : "Saving…");
    granted
      .then(async (ok) => {
        if (!ok) {
          this.result("error", `Permission to reach ${new URL(settings.serverUrl).host} was not granted.`);
          return;
        }
        if (action === "test") {
          const { agents, active } = await this.onTest(settings);
          if (agents === null) {
            this.result("ok", "Connected (Socket.IO only).");
            return;
          }
          const inactive = agents - active;
          const detail = inactive ? ` (${active} active, ${inactive} inactive)` : "";
          this.result("ok", `Connected: ${plural(agents, "agent")}${detail}.`);
        } else {
          await this.onSave(settings);
        }
      })
      .catch((e) => this.result("error", describeError(e, settings.serverUrl)))
      .finally(() => this.busy(false));
  }

  busy(busy) {
    $("test-connection").disabled = busy;
    $("save-settings").disabled = busy;
  }

  result(tone, text) {
    const box = $("test-result");
    box.hidden = !tone;
    if (!tone) return;
    box.dataset.tone = tone;
    const glyph = tone === "ok" ? ICONS.check : tone === "error" || tone === "warn" ? ICONS.alert : ICONS.clock;
    box.replaceChildren(icon(...glyph), document.createTextNode(text));
  }
}

function originOf(url) {
  try {
    return new URL(String(url).trim()).origin;
  } catch {
    return "";
  }
}

/** Resolves true when the extension may reach the server (asking the user if needed). */
function requestHostPermission(serverUrl) {
  const pattern = permissionPatternFor(serverUrl);
  if (!pattern) return Promise.resolve(true);
  // Called synchronously from the click: the gesture is what lets the browser ask the user.
  return ext.permissions.request({ origins: [pattern] });
}
