// The background's state and its one ElizaClient: chats, outbox, unread counts, connection
// state, and the popups looking at them. The popup only ever talks to this.
import { ext } from "./browser.js";
import { Code, Push, Request } from "./protocol.js";
import { DEFAULT_SETTINGS, normalizeSettings } from "./settings.js";
import { createClient, hasRestApi, roomAgent, testConnection, wasmReady } from "./client.js";
import { extensionDiagnostics } from "./diagnostics.js";
import { showUnread } from "./badge.js";
import * as storage from "./storage.js";
import * as chats from "./chats.js";

/** The periodic alarm that wakes a stopped worker so that it reconnects. */
export const RECONNECT_ALARM = "reconnect";

/** An agent that was working when the worker stopped is shown thinking for at most this long. */
const THINKING_RESTORE_MS = 60_000;

function fail(code, message) {
  return Object.assign(new Error(message), { code });
}

export class Hub {
  constructor() {
    /** port → {viewing: agentId | null} */
    this.ports = new Map();
    this.client = null;
    this.listeners = [];
    /** Channels the current client has joined. */
    this.joined = new Set();
    this.settings = null;
    this.entityId = null;
    this.outbox = [];
    this.unread = {};
    this.agents = [];
    this.ui = null;
    /** server origin → what the client learnt about it (client.serverInfo) */
    this.servers = new Map();
    /** agentId → chat (see chats.js) */
    this.chats = new Map();
    /** agentId → true while the agent is expected to answer */
    this.thinking = new Map();
    /** agentId → Promise of the chat, while its DM channel is being opened */
    this.opening = new Map();
    /** channelId → Set of user ids the server announced there (this connection only) */
    this.present = new Map();
    /** channelId → Set of user ids typing there now */
    this.typing = new Map();
    this.connection = { state: "disconnected", attempt: 0, retryAt: null, error: null };
    this.ready = this.start();
  }

  async start() {
    const [saved] = await Promise.all([storage.loadState(), wasmReady]);
    Object.assign(this, {
      settings: saved.settings,
      entityId: saved.entityId,
      outbox: saved.outbox,
      unread: saved.unread,
      agents: saved.agents,
      ui: saved.ui,
      chats: saved.chats,
      servers: saved.servers,
    });
    this.restoreThinking();
    // Storage full: the oldest history goes first (never the outbox), and open popups see it.
    storage.onQuotaExceeded((share) => {
      const shortened = chats.trimOldest(this.chats.values(), share);
      for (const chat of shortened) this.showChat(chat);
      return shortened;
    });
    showUnread(this.unread).catch(() => {});
    // Nothing connects before the user has saved settings once.
    if (this.settings) this.connect();
  }

  // ---- the client ----

  connect() {
    const origin = new URL(this.settings.serverUrl).origin;
    const client = this.createClient(origin);
    this.client = client;
    if (client.entityId !== this.entityId) {
      this.entityId = client.entityId;
      storage.saveEntityId(this.entityId);
    }
    const on = (name, fn) => this.listeners.push(client.on(name, fn));
    on("state", (s) => this.onState(s));
    on("message", (e) => this.onMessage(e.message));
    on("ack", (e) => this.withChat(e.channelId, (chat) => chats.markDelivered(chat, e.clientMessageId, e.messageId)));
    on("sendFailed", (e) =>
      this.withChat(e.channelId, (chat) => chats.markOutboxState(chat, e.clientMessageId, "failed", e.error.message)),
    );
    on("thinking", (e) => this.withChat(e.channelId, (chat) => this.setThinking(chat, e.active)));
    on("streamChunk", (e) => this.withChat(e.channelId, (chat) => this.onStreamChunk(chat, e)));
    on("streamError", (e) => this.withChat(e.channelId, (chat) => this.onStreamError(chat, e)));
    on("messageDeleted", (e) => this.withChat(e.channelId, (chat) => chats.removeWhere(chat, (m) => m.id === e.messageId)));
    on("channelCleared", (e) => this.withChat(e.channelId, (chat) => chats.removeWhere(chat, () => true)));
    on("channelDeleted", (e) => this.onChannelDeleted(e.channelId));
    on("outbox", (e) => this.onOutbox(e.outbox));
    on("serverInfo", (e) => {
      this.servers.set(origin, e.info);
      storage.saveServerInfo(origin, e.info);
    });
    on("error", (e) => this.notice(this.chatOfChannel(e.channelId)?.agentId ?? null, e.error));
    on("presence", (e) => this.onSignal(this.present, e.channelId, e.userId, e.present));
    on("typing", (e) => this.onSignal(this.typing, e.channelId, e.userId, e.isTyping));
    // The server forgets joins with the connection; the client re-joins after every reconnect.
    for (const chat of this.chats.values()) this.join(chat);
    this.onState(client.state);
    this.ensureAlarm();
  }

