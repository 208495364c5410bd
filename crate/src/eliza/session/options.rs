//! What a session is configured with, and the options of `join` and `send`.

use core::time::Duration;

use serde_json::Value;

use crate::eliza::error::ElizaError;
use crate::eliza::ids;

/// Who the user is and how patient the session is. Build with [`SessionConfig::new`] and set
/// fields; [`Session::new`](super::Session::new) validates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// The user's entity id (a UUID): the same one the socket's auth object carries.
    pub entity_id: String,
    /// The display name sent with every message.
    pub user_name: String,
    /// The `source` sent with every message (stored by the server as the message's `sourceType`).
    pub source: String,
    /// Messages fetched per history check after a (re)connect (1..=500). A message still
    /// unconfirmed when more than this many newer ones exist would be sent again.
    pub history_limit: u32,
    /// How long to wait for `channel_joined` before reporting `JOIN_TIMEOUT` (once per
    /// connection) and fetching history anyway.
    pub join_timeout: Duration,
    /// How long a sent message may wait for the server's acknowledgement before it is failed.
    pub ack_timeout: Duration,
    /// How long to show an agent as thinking without any sign of a reply.
    pub thinking_timeout: Duration,
}

impl SessionConfig {
    /// Defaults: source `eliza-socketio`, 50 messages of history, 10 s to join, 30 s for an
    /// acknowledgement, 60 s of thinking.
    pub fn new(entity_id: impl Into<String>, user_name: impl Into<String>) -> Self {
        SessionConfig {
            entity_id: entity_id.into(),
            user_name: user_name.into(),
            source: "eliza-socketio".to_owned(),
            history_limit: 50,
            join_timeout: Duration::from_secs(10),
            ack_timeout: Duration::from_secs(30),
            thinking_timeout: Duration::from_secs(60),
        }
    }

    pub(super) fn validate(mut self) -> Result<Self, ElizaError> {
        self.entity_id = ids::require("entityId", &self.entity_id)?;
        if !(1..=500).contains(&self.history_limit) {
            return Err(ElizaError::InvalidArgument(format!(
                "historyLimit must be between 1 and 500, got {}",
                self.history_limit
            )));
        }
        Ok(self)
    }
}

/// A channel to join.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinOptions {
    /// The channel (a UUID; for a DM, the id `GET /api/messaging/dm-channel` returned).
    pub channel_id: String,
    /// The agent that answers in this channel (required for a DM).
    pub agent_id: Option<String>,
    /// Whether it is a direct-message channel with `agent_id`.
    pub dm: bool,
    /// `createdAt` (server milliseconds) of the newest message the user already has: history
    /// at or before it is not delivered again. `None`: the user has nothing, so the first
    /// history check delivers the latest page as the backlog.
    pub since: Option<i64>,
    /// Whether to fetch history after each join (default). `false` for servers without the
    /// REST API: the channel goes live as soon as the join is written, and a message whose
    /// confirmation was lost by a disconnect is sent again, since nothing can tell whether the
    /// server has it.
    pub history: bool,
}

impl Default for JoinOptions {
    fn default() -> Self {
        JoinOptions { channel_id: String::new(), agent_id: None, dm: false, since: None, history: true }
    }
}

/// Optional parts of a message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SendOptions {
    /// Attachments: an array (or `null` for none), passed through as given.
    pub attachments: Value,
    /// Extra metadata: an object (or `null`). In a DM the keys `isDm`, `channelType` and
    /// `targetUserId` are set by the session.
    pub metadata: Value,
}
