//! TypeScript declarations of the ElizaOS layer's options, data and events.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Options of `new ElizaClient(…)`. */
export interface ElizaClientOptions {
  /** The ElizaOS server. Default `"http://localhost:3000"`. */
  serverUrl?: string;
  /** Sent as `X-API-KEY` on REST requests and as `auth.apiKey` on the socket. */
  apiKey?: string;
  /** The user's entity id (a UUID). Default: a new random one — read `client.entityId` and persist it. */
  entityId?: string;
  /** The name shown with the user's messages. Default `"User"`. */
  userName?: string;
  /** The `source` stored with the user's messages. Default `"eliza-socketio"`. */
  source?: string;
  /** Socket options (transports, reconnection delays…). */
  socket?: ManagerOptions;
  /** How long a sent message may wait for the server's confirmation before it is shown as failed
   * (it is still checked and re-sent after a reconnect). Default 30000 ms. */
  messageAckTimeout?: number;
  /** How long to show an agent as thinking without any sign of a reply. Default 60000 ms. */
  thinkingTimeout?: number;
  /** How long to wait for the server to confirm joining a channel (`channel_joined`) before
   * reporting `JOIN_TIMEOUT` once and going on anyway. Default 10000 ms. */
  joinTimeout?: number;
  /** What an earlier client learnt about this server (`client.serverInfo`, or the `serverInfo`
   * event), kept per server: it is not probed again. */
  serverInfo?: ServerInfo;
  /** `false` for a server without the ElizaOS REST API (Socket.IO only, like the seed document's
   * server): no REST request is made on connect, and `join()` fetches no history unless told to.
   * Default `true`. */
  rest?: boolean;
  /** Unconfirmed messages saved from `client.outbox()` before a restart: checked against the
   * server's history and sent if it does not have them. */
  outbox?: OutboxEntry[];
}

/** Options of `joinDm()`. */
export interface JoinDmOptions {
  /** `createdAt` of the newest message the user already has: only newer history is delivered. */
  since?: number;
}

/** Options of `join()`. */
export interface JoinOptions {
  /** The agent answering in this channel (required for a DM). */
  agentId?: string;
  /** A direct-message channel with `agentId`. */
  dm?: boolean;
  /** `createdAt` of the newest message the user already has. */
  since?: number;
  /** Fetch history after each (re)join and before sending. Default: the client's `rest` option.
   * Without it the channel goes live as soon as the join is written. */
  history?: boolean;
}

/** Options of `history()`. */
export interface HistoryOptions {
  /** How many messages (1–500). Default 50. */
  limit?: number;
  /** Only messages created before this time (ms since the epoch). */
  before?: number;
}

/** Options of `send()`. */
export interface SendOptions {
  attachments?: unknown[];
  metadata?: Record<string, unknown>;
}

/**
 * What the client found out about the server (ElizaOS releases 1.2 – 1.7 differ in a few
 * places; nothing is assumed):
 * - `era`: `"unknown"` before the first connect; `"1.6.5+"` when
 *   `GET /api/messaging/message-server/current` answers or the socket says `authenticated`;
 *   `"1.2-1.6.4"` when that endpoint is missing (404), narrowed to `"1.2-1.4"` by a
 *   `messageComplete` event or to `"1.5-1.6.4"` by an agent reply without one.
 * - `messageServerId`: sent with every join and message; `serverIdSource` says where it came from
 *   (`"current"`: that endpoint; `"default"`: the 404 meant the default id; `"given"`; `"unknown"`:
 *   not asked yet, the default id meanwhile).
 * - `historyPath`: where history was read (`"central-channels"` on every release,
 *   `"channels"` from 1.7), `null` before the first page.
 * - `messageComplete`: the server ends agent answers with `messageComplete` (1.2 – 1.4).
 */
export interface ServerInfo {
  era: "unknown" | "1.2-1.6.4" | "1.2-1.4" | "1.5-1.6.4" | "1.6.5+";
  messageServerId: string;
  serverIdSource: "unknown" | "current" | "default" | "given";
  historyPath: "central-channels" | "channels" | null;
  messageComplete: boolean;
}

export interface Agent {
  id: string;
  name: string;
  characterName: string | null;
  bio: string | null;
  /** `"active"` (running) or `"inactive"` (will not answer). */
  status: string;
}

export interface DmChannel {
  id: string;
  messageServerId: string;
  name: string;
  type: string;
}

