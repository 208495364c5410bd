// Everything the background keeps across restarts, in storage.local:
//
//   settings   {serverUrl, apiKey, apiKeyOrigin, userName}
//   entityId   the user's id on the server (stays the same across restarts)
//   outbox     the client's unconfirmed messages (OutboxEntry[]), given back to it on wake
//   unread     {agentId: count} of agent messages not yet seen
//   agents     the last agent list (shown at once, and while offline)
//   ui         {view, agentId}: where the popup reopens
//   chat:<id>  one chat per agent: {agentId, agentName, channelId, messages, thinkingSince}
//   server:<origin>  what the client learnt about that server (client.serverInfo: release era,
//              message server id, history path), handed back so that a wake does not probe again
//
// Writes are coalesced: a burst of changes (history pages) becomes one write. The outbox is
// written on its own, at once: storage.local rejects a whole write when it is over quota, and
// the user's unsent messages must never go down with a batch of history. When storage is full,
// the oldest history is dropped (see onQuotaExceeded) and the write tried again. A chat whose
// reply is streaming in is written at most every LIMITS.streamingWriteMs.
import { ext } from "./browser.js";
import { DEFAULT_SETTINGS, normalizeSettings } from "./settings.js";
import { LIMITS } from "./limits.js";
import { repairChat } from "./chats.js";

const CHAT_PREFIX = "chat:";
const SERVER_PREFIX = "server:";
const store = ext.storage.local;

export async function loadState() {
  const all = await store.get(null);
  const chats = new Map();
  const servers = new Map();
  for (const [key, value] of Object.entries(all)) {
    if (key.startsWith(CHAT_PREFIX) && value?.agentId) chats.set(value.agentId, repairChat(value));
    if (key.startsWith(SERVER_PREFIX) && value?.messageServerId) servers.set(key.slice(SERVER_PREFIX.length), value);
  }
  return {
    settings: all.settings ? loadSettings(all.settings) : null,
    entityId: all.entityId ?? null,
    outbox: Array.isArray(all.outbox) ? all.outbox : [],
    unread: all.unread ?? {},
    agents: Array.isArray(all.agents) ? all.agents : [],
    ui: all.ui ?? null,
    chats,
    servers,
  };
}

/** Saved settings; a key saved before keys were tied to a server belongs to the saved server. */
function loadSettings(saved) {
  const merged = { ...DEFAULT_SETTINGS, ...saved };
  if (saved.apiKeyOrigin === undefined) merged.apiKeyOrigin = originOf(merged.serverUrl);
  return normalizeSettings(merged).settings ?? { ...DEFAULT_SETTINGS };
}

function originOf(url) {
  try {
    return new URL(url).origin;
  } catch {
    return "";
  }
}

// ---- full storage ----

/** Returns the chats it shortened (by dropping their oldest messages); [] when it cannot. */
let trimHistory = () => [];

/** `trim(share)` drops about `share` of the stored history, oldest first (see chats.trimOldest). */
export function onQuotaExceeded(trim) {
  trimHistory = trim;
}

const isQuotaError = (error) => /quota/i.test(String(error?.message ?? error));

/** store.set, making room by dropping the oldest history for as long as storage is full. */
async function setWithRoom(items) {
  for (;;) {
    try {
      await store.set(items);
      return;
    } catch (error) {
      if (!isQuotaError(error)) throw error;
      const shortened = trimHistory(LIMITS.quotaTrimShare);
      if (!shortened.length) throw error;
      // The shorter chats go out first, on their own: that is what frees the room. A chat
      // never written before adds bytes instead, which the next round's retry sorts out.
      const smaller = Object.fromEntries(shortened.map((chat) => [CHAT_PREFIX + chat.agentId, chat]));
      for (const key of Object.keys(smaller)) pending.delete(key);
      await store.set(smaller).catch((e) => {
        if (!isQuotaError(e)) throw e;
        for (const [key, chat] of Object.entries(smaller)) pending.set(key, chat);
      });
    }
  }
}

function report(what, error) {
  console.error(`ElizaOS Chat: could not store ${what}`, error);
}

// ---- the outbox: its own write, latest value wins ----

let outboxLatest;
let outboxWriting = null;

export function saveOutbox(outbox) {
  outboxLatest = outbox;
  outboxWriting ??= (async () => {
    try {
      while (outboxLatest !== undefined) {
        const value = outboxLatest;
        outboxLatest = undefined;
        await setWithRoom({ outbox: value }).catch((error) => report("the outbox", error));
      }
    } finally {
      outboxWriting = null;
    }
  })();
  return outboxWriting;
}

// ---- everything else: coalesced ----

const pending = new Map();
let flushing = null;
/** agentId → timer of a streaming chat's next write */
const streamTimers = new Map();

function schedule(key, value) {
  pending.set(key, value);
  flushing ??= flush();
  return flushing;
}

async function flush() {
  // Let the current burst of changes finish before writing.
  await Promise.resolve();
  try {
    while (pending.size) {
      const batch = Object.fromEntries(pending);
      pending.clear();
      await setWithRoom(batch).catch((error) => report(Object.keys(batch).join(", "), error));
    }
  } finally {
    flushing = null;
  }
}

export const saveSettings = (settings) => schedule("settings", settings);
export const saveEntityId = (entityId) => schedule("entityId", entityId);
export const saveUnread = (unread) => schedule("unread", unread);
export const saveAgents = (agents) => schedule("agents", agents);
export const saveUi = (ui) => schedule("ui", ui);
export const saveServerInfo = (origin, info) => schedule(SERVER_PREFIX + origin, info);

/**
 * Stores a chat. `streaming`: a reply is being written into it, chunk by chunk; rewriting the
 * whole chat for each chunk is what this avoids (the final message is written at once).
 */
export function saveChat(chat, { streaming = false } = {}) {
  const timer = streamTimers.get(chat.agentId);
  if (!streaming) {
    clearTimeout(timer);
    streamTimers.delete(chat.agentId);
    return schedule(CHAT_PREFIX + chat.agentId, chat);
  }
  if (timer === undefined) {
    streamTimers.set(
      chat.agentId,
      setTimeout(() => {
        streamTimers.delete(chat.agentId);
        schedule(CHAT_PREFIX + chat.agentId, chat);
      }, LIMITS.streamingWriteMs),
    );
  }
  return flushing;
}

/** Forgets everything tied to one server (chats, outbox, unread counts, agent list). */
export async function clearServerData(chatAgentIds) {
  await Promise.all([flushing, outboxWriting]);
  for (const key of ["unread", "agents", "ui"]) pending.delete(key);
  for (const id of chatAgentIds) {
    pending.delete(CHAT_PREFIX + id);
    clearTimeout(streamTimers.get(id));
    streamTimers.delete(id);
  }
  outboxLatest = undefined;
  await store.remove(["outbox", "unread", "agents", "ui", ...chatAgentIds.map((id) => CHAT_PREFIX + id)]);
}
