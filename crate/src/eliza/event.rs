//! What a [`super::Session`] tells its driver: events for the user and history requests.

use serde::Serialize;
use serde_json::Value;

use super::era::{HistoryPath, ServerInfo};
use super::error::ElizaError;
use super::message::ChatMessage;

/// How the server confirmed that it has a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AckVia {
    /// A `messageAck`.
    Ack,
    /// The own `messageBroadcast` carrying our `clientMessageId`.
    Echo,
    /// Found in channel history after a reconnect (the live confirmation was lost).
    History,
    /// The server answered the Socket.IO acknowledgement callback of the SEND_MESSAGE emit
    /// (servers in the shape of the seed document, which neither echo nor send `messageAck`).
    Callback,
}

/// Something for the user. Serializes as `{type: "message", …}` with camelCase fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[non_exhaustive]
pub enum ElizaEvent {
    /// The server confirmed joining a channel (after every (re)connect).
    Joined {
        /// The channel.
        channel_id: String,
    },
    /// A message the user does not have yet, or a newer version of one (same `id`: replace it —
    /// this is how a streamed preview and an edited action message are superseded).
    Message {
        /// The message.
        message: ChatMessage,
        /// It came from a history page (missed while offline, or the backlog of a first join)
        /// rather than live.
        from_history: bool,
    },
    /// A piece of an agent reply being streamed. Provisional: the final `Message` with
    /// `message_id` as its id replaces it.
    StreamChunk {
        /// The channel.
        channel_id: String,
        /// The id the final message will have.
        message_id: String,
        /// The agent writing.
        agent_id: Option<String>,
        /// Position of the chunk, from 0.
        index: Option<u64>,
        /// This chunk.
        chunk: String,
        /// The reply's text so far: the chunks joined, XML entities decoded (plain text, not HTML).
        text: String,
    },
    /// A streamed reply failed.
    StreamError {
        /// The channel.
        channel_id: String,
        /// The id the message would have had.
        message_id: String,
        /// The agent that was writing.
        agent_id: Option<String>,
        /// What the server said.
        error: String,
        /// What was produced before the failure.
        partial_text: Option<String>,
    },
    /// The server has a message from the outbox; it left the outbox.
    Ack {
        /// The channel.
        channel_id: String,
        /// The id `send` returned.
        client_message_id: String,
        /// The server's id of the stored message (`ChatMessage::id`).
        message_id: String,
        /// How the confirmation came.
        via: AckVia,
        /// The server's status text (`messageAck` only).
        status: Option<String>,
    },
    /// A message from the outbox failed. It stays in the outbox as failed until `retry` or
    /// `discard`.
    SendFailed {
        /// The channel.
        channel_id: String,
        /// The id `send` returned.
        client_message_id: String,
        /// Why.
        error: ElizaError,
    },
    /// An agent reply is expected (`active: true`) or no longer (reply, stream, or timeout).
    /// The server sends no typing signal; this is inferred from the acknowledgement of a message
    /// in a channel that has an agent.
    Thinking {
        /// The channel.
        channel_id: String,
        /// The agent expected to answer.
        agent_id: Option<String>,
        /// Whether it is thinking now.
        active: bool,
    },
    /// Another user joined (`present: true`) or left a channel (`userJoined` / `userLeft`).
    /// Presence is what the server announced since the connection began: it is forgotten
    /// (with `present: false` events) when the connection drops.
    Presence {
        /// The channel.
        channel_id: String,
        /// Who.
        user_id: String,
        /// Whether the user is in the channel now.
        present: bool,
    },
    /// Another user started or stopped typing in a channel (`userTyping`). A `true` not
    /// followed by `false` or a newer `true` ends by itself after a few seconds.
    Typing {
        /// The channel.
        channel_id: String,
        /// Who.
        user_id: String,
        /// Whether the user is typing now.
        is_typing: bool,
    },
    /// A message was deleted on the server.
    MessageDeleted {
        /// The channel.
        channel_id: String,
        /// The deleted message.
        message_id: String,
    },
    /// All messages of a channel were deleted.
    ChannelCleared {
        /// The channel.
        channel_id: String,
    },
    /// A channel was deleted (the session stays joined until `leave`).
    ChannelDeleted {
        /// The channel.
        channel_id: String,
    },
    /// An agent finished answering (`messageComplete`, sent by servers up to 1.4).
    Complete {
        /// The channel.
        channel_id: String,
    },
    /// A `controlMessage` (older servers: `enable_input` / `disable_input`).
    Control {
        /// The channel.
        channel_id: String,
        /// `payload.action`, when it is a string.
        action: Option<String>,
        /// The whole payload.
        payload: Value,
    },
    /// Something failed that is not tied to one outgoing message: history that could not be
    /// read after a few attempts (`HISTORY_UNAVAILABLE`; the channel goes live anyway), a join
    /// the server did not confirm in time (`JOIN_TIMEOUT`; reported once per connection), a
    /// `messageError` with nothing in flight, a malformed message, an outbox entry that could
    /// not be restored.
    Error {
        /// The channel concerned, if any.
        channel_id: Option<String>,
        /// What went wrong.
        error: ElizaError,
    },
    /// What is known about the server changed (era, message server id, history path): an
    /// application may keep it per server and hand it back to skip probing next time.
    ServerInfo {
        /// Everything known now.
        info: ServerInfo,
    },
    /// The outbox changed: persist [`super::Session::outbox`] now. Comes after the events of
    /// the same step.
    OutboxChanged,
}

