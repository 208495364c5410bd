//! What a session knows about one joined channel.

use core::time::Duration;

use super::message::MessageContext;
use super::presence::{OwnTyping, Presence, Typers};
use super::seen::SeenWindow;
use super::stream::Streams;
use crate::backoff::Backoff;
use crate::time::Instant;

/// First and largest delay before fetching a failed history page again.
const HISTORY_RETRY_MIN: Duration = Duration::from_secs(2);
const HISTORY_RETRY_MAX: Duration = Duration::from_secs(60);
/// Failed history fetches after a connect before the channel goes live without the check: one
/// failing step must not hold the others back forever.
pub(crate) const HISTORY_ATTEMPTS: u32 = 3;

/// Where a channel is in (re)synchronizing with the server after a connect.
///
/// The order matters: history is fetched only once the server confirmed the join, because
/// from then on every new message is broadcast to us; a page fetched earlier could miss a
/// message stored between the fetch and the join. Outgoing messages wait for the history
/// check, because the server does not de-duplicate a re-sent message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// No connection.
    Offline,
    /// ROOM_JOINING sent; waiting for `channel_joined` until `deadline` (then say so once and
    /// proceed anyway: some servers never confirm, the seed's example server among them).
    Joining { deadline: Instant },
    /// History page `request` asked for; waiting for the driver's answer.
    FetchingHistory { request: u64 },
    /// The history fetch failed; try again at `until` (at most [`HISTORY_ATTEMPTS`] in all).
    RetryWait { until: Instant },
    /// Messages go out as soon as they are sent: in sync with the server, or history could not
    /// be read on this connection (`history_unavailable`).
    Live,
}

/// One joined channel.
#[derive(Debug)]
pub(crate) struct Channel {
    pub(crate) id: String,
    /// The agent that answers here (DM partner, or the agent given at join).
    pub(crate) agent_id: Option<String>,
    pub(crate) dm: bool,
    pub(crate) phase: Phase,
    pub(crate) history_backoff: Backoff,
    /// Failed history fetches since this connection's join.
    pub(crate) history_failures: u32,
    /// History could not be read on this connection: messages go out unchecked.
    pub(crate) history_unavailable: bool,
    /// The server confirmed this connection's join (`channel_joined`).
    pub(crate) join_confirmed: bool,
    pub(crate) seen: SeenWindow,
    pub(crate) streams: Streams,
    /// An agent reply is expected until this instant.
    pub(crate) thinking_until: Option<Instant>,
    /// History is fetched after each join (false for servers without the REST API: the
    /// channel goes live as soon as the join is written).
    pub(crate) fetch_history: bool,
    /// Other users the server announced here (`userJoined` / `userLeft`).
    pub(crate) presence: Presence,
    /// Other users typing here (`userTyping`).
    pub(crate) typers: Typers,
    /// Whether the user is typing here, as told to the server.
    pub(crate) own_typing: OwnTyping,
}

impl Channel {
    pub(crate) fn new(
        id: String,
        agent_id: Option<String>,
        dm: bool,
        since: Option<i64>,
        fetch_history: bool,
    ) -> Self {
        Channel {
            id,
            agent_id,
            dm,
            phase: Phase::Offline,
            history_backoff: Backoff::new(HISTORY_RETRY_MIN, HISTORY_RETRY_MAX, 0.5),
            history_failures: 0,
            history_unavailable: false,
            join_confirmed: false,
            seen: SeenWindow::since(since),
            streams: Streams::default(),
            thinking_until: None,
            fetch_history,
            presence: Presence::default(),
            typers: Typers::default(),
            own_typing: OwnTyping::default(),
        }
    }

    pub(crate) fn context(&self, entity_id: &str) -> MessageContext {
        MessageContext {
            channel_id: self.id.clone(),
            entity_id: entity_id.to_owned(),
            agent_id: self.agent_id.clone(),
        }
    }

    /// The earliest instant this channel needs `handle_timeout`.
    pub(crate) fn next_timeout(&self) -> Option<Instant> {
        let phase = match self.phase {
            Phase::Joining { deadline } => Some(deadline),
            Phase::RetryWait { until } => Some(until),
            _ => None,
        };
        [phase, self.thinking_until, self.typers.next_expiry(), self.own_typing.next_timeout()]
            .into_iter()
            .flatten()
            .min()
    }
}
