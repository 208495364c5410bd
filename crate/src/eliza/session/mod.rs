//! [`Session`]: one user's conversations with ElizaOS agents over one socket, free of I/O.

mod diagnose;
mod inbound;
mod options;
mod signals;
mod sync;

use std::collections::VecDeque;

use serde_json::Value;

use super::channel::{Channel, Phase};
use super::diagnostics::Diagnostics;
use super::era::{HistoryPath, ServerIdSource, ServerInfo};
use super::error::ElizaError;
use super::event::{ElizaEvent, Emit, HistoryRequest};
use super::ids;
use super::message::MessageContext;
use super::outbox::{check_extras, check_text, Outbox, OutboxEntry, OutboxState};
use super::payload::Sender;
use crate::rng::Rng;
use crate::time::{Instant, WallClock};

pub use options::{JoinOptions, SendOptions, SessionConfig};

/// How long after an agent's answer a server of 1.2 – 1.4 sends `messageComplete` at most
/// (10 – 50 ms observed): an answer without one by then narrows the era to 1.5 – 1.6.4.
const MESSAGE_COMPLETE_GRACE: core::time::Duration = core::time::Duration::from_secs(3);

/// One user's conversations with ElizaOS agents over one Socket.IO connection, without I/O.
///
/// See the [module documentation](super) for the driving loop.
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    /// What is known about the server (message server id included).
    server: ServerInfo,
    /// An agent answer came on a server that may send `messageComplete`; if none has come by
    /// then, it does not.
    complete_due: Option<Instant>,
    rng: Rng,
    connected: bool,
    channels: Vec<Channel>,
    outbox: Outbox,
    next_request: u64,
    emits: VecDeque<Emit>,
    history_requests: VecDeque<HistoryRequest>,
    events: VecDeque<ElizaEvent>,
    diagnostics: Diagnostics,
    /// How the driver's (monotonic) clock maps to the wall clock, for the times the session
    /// makes up that users see (a bare broadcast's arrival as its `createdAt`).
    wall: WallClock,
}

impl Session {
    /// A session for `config`; `seed` feeds the client message ids and must come from real
    /// randomness (`crypto.getRandomValues`): an id repeated across restarts could match an
    /// old message in history and make the session believe a new message was delivered.
    pub fn new(config: SessionConfig, seed: u64) -> Result<Self, ElizaError> {
        Ok(Session {
            config: config.validate()?,
            server: ServerInfo::default(),
            complete_due: None,
            rng: Rng::new(seed),
            connected: false,
            channels: Vec::new(),
            outbox: Outbox::default(),
            next_request: 0,
            emits: VecDeque::new(),
            history_requests: VecDeque::new(),
            events: VecDeque::new(),
            diagnostics: Diagnostics::default(),
            wall: WallClock::default(),
        })
    }

    /// Tells the session how the driver's clock maps to the wall clock now (see [`WallClock`]);
    /// until then the two are taken to be the same.
    pub fn set_wall_clock(&mut self, wall: WallClock) {
        self.wall = wall;
    }

    // ---- getters ----

    /// The user's entity id, canonical.
    pub fn entity_id(&self) -> &str {
        &self.config.entity_id
    }

    /// The message server id sent with every join and message.
    pub fn message_server_id(&self) -> &str {
        &self.server.message_server_id
    }

    /// What is known about the server: era, message server id and where it came from, where
    /// history is read.
    pub fn server_info(&self) -> &ServerInfo {
        &self.server
    }

    /// Whether the driver should ask `GET message-server/current` before the session joins
    /// (then answer with [`handle_message_server`](Self::handle_message_server)).
    pub fn needs_server_probe(&self) -> bool {
        self.server.needs_probe()
    }

    /// Where channel history is read now (for a page the application asks for itself; report
    /// the path that worked with [`handle_history_path`](Self::handle_history_path)).
    pub fn history_path(&self) -> HistoryPath {
        self.server.history_path()
    }

    /// Whether the socket is connected, as last reported.
    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// Whether `channel_id` is joined (whatever the connection state).
    pub fn is_joined(&self, channel_id: &str) -> bool {
        self.find(channel_id).is_some()
    }

    /// Whether `channel_id` is in sync with the server (messages sent now go out at once).
    pub fn is_live(&self, channel_id: &str) -> bool {
        self.find(channel_id).is_some_and(|i| self.channels[i].phase == Phase::Live)
    }

