//! Messages the user sent that the server has not confirmed yet.
//!
//! An entry lives from `send` until the server acknowledges it (`messageAck`, the own echo, or
//! the message found in channel history after a reconnect). Entries are plain serializable data
//! so that the driver can persist them and hand them back after a restart: a message typed while
//! offline survives closing the browser.

use serde::Serialize;
use serde_json::Value;

use super::error::ElizaError;
use super::ids;
use super::stored::{self, Fields};
use crate::time::Instant;

/// Where an outgoing message stands.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum OutboxState {
    /// Waiting for a connection, or for the channel's history check after a (re)connect.
    #[default]
    Queued,
    /// Written to the socket; waiting for the server's acknowledgement.
    Sent,
    /// The server rejected it (`SERVER_ERROR`), did not acknowledge it in time (`TIMEOUT`, or
    /// `JOIN_TIMEOUT` when it never confirmed joining the channel either), or it may have
    /// reached the server but history could not tell (`HISTORY_UNAVAILABLE`).
    /// It stays until the user retries ([`super::Session::retry`]) or discards it
    /// ([`super::Session::discard`]); a timed-out message is also checked and sent again
    /// automatically after the next reconnect (so are the other two codes).
    Failed {
        /// [`ElizaError::code`] of the failure.
        code: String,
        /// The failure, for people.
        message: String,
    },
}

impl OutboxState {
    /// The stored form (`{"kind": "queued" | "sent" | "failed", …}`; other fields ignored).
    fn from_json(value: &Value, at: &str) -> Result<Self, ElizaError> {
        let fields = Fields::of(value, at)?;
        let kind_at = format!("{at}.kind");
        let kind =
            fields.any("kind").ok_or_else(|| ElizaError::InvalidArgument(format!("{kind_at} is missing")))?;
        let kind = kind.as_str().ok_or_else(|| stored::wrong(&kind_at, "a string", kind))?;
        Ok(match stored::one_of(&kind_at, kind, &["queued", "sent", "failed"])? {
            0 => OutboxState::Queued,
            1 => OutboxState::Sent,
            _ => OutboxState::Failed { code: fields.string("code")?, message: fields.string("message")? },
        })
    }

    fn failed(error: &ElizaError) -> Self {
        OutboxState::Failed { code: error.code().to_owned(), message: error.to_string() }
    }
}

/// One unconfirmed message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    /// The id this client gave the message (SEND_MESSAGE `messageId`); the server echoes it.
    pub client_message_id: String,
    /// The channel it goes to.
    pub channel_id: String,
    /// The text, exactly as the user wrote it.
    pub text: String,
    /// Attachments to send (an array).
    pub attachments: Value,
    /// Extra metadata given by the user (an object, or `null`).
    pub metadata: Value,
    /// When `send` was called (ms): the driver's monotonic clock inside the session, Unix time
    /// as the browser client hands it out and takes it back.
    pub created_at: u64,
    /// Where it stands.
    pub state: OutboxState,
    /// How many times it was written to a socket. Non-zero means the server may have it, so it
    /// is only written again after history shows that the server does not.
    pub attempts: u32,
    /// When it was last written to a socket (ms), on the same clocks as `created_at`.
    pub last_sent_at: Option<u64>,
    /// Writes since it was created or the user last retried it (capped at `MAX_WRITES`).
    pub writes_since_retry: u32,
}

fn empty_array() -> Value {
    Value::Array(Vec::new())
}

