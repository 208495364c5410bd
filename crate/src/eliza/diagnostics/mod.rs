//! What a session has seen, kept for people debugging "no replies arrive": the seed document's
//! checklist (right event? channel joined? ids matching? payload complete? CORS?) as data.
//!
//! [`Diagnostics`] is a bounded recorder fed by the [`super::Session`] (events received, joins
//! and their confirmations, broadcasts for channels not joined, `messageError`s, failed sends)
//! and by the driver (REST, connection and permission errors). Nothing in it grows with
//! traffic: the last [`RECENT_EVENTS`] event names, the last [`MAX_MISMATCHES`] unjoined
//! channels, one error per [`ErrorKind`], and names and ids cut at [`MAX_TEXT_CHARS`].
//! Message texts are never kept, and the secret given to [`Diagnostics::set_secret`] (the API
//! key) is removed from every string before it is kept.
//!
//! [`super::Session::diagnostics`] turns it into a [`Report`] with [`Finding`]s: each of the
//! seed's five common mistakes, named when its evidence is present.

mod findings;
mod redact;
mod report;

use std::collections::VecDeque;

use serde::Serialize;

use super::error::ElizaError;
use super::event::ElizaEvent;

pub(crate) use findings::{findings, Context};
pub use findings::{Finding, FindingKind};
pub use redact::{redact, REDACTED};
pub use report::{ChannelReport, ConnectionFacts, Handshake, JoinState, Report};

/// How many received events the report lists (newest last).
pub const RECENT_EVENTS: usize = 50;
/// How many distinct unjoined channels the report lists.
pub const MAX_MISMATCHES: usize = 10;
/// Longest event name, channel id or error message kept (longer ones are cut): the server
/// decides these strings, the recorder must not let it decide its memory.
pub const MAX_TEXT_CHARS: usize = 200;

/// The kinds of error the report keeps the last one of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A request the browser blocked before any answer (`fetch` threw a `TypeError`): CORS, a
    /// missing extension host permission, or an unreachable server.
    Permission,
    /// A missing or wrong API key (REST 401/403, or the socket refused with "API Key").
    Auth,
    /// Any other failed REST request.
    Rest,
    /// A join the server refused (`messageError` about joining) or never confirmed.
    Join,
    /// A message that could not be sent or was refused.
    Send,
    /// The socket could not connect (refused, unreachable, timed out).
    Connection,
}

/// How many [`ErrorKind`]s there are.
const ERROR_KINDS: usize = ErrorKind::Connection as usize + 1;

impl ErrorKind {
    fn index(self) -> usize {
        self as usize
    }
}

/// One error, as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorRecord {
    /// The error's code (`UNAUTHORIZED`, `NETWORK`, `SERVER_ERROR`…).
    pub code: String,
    /// What happened, for people.
    pub message: String,
    /// When (the driver's clock: Unix milliseconds in browsers).
    pub at: u64,
}

/// The last error of each kind; serializes as `{permission, auth, rest, join, send, connection}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LastErrors {
    pub permission: Option<ErrorRecord>,
    pub auth: Option<ErrorRecord>,
    pub rest: Option<ErrorRecord>,
    pub join: Option<ErrorRecord>,
    pub send: Option<ErrorRecord>,
    pub connection: Option<ErrorRecord>,
}

/// An event the server sent: its name and the channel it names — never its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedEvent {
    /// The Socket.IO event name.
    pub name: String,
    /// `channelId ?? roomId` of its payload, when it names one.
    pub channel_id: Option<String>,
    /// When it arrived.
    pub at: u64,
}

/// Channel events that arrived for a channel the session has not joined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnjoinedChannel {
    /// The channel the events named (as sent; canonical when it is a UUID).
    pub channel_id: String,
    /// The last such event's name.
    pub event: String,
    /// The channels that were joined when the last one arrived.
    pub joined_channel_ids: Vec<String>,
    /// How many arrived.
    pub count: u64,
    /// When the last one arrived.
    pub last_at: u64,
}

/// Join requests and confirmations of one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JoinRecord {
    pub(crate) channel_id: String,
    /// The last ROOM_JOINING sent (after every connect).
    pub(crate) sent_at: u64,
    /// The `channel_joined` answering it, if any.
    pub(crate) confirmed_at: Option<u64>,
}