    /// Whether an agent reply is expected in `channel_id`.
    pub fn is_thinking(&self, channel_id: &str) -> bool {
        self.find(channel_id).is_some_and(|i| self.channels[i].thinking_until.is_some())
    }

    /// The messages not yet confirmed by the server, oldest first: what to persist.
    pub fn outbox(&self) -> &[OutboxEntry] {
        self.outbox.entries()
    }

    /// What `own` and `from_agent` of messages in `channel_id` are relative to, for
    /// [`super::rest::parse_history`] (the agent is known only for joined channels).
    pub fn message_context(&self, channel_id: &str) -> MessageContext {
        match self.find(channel_id) {
            Some(i) => self.channels[i].context(&self.config.entity_id),
            None => MessageContext {
                channel_id: ids::canonical(channel_id).unwrap_or_else(|| channel_id.to_owned()),
                entity_id: self.config.entity_id.clone(),
                agent_id: None,
            },
        }
    }

    fn find(&self, channel_id: &str) -> Option<usize> {
        let id = ids::canonical(channel_id)?;
        self.channels.iter().position(|c| c.id == id)
    }

    // ---- commands ----

    /// Uses message server `id` from now on (no probe needed).
    pub fn set_message_server_id(&mut self, id: &str) -> Result<(), ElizaError> {
        let id = ids::require("messageServerId", id)?;
        if self.server.message_server_id != id || self.server.server_id_source != ServerIdSource::Given {
            self.server.message_server_id = id;
            self.server.server_id_source = ServerIdSource::Given;
            self.server_info_changed();
        }
        Ok(())
    }

    /// Puts back what an earlier session learnt about this server (from
    /// [`server_info`](Self::server_info), kept per server by the application), so that it is
    /// not probed again. Call before the first connect.
    pub fn restore_server_info(&mut self, info: ServerInfo) -> Result<(), ElizaError> {
        self.server = info.validated()?;
        Ok(())
    }

    /// The answer to `GET /api/messaging/message-server/current`: its id, or the error (404
    /// means a release before 1.7, which uses the default id).
    pub fn handle_message_server(&mut self, answer: Result<String, ElizaError>) {
        self.learn(|server| server.learn_message_server(answer.as_deref()));
    }

    /// History was read from `path` (by a request of the application's own).
    pub fn handle_history_path(&mut self, path: HistoryPath) {
        self.learn(|server| server.learn_history_path(path));
    }

    /// Joins a channel: now if connected, else on the next connect; again after every
    /// reconnect. Joining a joined channel updates its agent and DM flag.
    pub fn join(&mut self, now: Instant, options: JoinOptions) -> Result<(), ElizaError> {
        let id = ids::require("channelId", &options.channel_id)?;
        let agent_id = options.agent_id.as_deref().map(|a| ids::require("agentId", a)).transpose()?;
        if options.dm && agent_id.is_none() {
            return Err(ElizaError::InvalidArgument("a DM channel needs the agent's id".into()));
        }
        if let Some(i) = self.channels.iter().position(|c| c.id == id) {
            let channel = &mut self.channels[i];
            channel.agent_id = agent_id;
            channel.dm = options.dm;
            channel.fetch_history = options.history;
            if self.connected {
                // Tells the server the new agent; the channel's sync is unaffected.
                self.emit_join(i);
            }
            return Ok(());
        }
        self.channels.push(Channel::new(id, agent_id, options.dm, options.since, options.history));
        if self.connected {
            self.start_join(now, self.channels.len() - 1);
        }
        Ok(())
    }

    /// Stops following a channel; returns whether it was joined. The server has no leave
    /// message: its events are dropped here until the next reconnect ends the membership.
    /// Its outbox entries stay and go out if the channel is joined again.
    pub fn leave(&mut self, channel_id: &str) -> bool {
        let Some(i) = self.find(channel_id) else { return false };
        // Others would otherwise see the user typing until their expiry.
        self.stop_own_typing(i);
        let channel = self.channels.remove(i);
        self.diagnostics.left(&channel.id);
        true
    }