  /** The client, told what is known of this server (so that a wake does not probe it again). */
  createClient(origin) {
    const options = { entityId: this.entityId, outbox: this.outbox, serverInfo: this.servers.get(origin) };
    try {
      return createClient(this.settings, options);
    } catch (error) {
      // Stored facts the client refuses (damaged, or from another version): probe again.
      if (!options.serverInfo) throw error;
      this.servers.delete(origin);
      return createClient(this.settings, { ...options, serverInfo: undefined });
    }
  }

  disconnect() {
    for (const off of this.listeners) off();
    this.listeners = [];
    this.client?.disconnect();
    this.client = null;
    this.joined.clear();
    this.present.clear();
    this.typing.clear();
  }

  join(chat) {
    if (!chat.channelId || this.joined.has(chat.channelId)) return;
    const since = chats.newestServerTime(chat);
    // A server without the REST API has one room and no DM channels (nor history).
    const options = hasRestApi(this.settings)
      ? { agentId: chat.agentId, dm: true, ...(since !== undefined && { since }) }
      : {};
    try {
      this.client.join(chat.channelId, options);
      this.joined.add(chat.channelId);
    } catch (error) {
      // A stored chat the client refuses (say, a damaged id) must not keep the others offline;
      // opening it again asks the server for its channel.
      chat.channelId = null;
      storage.saveChat(chat);
      console.warn("ElizaOS Chat: cannot rejoin a stored chat", error);
    }
  }

  requireClient() {
    if (!this.client) throw fail(Code.NOT_CONFIGURED, "Set up the server first.");
    return this.client;
  }

  /** Called on a periodic alarm: a worker that was stopped is awake again and reconnecting. */
  nudge() {
    const { state, error } = this.connection;
    if (this.client && state === "disconnected" && error?.code !== "UNAUTHORIZED") this.client.connect();
  }

  ensureAlarm() {
    ext.alarms.get(RECONNECT_ALARM).then((alarm) => {
      if (!alarm) ext.alarms.create(RECONNECT_ALARM, { periodInMinutes: 0.5 });
    });
  }

  // ---- client events ----

  onState(connection) {
    this.connection = connection;
    this.broadcast({ push: Push.CONNECTION, connection });
  }

  chatOfChannel(channelId) {
    if (!channelId) return null;
    for (const chat of this.chats.values()) if (chat.channelId === channelId) return chat;
    return null;
  }

  /** Applies a change to the chat of a channel; stores and shows it when something changed. */
  withChat(channelId, change) {
    const chat = this.chatOfChannel(channelId);
    if (chat && change(chat) !== false) this.chatChanged(chat);
  }

  onMessage(message) {
    const chat = this.chatOfChannel(message.channelId);
    if (!chat) return;
    // New to the user: not shown before, or shown only as a streamed preview.
    const fresh = !chat.messages.some((m) => m.id === message.id && m.status !== "streaming");
    chats.upsert(chat, chats.entryFromMessage(message));
    if (message.fromAgent) {
      this.setThinking(chat, false);
      if (fresh && !this.isViewed(chat.agentId)) this.addUnread(chat.agentId);
    }
    this.chatChanged(chat);
  }