impl ElizaEvent {
    /// The channel the event is about, if any: what per-channel listeners are keyed by.
    pub fn channel_id(&self) -> Option<&str> {
        match self {
            ElizaEvent::Joined { channel_id }
            | ElizaEvent::StreamChunk { channel_id, .. }
            | ElizaEvent::StreamError { channel_id, .. }
            | ElizaEvent::Ack { channel_id, .. }
            | ElizaEvent::SendFailed { channel_id, .. }
            | ElizaEvent::Thinking { channel_id, .. }
            | ElizaEvent::MessageDeleted { channel_id, .. }
            | ElizaEvent::ChannelCleared { channel_id }
            | ElizaEvent::ChannelDeleted { channel_id }
            | ElizaEvent::Complete { channel_id }
            | ElizaEvent::Presence { channel_id, .. }
            | ElizaEvent::Typing { channel_id, .. }
            | ElizaEvent::Control { channel_id, .. } => Some(channel_id),
            ElizaEvent::Message { message, .. } => Some(&message.channel_id),
            ElizaEvent::Error { channel_id, .. } => channel_id.as_deref(),
            _ => None,
        }
    }
}

/// A Socket.IO event for the driver to emit at once (see [`super::Session::poll_emit`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Emit {
    /// The event name: [`super::EVENT_NAME`] for joins and messages, [`super::TYPING_EVENT`].
    pub event: &'static str,
    /// Its one argument.
    pub payload: Value,
    /// For a SEND_MESSAGE: its client message id. The driver asks the server for an
    /// acknowledgement callback and reports the answer with
    /// [`super::Session::handle_emit_ack`]; servers that do not answer it simply never do.
    pub ack_for: Option<String>,
}

/// A page of channel history the session needs: fetch
/// [`super::rest::channel_messages_url`]`(base, path, channel_id, limit, None)` and answer with
/// [`super::Session::handle_history`], passing this request back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRequest {
    /// The channel.
    pub channel_id: String,
    /// How many of the newest messages to fetch.
    pub limit: u32,
    /// Where to read it (servers before 1.7 have only `central-channels`).
    pub path: HistoryPath,
    /// Tells answers to this request from answers to older ones.
    pub id: u64,
    /// This request already tries the other path after a 404.
    pub(crate) alternate: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_and_typing_belong_to_their_channel() {
        let channel = "5eed0000-0000-4000-8000-000000000001".to_owned();
        let user_id = "6865cb1a-03b8-4ec6-917a-c9f1a4fc8ee6".to_owned();
        let presence =
            ElizaEvent::Presence { channel_id: channel.clone(), user_id: user_id.clone(), present: true };
        let typing = ElizaEvent::Typing { channel_id: channel.clone(), user_id, is_typing: true };
        assert_eq!(presence.channel_id(), Some(channel.as_str()));
        assert_eq!(typing.channel_id(), Some(channel.as_str()));
        assert_eq!(ElizaEvent::OutboxChanged.channel_id(), None);
    }
}
