//! Server events: routed to the channel they name, dropped when it is not joined.

use serde_json::Value;

use super::Session;
use crate::eliza::channel::Phase;
use crate::eliza::era::{Era, ServerInfo};
use crate::eliza::error::ElizaError;
use crate::eliza::event::{AckVia, ElizaEvent};
use crate::eliza::fields::{str_at, string_at};
use crate::eliza::ids;
use crate::eliza::message::ChatMessage;
use crate::eliza::stream;
use crate::time::Instant;

impl Session {
    /// A Socket.IO event from the server: `event` is its name, `payload` its first argument.
    ///
    /// Events about a channel are delivered only if that channel (`payload.channelId`, else
    /// `payload.roomId`) is joined; unknown events and malformed payloads are ignored or
    /// reported as [`ElizaEvent::Error`], never trusted.
    pub fn handle_event(&mut self, now: Instant, event: &str, payload: &Value) {
        self.note_event(now, event, payload);
        match event {
            "messageBroadcast" => self.on_broadcast(now, payload),
            "messageAck" => self.on_ack(now, payload),
            "messageError" => self.on_message_error(payload),
            "messageStreamChunk" => self.on_stream_chunk(payload),
            "messageStreamError" => self.on_stream_error(payload),
            "channel_joined" | "room_joined" => self.on_joined(payload),
            // Sent after connect by 1.7 only.
            "authenticated" => self.learn(ServerInfo::learn_authenticated),
            "userJoined" => self.on_presence(payload, true),
            "userLeft" => self.on_presence(payload, false),
            "userTyping" => self.on_user_typing(now, payload),
            "messageComplete" => {
                // Sent by 1.2 – 1.4 only: part of telling releases apart.
                self.complete_due = None;
                self.learn(ServerInfo::learn_message_complete);
                if let Some(i) = self.channel_of(payload) {
                    self.stop_thinking(i);
                    let channel_id = self.channels[i].id.clone();
                    self.events.push_back(ElizaEvent::Complete { channel_id });
                }
            }
            "controlMessage" => {
                if let Some(i) = self.channel_of(payload) {
                    self.events.push_back(ElizaEvent::Control {
                        channel_id: self.channels[i].id.clone(),
                        action: string_at(payload, "action"),
                        payload: payload.clone(),
                    });
                }
            }
            "messageDeleted" => {
                let (Some(i), Some(message_id)) = (self.channel_of(payload), string_at(payload, "messageId"))
                else {
                    return;
                };
                let channel_id = self.channels[i].id.clone();
                self.events.push_back(ElizaEvent::MessageDeleted { channel_id, message_id });
            }
            "channelCleared" => {
                if let Some(i) = self.channel_of(payload) {
                    self.channels[i].streams.clear();
                    let channel_id = self.channels[i].id.clone();
                    self.events.push_back(ElizaEvent::ChannelCleared { channel_id });
                }
            }
            "channelDeleted" => {
                if let Some(i) = self.channel_of(payload) {
                    self.stop_thinking(i);
                    let channel_id = self.channels[i].id.clone();
                    self.events.push_back(ElizaEvent::ChannelDeleted { channel_id });
                }
            }
            _ => {}
        }
    }

    /// The joined channel a payload is about: `channelId ?? roomId` (agent replies carry only
    /// `roomId`). A payload naming another channel never falls through to this one.
    pub(super) fn channel_of(&self, payload: &Value) -> Option<usize> {
        let named = match payload.get("channelId") {
            None | Some(Value::Null) => payload.get("roomId")?,
            Some(id) => id,
        };
        self.find(named.as_str()?)
    }

    fn on_broadcast(&mut self, now: Instant, payload: &Value) {
        // The own echo confirms a send even for a channel left since: the server has it.
        if let Some(client_id) = str_at(payload, "clientMessageId").and_then(ids::canonical) {
            let by_us =
                str_at(payload, "senderId").and_then(ids::canonical).as_deref() == Some(self.entity_id());
            if by_us {
                let message_id = str_at(payload, "id").unwrap_or_default().to_owned();
                self.ack(now, &client_id, &message_id, AckVia::Echo, None);
            }
        }
        let Some(i) = self.channel_of(payload) else { return };
        let context = self.channels[i].context(&self.config.entity_id);
        let named;
        let payload = match self.name_bare_broadcast(now, payload) {
            Some(completed) => {
                named = completed;
                &named
            }
            None => payload,
        };
        match ChatMessage::from_broadcast(payload, &context) {
            Some(message) if self.channels[i].seen.is_new(&message) => {
                if message.from_agent && self.server.era == Era::Before1_6_5 {
                    self.complete_due = Some(now + super::MESSAGE_COMPLETE_GRACE);
                }
                self.deliver(i, message, false);
            }
            Some(_) => {}
            None => self.events.push_back(ElizaEvent::Error {
                channel_id: Some(context.channel_id),
                error: ElizaError::BadResponse("messageBroadcast without a message id".into()),
            }),
        }
    }

