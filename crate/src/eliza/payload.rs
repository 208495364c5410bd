//! The two messages a client sends, as the server reads them.
//!
//! Both travel on the Socket.IO event `message` as `{type, payload}`, `type` being the NUMBER 1
//! or 2 (the server ignores the string `"2"`). The typing signal has an event of its own.

use serde_json::{json, Map, Value};

use super::channel::Channel;
use super::outbox::OutboxEntry;

/// `SOCKET_MESSAGE_TYPE.ROOM_JOINING`.
pub const ROOM_JOINING: u8 = 1;
/// `SOCKET_MESSAGE_TYPE.SEND_MESSAGE`.
pub const SEND_MESSAGE: u8 = 2;

/// The Socket.IO event name every payload goes out on.
pub const EVENT_NAME: &str = "message";

/// The event that tells others the user is typing (the seed document's shape).
pub const TYPING_EVENT: &str = "typing";

/// `typing {channelId, roomId, userId, isTyping}`: both ids, for servers reading either.
pub(crate) fn typing(channel_id: &str, entity_id: &str, is_typing: bool) -> Value {
    json!({"channelId": channel_id, "roomId": channel_id, "userId": entity_id, "isTyping": is_typing})
}

/// ROOM_JOINING for `channel`. `roomId` repeats `channelId` for servers that read only that.
pub(crate) fn room_joining(channel: &Channel, entity_id: &str, message_server_id: &str) -> Value {
    let mut payload = Map::new();
    payload.insert("channelId".into(), channel.id.clone().into());
    payload.insert("roomId".into(), channel.id.clone().into());
    payload.insert("entityId".into(), entity_id.into());
    payload.insert("messageServerId".into(), message_server_id.into());
    if let Some(agent) = &channel.agent_id {
        payload.insert("agentId".into(), agent.clone().into());
    }
    if channel.dm {
        payload.insert("metadata".into(), json!({"isDm": true, "channelType": "DM"}));
    }
    json!({"type": ROOM_JOINING, "payload": payload})
}

/// Who is sending, as SEND_MESSAGE names it.
pub(crate) struct Sender<'a> {
    pub(crate) entity_id: &'a str,
    pub(crate) name: &'a str,
    pub(crate) source: &'a str,
    pub(crate) message_server_id: &'a str,
}

/// SEND_MESSAGE for `entry`. `serverId` repeats `messageServerId` for servers before 1.6.
///
/// In a DM the DM keys are written after the user's metadata so that they cannot be
/// overridden: the server decides from them whether the agent answers.
pub(crate) fn send_message(entry: &OutboxEntry, channel: &Channel, sender: &Sender<'_>) -> Value {
    let mut metadata = match &entry.metadata {
        Value::Object(extra) => extra.clone(),
        _ => Map::new(),
    };
    if channel.dm {
        metadata.insert("isDm".into(), true.into());
        metadata.insert("channelType".into(), "DM".into());
        if let Some(agent) = &channel.agent_id {
            metadata.insert("targetUserId".into(), agent.clone().into());
        }
    }
    let mut payload = Map::new();
    payload.insert("channelId".into(), entry.channel_id.clone().into());
    payload.insert("roomId".into(), entry.channel_id.clone().into());
    payload.insert("messageServerId".into(), sender.message_server_id.into());
    payload.insert("serverId".into(), sender.message_server_id.into());
    payload.insert("senderId".into(), sender.entity_id.into());
    payload.insert("senderName".into(), sender.name.into());
    payload.insert("message".into(), entry.text.clone().into());
    payload.insert("messageId".into(), entry.client_message_id.clone().into());
    payload.insert("source".into(), sender.source.into());
    payload.insert("attachments".into(), entry.attachments.clone());
    if !metadata.is_empty() {
        payload.insert("metadata".into(), Value::Object(metadata));
    }
    json!({"type": SEND_MESSAGE, "payload": payload})
}
