// The agent list: status, unread counts, and the empty and error states.
import { $, avatar, el, reconcile } from "./dom.js";
import { describeError, plural } from "./format.js";

export class AgentsView {
  /** onOpen(agent) opens a chat; onRetry() reloads; onSettings() shows the settings. */
  constructor({ onOpen, onRetry, onSettings }) {
    this.onOpen = onOpen;
    this.rows = new Map();
    $("refresh-agents").addEventListener("click", onRetry);
    $("agents-retry").addEventListener("click", onRetry);
    $("agents-settings").addEventListener("click", onSettings);
  }

  setLoading(loading) {
    $("agents-loading").hidden = !loading || this.rows.size > 0;
    $("refresh-agents").disabled = loading;
  }

  /** Shows `agents`, or the error that kept them from loading (with the last list, if any). */
  render(agents, unread, error, serverUrl) {
    const rows = agents.map((agent) => this.row(agent, unread[agent.id] ?? 0));
    reconcile($("agent-list"), rows);
    const empty = agents.length === 0;
    $("agents-empty").hidden = !empty && !error;
    if (error) {
      $("agents-empty-title").textContent = error.code === "UNAUTHORIZED" ? "Wrong API key" : "Cannot load agents";
      $("agents-empty-text").textContent = describeError(error, serverUrl);
    } else if (empty) {
      $("agents-empty-title").textContent = "No agents yet";
      $("agents-empty-text").textContent = "This server has no agents. Start one with ElizaOS, then refresh.";
    }
    // With a stale list on screen, the error still shows below it.
    $("agents-empty").classList.toggle("below-list", !empty);
  }

  row(agent, unreadCount) {
    const active = agent.status === "active";
    const key = JSON.stringify([agent.id, agent.name, agent.bio, agent.status, unreadCount]);
    const cached = this.rows.get(agent.id);
    if (cached?.key === key) return cached.node;
    const bio = Array.isArray(agent.bio) ? agent.bio.join(" ") : agent.bio;
    const label = [agent.name, active ? "active" : "inactive", unreadCount ? plural(unreadCount, "unread message") : null]
      .filter(Boolean)
      .join(", ");
    const button = el(
      "button",
      { type: "button", className: "agent-row", dataset: { agentId: agent.id, status: active ? "active" : "inactive" }, "aria-label": label },
      avatar(agent.name),
      el("span", { className: "agent-main" }, el("span", { className: "agent-name" }, agent.name), bio ? el("span", { className: "agent-bio" }, bio) : null),
      unreadCount ? el("span", { className: "unread", "aria-hidden": "true" }, String(unreadCount)) : null,
      el("span", { className: `pill ${active ? "active" : "inactive"}`, "aria-hidden": "true" }, active ? "Active" : "Inactive"),
    );
    button.addEventListener("click", () => this.onOpen(agent));
    const node = el("li", {}, button);
    this.rows.set(agent.id, { key, node });
    return node;
  }
}
