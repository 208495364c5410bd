// The popup: a view of the background's state. It owns no connection; everything goes
// through the port (popup/port.js), and pushed updates re-render the visible view.
import { Push, Request } from "./lib/protocol.js";
import { BackgroundPort } from "./popup/port.js";
import { $, setAvatar } from "./popup/dom.js";
import { connectionBanner, connectionDot, describeError } from "./popup/format.js";
import { AgentsView } from "./popup/agents-view.js";
import { ChatView } from "./popup/chat-view.js";
import { SettingsView } from "./popup/settings-view.js";
import { DiagnosticsView } from "./popup/diagnostics-view.js";
import { ext } from "./lib/browser.js";

const NOTICE_MS = 6000;

const state = {
  configured: false,
  settings: null,
  entityId: null,
  connection: { state: "disconnected", attempt: 0, retryAt: null, error: null },
  agents: [],
  agentsError: null,
  unread: {},
  view: "loading",
  /** The agent whose chat is shown (view "chat"), and its name until the agent list is in. */
  agentId: null,
  chatName: null,
  /** The view to go back to from the settings or the diagnostics. */
  previousView: "agents",
};

const port = new BackgroundPort();
const serverUrl = () => state.settings?.serverUrl ?? "";
const agentById = (id) => state.agents.find((a) => a.id === id);

const agentsView = new AgentsView({
  onOpen: (agent) => openChat(agent.id, agent.name),
  onRetry: () => loadAgents(),
  onSettings: () => showSettings(),
});

const chatView = new ChatView({
  onSend: (text) =>
    port.request(Request.SEND, { agentId: state.agentId, text }).catch((error) => {
      throw new Error(describeError(error, serverUrl()));
    }),
  onRetry: (clientMessageId) =>
    port.request(Request.RETRY, { agentId: state.agentId, clientMessageId }).catch(showChatNotice),
  onDiscard: (clientMessageId) =>
    port.request(Request.DISCARD, { agentId: state.agentId, clientMessageId }).catch(showChatNotice),
  // Typing is a courtesy to others: failing to report it is not worth a notice.
  onTyping: (isTyping) => port.request(Request.TYPING, { agentId: state.agentId, isTyping }).catch(() => {}),
});

const settingsView = new SettingsView({
  onTest: (settings) => port.request(Request.TEST_CONNECTION, { settings }),
  onSave: async (settings) => {
    applySnapshot(await port.request(Request.SAVE_SETTINGS, { settings }));
    showAgents();
  },
});

const diagnosticsView = new DiagnosticsView({
  load: () => port.request(Request.DIAGNOSTICS),
  extensionVersion: ext.runtime.getManifest().version,
});

// ---- views ----

function setView(view) {
  state.view = view;
  $("app").dataset.view = view;
  for (const name of ["agents", "chat", "settings", "diagnostics"]) $(`view-${name}`).hidden = name !== view;
  $("loading").hidden = view !== "loading";
  $("back").hidden = view === "agents" || (view === "settings" && !state.configured) || view === "loading";
  $("open-settings").hidden = view === "settings";
  $("open-diagnostics").hidden = view === "diagnostics" || view === "loading" || !state.configured;
  if (view === "diagnostics") diagnosticsView.start();
  else diagnosticsView.stop();
  renderTitle();
}

function renderTitle() {
  const chatAgent = state.view === "chat" ? agentById(state.agentId) : null;
  const inChat = state.view === "chat";
  $("title-logo").hidden = inChat;
  $("title-avatar").hidden = !inChat;
  if (inChat) {
    const name = chatAgent?.name ?? state.chatName ?? "Agent";
    setAvatar($("title-avatar"), name);
    $("title").textContent = name;
    $("subtitle").textContent = chatAgent ? (chatAgent.status === "active" ? "Active" : "Inactive") : "";
  } else if (state.view === "settings") {
    $("title").textContent = "Settings";
    $("subtitle").textContent = "ElizaOS Chat";
  } else if (state.view === "diagnostics") {
    $("title").textContent = "Diagnostics";
    $("subtitle").textContent = hostOf(serverUrl());
  } else {
    $("title").textContent = "ElizaOS Chat";
    $("subtitle").textContent = state.configured ? hostOf(serverUrl()) : "";
  }
}