/// The recorder. See the [module documentation](self).
#[derive(Debug, Default)]
pub struct Diagnostics {
    recent: VecDeque<ReceivedEvent>,
    pub(crate) counts: Counts,
    pub(crate) joins: Vec<JoinRecord>,
    unjoined: VecDeque<UnjoinedChannel>,
    /// The channel of the last `send` refused because it was not joined.
    pub(crate) unjoined_send: Option<(String, u64)>,
    /// The text of the last `messageError`.
    pub(crate) message_error: Option<ErrorRecord>,
    /// By [`ErrorKind`] (its discriminant is the index).
    errors: [Option<ErrorRecord>; ERROR_KINDS],
    /// Event names that look like `messageBroadcast` but are not it (last one).
    pub(crate) near_miss: Option<String>,
    revision: u64,
    /// Removed from every string kept.
    secret: String,
}

/// Running totals (they only grow, so they cost nothing to keep).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// Every event received.
    pub events: u64,
    /// `messageBroadcast` events received (for any channel).
    pub broadcasts: u64,
    /// Events named `message` received from the server (ElizaOS never sends them to clients).
    pub message_events: u64,
    /// `messageAck` events received.
    pub acks: u64,
    /// Times the socket connected.
    pub connects: u64,
}

/// `text` cut to [`MAX_TEXT_CHARS`] characters.
fn bounded(mut text: String) -> String {
    if let Some((end, _)) = text.char_indices().nth(MAX_TEXT_CHARS) {
        text.truncate(end);
        text.push('…');
    }
    text
}

impl Diagnostics {
    /// From now on, `secret` (the API key) is removed from everything recorded and reported.
    pub fn set_secret(&mut self, secret: &str) {
        secret.clone_into(&mut self.secret);
    }

    /// `text` without the secret, cut to [`MAX_TEXT_CHARS`]: how every string is kept.
    pub(crate) fn keep(&self, text: &str) -> String {
        bounded(self.scrub(text))
    }

    /// `text` without the secret (for strings the report takes from the driver).
    pub fn scrub(&self, text: &str) -> String {
        redact(text, &self.secret)
    }