  /** A presence or typing change: kept per channel, shown live (never stored). */
  onSignal(table, channelId, userId, on) {
    let users = table.get(channelId);
    if (!users) table.set(channelId, (users = new Set()));
    if (on) users.add(userId);
    else users.delete(userId);
    const chat = this.chatOfChannel(channelId);
    if (chat) this.showChat(chat);
  }

  /** The name to show for a user of a chat: the agent's, one the user wrote under, or a short id. */
  nameOf(chat, userId) {
    if (userId === chat.agentId) return chat.agentName;
    const written = chat.messages.findLast((m) => m.senderId === userId && m.senderName);
    return written?.senderName ?? userId.slice(0, 8);
  }

  onStreamChunk(chat, { messageId, text }) {
    const current = chat.messages.find((m) => m.id === messageId);
    if (current && current.status !== "streaming") return false;
    const entry = {
      ...chats.entryFromMessage({ id: messageId, text, senderName: chat.agentName, fromAgent: true }),
      createdAt: current?.createdAt ?? Date.now(),
      status: "streaming",
    };
    chats.upsert(chat, entry);
    this.setThinking(chat, false);
  }

  onStreamError(chat, { messageId, error, partialText }) {
    const current = chat.messages.find((m) => m.id === messageId);
    if (!current && !partialText) return false;
    const entry = current ?? chats.entryFromMessage({ id: messageId, text: partialText, senderName: chat.agentName, fromAgent: true });
    chats.upsert(chat, { ...entry, text: partialText ?? entry.text, status: "interrupted", error });
    this.setThinking(chat, false);
  }

  onChannelDeleted(channelId) {
    const chat = this.chatOfChannel(channelId);
    if (!chat) return;
    this.client?.leave(channelId);
    this.joined.delete(channelId);
    // The next visit opens a new DM channel.
    Object.assign(chat, { channelId: null, messages: [] });
    this.chatChanged(chat);
  }

  /** The client's outbox is the truth about unconfirmed messages: store it, mirror its states. */
  onOutbox(outbox) {
    this.outbox = outbox;
    storage.saveOutbox(outbox);
    for (const entry of outbox) {
      const failed = entry.state.kind === "failed";
      this.withChat(entry.channelId, (chat) =>
        chats.markOutboxState(chat, entry.clientMessageId, failed ? "failed" : "pending", failed ? entry.state.message : null),
      );
    }
  }

  setThinking(chat, active) {
    if ((this.thinking.get(chat.agentId) ?? false) === active) return false;
    this.thinking.set(chat.agentId, active);
    chat.thinkingSince = active ? Date.now() : null;
    this.chatChanged(chat);
    return false;
  }

  /** After a restart: an agent that was working is probably still working (for a while). */
  restoreThinking() {
    for (const chat of this.chats.values()) {
      const left = (chat.thinkingSince ?? 0) + THINKING_RESTORE_MS - Date.now();
      if (left <= 0) continue;
      this.thinking.set(chat.agentId, true);
      const since = chat.thinkingSince;
      setTimeout(() => {
        if (chat.thinkingSince === since) this.setThinking(chat, false);
      }, left);
    }
  }

  chatChanged(chat) {
    // A reply streaming in changes the chat with every chunk: those writes are spaced out.
    storage.saveChat(chat, { streaming: chat.messages.some((m) => m.status === "streaming") });
    this.showChat(chat);
  }

  /** Pushes a chat to the popups showing it. */
  showChat(chat) {
    const view = this.chatView(chat);
    for (const [port, state] of this.ports) {
      if (state.viewing === chat.agentId) post(port, { push: Push.CHAT, chat: view });
    }
  }

  chatView(chat) {
    return {
      agentId: chat.agentId,
      agentName: chat.agentName,
      channelId: chat.channelId,
      messages: chat.messages,
      thinking: this.thinking.get(chat.agentId) ?? false,
      present: [...(this.present.get(chat.channelId) ?? [])].map((id) => this.nameOf(chat, id)),
      typing: [...(this.typing.get(chat.channelId) ?? [])].map((id) => this.nameOf(chat, id)),
    };
  }