    /// A broadcast in the seed document's shape (`{roomId, channelId, senderName, text}`: no
    /// `id`, `senderId` or `createdAt`) completed with a fresh id and the arrival time, so that
    /// it is one distinct message like any other. `None` when it needs nothing (or has no text:
    /// then it stays an error).
    fn name_bare_broadcast(&mut self, now: Instant, payload: &Value) -> Option<Value> {
        if payload.get("id").is_some_and(|id| !id.is_null()) || str_at(payload, "text").is_none() {
            return None;
        }
        let mut completed = payload.clone();
        let object = completed.as_object_mut()?;
        object.insert("id".into(), ids::new_v4(&mut self.rng).into());
        if object.get("createdAt").is_none_or(Value::is_null) {
            let at = i64::try_from(self.wall.wall(now.as_millis())).unwrap_or(i64::MAX);
            object.insert("createdAt".into(), at.into());
        }
        Some(completed)
    }

    fn on_ack(&mut self, now: Instant, payload: &Value) {
        // Matched by client id alone, like the echo: the outbox entry is what matters.
        let Some(client_id) = str_at(payload, "clientMessageId").and_then(ids::canonical) else { return };
        let message_id = str_at(payload, "messageId").unwrap_or_default().to_owned();
        let status = string_at(payload, "status");
        self.ack(now, &client_id, &message_id, AckVia::Ack, status);
    }

    /// `messageError {error}` names no message: it is charged to the oldest message in flight
    /// (the server answers in order), and to the session when nothing is in flight. A later
    /// acknowledgement of that message still wins.
    fn on_message_error(&mut self, payload: &Value) {
        let text = ["error", "message"]
            .iter()
            .find_map(|k| string_at(payload, k))
            .unwrap_or_else(|| "unknown error".to_owned());
        let error = ElizaError::Server { status: None, message: text };
        let named = ["clientMessageId", "messageId"]
            .iter()
            .find_map(|k| str_at(payload, k).and_then(ids::canonical))
            .filter(|id| self.outbox.get(id).is_some());
        let target = named.or_else(|| self.outbox.oldest_in_flight().map(|e| e.client_message_id.clone()));
        match target {
            Some(client_id) => self.fail(&client_id, error),
            None => {
                let channel_id = self.channel_of(payload).map(|i| self.channels[i].id.clone());
                self.events.push_back(ElizaEvent::Error { channel_id, error });
            }
        }
    }

    fn on_stream_chunk(&mut self, payload: &Value) {
        let Some(i) = self.channel_of(payload) else { return };
        let (Some(message_id), Some(chunk)) = (string_at(payload, "messageId"), str_at(payload, "chunk"))
        else {
            return;
        };
        // A chunk arriving after its final message has nothing left to preview.
        if self.channels[i].seen.contains(&message_id) {
            return;
        }
        let index = payload.get("index").and_then(Value::as_u64);
        let Some(text) = self.channels[i].streams.push(&message_id, index, chunk) else { return };
        let text = stream::preview(text);
        self.stop_thinking(i);
        self.events.push_back(ElizaEvent::StreamChunk {
            channel_id: self.channels[i].id.clone(),
            message_id,
            agent_id: string_at(payload, "agentId"),
            index,
            chunk: chunk.to_owned(),
            text,
        });
    }

    fn on_stream_error(&mut self, payload: &Value) {
        let Some(i) = self.channel_of(payload) else { return };
        let Some(message_id) = string_at(payload, "messageId") else { return };
        self.channels[i].streams.end(&message_id);
        self.stop_thinking(i);
        self.events.push_back(ElizaEvent::StreamError {
            channel_id: self.channels[i].id.clone(),
            message_id,
            agent_id: string_at(payload, "agentId"),
            error: string_at(payload, "error").unwrap_or_else(|| "stream failed".to_owned()),
            partial_text: string_at(payload, "partialText").map(|t| stream::preview(&t)),
        });
    }

    /// `channel_joined` (and its twin `room_joined`): from now on the server broadcasts this
    /// channel to us, so history fetched now misses nothing.
    fn on_joined(&mut self, payload: &Value) {
        let Some(i) = self.channel_of(payload) else { return };
        // Late confirmations count too: the server broadcasts this channel to us.
        self.channels[i].join_confirmed = true;
        if !matches!(self.channels[i].phase, Phase::Joining { .. }) {
            return;
        }
        let channel_id = self.channels[i].id.clone();
        self.events.push_back(ElizaEvent::Joined { channel_id });
        self.request_history(i);
    }
}