    /// Changes whenever something recorded changes: a poller can skip re-rendering.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    fn touch(&mut self) {
        self.revision += 1;
    }

    /// The last events received, oldest first.
    pub fn recent_events(&self) -> impl Iterator<Item = &ReceivedEvent> {
        self.recent.iter()
    }

    /// Broadcasts for channels not joined, oldest first.
    pub fn unjoined_channels(&self) -> impl Iterator<Item = &UnjoinedChannel> {
        self.unjoined.iter()
    }

    /// The last error of `kind`.
    pub fn last_error(&self, kind: ErrorKind) -> Option<&ErrorRecord> {
        self.errors[kind.index()].as_ref()
    }

    /// The last error of every kind.
    pub fn last_errors(&self) -> LastErrors {
        let get = |k: ErrorKind| self.errors[k.index()].clone();
        LastErrors {
            permission: get(ErrorKind::Permission),
            auth: get(ErrorKind::Auth),
            rest: get(ErrorKind::Rest),
            join: get(ErrorKind::Join),
            send: get(ErrorKind::Send),
            connection: get(ErrorKind::Connection),
        }
    }

    // ---- inputs ----

    /// Records an error (the driver's REST and connection errors, the session's own).
    pub fn record_error(&mut self, kind: ErrorKind, code: &str, message: &str, at: u64) {
        self.errors[kind.index()] =
            Some(ErrorRecord { code: self.keep(code), message: self.keep(message), at });
        self.touch();
    }

    /// An event arrived; `channel` is what its payload names.
    pub(crate) fn event(&mut self, name: &str, channel: Option<&str>, at: u64) {
        self.counts.events += 1;
        match name {
            "messageBroadcast" => self.counts.broadcasts += 1,
            "message" => self.counts.message_events += 1,
            "messageAck" => self.counts.acks += 1,
            other if looks_like_broadcast(other) => self.near_miss = Some(self.keep(other)),
            _ => {}
        }
        if self.recent.len() == RECENT_EVENTS {
            self.recent.pop_front();
        }
        let event = ReceivedEvent { name: self.keep(name), channel_id: channel.map(|c| self.keep(c)), at };
        self.recent.push_back(event);
        self.touch();
    }

    /// A channel event named `channel`, which is not joined.
    pub(crate) fn unjoined(&mut self, event: &str, channel: &str, joined: Vec<String>, at: u64) {
        let channel = self.keep(channel);
        let event = self.keep(event);
        let seen =
            self.unjoined.iter().position(|u| u.channel_id == channel).and_then(|i| self.unjoined.remove(i));
        let entry = match seen {
            Some(entry) => UnjoinedChannel {
                count: entry.count + 1,
                event,
                joined_channel_ids: joined,
                last_at: at,
                ..entry
            },
            None => {
                if self.unjoined.len() == MAX_MISMATCHES {
                    self.unjoined.pop_front();
                }
                UnjoinedChannel {
                    channel_id: channel,
                    event,
                    joined_channel_ids: joined,
                    count: 1,
                    last_at: at,
                }
            }
        };
        // The most recent last: the oldest channel is the one forgotten first.
        self.unjoined.push_back(entry);
        self.touch();
    }

    pub(crate) fn join_sent(&mut self, channel_id: &str, at: u64) {
        match self.joins.iter_mut().find(|j| j.channel_id == channel_id) {
            Some(j) => {
                j.sent_at = at;
                j.confirmed_at = None;
            }
            None => self.joins.push(JoinRecord {
                channel_id: channel_id.to_owned(),
                sent_at: at,
                confirmed_at: None,
            }),
        }
        self.touch();
    }

    /// The first confirmation counts (1.7 sends `channel_joined` and `room_joined` together).
    pub(crate) fn join_confirmed(&mut self, channel_id: &str, at: u64) {
        if let Some(j) =
            self.joins.iter_mut().find(|j| j.channel_id == channel_id && j.confirmed_at.is_none())
        {
            j.confirmed_at = Some(at);
            self.touch();
        }
    }

    pub(crate) fn left(&mut self, channel_id: &str) {
        self.joins.retain(|j| j.channel_id != channel_id);
        self.touch();
    }

    pub(crate) fn join_of(&self, channel_id: &str) -> Option<&JoinRecord> {
        self.joins.iter().find(|j| j.channel_id == channel_id)
    }

    pub(crate) fn connected(&mut self) {
        self.counts.connects += 1;
        self.touch();
    }

    pub(crate) fn send_to_unjoined(&mut self, channel_id: &str, at: u64) {
        self.unjoined_send = Some((self.keep(channel_id), at));
        self.touch();
    }

    pub(crate) fn message_error(&mut self, text: &str, at: u64) {
        self.message_error = Some(ErrorRecord { code: "SERVER_ERROR".into(), message: self.keep(text), at });
        self.touch();
    }
}

/// `message_broadcast`, `MessageBroadcast`, `message-broadcast`…: a client or server listening
/// for a misspelled name never gets the messages.
fn looks_like_broadcast(name: &str) -> bool {
    // ASCII only: Unicode case tables would cost the wasm kilobytes for names that are ASCII.
    let mut folded = name.bytes().filter(|b| *b != b'_' && *b != b'-');
    let same =
        b"messagebroadcast".iter().all(|want| folded.next().is_some_and(|b| b.to_ascii_lowercase() == *want));
    same && folded.next().is_none() && name != "messageBroadcast"
}

impl Diagnostics {
    /// An event the session handed to the user: failed sends and other failures are kept.
    pub fn observe(&mut self, event: &ElizaEvent, at: u64) {
        match event {
            ElizaEvent::SendFailed { error, .. } => {
                self.record_error(ErrorKind::Send, error.code(), &error.to_string(), at)
            }
            // A messageError with nothing in flight is already kept as such.
            ElizaEvent::Error { error: ElizaError::Server { status: None, .. }, .. } => {}
            ElizaEvent::Error { error, .. } => self.record_rest_error(error, at),
            _ => {}
        }
    }

    /// A failed REST request (history, agents, DM channel…).
    pub fn record_rest_error(&mut self, error: &ElizaError, at: u64) {
        let kind = match error {
            ElizaError::Unauthorized { .. } => ErrorKind::Auth,
            ElizaError::InvalidArgument(_) => return,
            _ => ErrorKind::Rest,
        };
        self.record_error(kind, error.code(), &error.to_string(), at);
    }
}
