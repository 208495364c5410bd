//! Who else is in a channel, and who is typing there, as the server's `userJoined` /
//! `userLeft` / `userTyping` events tell it; and when to say that the user is typing.
//!
//! All three are per channel, bounded, and on the driver's clock: nothing here reads time.

use core::time::Duration;

use crate::time::Instant;

/// Users remembered per channel, present or typing. A server that announces more is not
/// followed past this: memory is never decided by the network.
pub(crate) const MAX_USERS_PER_CHANNEL: usize = 500;

/// An announced typer is shown this long after the last `isTyping: true`: a peer that goes
/// away without sending `false` must not be shown typing forever. Peers repeat `true` every
/// [`TYPING_REPEAT`] while typing, so this survives two lost repeats.
pub(crate) const TYPING_EXPIRY: Duration = Duration::from_secs(6);

/// While the user keeps typing, `isTyping: true` is sent again at most this often.
pub(crate) const TYPING_REPEAT: Duration = Duration::from_secs(2);

/// Without a keystroke for this long, the user has stopped typing (`isTyping: false` is sent).
pub(crate) const TYPING_PAUSE: Duration = Duration::from_secs(3);

/// The other users the server said are in a channel, in the order they arrived.
#[derive(Debug, Default)]
pub(crate) struct Presence {
    users: Vec<String>,
}

impl Presence {
    pub(crate) fn users(&self) -> &[String] {
        &self.users
    }

    /// Records a join; whether it is news (unknown user, and room left for it).
    pub(crate) fn add(&mut self, user_id: &str) -> bool {
        if self.users.iter().any(|u| u == user_id) || self.users.len() >= MAX_USERS_PER_CHANNEL {
            return false;
        }
        self.users.push(user_id.to_owned());
        true
    }

    /// Records a leave; whether the user was known.
    pub(crate) fn remove(&mut self, user_id: &str) -> bool {
        let before = self.users.len();
        self.users.retain(|u| u != user_id);
        self.users.len() != before
    }

    /// Forgets everyone (the connection is gone, and with it what the server told us).
    pub(crate) fn clear(&mut self) -> Vec<String> {
        core::mem::take(&mut self.users)
    }
}

/// Others typing in a channel, each until an expiry instant.
#[derive(Debug, Default)]
pub(crate) struct Typers {
    until: Vec<(String, Instant)>,
}

impl Typers {
    /// `user_id` says it is typing; whether it was not shown typing before.
    pub(crate) fn start(&mut self, now: Instant, user_id: &str) -> bool {
        let deadline = now + TYPING_EXPIRY;
        if let Some(entry) = self.until.iter_mut().find(|(u, _)| u == user_id) {
            entry.1 = deadline;
            return false;
        }
        if self.until.len() >= MAX_USERS_PER_CHANNEL {
            return false;
        }
        self.until.push((user_id.to_owned(), deadline));
        true
    }

    /// `user_id` stopped typing (said so, or wrote a message); whether it was shown typing.
    pub(crate) fn stop(&mut self, user_id: &str) -> bool {
        let before = self.until.len();
        self.until.retain(|(u, _)| u != user_id);
        self.until.len() != before
    }

    /// Removes and returns the typers whose expiry is at or before `now`.
    pub(crate) fn expire(&mut self, now: Instant) -> Vec<String> {
        let mut expired = Vec::new();
        self.until.retain(|(user, at)| {
            let keep = *at > now;
            if !keep {
                expired.push(user.clone());
            }
            keep
        });
        expired
    }

    pub(crate) fn clear(&mut self) -> Vec<String> {
        core::mem::take(&mut self.until).into_iter().map(|(u, _)| u).collect()
    }

    pub(crate) fn users(&self) -> impl Iterator<Item = &str> {
        self.until.iter().map(|(u, _)| u.as_str())
    }

    pub(crate) fn next_expiry(&self) -> Option<Instant> {
        self.until.iter().map(|(_, at)| *at).min()
    }
}

/// Whether the user is typing in a channel, as last told to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum OwnTyping {
    /// Not typing (or `false` was sent).
    #[default]
    Idle,
    /// `true` was sent at `sent_at`; without a keystroke until `pause_at`, `false` goes out.
    Typing { sent_at: Instant, pause_at: Instant },
}

/// What a keystroke or a pause asks to tell the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TypingSignal {
    Start,
    Stop,
}

impl OwnTyping {
    /// The user typed (`typing == true`) or says it stopped; the signal to send, if any.
    ///
    /// `true` is repeated at most every [`TYPING_REPEAT`] while keystrokes keep coming, so a
    /// fast typist costs one emit per two seconds, and peers' expiry is kept fresh.
    pub(crate) fn input(&mut self, now: Instant, typing: bool) -> Option<TypingSignal> {
        match (*self, typing) {
            (_, false) => self.stop(),
            (OwnTyping::Typing { sent_at, .. }, true) if now < sent_at + TYPING_REPEAT => {
                *self = OwnTyping::Typing { sent_at, pause_at: now + TYPING_PAUSE };
                None
            }
            (_, true) => {
                *self = OwnTyping::Typing { sent_at: now, pause_at: now + TYPING_PAUSE };
                Some(TypingSignal::Start)
            }
        }
    }

    /// The user stopped typing: `Stop` if `true` was the last thing sent.
    pub(crate) fn stop(&mut self) -> Option<TypingSignal> {
        match core::mem::take(self) {
            OwnTyping::Typing { .. } => Some(TypingSignal::Stop),
            OwnTyping::Idle => None,
        }
    }

    /// The pause timer: `Stop` once no keystroke came for [`TYPING_PAUSE`].
    pub(crate) fn timeout(&mut self, now: Instant) -> Option<TypingSignal> {
        match *self {
            OwnTyping::Typing { pause_at, .. } if pause_at <= now => {
                *self = OwnTyping::Idle;
                Some(TypingSignal::Stop)
            }
            _ => None,
        }
    }

    pub(crate) fn next_timeout(&self) -> Option<Instant> {
        match *self {
            OwnTyping::Typing { pause_at, .. } => Some(pause_at),
            OwnTyping::Idle => None,
        }
    }
}
