// Everything the background keeps across restarts, in storage.local:
//
//   settings   {serverUrl, apiKey, userName}
//   entityId   the user's id on the server (stays the same across restarts)
//   outbox     the client's unconfirmed messages (OutboxEntry[]), given back to it on wake
//   unread     {agentId: count} of agent messages not yet seen
//   agents     the last agent list (shown at once, and while offline)
//   ui         {view, agentId}: where the popup reopens
//   chat:<id>  one chat per agent: {agentId, agentName, channelId, messages, thinkingSince}
//   server:<origin>  what the client learnt about that server (client.serverInfo: release era,
//              message server id, history path), handed back so that a wake does not probe again
//
// Writes are coalesced: a burst of changes (stream chunks, history pages) becomes one write.
import { ext } from "./browser.js";
import { DEFAULT_SETTINGS } from "./settings.js";

const CHAT_PREFIX = "chat:";
const SERVER_PREFIX = "server:";
const store = ext.storage.local;

export async function loadState() {
  const all = await store.get(null);
  const chats = new Map();
  const servers = new Map();
  for (const [key, value] of Object.entries(all)) {
    if (key.startsWith(CHAT_PREFIX) && value?.agentId) chats.set(value.agentId, value);
    if (key.startsWith(SERVER_PREFIX) && value?.messageServerId) servers.set(key.slice(SERVER_PREFIX.length), value);
  }
  return {
    settings: all.settings ? { ...DEFAULT_SETTINGS, ...all.settings } : null,
    entityId: all.entityId ?? null,
    outbox: Array.isArray(all.outbox) ? all.outbox : [],
    unread: all.unread ?? {},
    agents: Array.isArray(all.agents) ? all.agents : [],
    ui: all.ui ?? null,
    chats,
    servers,
  };
}

const pending = new Map();
let flushing = null;

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
      await store.set(batch);
    }
  } finally {
    flushing = null;
  }
}

export const saveSettings = (settings) => schedule("settings", settings);
export const saveEntityId = (entityId) => schedule("entityId", entityId);
export const saveOutbox = (outbox) => schedule("outbox", outbox);
export const saveUnread = (unread) => schedule("unread", unread);
export const saveAgents = (agents) => schedule("agents", agents);
export const saveUi = (ui) => schedule("ui", ui);
export const saveChat = (chat) => schedule(CHAT_PREFIX + chat.agentId, chat);
export const saveServerInfo = (origin, info) => schedule(SERVER_PREFIX + origin, info);

/** Forgets everything tied to one server (chats, outbox, unread counts, agent list). */
export async function clearServerData(chatAgentIds) {
  await flushing;
  for (const key of ["outbox", "unread", "agents", "ui"]) pending.delete(key);
  for (const id of chatAgentIds) pending.delete(CHAT_PREFIX + id);
  await store.remove(["outbox", "unread", "agents", "ui", ...chatAgentIds.map((id) => CHAT_PREFIX + id)]);
}