  // ---- unread counts ----

  isViewed(agentId) {
    for (const state of this.ports.values()) if (state.viewing === agentId) return true;
    return false;
  }

  addUnread(agentId) {
    this.unread = { ...this.unread, [agentId]: (this.unread[agentId] ?? 0) + 1 };
    this.unreadChanged();
  }

  clearUnread(agentId) {
    if (!this.unread[agentId]) return;
    const { [agentId]: _, ...rest } = this.unread;
    this.unread = rest;
    this.unreadChanged();
  }

  unreadChanged() {
    storage.saveUnread(this.unread);
    showUnread(this.unread).catch(() => {});
    this.broadcast({ push: Push.UNREAD, unread: this.unread });
  }

  // ---- popups ----

  /** A popup connected: its messages are handled once the state is loaded. */
  attach(port) {
    this.ports.set(port, { viewing: null });
    port.onMessage.addListener((request) => this.answer(port, request));
    port.onDisconnect.addListener(() => this.ports.delete(port));
  }

  async answer(port, request) {
    let reply;
    try {
      await this.ready;
      reply = { rid: request.rid, ok: true, result: await this.handle(port, request) };
    } catch (error) {
      reply = { rid: request.rid, ok: false, error: { code: error.code ?? Code.INTERNAL, message: error.message } };
    }
    post(port, reply);
  }

  broadcast(message) {
    for (const port of this.ports.keys()) post(port, message);
  }

  notice(agentId, error) {
    this.broadcast({ push: Push.NOTICE, agentId, error });
  }

  snapshot() {
    return {
      configured: Boolean(this.settings),
      settings: this.settings ?? DEFAULT_SETTINGS,
      entityId: this.entityId,
      connection: this.connection,
      agents: this.agents,
      unread: this.unread,
      ui: this.ui,
    };
  }

  async handle(port, request) {
    switch (request.type) {
      case Request.HELLO:
        return this.snapshot();
      case Request.AGENTS:
        return this.refreshAgents();
      case Request.SAVE_SETTINGS:
        return this.saveSettings(request.settings);
      case Request.TEST_CONNECTION: {
        const { settings, error } = normalizeSettings(request.settings);
        if (error) throw fail(Code.BAD_SETTINGS, error);
        return testConnection(settings, this.entityId);
      }
      case Request.OPEN_CHAT:
        return this.openChat(port, request.agentId, request.agentName);
      case Request.CLOSE_CHAT: {
        const state = this.ports.get(port);
        if (state) state.viewing = null;
        return null;
      }
      case Request.SEND:
        return this.send(request.agentId, request.text);
      case Request.TYPING: {
        const chat = this.requireChat(request.agentId);
        this.requireClient().typing(chat.channelId, request.isTyping === true);
        return null;
      }
      case Request.RETRY: {
        const chat = this.requireChat(request.agentId);
        this.requireClient().retry(request.clientMessageId);
        if (chats.markOutboxState(chat, request.clientMessageId, "pending")) this.chatChanged(chat);
        return null;
      }
      case Request.DISCARD: {
        const chat = this.requireChat(request.agentId);
        this.requireClient().discard(request.clientMessageId);
        const id = request.clientMessageId;
        if (chats.removeWhere(chat, (m) => m.clientMessageId === id && m.status !== "delivered")) this.chatChanged(chat);
        return null;
      }
      case Request.RECONNECT: {
        const client = this.requireClient();
        client.disconnect();
        client.connect();
        return null;
      }
      case Request.DIAGNOSTICS:
        return extensionDiagnostics(this.requireClient(), this.settings, (id) => this.chatOfChannel(id)?.agentName ?? null);
      case Request.SAVE_UI:
        this.ui = request.ui;
        storage.saveUi(this.ui);
        return null;
      default:
        throw fail(Code.INTERNAL, `unknown request ${request.type}`);
    }
  }

