//! Chatting with ElizaOS agents: a sans-IO messaging layer over one Socket.IO connection.
//!
//! Like the rest of the core, nothing here performs I/O, reads a clock or draws randomness:
//! the driver feeds in what happened and performs what is asked. That is what lets the rules
//! below be tested natively, on a virtual clock, against the payloads real ElizaOS servers
//! (1.4, 1.6 and 1.7) send.
//!
//! # Pieces
//!
//! - [`Session`]: joins, sends, filters and de-duplicates messages per channel, keeps the
//!   outbox, and re-synchronizes after every reconnect;
//! - [`rest`]: URLs for the REST endpoints and parsers from (HTTP status, body) to typed results;
//! - [`ServerInfo`]: what the server was found to support (releases 1.2 – 1.7 differ in the
//!   history path, the message server id and `messageComplete`), kept per server;
//! - [`ChatMessage`]: the one normalized message shape (live broadcasts and history alike);
//! - [`ElizaError`]: every failure, with a stable `code()`.
//! - [`diagnostics`]: a bounded record of what the session saw (events, joins and their
//!   confirmations, broadcasts for channels not joined, errors by kind) and the findings
//!   naming the common mistakes of an ElizaOS client ([`Session::diagnostics_report`]).
//!
//! # Driving a session
//!
//! Methods come in four kinds, as in the connection core: getters; commands (`join`, `leave`,
//! `send`, `retry`, `discard`, `restore_outbox`, `set_message_server_id`); inputs
//! (`handle_message_server`, `handle_connected`, `handle_disconnected`, `handle_event`,
//! `handle_history`, `handle_timeout`); and polls. On every connect, a driver first asks
//! `GET` [`rest::message_server_url`] if [`Session::needs_server_probe`] (answer with
//! [`Session::handle_message_server`]: a 404 means a release before 1.7 and the default id),
//! then calls `handle_connected`. After any command or input, a driver:
//!
//! 1. drains [`Session::poll_emit`] and emits each [`Emit`] (event `"message"` for joins and
//!    messages, `"typing"`) at once, asking for an acknowledgement callback when `ack_for` is set
//!    and reporting the answer with [`Session::handle_emit_ack`]. If the socket is not
//!    connected, it drops the payload: the session re-sends what matters after the next
//!    connect, and a payload buffered by the socket layer would reach the server a second time;
//! 2. drains [`Session::poll_history_request`]: fetches
//!    [`rest::channel_messages_url`] under the request's `path`, parses with [`rest::parse_history`] (context from
//!    [`Session::message_context`]) — or builds [`ElizaError::Network`] — and later calls
//!    [`Session::handle_history`] with the same request;
//! 3. drains [`Session::poll_event`] and hands the events to the user;
//! 4. re-arms its one timer from [`Session::poll_timeout`] and calls
//!    [`Session::handle_timeout`] when it fires.
//!
//! # Delivery rules
//!
//! - **Joins do not survive reconnects.** Every `handle_connected` re-emits ROOM_JOINING for
//!   every joined channel.
//! - **Rooms are kept apart.** A channel event (`messageBroadcast`, stream chunks, deletions…)
//!   is delivered only if `channelId ?? roomId` names a joined channel.
//! - **Each message once.** Messages are de-duplicated by id per channel (the last 500 ids,
//!   plus a timestamp floor for everything older). A message whose id the user has is
//!   delivered again only as a newer edit (`updatedAt`); a `Message` event with a known id
//!   replaces the earlier one (this is also how a streamed preview is replaced).
//! - **None lost, none twice.** The server does not de-duplicate a re-sent message. After each
//!   connect, a channel first waits for `channel_joined` (from then on new messages are
//!   broadcast to us), then fetches the newest history page. That page confirms outbox
//!   messages it contains (they are not sent again), delivers messages missed while offline —
//!   agent replies included — oldest first, and only then releases the channel's outbox in
//!   order. While a channel is not in sync, `send` queues. A failed fetch keeps the outbox
//!   waiting and is retried with backoff; a 404 is first retried under the other path name.
//! - **No step blocks the others.** A join not confirmed within `join_timeout` is reported
//!   once (`JOIN_TIMEOUT`) and the channel goes on (some servers never confirm). History that
//!   cannot be read after three attempts is reported once (`HISTORY_UNAVAILABLE`) and the
//!   channel goes live: new messages go out; ones that may already be on the server fail with
//!   `HISTORY_UNAVAILABLE` for the user to retry (sent unchecked) or discard. Every message
//!   thus goes out or fails within a bounded time while connected.
//! - **Order.** Live messages are delivered as they arrive; messages a history check finds
//!   are delivered after them, oldest first. Every message carries the server's `createdAt`:
//!   a view sorts by it.
//! - **Outbox.** Every `send` creates an [`OutboxEntry`] that stays until the server confirms
//!   it (`messageAck`, the own echo, or history). A `messageError` (which names no message) is
//!   charged to the oldest message in flight, and an acknowledgement overdue after
//!   `ack_timeout` fails it too: the entry stays in the outbox as failed, for the user to
//!   `retry` (checked against history first if it may have reached the server) or `discard`.
//!   When the channel's join was never confirmed either, the failure is `JOIN_TIMEOUT`.
//!   Timed-out messages are also checked and re-sent by the next reconnect, refused ones are
//!   not. A confirmation arriving after a failure still wins. Outbox times (`createdAt`,
//!   `lastSentAt`) are the driver's monotonic clock here; the browser driver moves them onto
//!   the wall clock (Unix milliseconds) as they leave it, with [`crate::time::WallClock`].
//! - **No REST.** A channel joined with `history: false` (servers that are Socket.IO only, as
//!   in the ElizaOS messaging guide) goes live as soon as ROOM_JOINING is written and never asks
//!   for history; its messages are confirmed by the emit's acknowledgement callback, and a
//!   broadcast without an id gets a fresh one (and the arrival time) so that it is one message.
//! - **Presence and typing.** `userJoined` / `userLeft` / `userTyping` are routed like
//!   broadcasts and kept per channel (bounded; others' typing expires); the user's own typing is
//!   throttled and ended after a pause or a send (see [`Session::typing`]). All of it is
//!   forgotten with the connection.
//! - **Thinking.** ElizaOS sends no typing signal for agents. Once a message is confirmed in a channel
//!   with an agent, [`ElizaEvent::Thinking`] starts; an agent message, a stream chunk or error,
//!   `messageComplete` (1.2 – 1.4) or `thinking_timeout` ends it.

mod channel;
pub mod diagnostics;
mod era;
mod error;
mod event;
mod fields;
mod ids;
mod message;
mod outbox;
mod payload;
mod presence;
pub mod rest;
mod seen;
mod session;
mod stored;
mod stream;

#[cfg(test)]
mod tests;

pub use diagnostics::{ConnectionFacts, Diagnostics, ErrorKind, Handshake, Report};
pub use era::{Era, HistoryPath, ServerIdSource, ServerInfo, DEFAULT_MESSAGE_SERVER_ID};
pub use error::ElizaError;
pub use event::{AckVia, ElizaEvent, Emit, HistoryRequest};
pub use message::{ChatMessage, MessageContext};
pub use outbox::{OutboxEntry, OutboxState, MAX_TEXT_BYTES};
pub use payload::{EVENT_NAME, ROOM_JOINING, SEND_MESSAGE, TYPING_EVENT};
pub use session::{JoinOptions, SendOptions, Session, SessionConfig};