    /// Sends `text` (verbatim) to a joined channel and returns the client message id.
    ///
    /// The message goes out now if the channel is live, else after the next connect and history
    /// check; it stays in the [`outbox`](Self::outbox) until the server confirms it
    /// ([`ElizaEvent::Ack`]).
    pub fn send(
        &mut self,
        now: Instant,
        channel_id: &str,
        text: &str,
        options: SendOptions,
    ) -> Result<String, ElizaError> {
        check_text(text)?;
        check_extras(&options.attachments, &options.metadata)?;
        let channel = ids::require("channelId", channel_id)?;
        let Some(i) = self.channels.iter().position(|c| c.id == channel) else {
            self.diagnostics.send_to_unjoined(&channel, now.as_millis());
            return Err(ElizaError::InvalidArgument(format!(
                "channel {channel} is not joined: join it before sending"
            )));
        };
        let mut client_message_id = ids::new_v4(&mut self.rng);
        while self.outbox.get(&client_message_id).is_some() {
            client_message_id = ids::new_v4(&mut self.rng);
        }
        let attachments = match options.attachments {
            Value::Null => Value::Array(Vec::new()),
            given => given,
        };
        // A sent message ends the typing it was the result of.
        self.stop_own_typing(i);
        self.outbox.push(OutboxEntry {
            client_message_id: client_message_id.clone(),
            channel_id: channel,
            text: text.to_owned(),
            attachments,
            metadata: options.metadata,
            created_at: now.as_millis(),
            state: OutboxState::Queued,
            attempts: 0,
            last_sent_at: None,
            writes_since_retry: 0,
        });
        self.advance(now, i);
        Ok(client_message_id)
    }

    /// Sends a failed message again (after a history check if the server may have it).
    pub fn retry(&mut self, now: Instant, client_message_id: &str) -> Result<(), ElizaError> {
        let id = ids::require("clientMessageId", client_message_id)?;
        if !self.outbox.requeue_failed(&id) {
            return Err(ElizaError::InvalidArgument(format!("no failed message {id} in the outbox")));
        }
        let channel = self.outbox.get(&id).map(|e| e.channel_id.clone()).unwrap_or_default();
        if let Some(i) = self.find(&channel) {
            self.advance(now, i);
        }
        Ok(())
    }

    /// Removes a message from the outbox (it will not be sent again); returns it.
    pub fn discard(&mut self, client_message_id: &str) -> Option<OutboxEntry> {
        self.outbox.remove(&ids::canonical(client_message_id)?)
    }

    /// Puts back entries saved from [`outbox`](Self::outbox) before a restart. Entries already
    /// present are skipped; invalid ones are reported as [`ElizaEvent::Error`]. Entries that
    /// were in flight are checked against history before being sent again.
    pub fn restore_outbox(&mut self, now: Instant, entries: Vec<OutboxEntry>) {
        let mut channels = Vec::new();
        for entry in entries {
            match entry.validated() {
                Ok(entry) if self.outbox.get(&entry.client_message_id).is_none() => {
                    channels.push(entry.channel_id.clone());
                    self.outbox.push(entry);
                }
                Ok(_) => {}
                Err(error) => self.events.push_back(ElizaEvent::Error { channel_id: None, error }),
            }
        }
        channels.dedup();
        for channel in channels {
            if let Some(i) = self.find(&channel) {
                self.advance(now, i);
            }
        }
    }

    // ---- polls ----

    /// The next Socket.IO event to emit (`emit.event`, with `emit.payload` as its argument).
    /// Emit it at once; if the socket is not connected, drop it (the session re-sends what
    /// matters after the next connect): never let the socket layer buffer it.
    #[must_use = "the driver must emit every payload"]
    pub fn poll_emit(&mut self) -> Option<Emit> {
        self.emits.pop_front()
    }

    /// The next history page to fetch.
    #[must_use = "the driver must fetch every history page and call handle_history"]
    pub fn poll_history_request(&mut self) -> Option<HistoryRequest> {
        self.history_requests.pop_front()
    }

    /// The next thing to tell the user.
    #[must_use = "events carry messages for the user"]
    pub fn poll_event(&mut self) -> Option<ElizaEvent> {
        if let Some(event) = self.events.pop_front() {
            return Some(event);
        }
        self.outbox.take_changed().then_some(ElizaEvent::OutboxChanged)
    }

