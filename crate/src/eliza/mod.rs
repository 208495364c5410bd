//! Chatting with ElizaOS agents: a sans-IO messaging layer over one Socket.IO connection.
//!
//! Like the rest of the core, nothing here performs I/O, reads a clock or draws randomness:
//! the driver feeds in what happened and performs what is asked. That is what lets the rules
//! below be tested natively, on a virtual clock, against the payloads a real ElizaOS 1.7
//! server sends.
//!
//! # Pieces
//!
//! - [`Session`]: joins, sends, filters and de-duplicates messages per channel, keeps the
//!   outbox, and re-synchronizes after every reconnect;
//! - [`rest`]: URLs for the REST endpoints and parsers from (HTTP status, body) to typed results;
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
//! (`handle_connected`, `handle_disconnected`, `handle_event`, `handle_history`,
//! `handle_timeout`); and polls. After any command or input, a driver:
//!
//! 1. drains [`Session::poll_emit`] and emits each payload as Socket.IO event `"message"` at
//!    once. If the socket is not connected, it drops the payload: the session re-sends what
//!    matters after the next connect, and a payload buffered by the socket layer would reach
//!    the server a second time;
//! 2. drains [`Session::poll_history_request`]: fetches
//!    [`rest::channel_messages_url`], parses with [`rest::parse_history`] (context from
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
//!   waiting and is retried with backoff (and on the next connect).
//! - **Order.** Live messages are delivered as they arrive; messages a history check finds
//!   are delivered after them, oldest first. Every message carries the server's `createdAt`:
//!   a view sorts by it.
//! - **Outbox.** Every `send` creates an [`OutboxEntry`] that stays until the server confirms
//!   it (`messageAck`, the own echo, or history). A `messageError` (which names no message) is
//!   charged to the oldest message in flight, and an acknowledgement overdue after
//!   `ack_timeout` fails it too: the entry stays in the outbox as failed, for the user to
//!   `retry` (checked against history first if it may have reached the server) or `discard`.
//!   Timed-out messages are also checked and re-sent by the next reconnect, refused ones are
//!   not. A confirmation arriving after a failure still wins. Outbox times (`createdAt`,
//!   `lastSentAt`) are the driver's clock: with [`crate::time::MonotonicClock`] over
//!   `Date.now()` they are Unix milliseconds.
//! - **Thinking.** The server sends no typing signal. Once a message is confirmed in a channel
//!   with an agent, [`ElizaEvent::Thinking`] starts; an agent message, a stream chunk or error,
//!   or `thinking_timeout` ends it.

mod channel;
pub mod diagnostics;
mod error;
mod event;
mod fields;
mod ids;
mod message;
mod outbox;
mod payload;
pub mod rest;
mod seen;
mod session;
mod stream;

#[cfg(test)]
mod tests;

pub use diagnostics::{ConnectionFacts, Diagnostics, ErrorKind, Handshake, Report};
pub use error::ElizaError;
pub use event::{AckVia, ElizaEvent, HistoryRequest};
pub use message::{ChatMessage, MessageContext};
pub use outbox::{OutboxEntry, OutboxState};
pub use payload::{EVENT_NAME, ROOM_JOINING, SEND_MESSAGE};
pub use session::{JoinOptions, SendOptions, Session, SessionConfig, DEFAULT_MESSAGE_SERVER_ID};
