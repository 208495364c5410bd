//! Feeding the session's [`Diagnostics`] and assembling its report.

use serde_json::Value;

use super::Session;
use crate::eliza::channel::Phase;
use crate::eliza::diagnostics::{
    self, ChannelReport, ConnectionFacts, Diagnostics, ErrorKind, ErrorRecord, Handshake, JoinState, Report,
};
use crate::eliza::fields::string_at;
use crate::eliza::ids;
use crate::time::Instant;

/// Events about one channel: arriving for a channel not joined, they are an ID mismatch.
const CHANNEL_EVENTS: [&str; 4] =
    ["messageBroadcast", "messageStreamChunk", "messageStreamError", "messageComplete"];

impl Session {
    /// What the session has recorded for diagnosis.
    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }

    /// For the driver to add what only it sees (REST, connection and permission errors).
    pub fn diagnostics_mut(&mut self) -> &mut Diagnostics {
        &mut self.diagnostics
    }

    /// Records a server event (called first by `handle_event`).
    pub(super) fn note_event(&mut self, now: Instant, event: &str, payload: &Value) {
        let at = now.as_millis();
        let named = match payload.get("channelId") {
            None | Some(Value::Null) => payload.get("roomId"),
            Some(id) => Some(id),
        };
        let channel =
            named.and_then(Value::as_str).map(|n| ids::canonical(n).unwrap_or_else(|| n.to_owned()));
        self.diagnostics.event(event, channel.as_deref(), at);
        let joined = channel.as_deref().is_some_and(|c| self.find(c).is_some());
        match (event, channel) {
            ("channel_joined" | "room_joined", Some(channel)) if joined => {
                self.diagnostics.join_confirmed(&channel, at)
            }
            ("messageError", _) => {
                let text = ["error", "message"]
                    .iter()
                    .find_map(|k| string_at(payload, k))
                    .unwrap_or_else(|| "unknown error".to_owned());
                self.diagnostics.message_error(&text, at);
                let kind = if text.to_ascii_lowercase().contains("join") {
                    ErrorKind::Join
                } else {
                    ErrorKind::Send
                };
                let message = format!("the server refused a payload (messageError): {text}");
                self.diagnostics.record_error(kind, "SERVER_ERROR", &message, at);
            }
            (name, Some(channel)) if !joined && CHANNEL_EVENTS.contains(&name) => {
                let joined_ids = self.channels.iter().map(|c| c.id.clone()).collect();
                self.diagnostics.unjoined(name, &channel, joined_ids, at);
            }
            _ => {}
        }
    }

    /// Everything recorded, the joined channels and the findings, with the driver's `connection`
    /// facts. Contains no message text and no credentials (the driver never hands any in).
    pub fn diagnostics_report(&self, now: Instant, connection: ConnectionFacts) -> Report {
        let at = now.as_millis();
        let d = &self.diagnostics;
        let ConnectionFacts { server_url, server_era, state, transport, socket_id, mut handshake } =
            connection;
        if let Handshake::Refused { reason } | Handshake::Failed { reason } = &mut handshake {
            *reason = d.scrub(reason);
        }
        let timeout = u64::try_from(self.config.join_timeout.as_millis()).unwrap_or(u64::MAX);
        let channels: Vec<ChannelReport> = self
            .channels
            .iter()
            .map(|c| {
                let record = d.join_of(&c.id).filter(|_| c.phase != Phase::Offline && self.connected);
                let join = match record {
                    None => JoinState::NotSent,
                    Some(r) if r.confirmed_at.is_some() => JoinState::Confirmed,
                    Some(r) if at.saturating_sub(r.sent_at) >= timeout => JoinState::Unconfirmed,
                    Some(_) => JoinState::Waiting,
                };
                ChannelReport {
                    channel_id: c.id.clone(),
                    agent_id: c.agent_id.clone(),
                    dm: c.dm,
                    join,
                    join_sent_at: record.map(|r| r.sent_at),
                    join_confirmed_at: record.and_then(|r| r.confirmed_at),
                    live: c.phase == Phase::Live && self.connected,
                }
            })
            .collect();
        let joined: Vec<String> = self.channels.iter().map(|c| c.id.clone()).collect();
        let context = diagnostics::Context {
            joined: &joined,
            now: at,
            join_timeout_ms: timeout,
            connected: self.connected,
        };
        let mut last_errors = d.last_errors();
        if last_errors.join.is_none() {
            last_errors.join =
                channels.iter().find(|c| c.join == JoinState::Unconfirmed).map(|c| ErrorRecord {
                    code: "JOIN_UNCONFIRMED".into(),
                    message: format!("the server did not confirm joining channel {}", c.channel_id),
                    at: c.join_sent_at.unwrap_or(at).saturating_add(timeout),
                });
        }
        Report {
            revision: d.revision(),
            generated_at: at,
            server_url: d.scrub(&server_url),
            server_era,
            state,
            transport,
            socket_id,
            handshake,
            message_server_id: self.message_server_id().to_owned(),
            entity_id: self.config.entity_id.clone(),
            channels,
            recent_events: d.recent_events().cloned().collect(),
            counts: d.counts,
            unjoined_broadcasts: d.unjoined_channels().cloned().collect(),
            last_errors,
            findings: diagnostics::findings(d, &context),
        }
    }
}