impl OutboxEntry {
    /// An entry in its stored form (as serialized: camelCase fields), read strictly: a field of
    /// the wrong type, or a required one missing (`clientMessageId`, `channelId`, `text`,
    /// `createdAt`), is an error naming it; unknown fields are ignored. `at` names the entry in
    /// errors (`outbox[0]`). Not yet checked as a fresh `send` would be: see `validated`.
    pub fn from_json(value: &Value, at: &str) -> Result<Self, ElizaError> {
        let fields = Fields::of(value, at)?;
        let state = match fields.any("state") {
            None => OutboxState::Queued,
            Some(state) => OutboxState::from_json(state, &format!("{at}.state"))?,
        };
        Ok(OutboxEntry {
            client_message_id: fields.string("clientMessageId")?,
            channel_id: fields.string("channelId")?,
            text: fields.string("text")?,
            attachments: fields.any("attachments").cloned().unwrap_or_else(empty_array),
            metadata: fields.any("metadata").cloned().unwrap_or(Value::Null),
            created_at: fields.u64("createdAt")?,
            state,
            attempts: fields.u32_or_zero("attempts")?,
            last_sent_at: fields.nullable_u64("lastSentAt")?,
            writes_since_retry: fields.u32_or_zero("writesSinceRetry")?,
        })
    }

    /// A stored outbox: an array of entries.
    pub fn list_from_json(value: &Value, at: &str) -> Result<Vec<Self>, ElizaError> {
        let Value::Array(items) = value else {
            return Err(stored::wrong(at, "an array", value));
        };
        items.iter().enumerate().map(|(i, item)| Self::from_json(item, &format!("{at}[{i}]"))).collect()
    }

    /// The entry in canonical form, checked like a fresh `send`; for entries from storage.
    pub(crate) fn validated(mut self) -> Result<Self, ElizaError> {
        self.client_message_id = ids::require("clientMessageId", &self.client_message_id)?;
        self.channel_id = ids::require("channelId", &self.channel_id)?;
        check_text(&self.text)?;
        check_extras(&self.attachments, &self.metadata)?;
        if self.attachments.is_null() {
            self.attachments = empty_array();
        }
        // The socket it was written to is gone: the server may or may not have it.
        if self.state == OutboxState::Sent {
            self.state = OutboxState::Queued;
        }
        Ok(self)
    }

    /// Whether the acknowledgement is overdue at `now`.
    fn ack_overdue(&self, now: Instant, ack_timeout_ms: u64) -> bool {
        self.ack_deadline(ack_timeout_ms).is_some_and(|at| at <= now)
    }

    fn ack_deadline(&self, ack_timeout_ms: u64) -> Option<Instant> {
        match (&self.state, self.last_sent_at) {
            (OutboxState::Sent, Some(at)) => Some(Instant::from_millis(at.saturating_add(ack_timeout_ms))),
            _ => None,
        }
    }
}

/// Longest message text accepted, in UTF-8 bytes. Servers close the connection on a frame over
/// their `maxPayload` (1 MB for ElizaOS); with JSON escaping and the other fields, this much text
/// always fits.
pub const MAX_TEXT_BYTES: usize = 100_000;

/// Writes of one message without a confirmation (since the user last retried it) before it is
/// failed rather than sent again: a message the server keeps dropping must not loop forever.
pub const MAX_WRITES: u32 = 5;

/// Message text must say something and fit in a frame; it is otherwise sent verbatim.
pub(crate) fn check_text(text: &str) -> Result<(), ElizaError> {
    if text.trim().is_empty() {
        return Err(ElizaError::InvalidArgument("message text is empty".into()));
    }
    if text.len() > MAX_TEXT_BYTES {
        return Err(ElizaError::MessageTooLong { bytes: text.len(), limit: MAX_TEXT_BYTES });
    }
    Ok(())
}

/// Attachments must be an array and metadata an object (either may be `null`).
pub(crate) fn check_extras(attachments: &Value, metadata: &Value) -> Result<(), ElizaError> {
    if !(attachments.is_null() || attachments.is_array()) {
        return Err(ElizaError::InvalidArgument("attachments must be an array".into()));
    }
    if !(metadata.is_null() || metadata.is_object()) {
        return Err(ElizaError::InvalidArgument("metadata must be an object".into()));
    }
    Ok(())
}

/// The unconfirmed messages, in the order they were sent.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    entries: Vec<OutboxEntry>,
    /// Something changed since the driver was last told (it persists the outbox then).
    changed: bool,
}

