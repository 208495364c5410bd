//! One chat message in one shape, whichever way it reached us.
//!
//! A message arrives as a live `messageBroadcast` (user messages with `channelId`, agent replies
//! with only `roomId` and `serverId`) or as a stored entry from the history endpoint (`authorId`,
//! `content`, `sourceType`, the original payload in `rawMessage`). [`ChatMessage`] is the one
//! normalized form both become, serialized in camelCase for JavaScript. Text is data: it is
//! copied verbatim, never decoded, trimmed or interpreted.

use serde::Serialize;
use serde_json::Value;

use super::fields::{attachments, str_at, string_at, strings, timestamp_ms};
use super::ids;

/// The `source` of messages written by an agent.
const AGENT_SOURCE: &str = "agent_response";

/// A chat message, normalized.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    /// The server's id of the message.
    pub id: String,
    /// The channel it belongs to.
    pub channel_id: String,
    /// Who wrote it (user entity id or agent id).
    pub sender_id: String,
    /// The author's display name ("" when the server gave none).
    pub sender_name: String,
    /// The message text, exactly as stored. Never HTML: render it as text.
    pub text: String,
    /// Server time of creation, in milliseconds since the Unix epoch; `None` when the server
    /// gave none or one no JavaScript `Date` can hold (the receiver then uses its receive time).
    pub created_at: Option<i64>,
    /// Server time of the last edit (agent action messages are updated in place).
    pub updated_at: Option<i64>,
    /// Where it came from (`agent_response` for agent replies, the sender's `source` otherwise).
    pub source: Option<String>,
    /// The agent's reasoning, when the agent shared it.
    pub thought: Option<String>,
    /// The actions the agent took (`["REPLY"]`).
    pub actions: Vec<String>,
    /// Attachments as the server sent them (always an array).
    pub attachments: Value,
    /// The id the sending client gave the message (`messageId` of SEND_MESSAGE), when known.
    pub client_message_id: Option<String>,
    /// Written by an agent: `source` is `agent_response` or the sender is the channel's agent.
    pub from_agent: bool,
    /// Written by this session's user (same entity id, possibly from another tab or device).
    pub own: bool,
}

/// Who is looking at a channel: what [`ChatMessage::own`] and [`ChatMessage::from_agent`] are
/// relative to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageContext {
    /// The channel the messages belong to.
    pub channel_id: String,
    /// The user's entity id.
    pub entity_id: String,
    /// The channel's agent, when known.
    pub agent_id: Option<String>,
}

impl MessageContext {
    /// Recomputes the fields that depend on who is looking.
    pub(crate) fn classify(&self, message: &mut ChatMessage) {
        message.own = message.sender_id == self.entity_id;
        let by_agent = self.agent_id.as_deref() == Some(message.sender_id.as_str());
        message.from_agent = !message.own && (by_agent || message.source.as_deref() == Some(AGENT_SOURCE));
    }
}

impl ChatMessage {
    /// Normalizes a `messageBroadcast` payload; `None` without a message id.
    pub(crate) fn from_broadcast(payload: &Value, context: &MessageContext) -> Option<ChatMessage> {
        let id = string_at(payload, "id")?;
        let mut message = ChatMessage {
            id,
            channel_id: context.channel_id.clone(),
            sender_id: id_at(payload, "senderId"),
            sender_name: str_at(payload, "senderName").unwrap_or_default().to_owned(),
            text: text_of(payload.get("text")),
            created_at: payload.get("createdAt").and_then(timestamp_ms),
            updated_at: payload.get("updatedAt").and_then(timestamp_ms),
            source: string_at(payload, "source"),
            thought: string_at(payload, "thought"),
            actions: strings(payload.get("actions")),
            attachments: attachments(payload.get("attachments")),
            client_message_id: str_at(payload, "clientMessageId").and_then(ids::canonical),
            from_agent: false,
            own: false,
        };
        context.classify(&mut message);
        // Only agent replies are broadcast without a sender (the seed document's server sends
        // the runtime's answer as `{senderName, text}`); a user's message always names one.
        if payload.get("senderId").is_none_or(Value::is_null) {
            message.from_agent = true;
        }
        Some(message)
    }

