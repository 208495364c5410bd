//! The report: everything a person needs to see why replies do not arrive, in one value.

use serde::Serialize;

use super::{Counts, Finding, LastErrors, ReceivedEvent, UnjoinedChannel};

/// How the socket's Socket.IO handshake (CONNECT) went. Serializes as `{result, reason?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "camelCase")]
pub enum Handshake {
    /// Not tried yet, or in progress.
    Pending,
    /// The server accepted the socket.
    Ok,
    /// The server refused it (`connect_error`): a missing entity id, a wrong API key…
    Refused {
        /// What the server said.
        reason: String,
    },
    /// The server could not be reached or the connection broke before the handshake.
    Failed {
        /// Why.
        reason: String,
    },
}

/// What the driver knows about the connection (the session owns no socket); the report's
/// fields of the same names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionFacts {
    /// The server's base URL.
    pub server_url: String,
    /// The server's release era as detected, or `"unknown"`.
    pub server_era: String,
    /// `connecting`, `connected`, `reconnecting` or `disconnected`.
    pub state: String,
    /// `polling` or `websocket` while a transport is open.
    pub transport: Option<String>,
    /// The Socket.IO socket id while connected.
    pub socket_id: Option<String>,
    /// The last handshake's result.
    pub handshake: Handshake,
}

/// Where the join of a channel stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum JoinState {
    /// Not sent on this connection (offline).
    NotSent,
    /// ROOM_JOINING sent; `channel_joined` not yet received.
    Waiting,
    /// `channel_joined` received.
    Confirmed,
    /// ROOM_JOINING sent, and no `channel_joined` within the join timeout.
    Unconfirmed,
}

/// One joined channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelReport {
    /// The channel id (canonical).
    pub channel_id: String,
    /// The agent answering there, if known.
    pub agent_id: Option<String>,
    /// Whether it is a DM channel.
    pub dm: bool,
    /// Where the join stands.
    pub join: JoinState,
    /// When ROOM_JOINING was last sent.
    pub join_sent_at: Option<u64>,
    /// When `channel_joined` answered it.
    pub join_confirmed_at: Option<u64>,
    /// Whether messages sent now go out at once (joined and in sync with history).
    pub live: bool,
}

/// Everything at once; serializes with camelCase fields (`client.diagnostics()`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Changes whenever anything recorded changes.
    pub revision: u64,
    /// When the report was made.
    pub generated_at: u64,
    /// The server's base URL.
    pub server_url: String,
    /// The server's release era as detected, or `"unknown"`.
    pub server_era: String,
    /// `connecting`, `connected`, `reconnecting` or `disconnected`.
    pub state: String,
    /// `polling` or `websocket` while a transport is open.
    pub transport: Option<String>,
    /// The Socket.IO socket id while connected.
    pub socket_id: Option<String>,
    /// The last handshake's result.
    pub handshake: Handshake,
    /// The message server id sent with every join and message.
    pub message_server_id: String,
    /// The user's entity id.
    pub entity_id: String,
    /// The joined channels.
    pub channels: Vec<ChannelReport>,
    /// The last events received (names and channels only), oldest first.
    pub recent_events: Vec<ReceivedEvent>,
    /// Totals since the client was created.
    pub counts: Counts,
    /// Channel events for channels not joined.
    pub unjoined_broadcasts: Vec<UnjoinedChannel>,
    /// The last error of each kind.
    pub last_errors: LastErrors,
    /// The common mistakes recognised.
    pub findings: Vec<Finding>,
}
