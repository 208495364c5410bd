//! Connection changes, history checks and the outbox: how nothing is lost and nothing is sent
//! twice across reconnects.

use super::Session;
use crate::eliza::channel::{Phase, HISTORY_ATTEMPTS};
use crate::eliza::era::HistoryPath;
use crate::eliza::error::ElizaError;
use crate::eliza::event::{AckVia, ElizaEvent, Emit, HistoryRequest};
use crate::eliza::message::ChatMessage;
use crate::eliza::outbox::MAX_WRITES;
use crate::eliza::payload;
use crate::time::Instant;

impl Session {
    /// The socket connected (first time or again): every channel is joined again, since the
    /// server forgets joins with the connection.
    pub fn handle_connected(&mut self, now: Instant) {
        self.connected = true;
        self.diagnostics.connected();
        for i in 0..self.channels.len() {
            self.start_join(now, i);
        }
    }

    /// The socket disconnected. Messages in flight go back to the queue: whether the server got
    /// them is checked in history after the next connect.
    pub fn handle_disconnected(&mut self) {
        self.connected = false;
        self.emits.clear();
        self.history_requests.clear();
        for i in 0..self.channels.len() {
            self.channels[i].phase = Phase::Offline;
            self.forget_signals(i);
        }
        self.outbox.requeue_in_flight();
    }

    /// The answer to a history request: the page (from [`crate::eliza::rest::parse_history`]) or
    /// why it could not be fetched.
    ///
    /// A page (a) confirms outbox messages it contains, (b) delivers messages the user does not
    /// have, oldest first — replies produced while offline arrive this way — and (c), when it is
    /// the page the channel waited for, sends the channel's remaining outbox in order.
    ///
    /// A 404 is first taken to mean the other path (releases before 1.7 have only
    /// `central-channels`), tried at once. Other failures keep the outbox waiting and retry the
    /// fetch after a delay; after three attempts the channel goes live anyway, the failure is
    /// reported once, and messages that may already be on the server fail with
    /// `HISTORY_UNAVAILABLE` (the user decides whether to send them again).
    pub fn handle_history(
        &mut self,
        now: Instant,
        request: &HistoryRequest,
        result: Result<Vec<ChatMessage>, ElizaError>,
    ) {
        let channel = self.find(&request.channel_id);
        let awaited =
            channel.filter(|&i| self.channels[i].phase == Phase::FetchingHistory { request: request.id });
        match result {
            Ok(page) => {
                self.handle_history_path(request.path);
                self.apply_history(now, &request.channel_id, channel, page);
                if let Some(i) = awaited {
                    let channel = &mut self.channels[i];
                    channel.phase = Phase::Live;
                    channel.history_backoff.reset();
                    channel.history_failures = 0;
                    channel.history_unavailable = false;
                    self.flush(now, i);
                }
            }
            Err(error) => {
                // Answers to older requests are superseded by the one awaited.
                let Some(i) = awaited else { return };
                let path_unproven = self.server_info().history_path != Some(request.path);
                if matches!(error, ElizaError::NotFound { .. }) && !request.alternate && path_unproven {
                    self.push_history_request(i, request.path.other(), true);
                    return;
                }
                self.history_failed(now, i, error);
            }
        }
    }

    /// A history fetch of channel `i` failed: retry after a delay, or give up for this
    /// connection and go live without the check.
    fn history_failed(&mut self, now: Instant, i: usize, error: ElizaError) {
        let channel = &mut self.channels[i];
        channel.history_failures += 1;
        if channel.history_failures < HISTORY_ATTEMPTS {
            let delay = channel.history_backoff.next_delay(&mut self.rng);
            channel.phase = Phase::RetryWait { until: now + delay };
            return;
        }
        channel.history_failures = 0;
        channel.history_backoff.reset();
        channel.history_unavailable = true;
        channel.phase = Phase::Live;
        let channel_id = channel.id.clone();
        let why = format!("{error} ({HISTORY_ATTEMPTS} attempts); new messages are sent without the check");
        self.events.push_back(ElizaEvent::Error {
            channel_id: Some(channel_id.clone()),
            error: ElizaError::HistoryUnavailable(why),
        });
        for client_id in self.outbox.unchecked_in(&channel_id) {
            let error = ElizaError::HistoryUnavailable(
                "this message may have reached the server before the connection dropped, and history \
                 cannot tell: Retry sends it again"
                    .into(),
            );
            self.fail(&client_id, error);
        }
        self.flush(now, i);
    }