    /// When `handle_timeout` must next be called, if ever.
    #[must_use = "the driver must arm a timer for this instant"]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let channels = self.channels.iter().filter_map(Channel::next_timeout);
        let acks = self.outbox.next_deadline(self.ack_timeout_ms());
        channels.chain(acks).chain(self.complete_due).min()
    }

    // ---- timers ----

    /// Runs whatever is due at `now`: join and history retries, acknowledgement and thinking
    /// timeouts, the end of the user's typing after a pause, others' typing expiring.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.complete_due.is_some_and(|at| at <= now) {
            self.complete_due = None;
            self.learn(ServerInfo::learn_no_message_complete);
        }
        for i in 0..self.channels.len() {
            match self.channels[i].phase {
                Phase::Joining { deadline } if deadline <= now => self.join_timed_out(i),
                Phase::RetryWait { until } if until <= now => self.request_history(i),
                _ => {}
            }
            if self.channels[i].thinking_until.is_some_and(|at| at <= now) {
                self.stop_thinking(i);
            }
            self.signal_timeouts(now, i);
        }
        let timeout = self.config.ack_timeout.as_millis();
        for id in self.outbox.overdue(now, self.ack_timeout_ms()) {
            let channel = self.outbox.get(&id).and_then(|e| self.find(&e.channel_id));
            let error = match channel {
                Some(i) if !self.channels[i].join_confirmed => ElizaError::JoinTimeout(format!(
                    "the server never confirmed joining the channel (no channel_joined) and did not \
                     acknowledge the message within {timeout} ms"
                )),
                _ => {
                    ElizaError::Timeout(format!("the server did not confirm the message within {timeout} ms"))
                }
            };
            self.fail(&id, error);
        }
    }

    /// Channel `i` waited for `channel_joined` in vain: say so once, then go on as if joined
    /// (servers shaped like the seed's example never confirm; messages still go out).
    fn join_timed_out(&mut self, i: usize) {
        let timeout = self.config.join_timeout.as_millis();
        let channel_id = self.channels[i].id.clone();
        let error = ElizaError::JoinTimeout(format!(
            "the server did not confirm joining channel {channel_id} within {timeout} ms (no channel_joined): \
             its messages may not reach this client"
        ));
        self.events.push_back(ElizaEvent::Error { channel_id: Some(channel_id), error });
        self.request_history(i);
    }

    /// Applies a lesson about the server; says so when it changed anything.
    pub(super) fn learn(&mut self, lesson: impl FnOnce(&mut ServerInfo) -> bool) {
        if lesson(&mut self.server) {
            self.server_info_changed();
        }
    }

    fn server_info_changed(&mut self) {
        self.events.push_back(ElizaEvent::ServerInfo { info: self.server.clone() });
    }

    fn ack_timeout_ms(&self) -> u64 {
        u64::try_from(self.config.ack_timeout.as_millis()).unwrap_or(u64::MAX)
    }

    // ---- shared steps ----

    fn sender(&self) -> Sender<'_> {
        Sender {
            entity_id: &self.config.entity_id,
            name: &self.config.user_name,
            source: &self.config.source,
            message_server_id: &self.server.message_server_id,
        }
    }

    /// Marks an outbox entry failed and says so.
    pub(super) fn fail(&mut self, client_message_id: &str, error: ElizaError) {
        if let Some(channel_id) = self.outbox.fail(client_message_id, &error) {
            self.events.push_back(ElizaEvent::SendFailed {
                channel_id,
                client_message_id: client_message_id.to_owned(),
                error,
            });
        }
    }

    /// An agent reply is now expected in channel `i` (if it has an agent).
    fn start_thinking(&mut self, now: Instant, i: usize) {
        let channel = &mut self.channels[i];
        if channel.agent_id.is_none() {
            return;
        }
        let was_thinking = channel.thinking_until.is_some();
        channel.thinking_until = Some(now + self.config.thinking_timeout);
        if !was_thinking {
            self.events.push_back(ElizaEvent::Thinking {
                channel_id: channel.id.clone(),
                agent_id: channel.agent_id.clone(),
                active: true,
            });
        }
    }

    fn stop_thinking(&mut self, i: usize) {
        let channel = &mut self.channels[i];
        if channel.thinking_until.take().is_some() {
            self.events.push_back(ElizaEvent::Thinking {
                channel_id: channel.id.clone(),
                agent_id: channel.agent_id.clone(),
                active: false,
            });
        }
    }
}
