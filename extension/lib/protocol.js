// Messages between the popup and the background, over a `runtime.connect` port.
//
// The popup sends requests {rid, type, ...args}; the background answers each with
// {rid, ok: true, result} or {rid, ok: false, error: {code, message}}. The background also
// pushes {push: KIND, ...data} to every open popup when something changes.

export const PORT_NAME = "eliza-chat-popup";

/** Requests the popup can make. */
export const Request = Object.freeze({
  HELLO: "hello", //                 → snapshot (settings, connection, agents, unread, ui)
  AGENTS: "agents", //               → Agent[] (fresh from the server)
  SAVE_SETTINGS: "saveSettings", //  {settings} → snapshot
  TEST_CONNECTION: "testConnection", // {settings} → {agents, active}
  OPEN_CHAT: "openChat", //          {agentId, agentName} → chat view
  CLOSE_CHAT: "closeChat", //        the popup shows no chat any more
  SEND: "send", //                   {agentId, text} → clientMessageId
  TYPING: "typing", //               {agentId, isTyping}: the user typed (true) or cleared the input
  RETRY: "retry", //                 {agentId, clientMessageId}
  DISCARD: "discard", //             {agentId, clientMessageId}
  RECONNECT: "reconnect", //         try connecting now instead of waiting for the next attempt
  SAVE_UI: "saveUi", //              {ui: {view, agentId}} where the popup reopens
  DIAGNOSTICS: "diagnostics", //     → the client's diagnostics report (no API key), plus the extension's checks
});

/** What the background pushes. */
export const Push = Object.freeze({
  CONNECTION: "connection", // {connection: ConnectionState}
  CHAT: "chat", //             {chat: chat view} for the agent a popup shows
  UNREAD: "unread", //         {unread: {agentId: count}}
  AGENTS: "agents", //         {agents: Agent[]}
  NOTICE: "notice", //         {agentId|null, error: {code, message}}: a problem worth showing
});

/** Error codes the background adds to the client library's own. */
export const Code = Object.freeze({
  NOT_CONFIGURED: "NOT_CONFIGURED",
  NO_CHAT: "NO_CHAT",
  BAD_SETTINGS: "BAD_SETTINGS",
  INTERNAL: "INTERNAL",
});
