//! Connection changes, history checks and the outbox: how nothing is lost and nothing is sent
//! twice across reconnects.

use super::Session;
use crate::eliza::channel::Phase;
use crate::eliza::error::ElizaError;
use crate::eliza::event::{AckVia, ElizaEvent, HistoryRequest};
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
        for channel in &mut self.channels {
            channel.phase = Phase::Offline;
        }
        self.outbox.requeue_in_flight();
    }

    /// The answer to a history request: the page (from [`crate::eliza::rest::parse_history`]) or
    /// why it could not be fetched.
    ///
    /// A page (a) confirms outbox messages it contains, (b) delivers messages the user does not
    /// have, oldest first — replies produced while offline arrive this way — and (c), when it is
    /// the page the channel waited for, sends the channel's remaining outbox in order. A failure
    /// keeps the outbox waiting and retries the fetch after a delay.
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
                self.apply_history(now, &request.channel_id, channel, page);
                if let Some(i) = awaited {
                    self.channels[i].phase = Phase::Live;
                    self.channels[i].history_backoff.reset();
                    self.flush(now, i);
                }
            }
            Err(error) => {
                // Answers to older requests are superseded by the one awaited.
                let Some(i) = awaited else { return };
                let channel = &mut self.channels[i];
                let delay = channel.history_backoff.next_delay(&mut self.rng);
                channel.phase = Phase::RetryWait { until: now + delay };
                let channel_id = Some(channel.id.clone());
                self.events.push_back(ElizaEvent::Error { channel_id, error });
            }
        }
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
        self.channels[i].phase = Phase::Joining { deadline: now + self.config.join_timeout };
    }

    pub(super) fn emit_join(&mut self, i: usize) {
        let join = payload::room_joining(&self.channels[i], &self.config.entity_id, &self.message_server_id);
        self.emits.push_back(join);
    }

    /// Asks the driver for the newest history page of channel `i`.
    pub(super) fn request_history(&mut self, i: usize) {
        if !self.connected {
            return;
        }
        self.next_request += 1;
        let channel = &mut self.channels[i];
        channel.phase = Phase::FetchingHistory { request: self.next_request };
        self.history_requests.push_back(HistoryRequest {
            channel_id: channel.id.clone(),
            limit: self.config.history_limit,
            id: self.next_request,
        });
    }

    /// Sends what channel `i` has queued if it is live — after a history check if any of it may
    /// already be on the server.
    pub(super) fn advance(&mut self, now: Instant, i: usize) {
        if !self.connected || self.channels[i].phase != Phase::Live {
            return;
        }
        if self.outbox.needs_check(&self.channels[i].id) {
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
            self.emits.push_back(send);
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
        self.events.push_back(ElizaEvent::Message { message, from_history });
    }
}
