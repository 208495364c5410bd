// One chat's message list: merging what the client library delivers with the user's own
// messages that are still on their way. Pure functions over plain objects (they are stored
// as they are).
//
// An entry: {id, clientMessageId, text, createdAt, senderName, own, fromAgent, thought, attachments,
// status, error, localTime, clipped}. status: "delivered" (the server has it), "pending" (in the outbox),
// "failed" (the user may retry or discard), "streaming" (a provisional agent reply being
// written). localTime: createdAt is this browser's clock, not the server's. clipped: the text
// was longer than LIMITS.storedMessageBytes and is kept shortened.
//
// A chat stays within LIMITS.chatBytes and LIMITS.chatMessages: the oldest messages go first,
// except the user's messages still in the outbox.
import { LIMITS, clipUtf8, utf8Bytes } from "./limits.js";

/** Furthest a JavaScript Date reaches from the epoch, in ms. */
const MAX_TIME_MS = 8.64e15;

/** `ms` when it is a time a Date can show, else null. */
export function validTime(ms) {
  return typeof ms === "number" && Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME_MS ? ms : null;
}

export function newChat(agentId, agentName, channelId) {
  return { agentId, agentName, channelId, messages: [], thinkingSince: null };
}

/** An entry for a message from the client library (a time no Date can hold becomes now). */
export function entryFromMessage(m) {
  const createdAt = validTime(m.createdAt);
  const text = typeof m.text === "string" ? m.text : "";
  const kept = clipUtf8(text, LIMITS.storedMessageBytes);
  return {
    id: m.id,
    clientMessageId: m.clientMessageId ?? null,
    text: kept,
    createdAt: createdAt ?? Date.now(),
    senderName: m.senderName ?? "",
    senderId: m.senderId ?? null,
    own: Boolean(m.own),
    fromAgent: Boolean(m.fromAgent),
    thought: m.thought ?? null,
    attachments: attachmentsOf(m.attachments),
    status: "delivered",
    error: null,
    localTime: createdAt === null,
    clipped: kept.length < text.length,
  };
}

/** Attachments kept with a message: their link fields only, as strings (the popup shows links). */
const MAX_ATTACHMENTS = 20;
function attachmentsOf(list) {
  if (!Array.isArray(list)) return [];
  const text = (value) => (typeof value === "string" ? value.slice(0, 2048) : "");
  return list
    .filter((a) => a && typeof a.url === "string")
    .slice(0, MAX_ATTACHMENTS)
    .map((a) => ({ url: text(a.url), title: text(a.title), contentType: text(a.contentType) }));
}

/** An entry for a message the user just sent (its id is the client's until the server's arrives). */
export function pendingEntry(clientMessageId, text, senderName, createdAt = Date.now()) {
  return {
    id: clientMessageId,
    clientMessageId,
    text,
    createdAt,
    senderName,
    own: true,
    fromAgent: false,
    thought: null,
    status: "pending",
    error: null,
    localTime: true,
  };
}

function indexOf(chat, entry) {
  let i = chat.messages.findIndex((m) => m.id === entry.id);
  if (i < 0 && entry.clientMessageId) i = chat.messages.findIndex((m) => m.clientMessageId === entry.clientMessageId);
  return i;
}

/**
 * Adds an entry, or replaces the one with the same id (or the same client id: the server's copy
 * of a pending message). Returns true when the entry is new.
 */
export function upsert(chat, entry) {
  const i = indexOf(chat, entry);
  if (i >= 0) {
    const old = chat.messages[i];
    // The server's copy of a pending message keeps its client id; a local entry never
    // overwrites a delivered one.
    if (entry.status === "pending" && old.status === "delivered") return false;
    // A message delivered again without a server time (say, after a restart) keeps its place.
    const time = entry.localTime ? { createdAt: old.createdAt, localTime: old.localTime } : {};
    chat.messages[i] = { ...entry, ...time, clientMessageId: entry.clientMessageId ?? old.clientMessageId };
  } else {
    chat.messages.push(entry);
  }
  chat.messages.sort((a, b) => a.createdAt - b.createdAt);
  fitChat(chat);
  return i < 0;
}

// ---- sizes ----