impl Outbox {
    pub(crate) fn entries(&self) -> &[OutboxEntry] {
        &self.entries
    }

    pub(crate) fn get(&self, client_message_id: &str) -> Option<&OutboxEntry> {
        self.entries.iter().find(|e| e.client_message_id == client_message_id)
    }

    pub(crate) fn push(&mut self, entry: OutboxEntry) {
        self.entries.push(entry);
        self.changed = true;
    }

    pub(crate) fn remove(&mut self, client_message_id: &str) -> Option<OutboxEntry> {
        let i = self.entries.iter().position(|e| e.client_message_id == client_message_id)?;
        self.changed = true;
        Some(self.entries.remove(i))
    }

    /// Reports (once) that the outbox changed.
    pub(crate) fn take_changed(&mut self) -> bool {
        core::mem::take(&mut self.changed)
    }

    /// Ids of the queued entries of `channel_id`, oldest first.
    pub(crate) fn queued_in(&self, channel_id: &str) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| e.channel_id == channel_id && e.state == OutboxState::Queued)
            .map(|e| e.client_message_id.clone())
            .collect()
    }

    /// Whether `channel_id` has entries that were written before and are waiting again.
    pub(crate) fn needs_check(&self, channel_id: &str) -> bool {
        self.entries
            .iter()
            .any(|e| e.channel_id == channel_id && e.state == OutboxState::Queued && e.attempts > 0)
    }

    /// Ids of the queued entries of `channel_id` that were written before (the server may have
    /// them), oldest first.
    pub(crate) fn unchecked_in(&self, channel_id: &str) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| e.channel_id == channel_id && e.state == OutboxState::Queued && e.attempts > 0)
            .map(|e| e.client_message_id.clone())
            .collect()
    }

    /// Records a write of the entry to the socket.
    pub(crate) fn mark_sent(&mut self, client_message_id: &str, now: Instant) {
        if let Some(entry) = self.entries.iter_mut().find(|e| e.client_message_id == client_message_id) {
            entry.state = OutboxState::Sent;
            entry.attempts = entry.attempts.saturating_add(1);
            entry.writes_since_retry = entry.writes_since_retry.saturating_add(1);
            entry.last_sent_at = Some(now.as_millis());
            self.changed = true;
        }
    }

    /// Puts a failed entry back in the queue; `false` if it is not failed.
    pub(crate) fn requeue_failed(&mut self, client_message_id: &str) -> bool {
        let Some(entry) = self.entries.iter_mut().find(|e| e.client_message_id == client_message_id) else {
            return false;
        };
        if !matches!(entry.state, OutboxState::Failed { .. }) {
            return false;
        }
        entry.state = OutboxState::Queued;
        entry.writes_since_retry = 0;
        self.changed = true;
        true
    }

    /// The connection is gone: whatever was in flight waits for the next history check. So do
    /// messages that timed out: a silent server is most often a dead connection not yet
    /// noticed, and history will tell whether they arrived. Messages the server refused stay
    /// failed.
    pub(crate) fn requeue_in_flight(&mut self) {
        let unknown_fates = [
            ElizaError::Timeout(String::new()).code(),
            ElizaError::JoinTimeout(String::new()).code(),
            ElizaError::HistoryUnavailable(String::new()).code(),
        ];
        for entry in &mut self.entries {
            let unknown_fate = match &entry.state {
                OutboxState::Sent => true,
                OutboxState::Failed { code, .. } => unknown_fates.contains(&code.as_str()),
                OutboxState::Queued => false,
            };
            if unknown_fate {
                entry.state = OutboxState::Queued;
                self.changed = true;
            }
        }
    }

    /// Marks the entry failed; returns its channel.
    pub(crate) fn fail(&mut self, client_message_id: &str, error: &ElizaError) -> Option<String> {
        let entry = self.entries.iter_mut().find(|e| e.client_message_id == client_message_id)?;
        entry.state = OutboxState::failed(error);
        self.changed = true;
        Some(entry.channel_id.clone())
    }

    /// The in-flight entry written first (the server answers in order), if any.
    pub(crate) fn oldest_in_flight(&self) -> Option<&OutboxEntry> {
        self.entries
            .iter()
            .filter(|e| e.state == OutboxState::Sent)
            .min_by_key(|e| e.last_sent_at.unwrap_or(0))
    }

    /// Ids of in-flight entries whose acknowledgement is overdue.
    pub(crate) fn overdue(&self, now: Instant, ack_timeout_ms: u64) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| e.ack_overdue(now, ack_timeout_ms))
            .map(|e| e.client_message_id.clone())
            .collect()
    }

    /// The earliest acknowledgement deadline.
    pub(crate) fn next_deadline(&self, ack_timeout_ms: u64) -> Option<Instant> {
        self.entries.iter().filter_map(|e| e.ack_deadline(ack_timeout_ms)).min()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn entry() -> OutboxEntry {
        OutboxEntry {
            client_message_id: "11111111-2222-4333-8444-555555555555".into(),
            channel_id: "ea01db97-1111-4222-8333-444455556666".into(),
            text: "hi".into(),
            attachments: json!([]),
            metadata: Value::Null,
            created_at: 7,
            state: OutboxState::Sent,
            attempts: 1,
            last_sent_at: Some(7),
            writes_since_retry: 1,
        }
    }

    #[test]
    fn round_trips_through_json_in_camel_case() {
        let e = entry();
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["clientMessageId"], "11111111-2222-4333-8444-555555555555");
        assert_eq!(v["state"], json!({"kind": "sent"}));
        let back = OutboxEntry::from_json(&v, "outbox[0]").unwrap();
        assert_eq!(back, e);
        let listed = OutboxEntry::list_from_json(&json!([v.clone(), v]), "outbox").unwrap();
        assert_eq!(listed, vec![e.clone(), e.clone()]);
        let failed = OutboxState::failed(&ElizaError::Timeout("late".into()));
        assert_eq!(
            serde_json::to_value(&failed).unwrap(),
            json!({"kind": "failed", "code": "TIMEOUT", "message": "late"})
        );
        let failed_entry = OutboxEntry { state: failed, ..e };
        let v = serde_json::to_value(&failed_entry).unwrap();
        assert_eq!(OutboxEntry::from_json(&v, "e").unwrap(), failed_entry);
    }

    #[test]
    fn restored_in_flight_entries_wait_for_a_check() {
        let e = entry().validated().unwrap();
        assert_eq!(e.state, OutboxState::Queued);
        assert_eq!(e.attempts, 1);
        let bad = OutboxEntry { text: " \n".into(), ..entry() };
        assert_eq!(bad.validated().unwrap_err().code(), "INVALID_ARGUMENT");
        let bad = OutboxEntry { channel_id: "general".into(), ..entry() };
        assert_eq!(bad.validated().unwrap_err().code(), "INVALID_ARGUMENT");
    }

    #[test]
    fn minimal_stored_form_is_accepted() {
        let v = json!({"clientMessageId": "11111111-2222-4333-8444-555555555555",
            "channelId": "ea01db97-1111-4222-8333-444455556666", "text": "hi", "createdAt": 1});
        let e = OutboxEntry::from_json(&v, "outbox[0]").unwrap();
        assert_eq!(e.state, OutboxState::Queued);
        assert_eq!(e.attachments, json!([]));
        assert_eq!((e.metadata, e.attempts, e.last_sent_at, e.writes_since_retry), (Value::Null, 0, None, 0));
        // `null` where the derived reader took it: extras (checked by `validated`), `lastSentAt`.
        let mut v = serde_json::to_value(entry()).unwrap();
        v["attachments"] = Value::Null;
        v["lastSentAt"] = Value::Null;
        v["extra"] = json!("ignored");
        v["state"] = json!({"kind": "queued", "since": 3});
        let e = OutboxEntry::from_json(&v, "outbox[0]").unwrap();
        assert_eq!(
            (e.attachments.clone(), e.last_sent_at, e.state.clone()),
            (Value::Null, None, OutboxState::Queued)
        );
        assert_eq!(e.validated().unwrap().attachments, json!([]));
    }

    fn error_of(v: Value) -> String {
        let e = OutboxEntry::list_from_json(&v, "outbox").unwrap_err();
        assert_eq!(e.code(), "INVALID_ARGUMENT");
        e.to_string()
    }

    #[test]
    fn wrong_types_and_missing_fields_are_named() {
        let good = serde_json::to_value(entry()).unwrap();
        let with = |key: &str, value: Value| {
            let mut v = good.clone();
            v[key] = value;
            json!([good.clone(), v])
        };
        let without = |key: &str| {
            let mut v = good.clone();
            v.as_object_mut().unwrap().remove(key);
            json!([v])
        };
        assert_eq!(error_of(json!({"0": good.clone()})), "outbox must be an array, got an object");
        assert_eq!(error_of(json!([good.clone(), "x"])), "outbox[1] must be an object, got a string");
        assert_eq!(error_of(without("clientMessageId")), "outbox[0].clientMessageId is missing");
        assert_eq!(error_of(without("channelId")), "outbox[0].channelId is missing");
        assert_eq!(error_of(without("text")), "outbox[0].text is missing");
        assert_eq!(error_of(without("createdAt")), "outbox[0].createdAt is missing");
        assert_eq!(error_of(with("text", json!(5))), "outbox[1].text must be a string, got a number");
        assert_eq!(
            error_of(with("channelId", Value::Null)),
            "outbox[1].channelId must be a string, got null"
        );
        assert_eq!(
            error_of(with("createdAt", json!(1.5))),
            "outbox[1].createdAt must be a whole number ≥ 0, got a fractional number"
        );
        assert_eq!(
            error_of(with("createdAt", json!(-1))),
            "outbox[1].createdAt must be a whole number ≥ 0, got a negative number"
        );
        assert_eq!(
            error_of(with("createdAt", json!("7"))),
            "outbox[1].createdAt must be a whole number ≥ 0, got a string"
        );
        assert_eq!(
            error_of(with("attempts", json!(1u64 << 32))),
            "outbox[1].attempts must be at most 4294967295, got 4294967296"
        );
        assert_eq!(
            error_of(with("attempts", Value::Null)),
            "outbox[1].attempts must be a whole number ≥ 0, got null"
        );
        assert_eq!(
            error_of(with("writesSinceRetry", json!(true))),
            "outbox[1].writesSinceRetry must be a whole number ≥ 0, got a boolean"
        );
        assert_eq!(
            error_of(with("lastSentAt", json!([]))),
            "outbox[1].lastSentAt must be a whole number ≥ 0, got an array"
        );
        assert_eq!(error_of(with("state", Value::Null)), "outbox[1].state must be an object, got null");
        assert_eq!(error_of(with("state", json!("sent"))), "outbox[1].state must be an object, got a string");
        assert_eq!(error_of(with("state", json!({}))), "outbox[1].state.kind is missing");
        assert_eq!(
            error_of(with("state", json!({"kind": 1}))),
            "outbox[1].state.kind must be a string, got a number"
        );
        assert_eq!(
            error_of(with("state", json!({"kind": "lost"}))),
            "outbox[1].state.kind must be one of \"queued\", \"sent\", \"failed\", got \"lost\""
        );
        assert_eq!(
            error_of(with("state", json!({"kind": "failed", "code": "TIMEOUT"}))),
            "outbox[1].state.message is missing"
        );
        assert_eq!(
            error_of(with("state", json!({"kind": "failed", "code": 3, "message": "m"}))),
            "outbox[1].state.code must be a string, got a number"
        );
    }
}
