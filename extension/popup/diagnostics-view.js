// The Diagnostics view: the client's report, refreshed while shown, and "Copy report".
//
// It polls the background once a second while visible rather than listening to a change event:
// the report changes with every server event, and only this view, at human speed, reads it.
import { $, el } from "./dom.js";
import { reportText } from "./report-text.js";

const REFRESH_MS = 1000;

const JOIN_LABEL = {
  confirmed: "confirmed",
  waiting: "waiting for channel_joined…",
  unconfirmed: "NOT confirmed",
  notSent: "not sent (offline)",
};
const JOIN_TONE = { confirmed: "ok", waiting: "warn", unconfirmed: "error", notSent: "warn" };

const clock = (ms) => new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });

export class DiagnosticsView {
  /** load() → Promise of the report. */
  constructor({ load, extensionVersion }) {
    this.load = load;
    this.extensionVersion = extensionVersion;
    this.report = null;
    this.timer = null;
    this.shown = "";
    $("copy-report").addEventListener("click", () => this.copy());
  }

  start() {
    this.stop();
    $("copy-result").hidden = true;
    const tick = async () => {
      try {
        this.render(await this.load());
      } catch (error) {
        this.renderError(error);
      }
      if (this.timer !== null) this.timer = setTimeout(tick, REFRESH_MS);
    };
    this.timer = 0;
    tick();
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  async copy() {
    if (!this.report) return;
    const text = reportText(this.report, { extensionVersion: this.extensionVersion });
    const result = $("copy-result");
    result.hidden = false;
    try {
      await navigator.clipboard.writeText(text);
      result.dataset.tone = "ok";
      result.textContent = "Report copied (without the API key).";
    } catch (error) {
      result.dataset.tone = "error";
      result.textContent = `Could not copy: ${error.message}`;
    }
  }

  renderError(error) {
    this.report = null;
    this.shown = "";
    $("diagnostics-body").replaceChildren(el("p", { className: "diag-empty" }, `No report: ${error.message}`));
  }

  render(report) {
    this.report = report;
    // Re-rendered only when something changed (keeps text selections).
    const { generatedAt, ...rest } = report;
    const key = JSON.stringify(rest);
    if (key === this.shown) return;
    this.shown = key;
    $("diagnostics-body").replaceChildren(
      findings(report),
      section("Connection", facts(connectionFacts(report))),
      section("Channels", channels(report)),
      section("Last errors", lastErrors(report)),
      section("Broadcasts for channels not joined", unjoined(report)),
      section(`Recent events (${report.recentEvents.length})`, events(report)),
    );
  }
}

function section(title, ...content) {
  return el("section", { className: "diag-section" }, el("h3", {}, title), ...content);
}

function facts(rows) {
  return el(
    "dl",
    { className: "diag-facts" },
    rows.flatMap(([label, value, tone]) => [el("dt", {}, label), el("dd", { dataset: tone ? { tone } : undefined }, value)]),
  );
}

function findings(report) {
  const items = report.findings.map((f) =>
    el("li", { className: "diag-finding", dataset: { kind: f.kind } }, el("strong", {}, f.title), f.detail),
  );
  if (items.length === 0) items.push(el("li", { className: "diag-finding ok" }, "No common mistake recognised."));
  return section(`Findings (${report.findings.length})`, el("ul", { className: "diag-findings" }, items));
}

function connectionFacts(report) {
  const h = report.handshake;
  const handshake = h.result === "ok" ? "ok" : h.reason ? `${h.result}: ${h.reason}` : h.result;
  const rows = [
    ["Server", report.serverUrl],
    ["Release", report.serverEra],
    ["State", report.state, report.state === "connected" ? "ok" : "warn"],
    ["Transport", report.transport ?? "—"],
    ["Handshake", handshake, h.result === "ok" ? "ok" : h.result === "pending" ? "warn" : "error"],
    ["Socket id", report.socketId ?? "—"],
    ["Server id", report.messageServerId],
    ["User id", report.entityId],
  ];
  if (report.hostPermission) {
    const { granted, origin } = report.hostPermission;
    rows.push(["Permission", `${granted ? "granted" : "missing"} (${origin ?? "—"})`, granted ? "ok" : "error"]);
  }
  return rows;
}

function channels(report) {
  if (report.channels.length === 0) return el("p", { className: "diag-empty" }, "No channel joined.");
  return facts(
    report.channels.map((c) => {
      const when = c.joinConfirmedAt ? ` at ${clock(c.joinConfirmedAt)}` : "";
      return [c.agentName ?? "Channel", `${c.channelId} — join ${JOIN_LABEL[c.join] ?? c.join}${when}`, JOIN_TONE[c.join]];
    }),
  );
}

function lastErrors(report) {
  const rows = Object.entries(report.lastErrors)
    .filter(([, e]) => e)
    .map(([kind, e]) => [kind, `${e.code}: ${e.message} (${clock(e.at)})`, "error"]);
  return rows.length ? facts(rows) : el("p", { className: "diag-empty" }, "None.");
}

function unjoined(report) {
  if (report.unjoinedBroadcasts.length === 0) return el("p", { className: "diag-empty" }, "None.");
  return facts(
    report.unjoinedBroadcasts.map((u) => [
      `${u.count} × ${u.event}`,
      `${u.channelId} (joined: ${u.joinedChannelIds.join(", ") || "none"})`,
      "error",
    ]),
  );
}

function events(report) {
  if (report.recentEvents.length === 0) return el("p", { className: "diag-empty" }, "None yet.");
  // Newest first: what just happened is what people look for.
  const rows = report.recentEvents
    .slice()
    .reverse()
    .map((e) =>
      el("li", {}, el("time", {}, clock(e.at)), el("span", {}, e.name), e.channelId ? el("span", { className: "diag-channel" }, e.channelId) : null),
    );
  return el("ol", { className: "diag-events" }, rows);
}