    fn apply_history(
        &mut self,
        now: Instant,
        channel_id: &str,
        channel: Option<usize>,
        page: Vec<ChatMessage>,
    ) {
        let context = self.message_context(channel_id);
        let mut page: Vec<ChatMessage> = page
            .into_iter()
            .map(|mut m| {
                m.channel_id.clone_from(&context.channel_id);
                context.classify(&mut m);
                m
            })
            .collect();
        // (a) Own messages carry our client id: the server has them, whatever became of the ack.
        let mut confirmed = Vec::new();
        for m in page.iter().filter(|m| m.own) {
            let Some(client_id) = &m.client_message_id else { continue };
            if self.outbox.get(client_id).is_some() {
                self.ack(now, client_id, &m.id, AckVia::History, None);
                confirmed.push((m.id.clone(), m.created_at));
            }
        }
        let Some(i) = channel else { return };
        // (b) The page is newest first; deliver oldest first (undated last).
        page.reverse();
        page.sort_by_key(|m| m.created_at.unwrap_or(i64::MAX));
        let latest_reply = page.iter().filter(|m| m.from_agent).filter_map(|m| m.created_at).max();
        for m in page {
            let seen = &self.channels[i].seen;
            // A just-confirmed message is the user's even if older than `since`: the pending
            // bubble waits for it.
            let wanted = seen.after_floor(m.created_at) || confirmed.iter().any(|(id, _)| *id == m.id);
            if wanted && seen.is_new(&m) {
                self.deliver(i, m, true);
            }
        }
        // A confirmed message with no reply after it in the page may still be answered.
        let unanswered = confirmed.iter().any(|(_, at)| match (at, latest_reply) {
            (Some(at), Some(reply)) => *at > reply,
            (_, None) => true,
            (None, Some(_)) => false,
        });
        if unanswered {
            self.start_thinking(now, i);
        }
    }

    pub(super) fn start_join(&mut self, now: Instant, i: usize) {
        self.emit_join(i);
        self.diagnostics.join_sent(&self.channels[i].id, now.as_millis());
        let channel = &mut self.channels[i];
        channel.join_confirmed = false;
        channel.history_failures = 0;
        channel.history_unavailable = false;
        channel.history_backoff.reset();
        if channel.fetch_history {
            channel.phase = Phase::Joining { deadline: now + self.config.join_timeout };
        } else {
            // Nothing to wait for: the join is written before anything sent after it.
            channel.phase = Phase::Live;
            self.flush(now, i);
        }
    }

    pub(super) fn emit_join(&mut self, i: usize) {
        let server_id = &self.server_info().message_server_id;
        let join = payload::room_joining(&self.channels[i], &self.config.entity_id, server_id);
        self.emits.push_back(Emit { event: payload::EVENT_NAME, payload: join, ack_for: None });
    }

    /// Asks the driver for the newest history page of channel `i`.
    pub(super) fn request_history(&mut self, i: usize) {
        if !self.connected {
            return;
        }
        let path = self.history_path();
        self.push_history_request(i, path, false);
    }

    fn push_history_request(&mut self, i: usize, path: HistoryPath, alternate: bool) {
        self.next_request += 1;
        let channel = &mut self.channels[i];
        channel.phase = Phase::FetchingHistory { request: self.next_request };
        self.history_requests.push_back(HistoryRequest {
            channel_id: channel.id.clone(),
            limit: self.config.history_limit,
            path,
            id: self.next_request,
            alternate,
        });
    }

    /// Sends what channel `i` has queued if it is live — after a history check if any of it may
    /// already be on the server.
    pub(super) fn advance(&mut self, now: Instant, i: usize) {
        if !self.connected || self.channels[i].phase != Phase::Live {
            return;
        }
        // Without readable history the user's Retry is the decision to send unchecked.
        let channel = &self.channels[i];
        if channel.fetch_history && !channel.history_unavailable && self.outbox.needs_check(&channel.id) {
            self.request_history(i);
        } else {
            self.flush(now, i);
        }
    }

    /// Writes every queued message of channel `i`, in order.
    fn flush(&mut self, now: Instant, i: usize) {
        for client_id in self.outbox.queued_in(&self.channels[i].id) {
            let writes = self.outbox.get(&client_id).map_or(0, |e| e.writes_since_retry);
            if writes >= MAX_WRITES {
                let error = ElizaError::Server {
                    status: None,
                    message: format!("the server did not confirm this message after {writes} attempts"),
                };
                self.fail(&client_id, error);
                continue;
            }
            self.outbox.mark_sent(&client_id, now);
            let Some(entry) = self.outbox.get(&client_id) else { continue };
            let send = payload::send_message(entry, &self.channels[i], &self.sender());
            self.emits.push_back(Emit {
                event: payload::EVENT_NAME,
                payload: send,
                ack_for: Some(client_id),
            });
        }
    }

    /// The server has outbox entry `client_id` as message `message_id`.
    pub(super) fn ack(
        &mut self,
        now: Instant,
        client_id: &str,
        message_id: &str,
        via: AckVia,
        status: Option<String>,
    ) {
        let Some(entry) = self.outbox.remove(client_id) else { return };
        self.events.push_back(ElizaEvent::Ack {
            channel_id: entry.channel_id.clone(),
            client_message_id: entry.client_message_id,
            message_id: message_id.to_owned(),
            via,
            status,
        });
        // History decides about thinking from what else the page holds.
        if via != AckVia::History {
            if let Some(i) = self.find(&entry.channel_id) {
                self.start_thinking(now, i);
            }
        }
    }

    /// Hands a message the user does not have to the user.
    pub(super) fn deliver(&mut self, i: usize, message: ChatMessage, from_history: bool) {
        let channel = &mut self.channels[i];
        channel.seen.record(&message);
        channel.streams.end(&message.id);
        if message.from_agent {
            self.stop_thinking(i);
        }
        // Whoever wrote it is done typing it.
        if self.channels[i].typers.stop(&message.sender_id) {
            self.events.push_back(ElizaEvent::Typing {
                channel_id: self.channels[i].id.clone(),
                user_id: message.sender_id.clone(),
                is_typing: false,
            });
        }
        self.events.push_back(ElizaEvent::Message { message, from_history });
    }
}
