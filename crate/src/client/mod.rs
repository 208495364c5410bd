//! The connection state machine: one Engine.IO session and the namespace sockets sharing it.
//!
//! [`Client`] plays the roles socket.io-client splits into Manager (session, reconnection,
//! namespaces) and Socket (acks, buffers, retry queue), without owning any I/O: it owns no
//! socket, no timer and no clock. Its methods come in four kinds, as in quinn-proto:
//!
//! - **getters** (`is_connected`, `socket_sid`, …) read state;
//! - **`handle_*`** feed it what happened: transport callbacks and timer expiries, each with the
//!   current time;
//! - **commands** (`open`, `close`, `connect`, `disconnect`, `emit`, `send_ack`) are user calls;
//! - **`poll_*`** return what it wants done: [`Client::poll_io`] (network work),
//!   [`Client::poll_event`] (things to tell the user) and [`Client::poll_timeout`] (when to call
//!   `handle_timeout` next).
//!
//! After any `handle_*` or command, a driver drains `poll_io` until `None`, then `poll_event`
//! until `None` (user callbacks run there, after the state change is complete, so a throwing
//! listener cannot corrupt it), then re-arms its single timer from `poll_timeout`.

mod config;
mod engine;
mod event;
mod inbound;
mod shared;
mod socket;
mod url;
mod wire;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use core::time::Duration;

use crate::backoff::Backoff;
use crate::error::{Error, TransportKind};
use crate::sio::{write_header, PacketKind};
use crate::time::Instant;

pub use config::{Config, DEFAULT_MAX_EARLY_EVENTS};
pub use event::{AckError, ConnectError, DisconnectReason, Event, Frame, Io, SocketId, TransportId};
pub use inbound::{BadFrame, MAX_CONTROL_PACKET};
pub use url::Endpoint;
pub use wire::{Native, Wire};

use engine::{Engine, EngineEvent};
use shared::Shared;
use socket::{AckTarget, Packet, Phase, Socket};

/// Capacity an emptied queue may keep; a larger one is released.
const RETAINED_QUEUE: usize = 256;

/// Where the session is.
enum State<W: Wire> {
    /// No session and nothing scheduled.
    Idle,
    /// A session is being opened; `attempt` is the reconnection attempt it belongs to.
    Opening { engine: Engine<W>, deadline: Option<Instant>, attempt: Option<u32> },
    /// The session is open.
    Open { engine: Engine<W> },
    /// Waiting before the next reconnection attempt.
    Waiting { until: Instant },
}

/// A binary packet whose attachments are still arriving.
struct Reassembly<W: Wire> {
    socket: usize,
    kind: PacketKind,
    id: Option<u64>,
    data: W::Text,
    expected: usize,
    attachments: Vec<W::Binary>,
}

/// What to send with an event.
#[derive(Debug)]
pub struct Emit<W: Wire> {
    /// JSON array text: `["event", ...args]`, binary arguments replaced by placeholders.
    pub data: W::Text,
    /// Binary arguments, in placeholder order.
    pub attachments: Vec<W::Binary>,
    /// Callback for the server's acknowledgement.
    pub ack: Option<W::Ack>,
    /// Acknowledgement timeout for this emit (overrides the `ack_timeout` option).
    pub timeout: Option<Duration>,
    /// Drop the packet rather than buffer it when it cannot be written right away.
    pub volatile: bool,
    /// Drop the packet rather than keep it for the next connection when the socket is not
    /// connected (unlike `volatile`, a write the current session can still carry is kept). For
    /// callers that re-send by themselves after reconnecting.
    pub session_only: bool,
}

/// A Socket.IO client connection, free of I/O. See the module documentation for how to drive it.
pub struct Client<W: Wire> {
    shared: Shared<W>,
    state: State<W>,
    backoff: Backoff,
    sockets: Vec<Socket<W>>,
    reassembly: Option<Reassembly<W>>,
    /// Acknowledgement deadlines (lazily cleaned: entries whose ack is gone are skipped).
    ack_deadlines: BinaryHeap<Reverse<(Instant, usize, u64)>>,
    events: VecDeque<Event<W>>,
    /// A reconnection loop is running (socket.io-client's `_reconnecting`).
    reconnecting: bool,
    /// The user closed the connection: do not reconnect.
    skip_reconnect: bool,
}