  async refreshAgents() {
    const client = this.requireClient();
    const agents = hasRestApi(this.settings) ? await client.agents() : [roomAgent(this.settings)];
    this.agents = agents;
    storage.saveAgents(agents);
    for (const agent of agents) {
      const chat = this.chats.get(agent.id);
      if (chat && chat.agentName !== agent.name) {
        chat.agentName = agent.name;
        storage.saveChat(chat);
      }
    }
    this.broadcast({ push: Push.AGENTS, agents });
    return agents;
  }

  async saveSettings(input) {
    const { settings, error } = normalizeSettings(input);
    if (error) throw fail(Code.BAD_SETTINGS, error);
    const where = (s) => [s.serverUrl, hasRestApi(s), s.roomId].join(" ");
    const serverChanged = !this.settings || where(this.settings) !== where(settings);
    this.disconnect();
    if (serverChanged) {
      // Chats, outbox and unread counts belong to the previous server.
      await storage.clearServerData([...this.chats.keys()]);
      Object.assign(this, { chats: new Map(), outbox: [], unread: {}, agents: [], ui: null });
      this.thinking.clear();
      for (const state of this.ports.values()) state.viewing = null;
      showUnread(this.unread).catch(() => {});
    }
    this.settings = settings;
    storage.saveSettings(settings);
    this.connect();
    return this.snapshot();
  }

  async openChat(port, agentId, agentName) {
    let chat = this.chats.get(agentId);
    if (!hasRestApi(this.settings)) chat = this.openRoom(agentId, agentName);
    else if (!chat?.channelId) chat = await this.openDm(agentId, agentName);
    else this.join(chat);
    if (agentName && chat.agentName !== agentName) {
      chat.agentName = agentName;
      storage.saveChat(chat);
    }
    const state = this.ports.get(port);
    if (state) state.viewing = agentId;
    this.clearUnread(agentId);
    return this.chatView(chat);
  }

  /** Opens the DM channel with an agent for the first time (once, however many popups ask). */
  openDm(agentId, agentName) {
    let opening = this.opening.get(agentId);
    if (!opening) {
      const client = this.requireClient();
      opening = client
        .joinDm(agentId, {})
        .then((channel) => {
          if (client !== this.client) throw fail(Code.INTERNAL, "The settings changed meanwhile; try again.");
          this.joined.add(channel.id);
          const chat = this.chats.get(agentId) ?? chats.newChat(agentId, agentName || "Agent", channel.id);
          chat.channelId = channel.id;
          this.chats.set(agentId, chat);
          storage.saveChat(chat);
          return chat;
        })
        .finally(() => this.opening.delete(agentId));
      this.opening.set(agentId, opening);
    }
    return opening;
  }

  /** Without the REST API the one "agent" is the configured room: its chat is that channel. */
  openRoom(roomId, agentName) {
    this.requireClient();
    if (roomId !== this.settings.roomId) throw fail(Code.NO_CHAT, "This chat is not the configured room.");
    let chat = this.chats.get(roomId);
    if (!chat) {
      chat = chats.newChat(roomId, agentName || this.settings.agentName || "Agent", roomId);
      this.chats.set(roomId, chat);
      storage.saveChat(chat);
    }
    this.join(chat);
    return chat;
  }

  requireChat(agentId) {
    const chat = this.chats.get(agentId);
    if (!chat?.channelId) throw fail(Code.NO_CHAT, "Open the chat first.");
    return chat;
  }

  send(agentId, text) {
    if (typeof text !== "string") throw fail("INVALID_ARGUMENT", "The message must be text.");
    // The length limit is the client library's own (LIMITS.messageBytes, MESSAGE_TOO_LONG).
    const chat = this.requireChat(agentId);
    const clientMessageId = this.requireClient().send(chat.channelId, text, {});
    const name = this.settings.userName || "You";
    chats.upsert(chat, chats.pendingEntry(clientMessageId, text, name));
    this.chatChanged(chat);
    return clientMessageId;
  }
}

/** postMessage to a port that may have closed meanwhile. */
function post(port, message) {
  try {
    port.postMessage(message);
  } catch {
    // The popup closed: nothing to tell it.
  }
}
