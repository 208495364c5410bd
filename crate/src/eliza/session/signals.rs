//! Presence and typing: who else is in a channel, who is typing there, and telling others
//! that the user is typing. None of it is stored by the server; all of it is forgotten with
//! the connection.

use serde_json::Value;

use super::Session;
use crate::eliza::error::ElizaError;
use crate::eliza::event::{AckVia, ElizaEvent, Emit};
use crate::eliza::fields::{str_at, string_at};
use crate::eliza::ids;
use crate::eliza::payload;
use crate::eliza::presence::TypingSignal;
use crate::time::Instant;

impl Session {
    // ---- getters ----

    /// The other users the server announced in `channel_id` since the connection began, in the
    /// order they joined (empty for a channel not joined).
    pub fn present(&self, channel_id: &str) -> Vec<String> {
        self.find(channel_id).map(|i| self.channels[i].presence.users().to_vec()).unwrap_or_default()
    }

    /// The other users typing in `channel_id` now.
    pub fn typing_users(&self, channel_id: &str) -> Vec<String> {
        self.find(channel_id)
            .map(|i| self.channels[i].typers.users().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    // ---- commands ----

    /// The user typed in `channel_id` (`is_typing`), or cleared the input / left it (`false`).
    ///
    /// Call it on every keystroke: `typing {isTyping: true}` goes out at once, then at most
    /// every two seconds while keystrokes keep coming; `isTyping: false` goes out after three
    /// seconds without one, on `false`, and when the user sends a message. Nothing is sent
    /// while disconnected.
    pub fn typing(&mut self, now: Instant, channel_id: &str, is_typing: bool) -> Result<(), ElizaError> {
        let channel = ids::require("channelId", channel_id)?;
        let i = self.channels.iter().position(|c| c.id == channel).ok_or_else(|| {
            ElizaError::InvalidArgument(format!("channel {channel} is not joined: join it before typing"))
        })?;
        if !self.connected {
            return Ok(());
        }
        let signal = self.channels[i].own_typing.input(now, is_typing);
        self.emit_typing(i, signal);
        Ok(())
    }

    /// The server answered the acknowledgement callback of the SEND_MESSAGE of
    /// `client_message_id` with `reply` (its first argument). Any answer means the server has
    /// the message; `reply.messageId` / `reply.id` and `reply.status` are used when present.
    /// Without a server id, the message keeps its client id as its id.
    pub fn handle_emit_ack(&mut self, now: Instant, client_message_id: &str, reply: &Value) {
        let Some(client_id) = ids::canonical(client_message_id) else { return };
        let message_id =
            ["messageId", "id"].iter().find_map(|k| string_at(reply, k)).unwrap_or_else(|| client_id.clone());
        let status = string_at(reply, "status");
        self.ack(now, &client_id, &message_id, AckVia::Callback, status);
    }

    // ---- inputs (called from handle_event) ----

    /// `userJoined` / `userLeft {userId, roomId}`.
    pub(super) fn on_presence(&mut self, payload: &Value, present: bool) {
        let Some(i) = self.channel_of(payload) else { return };
        let Some(user_id) = self.other_user(payload) else { return };
        let channel = &mut self.channels[i];
        let changed =
            if present { channel.presence.add(&user_id) } else { channel.presence.remove(&user_id) };
        if !present && channel.typers.stop(&user_id) {
            let channel_id = channel.id.clone();
            self.events.push_back(ElizaEvent::Typing {
                channel_id,
                user_id: user_id.clone(),
                is_typing: false,
            });
        }
        if changed {
            let channel_id = self.channels[i].id.clone();
            self.events.push_back(ElizaEvent::Presence { channel_id, user_id, present });
        }
    }

    /// `userTyping {userId, roomId | channelId, isTyping}`. The user's own signals (another tab)
    /// are not shown.
    pub(super) fn on_user_typing(&mut self, now: Instant, payload: &Value) {
        let Some(i) = self.channel_of(payload) else { return };
        let Some(user_id) = self.other_user(payload) else { return };
        let Some(is_typing) = payload.get("isTyping").and_then(Value::as_bool) else { return };
        let typers = &mut self.channels[i].typers;
        let changed = if is_typing { typers.start(now, &user_id) } else { typers.stop(&user_id) };
        if changed {
            let channel_id = self.channels[i].id.clone();
            self.events.push_back(ElizaEvent::Typing { channel_id, user_id, is_typing });
        }
    }

    /// `payload.userId` if it names someone other than the user. Ids that are UUIDs are
    /// compared in canonical form; others are kept as given (bounded in length).
    fn other_user(&self, payload: &Value) -> Option<String> {
        const MAX_ID: usize = 200;
        let raw = str_at(payload, "userId").filter(|s| !s.is_empty() && s.len() <= MAX_ID)?;
        let id = ids::canonical(raw).unwrap_or_else(|| raw.to_owned());
        (id != self.config.entity_id).then_some(id)
    }

    // ---- shared steps ----

    /// Ends the user's typing in channel `i` (a message was sent, or the channel left).
    pub(super) fn stop_own_typing(&mut self, i: usize) {
        if self.connected {
            let signal = self.channels[i].own_typing.stop();
            self.emit_typing(i, signal);
        }
    }

    /// The typing timers of channel `i`: the user's pause, others' expiry.
    pub(super) fn signal_timeouts(&mut self, now: Instant, i: usize) {
        let signal = self.channels[i].own_typing.timeout(now);
        self.emit_typing(i, signal);
        for user_id in self.channels[i].typers.expire(now) {
            let channel_id = self.channels[i].id.clone();
            self.events.push_back(ElizaEvent::Typing { channel_id, user_id, is_typing: false });
        }
    }

    /// The connection is gone: so is what it told about channel `i`.
    pub(super) fn forget_signals(&mut self, i: usize) {
        let channel = &mut self.channels[i];
        channel.own_typing = Default::default();
        let channel_id = channel.id.clone();
        for user_id in channel.typers.clear() {
            let channel_id = channel_id.clone();
            self.events.push_back(ElizaEvent::Typing { channel_id, user_id, is_typing: false });
        }
        for user_id in self.channels[i].presence.clear() {
            let channel_id = channel_id.clone();
            self.events.push_back(ElizaEvent::Presence { channel_id, user_id, present: false });
        }
    }

    fn emit_typing(&mut self, i: usize, signal: Option<TypingSignal>) {
        let Some(signal) = signal else { return };
        let typing =
            payload::typing(&self.channels[i].id, &self.config.entity_id, signal == TypingSignal::Start);
        self.emits.push_back(Emit { event: payload::TYPING_EVENT, payload: typing, ack_for: None });
    }
}