impl<W: Wire> Client<W> {
    /// A client for `endpoint`; `seed` feeds the jitter and request tokens (use real randomness).
    pub fn new(config: Config, endpoint: Endpoint, seed: u64) -> Result<Self, Error> {
        let config = config.validate()?;
        let backoff = Backoff::new(
            config.reconnection_delay,
            config.reconnection_delay_max,
            config.randomization_factor,
        );
        Ok(Client {
            shared: Shared::new(config, endpoint, seed),
            state: State::Idle,
            backoff,
            sockets: Vec::new(),
            reassembly: None,
            ack_deadlines: BinaryHeap::new(),
            events: VecDeque::new(),
            reconnecting: false,
            skip_reconnect: false,
        })
    }

    // ---- getters ----

    /// The options in force.
    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    /// Whether nothing is going on: no session, no reconnection scheduled.
    pub fn is_idle(&self) -> bool {
        matches!(self.state, State::Idle)
    }

    /// Whether the Engine.IO session is open.
    pub fn is_open(&self) -> bool {
        matches!(self.state, State::Open { .. })
    }

    /// When the next reconnection attempt starts, while waiting for it.
    pub fn reconnect_at(&self) -> Option<Instant> {
        match self.state {
            State::Waiting { until } => Some(until),
            _ => None,
        }
    }

    /// Reconnection attempts made since the last successful connection.
    pub fn reconnect_attempts(&self) -> u32 {
        self.backoff.attempts()
    }

    /// Whether a reconnection loop is running.
    pub fn is_reconnecting(&self) -> bool {
        self.reconnecting
    }

    /// The transport carrying the session, when there is one.
    pub fn transport(&self) -> Option<TransportKind> {
        self.engine().map(Engine::transport)
    }

    /// The Engine.IO session id, once the handshake is done.
    pub fn engine_sid(&self) -> Option<&str> {
        self.engine().and_then(Engine::sid)
    }

    /// Whether a socket for namespace `nsp` exists (active or not).
    pub fn has_socket(&self, nsp: &str) -> bool {
        self.sockets.iter().any(|s| s.nsp == nsp)
    }

    /// The socket's namespace.
    pub fn socket_nsp(&self, socket: SocketId) -> &str {
        &self.sockets[socket.0].nsp
    }

    /// Whether the socket has joined its namespace.
    pub fn socket_connected(&self, socket: SocketId) -> bool {
        self.sockets.get(socket.0).is_some_and(Socket::is_connected)
    }

    /// Whether the socket is connected or trying to be (socket.io-client's `active`).
    pub fn socket_active(&self, socket: SocketId) -> bool {
        self.sockets.get(socket.0).is_some_and(Socket::is_active)
    }

    /// The socket id the server gave (only while connected).
    pub fn socket_sid(&self, socket: SocketId) -> Option<&str> {
        self.sockets.get(socket.0).and_then(Socket::sid)
    }

    /// Whether the last connection restored the previous session's state.
    pub fn socket_recovered(&self, socket: SocketId) -> bool {
        self.sockets.get(socket.0).is_some_and(|s| s.recovered)
    }

    /// Whether the server enabled connection state recovery for this socket (offsets matter).
    pub fn socket_tracks_offsets(&self, socket: SocketId) -> bool {
        self.sockets.get(socket.0).is_some_and(|s| s.pid.is_some())
    }

    /// Emits waiting for the connection (buffered) or for their acknowledgement (retry queue).
    pub fn socket_pending(&self, socket: SocketId) -> usize {
        self.sockets.get(socket.0).map_or(0, |s| s.send_buffer.len() + s.queue.len())
    }

    fn engine(&self) -> Option<&Engine<W>> {
        match &self.state {
            State::Opening { engine, .. } | State::Open { engine } => Some(engine),
            _ => None,
        }
    }

    fn engine_mut(&mut self) -> Option<&mut Engine<W>> {
        match &mut self.state {
            State::Opening { engine, .. } | State::Open { engine } => Some(engine),
            _ => None,
        }
    }