function hostOf(url) {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function showAgents() {
  state.agentId = null;
  port.request(Request.CLOSE_CHAT).catch(() => {});
  port.request(Request.SAVE_UI, { ui: { view: "agents" } }).catch(() => {});
  setView("agents");
  renderAgents();
  loadAgents();
}

function rememberView() {
  if (state.view !== "settings" && state.view !== "diagnostics") {
    state.previousView = state.view === "loading" ? "agents" : state.view;
  }
}

function showDiagnostics() {
  rememberView();
  setView("diagnostics");
}

function showSettings({ welcome = false } = {}) {
  rememberView();
  settingsView.fill(state.settings, {
    entityId: state.entityId,
    welcome,
    savedUrl: state.configured ? state.settings.serverUrl : null,
  });
  setView("settings");
  $("server-url").focus();
}

/** Back from the settings or the diagnostics to the agents or the chat. */
function leaveSettings() {
  if (state.previousView === "chat" && state.agentId) openChat(state.agentId);
  else showAgents();
}

async function openChat(agentId, agentName = agentById(agentId)?.name) {
  state.agentId = agentId;
  state.chatName = agentName;
  $("agents-notice").hidden = true;
  try {
    const chat = await port.request(Request.OPEN_CHAT, { agentId, agentName });
    if (state.agentId !== agentId) return;
    setView("chat");
    chatView.show(chat, agentById(agentId));
    chatView.focus();
    port.request(Request.SAVE_UI, { ui: { view: "chat", agentId } }).catch(() => {});
  } catch (error) {
    // A background restarting in between: the reconnection opens the chat again.
    if (state.agentId !== agentId || error.code === "RESTARTED") return;
    state.agentId = null;
    if (state.view !== "agents") showAgents();
    $("agents-notice").textContent = `Cannot open the chat: ${describeError(error, serverUrl())}`;
    $("agents-notice").hidden = false;
  }
}

async function loadAgents() {
  if (!state.configured) return;
  agentsView.setLoading(true);
  try {
    state.agents = await port.request(Request.AGENTS);
    state.agentsError = null;
  } catch (error) {
    state.agentsError = { code: error.code, message: error.message };
  } finally {
    agentsView.setLoading(false);
  }
  renderAgents();
  agentsChanged();
}

/** The chat shows its agent's status (title, inactive notice) from the agent list. */
function agentsChanged() {
  renderTitle();
  if (state.view === "chat" && chatView.chat) chatView.show(chatView.chat, agentById(state.agentId));
}

function renderAgents() {
  if (state.view === "agents") agentsView.render(state.agents, state.unread, state.agentsError, serverUrl());
}

let noticeTimer;
function showChatNotice(error) {
  chatView.setError(describeError(error, serverUrl()));
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => chatView.setError(null), NOTICE_MS);
}

// ---- connection state ----

let countdown;
function renderConnection() {
  const dot = connectionDot(state.connection);
  $("conn").dataset.state = state.configured ? dot.state : "unconfigured";
  $("conn-text").textContent = dot.label;
  $("conn").title = dot.label;
  const banner = state.configured ? connectionBanner(state.connection, serverUrl()) : null;
  $("banner").hidden = !banner;
  if (banner) {
    $("banner").dataset.tone = banner.tone;
    $("banner-text").textContent = banner.text;
    $("banner-action").hidden = !banner.action;
    $("banner-action").dataset.action = banner.action ?? "";
    $("banner-action").textContent = banner.action === "settings" ? "Open settings" : "Retry now";
  }
  // The reconnect countdown ticks while an attempt is scheduled.
  clearTimeout(countdown);
  if (state.connection.retryAt) countdown = setTimeout(renderConnection, 500);
}

$("banner-action").addEventListener("click", () => {
  if ($("banner-action").dataset.action === "settings") showSettings();
  else port.request(Request.RECONNECT).catch(() => {});
});
$("back").addEventListener("click", () =>
  state.view === "settings" || state.view === "diagnostics" ? leaveSettings() : showAgents(),
);
$("open-settings").addEventListener("click", () => showSettings());
$("open-diagnostics").addEventListener("click", () => showDiagnostics());

// ---- background state ----

function applySnapshot(snapshot) {
  Object.assign(state, {
    configured: snapshot.configured,
    settings: snapshot.settings,
    entityId: snapshot.entityId,
    connection: snapshot.connection,
    unread: snapshot.unread,
    // The last list the background has (for another server, none): shown until refreshed.
    agents: snapshot.agents,
    agentsError: null,
  });
  renderConnection();
  renderTitle();
}

port.onPush((message) => {
  switch (message.push) {
    case Push.CONNECTION: {
      const wasConnected = state.connection.state === "connected";
      state.connection = message.connection;
      renderConnection();
      // Back online: whatever failed to load may load now.
      if (!wasConnected && message.connection.state === "connected" && state.view === "agents") loadAgents();
      break;
    }
    case Push.CHAT:
      if (state.view === "chat" && message.chat.agentId === state.agentId) {
        chatView.show(message.chat, agentById(state.agentId));
      }
      break;
    case Push.UNREAD:
      state.unread = message.unread;
      renderAgents();
      break;
    case Push.AGENTS:
      state.agents = message.agents;
      state.agentsError = null;
      renderAgents();
      agentsChanged();
      break;
    case Push.NOTICE:
      // While offline the banner already says why; a notice would only repeat it.
      if (state.connection.state !== "connected") break;
      if (state.view === "chat" && message.agentId === state.agentId) showChatNotice(message.error);
      break;
  }
});

let started = false;

/**
 * Loads the background's state and shows the first view; after a background restart, tells the
 * new background what is shown.
 */
async function sync() {
  let snapshot;
  try {
    snapshot = await port.request(Request.HELLO);
  } catch {
    return; // The port closed again; the next reconnect syncs.
  }
  applySnapshot(snapshot);
  if (started) {
    // A chat shown or being opened is opened again: the new background learns what is viewed.
    if (state.agentId) openChat(state.agentId);
    else if (state.view === "agents") loadAgents();
    return;
  }
  started = true;
  const ui = snapshot.ui;
  if (!state.configured) showSettings({ welcome: true });
  else if (ui?.view === "chat" && ui.agentId) {
    // The popup reopens where it was left; the list is behind it.
    setView("agents");
    renderAgents();
    openChat(ui.agentId);
    loadAgents();
  } else showAgents();
}

port.onReconnect(sync);
sync();
