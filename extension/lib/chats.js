// One chat's message list: merging what the client library delivers with the user's own
// messages that are still on their way. Pure functions over plain objects (they are stored
// as they are).
//
// An entry: {id, clientMessageId, text, createdAt, senderName, own, fromAgent, thought, status,
// error, localTime}. status: "delivered" (the server has it), "pending" (in the outbox),
// "failed" (the user may retry or discard), "streaming" (a provisional agent reply being
// written). localTime: createdAt is this browser's clock, not the server's.

/** Messages kept per chat; the oldest go first. */
export const MAX_MESSAGES = 200;

export function newChat(agentId, agentName, channelId) {
  return { agentId, agentName, channelId, messages: [], thinkingSince: null };
}

/** An entry for a message from the client library. */
export function entryFromMessage(m) {
  return {
    id: m.id,
    clientMessageId: m.clientMessageId ?? null,
    text: m.text ?? "",
    createdAt: m.createdAt ?? Date.now(),
    senderName: m.senderName ?? "",
    senderId: m.senderId ?? null,
    own: Boolean(m.own),
    fromAgent: Boolean(m.fromAgent),
    thought: m.thought ?? null,
    status: "delivered",
    error: null,
    localTime: m.createdAt == null,
  };
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
    chat.messages[i] = { ...entry, clientMessageId: entry.clientMessageId ?? old.clientMessageId };
  } else {
    chat.messages.push(entry);
  }
  chat.messages.sort((a, b) => a.createdAt - b.createdAt);
  if (chat.messages.length > MAX_MESSAGES) chat.messages.splice(0, chat.messages.length - MAX_MESSAGES);
  return i < 0;
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