    /// Runs `f` on the engine (if there is a session) with the shared state beside it.
    fn with_engine(&mut self, f: impl FnOnce(&mut Engine<W>, &mut Shared<W>)) {
        if let State::Opening { engine, .. } | State::Open { engine } = &mut self.state {
            f(engine, &mut self.shared);
        }
    }

    // ---- polls ----

    /// Network work for the driver, in order.
    #[must_use = "the driver must perform every Io"]
    pub fn poll_io(&mut self) -> Option<Io<W>> {
        self.shared.io.pop_front()
    }

    /// The next thing to tell the user.
    #[must_use = "events carry user callbacks and data"]
    pub fn poll_event(&mut self) -> Option<Event<W>> {
        let event = self.events.pop_front();
        if event.is_none() && self.events.capacity() > RETAINED_QUEUE {
            // A burst (early events released at once) must not stay allocated.
            self.events = VecDeque::new();
        }
        event
    }

    /// The next event, without taking it (a driver may handle some kinds on a faster path).
    pub fn peek_event(&self) -> Option<&Event<W>> {
        self.events.front()
    }

    /// How many events and network operations are waiting to be polled.
    pub fn pending_outputs(&self) -> (usize, usize) {
        (self.events.len(), self.shared.io.len())
    }

    /// When `handle_timeout` must next be called, if ever.
    #[must_use = "the driver must arm a timer for this instant"]
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        // Drop deadlines of acks that were answered meanwhile.
        while let Some(Reverse((at, socket, id))) = self.ack_deadlines.peek().copied() {
            let live = self.sockets[socket].acks.get(&id).is_some_and(|a| a.deadline == Some(at));
            if live {
                break;
            }
            self.ack_deadlines.pop();
        }
        let ack = self.ack_deadlines.peek().map(|Reverse((at, _, _))| *at);
        let state = match &self.state {
            State::Idle => None,
            State::Opening { deadline, .. } => *deadline,
            State::Open { engine } => engine.next_timeout(),
            State::Waiting { until } => Some(*until),
        };
        [ack, state, self.next_join_deadline()].into_iter().flatten().min()
    }

    // ---- commands ----

    /// Returns the socket for namespace `nsp`, creating it (inactive) on first use.
    ///
    /// `auth` is the CONNECT payload as JSON object text.
    pub fn socket(&mut self, nsp: &str, auth: Option<String>) -> SocketId {
        let nsp = if nsp.is_empty() { "/" } else { nsp };
        if let Some(i) = self.sockets.iter().position(|s| s.nsp == nsp) {
            if auth.is_some() {
                self.sockets[i].auth = auth;
            }
            return SocketId(i);
        }
        self.sockets.push(Socket::new(nsp.to_owned(), auth));
        SocketId(self.sockets.len() - 1)
    }

    /// Replaces the CONNECT payload used from the next connection on.
    pub fn set_auth(&mut self, socket: SocketId, auth: Option<String>) {
        self.sockets[socket.0].auth = auth;
    }

    /// Asks for `Event::Sent` for every packet this socket writes.
    pub fn set_notify_outgoing(&mut self, socket: SocketId, on: bool) {
        self.sockets[socket.0].notify_outgoing = on;
    }

    /// Records the offset of the last event received, for connection state recovery.
    pub fn record_offset(&mut self, socket: SocketId, offset: String) {
        self.sockets[socket.0].last_offset = Some(offset);
    }

    /// Opens the session unless it is open, opening, or waiting to reconnect.
    pub fn open(&mut self, now: Instant) {
        if matches!(self.state, State::Idle) {
            self.skip_reconnect = false;
            self.start_engine(now, None);
        }
    }

    /// Starts the scheduled reconnection attempt now instead of at the end of its delay
    /// (a "retry now" button, or a background worker woken up after its timers died).
    pub fn retry_now(&mut self, now: Instant) {
        if let State::Waiting { until } = &mut self.state {
            *until = now;
            self.handle_timeout(now);
        }
    }

    fn start_engine(&mut self, now: Instant, attempt: Option<u32>) {
        let engine = Engine::open(&mut self.shared);
        let deadline = self.shared.config.timeout.map(|t| now + t);
        self.state = State::Opening { engine, deadline, attempt };
    }

    /// Closes the session for good: no reconnection until `open` or `connect` is called again.
    pub fn close(&mut self, now: Instant) {
        self.skip_reconnect = true;
        self.reconnecting = false;
        if self.engine().is_some() {
            self.with_engine(|e, shared| e.close(shared, DisconnectReason::ForcedClose, None, None));
            self.drain_engine(now);
        } else {
            self.state = State::Idle;
            self.backoff.reset();
        }
    }

    /// Connects a socket to its namespace (opening the session if needed).
    pub fn connect(&mut self, now: Instant, socket: SocketId) {
        let s = &mut self.sockets[socket.0];
        if s.is_connected() {
            return;
        }
        if !s.is_active() {
            s.phase = Phase::Connecting;
        }
        if !self.reconnecting {
            self.open(now);
        }
        if self.is_open() {
            self.send_connect(now, socket.0);
        }
    }

    /// Leaves the namespace; closes the session when no socket is left.
    pub fn disconnect(&mut self, now: Instant, socket: SocketId) {
        let was_connected = self.sockets[socket.0].is_connected();
        if was_connected {
            self.send_packet_head(socket.0, PacketKind::Disconnect, 0, None, None, Vec::new());
        }
        self.sockets[socket.0].phase = Phase::Inactive;
        if was_connected {
            self.on_socket_closed(socket.0, DisconnectReason::ClientDisconnect, None);
        }
        self.close_if_unused(now);
    }

    /// Sends an event. With `retries` set, non-volatile emits go through the retry queue.
    ///
    /// Fails with [`Error::BufferFull`] (and changes nothing) when the emit would have to wait
    /// in a full offline buffer or retry queue (`max_buffered_emits`, `max_retry_queue`).
    pub fn emit(&mut self, now: Instant, socket: SocketId, emit: Emit<W>) -> Result<(), Error> {
        let i = socket.0;
        let config = &self.shared.config;
        if config.retries > 0 && !emit.volatile {
            if config.max_retry_queue.is_some_and(|max| self.sockets[i].queue.len() >= max) {
                return Err(Error::BufferFull("the retry queue is full (maxRetryQueue)"));
            }
            let timeout = emit.timeout.or(config.ack_timeout);
            self.sockets[i].push_queued(emit.data, emit.attachments, emit.ack, timeout);
            self.drain_queue(now, i, false);
            return Ok(());
        }
        let timeout = emit.timeout.or(config.ack_timeout);
        if emit.session_only {
            if self.engine().is_some_and(|e| e.ping_expired(now)) {
                self.close_engine(now, DisconnectReason::PingTimeout, None, None);
                return Ok(());
            }
            if !(self.is_open() && self.sockets[i].is_connected()) {
                return Ok(());
            }
        }
        let connected = self.is_open() && self.sockets[i].is_connected();
        let full =
            self.shared.config.max_buffered_emits.is_some_and(|max| self.sockets[i].send_buffer.len() >= max);
        // A volatile emit is dropped rather than buffered, so it never finds the buffer full.
        if !emit.volatile && !connected && full {
            return Err(Error::BufferFull("the offline buffer is full (maxBufferedEmits)"));
        }
        let target = emit.ack.map(AckTarget::User);
        self.emit_packet(now, i, emit.data, emit.attachments, target, timeout, emit.volatile);
        Ok(())
    }

    /// Answers an event from the server that asked for an acknowledgement.
    pub fn send_ack(&mut self, socket: SocketId, id: u64, data: W::Text, attachments: Vec<W::Binary>) {
        if self.sockets[socket.0].is_connected() {
            let kind = if attachments.is_empty() { PacketKind::Ack } else { PacketKind::BinaryAck };
            self.send_packet_head(socket.0, kind, attachments.len(), Some(id), Some(data), attachments);
        }
    }

    /// Writes an EVENT now, buffers it, or (volatile) drops it.
    #[allow(clippy::too_many_arguments)]
    fn emit_packet(
        &mut self,
        now: Instant,
        i: usize,
        data: W::Text,
        attachments: Vec<W::Binary>,
        target: Option<AckTarget<W>>,
        timeout: Option<Duration>,
        volatile: bool,
    ) -> bool {
        let expired = self.engine().is_some_and(|e| e.ping_expired(now));
        let writable = !expired && matches!(&self.state, State::Open { engine } if engine.writable());
        let connected = !expired && self.is_open() && self.sockets[i].is_connected();
        let from_queue = matches!(target, Some(AckTarget::Queue(_)));
        if from_queue && !connected {
            // Queued emits wait in the queue itself, not in the send buffer.
            return false;
        }
        let ack_id = target.map(|t| {
            let deadline = timeout.map(|t| now + t);
            let id = self.sockets[i].register_ack(t, deadline);
            if let Some(at) = deadline {
                self.ack_deadlines.push(Reverse((at, i, id)));
            }
            id
        });
        let sent = if volatile && !writable {
            false
        } else if connected {
            self.write_event(i, Packet { ack_id, data, attachments });
            true
        } else {
            self.sockets[i].send_buffer.push_back(Packet { ack_id, data, attachments });
            false
        };
        if expired {
            self.close_engine(now, DisconnectReason::PingTimeout, None, None);
        }
        sent
    }

    fn write_event(&mut self, i: usize, packet: Packet<W>) {
        if self.sockets[i].notify_outgoing {
            self.events.push_back(Event::Sent { socket: SocketId(i), data: packet.data.clone() });
        }
        let n = packet.attachments.len();
        let kind = if n == 0 { PacketKind::Event } else { PacketKind::BinaryEvent };
        self.send_packet_head(i, kind, n, packet.ack_id, Some(packet.data), packet.attachments);
    }

    /// Frames one Socket.IO packet and hands it to the engine.
    fn send_packet_head(
        &mut self,
        i: usize,
        kind: PacketKind,
        attachments: usize,
        id: Option<u64>,
        body: Option<W::Text>,
        binaries: Vec<W::Binary>,
    ) {
        let State::Open { engine } = &mut self.state else { return };
        let mut head = String::with_capacity(8 + self.sockets[i].nsp.len());
        head.push('4');
        write_header(&mut head, kind, attachments, &self.sockets[i].nsp, id);
        let frames =
            std::iter::once(Frame::Text { head, body }).chain(binaries.into_iter().map(Frame::Binary));
        engine.send_all(&mut self.shared, frames);
    }

    /// Sends the socket's CONNECT if it has not gone out on this session; the answer is then
    /// awaited until the `timeout` option runs out.
    fn send_connect(&mut self, now: Instant, i: usize) {
        let deadline = self.shared.config.timeout.map(|t| now + t);
        let s = &mut self.sockets[i];
        if s.phase == Phase::Connecting {
            s.phase = Phase::Joining { deadline };
            let body = s.connect_payload().map(|p| W::text_from_str(&p));
            self.send_packet_head(i, PacketKind::Connect, 0, None, body, Vec::new());
        }
    }

    /// Sends the head of the retry queue if nothing is in flight (or `force`, after a reconnect).
    fn drain_queue(&mut self, now: Instant, i: usize, force: bool) {
        let s = &mut self.sockets[i];
        if !s.is_connected() {
            return;
        }
        let Some(head) = s.queue.front_mut() else { return };
        if head.in_flight && !force {
            return;
        }
        head.in_flight = true;
        let (seq, data, attachments, timeout) =
            (head.seq, head.data.clone(), head.attachments.clone(), head.timeout);
        let sent = self.emit_packet(now, i, data, attachments, Some(AckTarget::Queue(seq)), timeout, false);
        if !sent {
            if let Some(head) = self.sockets[i].queue.front_mut() {
                head.in_flight = false;
            }
        }
    }

    // ---- internal transitions ----

    /// Closes the session because of `reason` (no-op without one).
    fn close_engine(
        &mut self,
        now: Instant,
        reason: DisconnectReason,
        description: Option<String>,
        error: Option<Error>,
    ) {
        self.with_engine(|e, shared| e.close(shared, reason, description, error));
        self.drain_engine(now);
    }

    /// Applies what the engine reported.
    fn drain_engine(&mut self, now: Instant) {
        loop {
            let event = match self.engine_mut() {
                Some(engine) => engine.poll_event(),
                None => None,
            };
            match event {
                None => return,
                Some(EngineEvent::Open) => self.on_open(now),
                Some(EngineEvent::Ping) => self.events.push_back(Event::Ping),
                Some(EngineEvent::Upgrade(kind)) => self.events.push_back(Event::Upgrade(kind)),
                Some(EngineEvent::Closed { reason, description, error }) => {
                    self.on_engine_closed(now, reason, description, error)
                }
            }
        }
    }

    fn on_open(&mut self, now: Instant) {
        let State::Opening { attempt, .. } = self.state else { return };
        let State::Opening { engine, .. } = std::mem::replace(&mut self.state, State::Idle) else {
            return;
        };
        self.state = State::Open { engine };
        self.events.push_back(Event::Open);
        for i in 0..self.sockets.len() {
            self.send_connect(now, i);
        }
        if let Some(attempt) = attempt {
            self.reconnecting = false;
            self.backoff.reset();
            self.events.push_back(Event::Reconnect(attempt));
        }
    }

    fn on_engine_closed(
        &mut self,
        now: Instant,
        reason: DisconnectReason,
        description: Option<String>,
        error: Option<Error>,
    ) {
        let previous = std::mem::replace(&mut self.state, State::Idle);
        self.reassembly = None;
        for s in &mut self.sockets {
            s.receive_buffer = VecDeque::new();
            if let Phase::Joining { .. } = s.phase {
                s.phase = Phase::Connecting;
            }
        }
        match previous {
            State::Opening { attempt, .. } => {
                // Opening failed: socket.io-client's Manager `onError` path.
                let error = error.unwrap_or_else(|| Error::Transport {
                    kind: self.shared.config.transports[0],
                    description: description.unwrap_or_else(|| "closed before the handshake".into()),
                });
                self.report_error(&error);
                if reason == DisconnectReason::ForcedClose && self.skip_reconnect {
                    return;
                }
                match attempt {
                    Some(_) => {
                        self.reconnecting = false;
                        self.events.push_back(Event::ReconnectError(error));
                        self.reconnect(now);
                    }
                    None if self.backoff.attempts() == 0 => self.reconnect(now),
                    None => {}
                }
            }
            State::Open { .. } => {
                if let Some(error) = &error {
                    self.report_error(error);
                }
                self.backoff.reset();
                self.events.push_back(Event::Close { reason, description: description.clone() });
                for i in 0..self.sockets.len() {
                    if self.sockets[i].is_connected() {
                        self.sockets[i].phase = Phase::Connecting;
                        self.on_socket_closed(i, reason, description.clone());
                    }
                }
                if reason.is_recoverable() {
                    self.reconnect(now);
                }
            }
            other => self.state = other,
        }
    }

    /// Manager `error`, and `connect_error` on each socket still waiting to connect.
    fn report_error(&mut self, error: &Error) {
        self.events.push_back(Event::Error(error.clone()));
        for (i, s) in self.sockets.iter().enumerate() {
            if matches!(s.phase, Phase::Connecting | Phase::Joining { .. }) {
                self.events.push_back(Event::ConnectError {
                    socket: SocketId(i),
                    error: ConnectError::Connection(error.clone()),
                });
            }
        }
    }

    /// Schedules the next reconnection attempt, or gives up.
    fn reconnect(&mut self, now: Instant) {
        if self.reconnecting || self.skip_reconnect || !self.shared.config.reconnection {
            return;
        }
        if !self.sockets.iter().any(Socket::is_active) {
            return;
        }
        if self.backoff.attempts() >= self.shared.config.reconnection_attempts {
            self.backoff.reset();
            self.events.push_back(Event::ReconnectFailed);
            return;
        }
        let delay = self.backoff.next_delay(&mut self.shared.rng);
        self.reconnecting = true;
        self.state = State::Waiting { until: now + delay };
    }

    /// A socket left its namespace: tell the user and settle its acknowledgements.
    fn on_socket_closed(&mut self, i: usize, reason: DisconnectReason, description: Option<String>) {
        self.events.push_back(Event::Disconnect { socket: SocketId(i), reason, description });
        let s = &mut self.sockets[i];
        s.recovered = false;
        // Acks of packets still buffered survive: those packets go out on the next connection.
        let buffered: Vec<u64> = s.send_buffer.iter().filter_map(|p| p.ack_id).collect();
        let dropped: Vec<u64> = s.acks.keys().copied().filter(|id| !buffered.contains(id)).collect();
        for id in dropped {
            let Some(pending) = self.sockets[i].acks.remove(&id) else { continue };
            match pending.target {
                AckTarget::User(ack) => self.events.push_back(Event::AckResponse {
                    socket: SocketId(i),
                    ack,
                    result: Err(Error::Disconnected),
                }),
                // The queue re-sends its head once connected again.
                AckTarget::Queue(_) => {
                    if let Some(head) = self.sockets[i].queue.front_mut() {
                        head.in_flight = false;
                    }
                }
            }
        }
    }

    /// socket.io-client's `Manager._destroy`: close the session once no socket wants it.
    fn close_if_unused(&mut self, now: Instant) {
        if !self.sockets.iter().any(Socket::is_active) {
            self.close(now);
        }
    }

    // ---- timers ----

    /// Runs whatever timers are due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        match &mut self.state {
            State::Opening { deadline: Some(at), .. } if now >= *at => {
                self.close_engine(now, DisconnectReason::TransportError, None, Some(Error::ConnectTimeout));
            }
            State::Open { engine } => {
                engine.handle_timeout(&mut self.shared, now);
                self.drain_engine(now);
            }
            State::Waiting { until } if now >= *until => {
                self.state = State::Idle;
                let attempt = self.backoff.attempts();
                self.events.push_back(Event::ReconnectAttempt(attempt));
                if self.skip_reconnect {
                    self.reconnecting = false;
                } else {
                    self.start_engine(now, Some(attempt));
                }
            }
            _ => {}
        }
        self.expire_joins(now);
        self.expire_acks(now);
    }

    /// The earliest deadline of a CONNECT answer still awaited on the open session.
    fn next_join_deadline(&self) -> Option<Instant> {
        if !self.is_open() {
            return None;
        }
        self.sockets
            .iter()
            .filter_map(|s| match s.phase {
                Phase::Joining { deadline } => deadline,
                _ => None,
            })
            .min()
    }

    /// Sockets whose CONNECT answer did not come in time give up (`connect_error`
    /// `CONNECT_TIMEOUT`), as after a refusal: the session is closed once no socket wants it.
    fn expire_joins(&mut self, now: Instant) {
        if !self.is_open() {
            return;
        }
        let mut expired = false;
        for i in 0..self.sockets.len() {
            if let Phase::Joining { deadline: Some(at) } = self.sockets[i].phase {
                if now >= at {
                    self.sockets[i].phase = Phase::Inactive;
                    self.sockets[i].receive_buffer = VecDeque::new();
                    self.events.push_back(Event::ConnectError {
                        socket: SocketId(i),
                        error: ConnectError::Connection(Error::ConnectTimeout),
                    });
                    expired = true;
                }
            }
        }
        if expired {
            self.close_if_unused(now);
        }
    }

    fn expire_acks(&mut self, now: Instant) {
        while let Some(Reverse((at, i, id))) = self.ack_deadlines.peek().copied() {
            if at > now {
                break;
            }
            self.ack_deadlines.pop();
            let live = self.sockets[i].acks.get(&id).is_some_and(|a| a.deadline == Some(at));
            if !live {
                continue;
            }
            let Some(pending) = self.sockets[i].acks.remove(&id) else { continue };
            // A packet that never left has nothing to wait for any more.
            self.sockets[i].send_buffer.retain(|p| p.ack_id != Some(id));
            match pending.target {
                AckTarget::User(ack) => self.events.push_back(Event::AckResponse {
                    socket: SocketId(i),
                    ack,
                    result: Err(Error::AckTimeout),
                }),
                AckTarget::Queue(seq) => self.queue_attempt_failed(now, i, seq),
            }
        }
    }

    fn queue_attempt_failed(&mut self, now: Instant, i: usize, seq: u64) {
        let retries = self.shared.config.retries;
        let s = &mut self.sockets[i];
        let Some(head) = s.queue.front_mut().filter(|h| h.seq == seq) else { return };
        head.failures += 1;
        head.in_flight = false;
        if head.failures > retries {
            let Some(head) = s.queue.pop_front() else { return };
            if let Some(ack) = head.ack {
                self.events.push_back(Event::AckResponse {
                    socket: SocketId(i),
                    ack,
                    result: Err(Error::AckTimeout),
                });
            }
        }
        self.drain_queue(now, i, false);
    }
}