/** A chat message. `text` is plain text: render it as text, never as HTML. */
export interface ChatMessage {
  id: string;
  channelId: string;
  senderId: string;
  senderName: string;
  text: string;
  /** Milliseconds since the epoch (server time). */
  createdAt: number | null;
  updatedAt: number | null;
  source: string | null;
  thought: string | null;
  actions: string[];
  attachments: unknown[];
  /** The id `send()` returned, on the user's own messages. */
  clientMessageId: string | null;
  fromAgent: boolean;
  own: boolean;
}

export type OutboxState =
  | { kind: "queued" }
  | { kind: "sent" }
  | { kind: "failed"; code: string; message: string };

export interface OutboxEntry {
  clientMessageId: string;
  channelId: string;
  text: string;
  attachments: unknown[];
  metadata: Record<string, unknown> | null;
  /** When `send` was called (ms since the epoch, on the page's wall clock). */
  createdAt: number;
  state: OutboxState;
  attempts: number;
  /** When it was last written to the socket (ms since the epoch, on the page's wall clock). */
  lastSentAt: number | null;
}

/** Errors carry a stable `code`. */
export interface ElizaError extends Error {
  code:
    | "UNAUTHORIZED" | "NOT_FOUND" | "SERVER_ERROR" | "BAD_RESPONSE" | "NETWORK" | "TIMEOUT"
    | "INVALID_ARGUMENT" | "MESSAGE_TOO_LONG" | "CONNECT_REFUSED" | "TRANSPORT_ERROR" | "CONNECT_TIMEOUT"
    | "JOIN_TIMEOUT" | "HISTORY_UNAVAILABLE";
}

export interface ConnectionState {
  state: "connecting" | "connected" | "reconnecting" | "disconnected";
  /** Reconnection attempts since the last successful connection. */
  attempt: number;
  /** When the next attempt starts (ms since the epoch: `Date.now()` plus the time left, so it
   * follows the wall clock even when the system clock was set), while waiting for it. */
  retryAt: number | null;
  /** The last connection error, until the next successful connection. */
  error: { code: string; message: string } | null;
}

/** An error kept by `diagnostics()`. `at`: ms since the epoch. */
export interface DiagnosticsError {
  code: string;
  message: string;
  at: number;
}

/** One of the common mistakes of an ElizaOS client, recognised from what the client saw. */
export interface DiagnosticsFinding {
  kind: "wrongEvent" | "notJoined" | "idMismatch" | "missingFields" | "corsPermission";
  /** `"Wrong event"`, `"Not joined"`, `"ID mismatch"`, `"Missing fields"`, `"CORS / permission"`. */
  title: string;
  /** The evidence and what to check. */
  detail: string;
  /** The channel concerned (for an ID mismatch: the channel the broadcast named). */
  channelId?: string;
  /** For an ID mismatch: the channels joined when it arrived. */
  joinedChannelIds?: string[];
}

/** `client.diagnostics()`: why replies do (not) arrive. Names and ids only: no message text, no API key. */
export interface Diagnostics {
  /** Changes whenever anything recorded changes. */
  revision: number;
  generatedAt: number;
  serverUrl: string;
  /** The server's release era as detected (`serverInfo.era`), or `"unknown"`. */
  serverEra: ServerInfo["era"];
  state: ConnectionState["state"];
  transport: "polling" | "websocket" | null;
  socketId: string | null;
  handshake: { result: "pending" | "ok" } | { result: "refused" | "failed"; reason: string };
  messageServerId: string;
  entityId: string;
  channels: {
    channelId: string;
    agentId: string | null;
    dm: boolean;
    /** `confirmed`: `channel_joined` received; `unconfirmed`: not within the join timeout. */
    join: "notSent" | "waiting" | "confirmed" | "unconfirmed";
    joinSentAt: number | null;
    joinConfirmedAt: number | null;
    /** Joined and in sync: messages sent now go out at once. */
    live: boolean;
  }[];
  /** The last 50 events received, oldest first (like `onAny`: name and `channelId ?? roomId`). */
  recentEvents: { name: string; channelId: string | null; at: number }[];
  counts: { events: number; broadcasts: number; messageEvents: number; acks: number; connects: number };
  /** Channel events that named a channel not joined (the last 10 channels). */
  unjoinedBroadcasts: { channelId: string; event: string; joinedChannelIds: string[]; count: number; lastAt: number }[];
  lastErrors: {
    permission: DiagnosticsError | null;
    auth: DiagnosticsError | null;
    rest: DiagnosticsError | null;
    join: DiagnosticsError | null;
    send: DiagnosticsError | null;
    connection: DiagnosticsError | null;
  };
  findings: DiagnosticsFinding[];
}

