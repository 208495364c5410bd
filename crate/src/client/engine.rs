//! One Engine.IO session: transports, handshake, heartbeat, upgrade, and the write buffer.
//!
//! The engine handles every Engine.IO packet except `message`, whose contents belong to the
//! manager (see `manager.rs`): on the hot path the manager looks at the first character of a
//! frame and only calls into the engine for control packets. What the engine decides is reported
//! as [`EngineEvent`]s, which the manager drains after each call.

use std::collections::VecDeque;

use core::time::Duration;

use crate::engine::payload;
use crate::engine::{Handshake, PacketType};
use crate::error::{Error, ProtocolError, TransportKind};
use crate::time::Instant;

use super::event::{DisconnectReason, Frame, Io, TransportId};
use super::shared::Shared;
use super::wire::Wire;

/// What the engine reports to the manager.
#[derive(Debug)]
pub(crate) enum EngineEvent {
    /// Handshake done: the session is open.
    Open,
    /// The server pinged.
    Ping,
    /// The session now runs on this transport.
    Upgrade(TransportKind),
    /// The session is over. `error` is set when it ended because something failed.
    Closed { reason: DisconnectReason, description: Option<String>, error: Option<Error> },
}

/// Which role a transport id plays in this session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The transport carrying the session.
    Active,
    /// A WebSocket being probed for an upgrade.
    Probe,
    /// Unknown or already dropped: ignore whatever it reports.
    Stale,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for the handshake.
    Opening,
    Open,
    Closed,
}

/// The transport carrying the session.
#[derive(Debug)]
struct Transport {
    id: TransportId,
    kind: TransportKind,
    /// A long-polling GET is in flight.
    get_pending: bool,
    /// A polling POST is in flight (polling writes one body at a time).
    post_pending: bool,
}

/// Progress of a polling → WebSocket upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Probe {
    /// WebSocket opening; `2probe` goes out once it is open.
    Connecting(TransportId),
    /// `2probe` sent, waiting for `3probe`.
    AwaitingPong(TransportId),
    /// Probe answered; waiting for polling requests in flight to finish before switching.
    Pausing(TransportId),
}

impl Probe {
    fn id(self) -> TransportId {
        match self {
            Probe::Connecting(id) | Probe::AwaitingPong(id) | Probe::Pausing(id) => id,
        }
    }
}

/// Session parameters from the handshake.
#[derive(Debug)]
struct Session {
    sid: String,
    upgrades: Vec<TransportKind>,
    ping_window: Duration,
    max_payload: usize,
}

pub(crate) struct Engine<W: Wire> {
    phase: Phase,
    active: Transport,
    probe: Option<Probe>,
    session: Option<Session>,
    /// Latest time a ping may arrive before the session counts as dead.
    ping_deadline: Option<Instant>,
    /// Frames not yet handed to the driver (polling batches, or held during an upgrade).
    buffer: VecDeque<Frame<W>>,
    events: VecDeque<EngineEvent>,
}

