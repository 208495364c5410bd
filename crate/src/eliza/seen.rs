//! Which messages of a channel the user already has, in bounded memory.
//!
//! The same message can reach a session several times: the own echo, a history page fetched
//! after a reconnect, another tab's broadcast. A window of the most recent ids catches the
//! repeats; a floor timestamp stands for everything older (the `since` the user gave, raised
//! past every id that falls out of the window), so that a bounded memory never lets an old
//! message back in.

use std::collections::VecDeque;

use super::message::ChatMessage;

/// Ids remembered per channel.
pub(crate) const SEEN_PER_CHANNEL: usize = 500;

#[derive(Debug)]
struct Seen {
    id: String,
    created_at: Option<i64>,
    updated_at: Option<i64>,
}

/// The messages of one channel the user has.
#[derive(Debug, Default)]
pub(crate) struct SeenWindow {
    recent: VecDeque<Seen>,
    /// Messages created at or before this instant (server milliseconds) are known.
    floor: Option<i64>,
}

impl SeenWindow {
    /// A window that already counts everything up to `since` as known.
    pub(crate) fn since(since: Option<i64>) -> Self {
        SeenWindow { recent: VecDeque::new(), floor: since }
    }

    /// Whether `message` is one the user does not have: an unknown id, or a later edit of a known
    /// one (agent action messages are updated in place and broadcast again).
    pub(crate) fn is_new(&self, message: &ChatMessage) -> bool {
        match self.recent.iter().find(|s| s.id == message.id) {
            Some(seen) => matches!((seen.updated_at, message.updated_at), (Some(a), Some(b)) if b > a),
            None => true,
        }
    }

    /// Whether a message with this id was delivered (within the window).
    pub(crate) fn contains(&self, id: &str) -> bool {
        self.recent.iter().any(|s| s.id == id)
    }

    /// Whether a message created at `created_at` is after the floor (undated ones always are).
    pub(crate) fn after_floor(&self, created_at: Option<i64>) -> bool {
        match (created_at, self.floor) {
            (Some(at), Some(floor)) => at > floor,
            _ => true,
        }
    }

    /// Remembers that the user has `message`.
    pub(crate) fn record(&mut self, message: &ChatMessage) {
        if let Some(seen) = self.recent.iter_mut().find(|s| s.id == message.id) {
            seen.updated_at = seen.updated_at.max(message.updated_at);
            return;
        }
        self.recent.push_back(Seen {
            id: message.id.clone(),
            created_at: message.created_at,
            updated_at: message.updated_at,
        });
        if self.recent.len() > SEEN_PER_CHANNEL {
            if let Some(old) = self.recent.pop_front() {
                self.floor = self.floor.max(old.created_at);
            }
        }
    }
}