/** Events of an `ElizaClient` (every one also has a `type` field with its name). */
export interface ElizaEvents {
  state: (s: ConnectionState) => void;
  joined: (e: { type: "joined"; channelId: string }) => void;
  /** A message to show, or a newer version of one already shown (same `id`: replace it). */
  message: (e: { type: "message"; message: ChatMessage; fromHistory: boolean }) => void;
  /** The server has one of the user's messages: it is no longer pending. */
  ack: (e: { type: "ack"; channelId: string; clientMessageId: string; messageId: string; via: "ack" | "echo" | "history" | "callback"; status: string | null }) => void;
  /** A message was not delivered; it stays in the outbox for `retry`/`discard`. `error.code`:
   * `SERVER_ERROR` (refused), `TIMEOUT` (no confirmation within `messageAckTimeout`),
   * `JOIN_TIMEOUT` (no confirmation, and the server never confirmed joining the channel either),
   * `HISTORY_UNAVAILABLE` (it may have reached the server before a disconnect and history cannot
   * tell: `retry` sends it anyway). All but `SERVER_ERROR` are checked and re-sent after a reconnect. */
  sendFailed: (e: { type: "sendFailed"; channelId: string; clientMessageId: string; error: { code: string; message: string } }) => void;
  /** An agent reply is expected (`active`) or no longer. */
  thinking: (e: { type: "thinking"; channelId: string; agentId: string | null; active: boolean }) => void;
  /** Part of a streamed reply: `text` is the reply so far (entities decoded, plain text, provisional:
   * the final `message` with id `messageId` replaces it); `chunk` is this piece as the model wrote it. */
  streamChunk: (e: { type: "streamChunk"; channelId: string; messageId: string; agentId: string | null; index: number | null; chunk: string; text: string }) => void;
  streamError: (e: { type: "streamError"; channelId: string; messageId: string; agentId: string | null; error: string; partialText: string | null }) => void;
  messageDeleted: (e: { type: "messageDeleted"; channelId: string; messageId: string }) => void;
  channelCleared: (e: { type: "channelCleared"; channelId: string }) => void;
  channelDeleted: (e: { type: "channelDeleted"; channelId: string }) => void;
  complete: (e: { type: "complete"; channelId: string }) => void;
  control: (e: { type: "control"; channelId: string; action: string | null; payload: unknown }) => void;
  /** Another user joined (`present`) or left the channel (`userJoined` / `userLeft`). Forgotten with
   * the connection (`present: false` for everyone when it drops). */
  presence: (e: { type: "presence"; channelId: string; userId: string; present: boolean }) => void;
  /** Another user started or stopped typing (`userTyping`); a `true` without a follow-up ends by
   * itself after 6 s. The user's own id is never reported. */
  typing: (e: { type: "typing"; channelId: string; userId: string; isTyping: boolean }) => void;
  /** Not tied to one message: `JOIN_TIMEOUT` (once per connection and channel; the channel goes
   * on anyway), `HISTORY_UNAVAILABLE` (after 3 failed fetches; the channel goes live anyway),
   * a `messageError` with nothing in flight, … */
  error: (e: { type: "error"; channelId: string | null; error: { code: string; message: string } }) => void;
  /** `client.serverInfo` changed: keep it per server to skip probing next time. */
  serverInfo: (e: { type: "serverInfo"; info: ServerInfo }) => void;
  /** The outbox changed: persist `outbox` to survive a restart. */
  outbox: (e: { type: "outbox"; outbox: OutboxEntry[] }) => void;
}

export interface ElizaClient {
  on<E extends keyof ElizaEvents>(event: E, listener: ElizaEvents[E]): Unsubscribe;
  off<E extends keyof ElizaEvents>(event?: E, listener?: ElizaEvents[E]): void;
  /** Like `on`, for the events of one channel only. */
  onChannel<E extends Exclude<keyof ElizaEvents, "state" | "outbox" | "serverInfo">>(channelId: string, event: E, listener: ElizaEvents[E]): Unsubscribe;
}
"#;