    /// Normalizes one entry of `GET /api/messaging/channels/:id/messages`; `None` without an id.
    pub(crate) fn from_history(entry: &Value, context: &MessageContext) -> Option<ChatMessage> {
        let id = string_at(entry, "id")?;
        let empty = Value::Null;
        let raw = entry.get("rawMessage").filter(|v| v.is_object()).unwrap_or(&empty);
        let metadata = entry.get("metadata").filter(|v| v.is_object()).unwrap_or(&empty);
        let first_str = |keys: &[(&Value, &str)]| keys.iter().find_map(|(v, k)| string_at(v, k));
        // `created_at` is the server's own millisecond rendering of `createdAt`.
        let created_at = ["created_at", "createdAt"].iter().find_map(|k| entry.get(k).and_then(timestamp_ms));
        let updated_at = ["updated_at", "updatedAt"].iter().find_map(|k| entry.get(k).and_then(timestamp_ms));
        let actions = match metadata.get("actions").filter(|v| !v.is_null()) {
            Some(actions) => strings(Some(actions)),
            None => strings(raw.get("actions")),
        };
        let attachment_value = [metadata.get("attachments"), raw.get("attachments")]
            .into_iter()
            .flatten()
            .find(|v| !v.is_null());
        // The sender's `messageId` is kept both as `sourceId` and inside `rawMessage`; a missing
        // one makes the server invent a non-UUID `sourceId`, which is not a client id.
        let client_message_id = [str_at(raw, "messageId"), str_at(entry, "sourceId")]
            .into_iter()
            .flatten()
            .find_map(ids::canonical);
        let mut message = ChatMessage {
            id,
            channel_id: context.channel_id.clone(),
            sender_id: id_at(entry, "authorId"),
            sender_name: first_str(&[
                (metadata, "user_display_name"),
                (metadata, "agentName"),
                (raw, "senderName"),
                (entry, "authorDisplayName"),
            ])
            .unwrap_or_default(),
            text: text_of(entry.get("content")),
            created_at,
            updated_at,
            source: first_str(&[(entry, "sourceType"), (raw, "source")]),
            thought: first_str(&[(metadata, "thought"), (raw, "thought")]),
            actions,
            attachments: attachments(attachment_value),
            client_message_id,
            from_agent: false,
            own: false,
        };
        context.classify(&mut message);
        Some(message)
    }
}

/// An id field in canonical form, or as given when it is not a UUID (it then matches nothing).
fn id_at(value: &Value, key: &str) -> String {
    let raw = str_at(value, key).unwrap_or_default();
    ids::canonical(raw).unwrap_or_else(|| raw.to_owned())
}

/// Message text: a string as is; older servers may send `{text}` objects as content.
fn text_of(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(_)) => value.and_then(|v| str_at(v, "text")).unwrap_or_default().to_owned(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const USER: &str = "40abdcca-1111-4222-8333-444455556666";
    const AGENT: &str = "e738c7d8-9afb-0a9a-8b54-8496f7ce7ca8";
    const CHANNEL: &str = "ea01db97-1111-4222-8333-444455556666";

    fn context() -> MessageContext {
        MessageContext { channel_id: CHANNEL.into(), entity_id: USER.into(), agent_id: Some(AGENT.into()) }
    }

    #[test]
    fn agent_reply_broadcast_without_channel_id() {
        let payload = json!({"senderId": AGENT, "senderName": "Echo", "text": "echo: raw frames",
            "roomId": CHANNEL, "serverId": "00000000-0000-0000-0000-000000000000",
            "createdAt": 1_795_640_246_613i64, "source": "agent_response",
            "id": "0a65045e-1111-4222-8333-444455556666", "thought": "Echo the message back.",
            "actions": ["REPLY"]});
        let m = ChatMessage::from_broadcast(&payload, &context()).unwrap();
        assert_eq!(m.channel_id, CHANNEL);
        assert_eq!(m.sender_name, "Echo");
        assert_eq!(m.text, "echo: raw frames");
        assert_eq!(m.created_at, Some(1_795_640_246_613));
        assert_eq!(m.thought.as_deref(), Some("Echo the message back."));
        assert_eq!(m.actions, ["REPLY"]);
        assert_eq!(m.attachments, json!([]));
        assert!(m.from_agent && !m.own);
        assert_eq!(m.client_message_id, None);
    }

    #[test]
    fn serializes_in_camel_case() {
        let payload = json!({"id": "m1", "senderId": USER, "text": "hi", "createdAt": 5,
            "clientMessageId": "11111111-2222-4333-8444-555555555555"});
        let m = ChatMessage::from_broadcast(&payload, &context()).unwrap();
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(v["clientMessageId"], "11111111-2222-4333-8444-555555555555");
        assert_eq!(v["channelId"], CHANNEL);
        assert_eq!(v["createdAt"], 5);
        assert_eq!(v["own"], true);
        assert_eq!(v["fromAgent"], false);
    }

    #[test]
    fn out_of_range_times_are_dropped_in_every_form() {
        for bad in [json!(9e15), json!(9_000_000_000_000_000i64), json!("9000000000000000"), json!("NaN")] {
            let payload = json!({"id": "m1", "senderId": AGENT, "text": "t", "createdAt": bad});
            assert_eq!(ChatMessage::from_broadcast(&payload, &context()).unwrap().created_at, None, "{bad}");
            let entry =
                json!({"id": "m1", "authorId": AGENT, "content": "t", "createdAt": bad, "created_at": bad});
            assert_eq!(ChatMessage::from_history(&entry, &context()).unwrap().created_at, None, "{bad}");
        }
        let entry = json!({"id": "m1", "authorId": AGENT, "content": "t",
            "created_at": 9e15, "createdAt": "2026-11-25T20:49:33.075Z"});
        assert_eq!(
            ChatMessage::from_history(&entry, &context()).unwrap().created_at,
            Some(1_795_639_773_075)
        );
    }

    #[test]
    fn broadcast_without_id_is_rejected() {
        assert_eq!(ChatMessage::from_broadcast(&json!({"text": "x"}), &context()), None);
        assert_eq!(ChatMessage::from_broadcast(&json!("x"), &context()), None);
    }
}
