//! Scenario tests of the public API, on a virtual clock with the test playing the server.
//!
//! Payloads are the ones a real ElizaOS 1.7.2 server was observed to send
//! (`tests/fixtures/ELIZA-NOTES.md`), with the ids filled in.

mod compat;
mod diagnostics;
mod fuzz;
mod rest;
mod seed;
mod session;

use serde_json::{json, Value};

use super::{
    rest as api, ChatMessage, ElizaEvent, HistoryRequest, JoinOptions, SendOptions, Session, SessionConfig,
};
use crate::time::Instant;

const USER: &str = "40abdcca-1111-4222-8333-444455556666";
const AGENT: &str = "e738c7d8-9afb-0a9a-8b54-8496f7ce7ca8";
const DM: &str = "ea01db97-0000-4000-8000-000000000001";
const GROUP: &str = "ea01db97-0000-4000-8000-000000000002";
const OTHER: &str = "ea01db97-0000-4000-8000-000000000003";
const SERVER: &str = "00000000-0000-0000-0000-000000000000";

/// A session and the clock, with helpers that play the server's side.
struct Harness {
    session: Session,
    now: Instant,
    next_server_id: u32,
}

impl Harness {
    fn new() -> Self {
        Harness::with_seed(42)
    }

    fn with_seed(seed: u64) -> Self {
        let session = Session::new(SessionConfig::new(USER, "Tester"), seed).unwrap();
        Harness { session, now: Instant::from_millis(1_000), next_server_id: 0 }
    }

    fn advance(&mut self, ms: u64) {
        self.now = Instant::from_millis(self.now.as_millis() + ms);
        self.session.handle_timeout(self.now);
    }

    /// Payloads emitted on the `message` event (other events are dropped: see `all_emits`).
    fn emits(&mut self) -> Vec<Value> {
        self.all_emits().into_iter().filter(|e| e.event == super::EVENT_NAME).map(|e| e.payload).collect()
    }

    fn all_emits(&mut self) -> Vec<super::Emit> {
        std::iter::from_fn(|| self.session.poll_emit()).collect()
    }

    fn requests(&mut self) -> Vec<HistoryRequest> {
        std::iter::from_fn(|| self.session.poll_history_request()).collect()
    }

    fn events(&mut self) -> Vec<ElizaEvent> {
        std::iter::from_fn(|| self.session.poll_event()).collect()
    }

    /// Messages delivered among `events`.
    fn messages(events: &[ElizaEvent]) -> Vec<(ChatMessage, bool)> {
        events
            .iter()
            .filter_map(|e| match e {
                ElizaEvent::Message { message, from_history } => Some((message.clone(), *from_history)),
                _ => None,
            })
            .collect()
    }

    fn join_dm(&mut self) {
        let options = JoinOptions {
            channel_id: DM.into(),
            agent_id: Some(AGENT.into()),
            dm: true,
            since: None,
            history: true,
        };
        self.session.join(self.now, options).unwrap();
    }

    fn join_group(&mut self, channel: &str) {
        let options = JoinOptions { channel_id: channel.into(), ..JoinOptions::default() };
        self.session.join(self.now, options).unwrap();
    }

    fn send(&mut self, channel: &str, text: &str) -> String {
        self.session.send(self.now, channel, text, SendOptions::default()).unwrap()
    }

    fn event(&mut self, name: &str, payload: Value) {
        self.session.handle_event(self.now, name, &payload);
    }

    /// The server confirms the join of `channel`, as 1.7.2 does.
    fn joined(&mut self, channel: &str) {
        let payload = json!({"message": "Socket S successfully joined channel.", "channelId": channel,
            "roomId": channel});
        self.event("channel_joined", payload.clone());
        self.event("room_joined", payload);
    }

    /// Answers `request` with a history page made of `entries` (newest first).
    fn answer(&mut self, request: &HistoryRequest, entries: Vec<Value>) {
        let body = json!({"success": true, "data": {"messages": entries}}).to_string();
        let context = self.session.message_context(&request.channel_id);
        let page = api::parse_history(200, &body, &context);
        self.session.handle_history(self.now, request, page);
    }