/** Stored size of each entry object, measured once (entries are replaced, not edited, when their text changes). */
const sizes = new WeakMap();

function entryBytes(entry) {
  let bytes = sizes.get(entry);
  if (bytes === undefined) {
    bytes = utf8Bytes(JSON.stringify(entry));
    sizes.set(entry, bytes);
  }
  return bytes;
}

export function chatBytes(chat) {
  return chat.messages.reduce((sum, m) => sum + entryBytes(m), 0);
}

/** Messages the outbox still holds: never dropped from a chat. */
const inOutbox = (m) => m.status === "pending" || m.status === "failed";

/** Drops the oldest messages (not those in the outbox) until the chat is within its limits. */
export function fitChat(chat) {
  let bytes = chatBytes(chat);
  let count = chat.messages.length;
  const drop = new Set();
  for (const m of chat.messages) {
    if (bytes <= LIMITS.chatBytes && count <= LIMITS.chatMessages) break;
    if (inOutbox(m)) continue;
    drop.add(m);
    bytes -= entryBytes(m);
    count -= 1;
  }
  if (drop.size) chat.messages = chat.messages.filter((m) => !drop.has(m));
  return drop.size > 0;
}

/**
 * Storage is full: drops the oldest history across all chats, about `share` of it (at least
 * one message). Returns the chats that changed (empty when nothing is left to drop).
 */
export function trimOldest(allChats, share) {
  const candidates = [];
  let total = 0;
  for (const chat of allChats) {
    for (const m of chat.messages) {
      total += entryBytes(m);
      if (!inOutbox(m)) candidates.push({ chat, m });
    }
  }
  candidates.sort((a, b) => a.m.createdAt - b.m.createdAt);
  const goal = total * share;
  let freed = 0;
  const drop = new Map();
  for (const { chat, m } of candidates) {
    if (drop.size && freed >= goal) break;
    if (!drop.has(chat)) drop.set(chat, new Set());
    drop.get(chat).add(m);
    freed += entryBytes(m);
  }
  for (const [chat, gone] of drop) chat.messages = chat.messages.filter((m) => !gone.has(m));
  return [...drop.keys()];
}

/**
 * A chat read back from storage, made safe to show: times no Date can hold (stored by earlier
 * versions) become the load time, and the limits apply.
 */
export function repairChat(chat) {
  if (!Array.isArray(chat.messages)) chat.messages = [];
  for (const m of chat.messages) {
    if (validTime(m.createdAt) === null) Object.assign(m, { createdAt: Date.now(), localTime: true });
    if (typeof m.text !== "string") m.text = "";
  }
  chat.messages.sort((a, b) => a.createdAt - b.createdAt);
  fitChat(chat);
  return chat;
}

/** The server confirmed one of the user's messages. */
export function markDelivered(chat, clientMessageId, messageId) {
  const entry = chat.messages.find((m) => m.clientMessageId === clientMessageId);
  if (!entry) return false;
  // A server that names no id of its own (acknowledgement callbacks): the client id stays.
  messageId ||= entry.id;
  // The server's echo may already be there under its id: keep one entry.
  chat.messages = chat.messages.filter((m) => m === entry || m.id !== messageId);
  Object.assign(entry, { id: messageId, status: "delivered", error: null });
  return true;
}

/** Sets the outbox state of one of the user's messages ("pending" or "failed"). */
export function markOutboxState(chat, clientMessageId, status, error = null) {
  const entry = chat.messages.find((m) => m.clientMessageId === clientMessageId && m.status !== "delivered");
  if (!entry || (entry.status === status && entry.error === error)) return false;
  Object.assign(entry, { status, error });
  return true;
}

export function removeWhere(chat, predicate) {
  const before = chat.messages.length;
  chat.messages = chat.messages.filter((m) => !predicate(m));
  return chat.messages.length !== before;
}

/**
 * `createdAt` of the newest message the server has given us: history after it is new. Only the
 * server's clock counts (a local clock ahead of it would hide replies).
 */
export function newestServerTime(chat) {
  let newest;
  for (const m of chat.messages) {
    if (m.status !== "delivered" || m.localTime) continue;
    if (newest === undefined || m.createdAt > newest) newest = m.createdAt;
  }
  return newest;
}