impl<W: Wire> Engine<W> {
    /// Starts a session on the first configured transport.
    pub fn open(shared: &mut Shared<W>) -> Self {
        let kind = shared.config.transports[0];
        let id = shared.new_transport_id();
        let url = shared.url(kind, None);
        let get_pending = kind == TransportKind::Polling;
        shared.io.push_back(match kind {
            TransportKind::Polling => Io::Get { id, url },
            TransportKind::WebSocket => Io::OpenWebSocket { id, url },
        });
        Engine {
            phase: Phase::Opening,
            active: Transport { id, kind, get_pending, post_pending: false },
            probe: None,
            session: None,
            ping_deadline: None,
            buffer: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    pub fn sid(&self) -> Option<&str> {
        self.session.as_ref().map(|s| s.sid.as_str())
    }

    pub fn transport(&self) -> TransportKind {
        self.active.kind
    }

    pub fn role(&self, id: TransportId) -> Role {
        if self.phase == Phase::Closed {
            Role::Stale
        } else if id == self.active.id {
            Role::Active
        } else if self.probe.is_some_and(|p| p.id() == id) {
            Role::Probe
        } else {
            Role::Stale
        }
    }

    /// Whether a packet written now would go out now (socket.io-client's `transport.writable`);
    /// volatile packets are dropped when it would not.
    pub fn writable(&self) -> bool {
        self.phase == Phase::Open
            && !matches!(self.probe, Some(Probe::Pausing(_)))
            && match self.active.kind {
                TransportKind::WebSocket => true,
                TransportKind::Polling => !self.active.post_pending,
            }
    }

    pub fn poll_event(&mut self) -> Option<EngineEvent> {
        self.events.pop_front()
    }

    /// The next time [`Engine::handle_timeout`] must run.
    pub fn next_timeout(&self) -> Option<Instant> {
        if self.phase == Phase::Open {
            self.ping_deadline
        } else {
            None
        }
    }

    /// Whether the heartbeat deadline has passed (checked against the clock, so it works even
    /// when the platform froze timers).
    pub fn ping_expired(&self, now: Instant) -> bool {
        self.phase == Phase::Open && self.ping_deadline.is_some_and(|d| now >= d)
    }

    pub fn handle_timeout(&mut self, shared: &mut Shared<W>, now: Instant) {
        if self.ping_expired(now) {
            self.close(shared, DisconnectReason::PingTimeout, None, None);
        }
    }

    /// A WebSocket opened.
    pub fn handle_transport_open(&mut self, shared: &mut Shared<W>, id: TransportId) {
        if let Some(Probe::Connecting(probe)) = self.probe {
            if probe == id {
                let frame = Frame::Text { head: "2probe".to_owned(), body: None };
                shared.io.push_back(Io::Send { id, frame });
                self.probe = Some(Probe::AwaitingPong(id));
            }
        }
        // The active WebSocket needs nothing: the server speaks first with the handshake.
    }

    /// A transport failed or closed. `error` distinguishes "transport error" from "transport close".
    pub fn handle_transport_down(
        &mut self,
        shared: &mut Shared<W>,
        id: TransportId,
        description: String,
        error: bool,
    ) {
        match self.role(id) {
            Role::Stale => {}
            Role::Probe => self.drop_probe(shared),
            Role::Active => {
                // Either side of the transport is gone; don't try to say goodbye on it.
                self.active.get_pending = false;
                self.active.post_pending = false;
                if error {
                    let err = Error::Transport { kind: self.active.kind, description: description.clone() };
                    self.close(shared, DisconnectReason::TransportError, Some(description), Some(err));
                } else {
                    self.close(shared, DisconnectReason::TransportClose, Some(description), None);
                }
            }
        }
    }

    /// A control packet (anything but `message`) arrived on transport `id`.
    pub fn handle_control(
        &mut self,
        shared: &mut Shared<W>,
        now: Instant,
        id: TransportId,
        ty: PacketType,
        data: &str,
    ) {
        match self.role(id) {
            Role::Stale => {}
            Role::Probe => self.handle_probe_packet(shared, ty, data),
            Role::Active => match ty {
                PacketType::Open => self.handle_handshake(shared, now, data),
                PacketType::Close => self.close(
                    shared,
                    DisconnectReason::TransportClose,
                    Some("closed by the server".into()),
                    None,
                ),
                PacketType::Ping if self.phase == Phase::Open => {
                    self.ping_deadline = self.session.as_ref().map(|s| now + s.ping_window);
                    // One pong waiting to be written answers every ping before it: a ping flood
                    // over polling (one POST at a time) must not pile up pongs.
                    let pong_waiting = self
                        .buffer
                        .iter()
                        .any(|f| matches!(f, Frame::Text { head, body: None } if head == "3"));
                    if !pong_waiting {
                        self.send(shared, Frame::Text { head: "3".to_owned(), body: None });
                    }
                    self.events.push_back(EngineEvent::Ping);
                }
                PacketType::Ping => {
                    self.protocol_error(shared, ProtocolError::UnexpectedPacket("ping before handshake"))
                }
                // A stray pong or noop (noop releases a long-poll during an upgrade) needs nothing.
                PacketType::Pong | PacketType::Noop | PacketType::Upgrade => {}
                PacketType::Message => {
                    debug_assert!(false, "messages are the manager's");
                }
            },
        }
    }

    /// A protocol violation by the server ends the session ("transport error", as Engine.IO does).
    pub fn protocol_error(&mut self, shared: &mut Shared<W>, error: ProtocolError) {
        let description = error.to_string();
        self.close(shared, DisconnectReason::TransportError, Some(description), Some(Error::Protocol(error)));
    }

    fn handle_handshake(&mut self, shared: &mut Shared<W>, now: Instant, data: &str) {
        if self.phase != Phase::Opening {
            return self.protocol_error(shared, ProtocolError::UnexpectedPacket("second handshake"));
        }
        let hs = match Handshake::parse(data) {
            Ok(hs) => hs,
            Err(e) => return self.protocol_error(shared, e),
        };
        let ping_window = hs.ping_interval + hs.ping_timeout;
        self.ping_deadline = Some(now + ping_window);
        self.session =
            Some(Session { sid: hs.sid, upgrades: hs.upgrades, ping_window, max_payload: hs.max_payload });
        self.phase = Phase::Open;
        self.events.push_back(EngineEvent::Open);
        self.flush(shared);
        self.maybe_probe(shared);
    }

    fn maybe_probe(&mut self, shared: &mut Shared<W>) {
        let offered = self.session.as_ref().is_some_and(|s| s.upgrades.contains(&TransportKind::WebSocket));
        if self.active.kind == TransportKind::Polling
            && shared.config.upgrade
            && offered
            && shared.config.transports.contains(&TransportKind::WebSocket)
        {
            let id = shared.new_transport_id();
            let url = shared.url(TransportKind::WebSocket, self.sid());
            shared.io.push_back(Io::OpenWebSocket { id, url });
            self.probe = Some(Probe::Connecting(id));
        }
    }

    fn handle_probe_packet(&mut self, shared: &mut Shared<W>, ty: PacketType, data: &str) {
        match (self.probe, ty, data) {
            (Some(Probe::AwaitingPong(id)), PacketType::Pong, "probe") => {
                self.probe = Some(Probe::Pausing(id));
                self.try_finish_upgrade(shared);
            }
            // Anything else on a probe means the upgrade failed; polling carries on.
            _ => self.drop_probe(shared),
        }
    }

    fn drop_probe(&mut self, shared: &mut Shared<W>) {
        if let Some(probe) = self.probe.take() {
            shared.io.push_back(Io::Close { id: probe.id() });
            // Writes held for the upgrade can go out on polling again.
            self.flush(shared);
            if self.phase == Phase::Open && !self.active.get_pending {
                self.poll(shared);
            }
        }
    }

    /// Switches to the probed WebSocket once polling has no request in flight.
    fn try_finish_upgrade(&mut self, shared: &mut Shared<W>) {
        let Some(Probe::Pausing(id)) = self.probe else { return };
        if self.active.get_pending || self.active.post_pending {
            return;
        }
        self.probe = None;
        shared.io.push_back(Io::Close { id: self.active.id });
        self.active =
            Transport { id, kind: TransportKind::WebSocket, get_pending: false, post_pending: false };
        let frame = Frame::Text { head: "5".to_owned(), body: None };
        shared.io.push_back(Io::Send { id, frame });
        self.events.push_back(EngineEvent::Upgrade(TransportKind::WebSocket));
        self.flush(shared);
    }

    /// The long-polling GET on `id` returned and its body has been handled.
    pub fn handle_poll_done(&mut self, shared: &mut Shared<W>, id: TransportId) {
        if self.role(id) != Role::Active || self.active.kind != TransportKind::Polling {
            return;
        }
        self.active.get_pending = false;
        match self.probe {
            Some(Probe::Pausing(_)) => self.try_finish_upgrade(shared),
            _ if self.phase != Phase::Closed => self.poll(shared),
            _ => {}
        }
    }

    /// The POST on `id` completed successfully.
    pub fn handle_post_done(&mut self, shared: &mut Shared<W>, id: TransportId) {
        if self.role(id) != Role::Active || self.active.kind != TransportKind::Polling {
            return;
        }
        self.active.post_pending = false;
        self.flush(shared);
        self.try_finish_upgrade(shared);
    }

    fn poll(&mut self, shared: &mut Shared<W>) {
        if self.active.kind == TransportKind::Polling && !self.active.get_pending {
            self.active.get_pending = true;
            let url = shared.url(TransportKind::Polling, self.sid());
            shared.io.push_back(Io::Get { id: self.active.id, url });
        }
    }

    /// Queues a frame and writes what can be written.
    pub fn send(&mut self, shared: &mut Shared<W>, frame: Frame<W>) {
        self.send_all(shared, [frame]);
    }

    /// Queues frames that belong together (a packet and its attachments) and writes what can
    /// be written, so that polling carries them in one body when they fit.
    pub fn send_all(&mut self, shared: &mut Shared<W>, frames: impl IntoIterator<Item = Frame<W>>) {
        if self.phase == Phase::Closed {
            return;
        }
        self.buffer.extend(frames);
        self.flush(shared);
    }

    fn flush(&mut self, shared: &mut Shared<W>) {
        if self.phase != Phase::Open || matches!(self.probe, Some(Probe::Pausing(_))) {
            return;
        }
        let id = self.active.id;
        match self.active.kind {
            TransportKind::WebSocket => {
                shared.io.extend(self.buffer.drain(..).map(|frame| Io::Send { id, frame }));
            }
            TransportKind::Polling if !self.active.post_pending && !self.buffer.is_empty() => {
                let max = self.session.as_ref().map_or(0, |s| s.max_payload);
                let body = encode_polling_body(&mut self.buffer, max);
                self.active.post_pending = true;
                let url = shared.url(TransportKind::Polling, self.sid());
                shared.io.push_back(Io::Post { id, url, body });
            }
            TransportKind::Polling => {}
        }
    }

    /// Ends the session (idempotent). Polling says goodbye with a `close` packet.
    pub fn close(
        &mut self,
        shared: &mut Shared<W>,
        reason: DisconnectReason,
        description: Option<String>,
        error: Option<Error>,
    ) {
        if self.phase == Phase::Closed {
            return;
        }
        let was_open = self.phase == Phase::Open;
        self.phase = Phase::Closed;
        if let Some(probe) = self.probe.take() {
            shared.io.push_back(Io::Close { id: probe.id() });
        }
        let id = self.active.id;
        if was_open && self.active.kind == TransportKind::Polling && reason == DisconnectReason::ForcedClose {
            let url = shared.url(TransportKind::Polling, self.sid());
            shared.io.push_back(Io::Post { id, url, body: "1".to_owned() });
        }
        shared.io.push_back(Io::Close { id });
        self.buffer.clear();
        self.ping_deadline = None;
        self.events.push_back(EngineEvent::Closed { reason, description, error });
    }
}

/// Encodes as many buffered frames as fit in `max_payload` bytes (at least one) into one
/// polling body, removing them from the buffer. Same accounting as engine.io-client.
fn encode_polling_body<W: Wire>(buffer: &mut VecDeque<Frame<W>>, max_payload: usize) -> String {
    let mut body = String::new();
    let mut taken = 0;
    let mut size = 0usize;
    for frame in buffer.iter() {
        let len = match frame {
            Frame::Text { head, body } => head.len() + body.as_ref().map_or(0, W::text_utf8_len),
            Frame::Binary(b) => payload::binary_len(W::binary_to_bytes(b).len()),
        };
        size += len + usize::from(taken > 0);
        if taken > 0 && max_payload > 0 && size > max_payload {
            break;
        }
        if taken > 0 {
            body.push(payload::SEPARATOR);
        }
        match frame {
            Frame::Text { head, body: data } => {
                body.push_str(head);
                if let Some(data) = data {
                    body.push_str(&W::text_to_str(data));
                }
            }
            Frame::Binary(b) => payload::push_binary(&mut body, &W::binary_to_bytes(b)),
        }
        taken += 1;
    }
    buffer.drain(..taken);
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::wire::Native;

    fn text(head: &str, body: &str) -> Frame<Native> {
        Frame::Text { head: head.to_owned(), body: Some(body.to_owned()) }
    }

    #[test]
    fn polling_body_respects_max_payload_but_always_makes_progress() {
        let mut buf: VecDeque<Frame<Native>> =
            [text("42", "[\"a\"]"), text("42", "[\"bb\"]"), Frame::Binary(vec![1, 2, 3])].into();
        assert_eq!(encode_polling_body(&mut buf.clone(), 0), "42[\"a\"]\x1e42[\"bb\"]\x1ebAQID");
        let first = encode_polling_body(&mut buf, 10);
        assert_eq!(first, "42[\"a\"]");
        assert_eq!(buf.len(), 2);
        // A single frame larger than the limit still goes (the server decides what to do).
        let mut big: VecDeque<Frame<Native>> = [text("4", &"x".repeat(50))].into();
        assert_eq!(encode_polling_body(&mut big, 10).len(), 51);
        assert!(big.is_empty());
    }
}