    /// Connects, confirms every join and answers every history request with `entries`.
    fn connect_and_sync(&mut self, entries: Vec<Value>) {
        self.session.handle_connected(self.now);
        let joins = self.emits();
        for join in &joins {
            let channel = join["payload"]["channelId"].as_str().unwrap().to_owned();
            self.joined(&channel);
        }
        for request in self.requests() {
            self.answer(&request, entries.clone());
        }
    }

    fn server_id(&mut self) -> String {
        self.next_server_id += 1;
        format!("5e7e0000-0000-4000-8000-{:012}", self.next_server_id)
    }

    /// The own echo of a SEND_MESSAGE payload, as the server broadcasts it.
    fn echo(&mut self, sent: &Value, created_at: i64) -> (Value, String) {
        let p = &sent["payload"];
        let id = self.server_id();
        let echo = json!({"id": id, "senderId": p["senderId"], "senderName": p["senderName"],
            "text": p["message"], "channelId": p["channelId"], "roomId": p["roomId"],
            "messageServerId": p["messageServerId"], "createdAt": created_at, "source": p["source"],
            "attachments": p["attachments"], "clientMessageId": p["messageId"]});
        (echo, id)
    }

    fn ack_for(sent: &Value, message_id: &str) -> Value {
        let p = &sent["payload"];
        json!({"clientMessageId": p["messageId"], "messageId": message_id,
            "status": "received_by_server_and_processing", "channelId": p["channelId"],
            "roomId": p["channelId"]})
    }
}

/// An agent reply broadcast: no `channelId`, `serverId` instead of `messageServerId`.
fn agent_reply(id: &str, channel: &str, text: &str, created_at: i64) -> Value {
    json!({"senderId": AGENT, "senderName": "Echo", "text": text, "roomId": channel, "serverId": SERVER,
        "createdAt": created_at, "source": "agent_response", "id": id,
        "thought": "Echo the message back.", "actions": ["REPLY"]})
}

/// A stored user message as the history endpoint returns it.
fn stored_user_message(id: &str, channel: &str, client_id: &str, text: &str, created_at: i64) -> Value {
    json!({"id": id, "channelId": channel, "authorId": USER, "content": text,
        "rawMessage": {"channelId": channel, "roomId": channel, "messageServerId": SERVER,
            "serverId": SERVER, "senderId": USER, "senderName": "Tester", "message": text,
            "messageId": client_id, "source": "eliza-socketio",
            "metadata": {"isDm": true, "channelType": "DM", "targetUserId": AGENT}},
        "sourceType": "eliza-socketio", "sourceId": client_id,
        "metadata": {"isDm": true, "socket_id": "OZfM", "channelType": "DM", "targetUserId": AGENT,
            "messageServerId": SERVER, "user_display_name": "Tester"},
        "inReplyToRootMessageId": null, "createdAt": "2026-11-25T20:49:33.075Z",
        "updatedAt": "2026-11-25T20:49:33.075Z", "created_at": created_at, "updated_at": created_at})
}

/// A stored agent reply as the history endpoint returns it.
fn stored_agent_reply(id: &str, channel: &str, text: &str, created_at: i64, reply_to: &str) -> Value {
    json!({"id": id, "channelId": channel, "authorId": AGENT, "content": text,
        "rawMessage": {"text": text, "actions": ["REPLY"], "thought": "Echo the message back."},
        "sourceType": "agent_response",
        "metadata": {"isDm": true, "agent_id": AGENT, "agentName": "Echo", "channelType": "DM",
            "thought": "Echo the message back.", "actions": ["REPLY"]},
        "inReplyToRootMessageId": reply_to, "createdAt": "2026-11-25T20:49:33.175Z",
        "updatedAt": "2026-11-25T20:49:33.175Z", "created_at": created_at, "updated_at": created_at})
}
