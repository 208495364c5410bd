//! Everything the driver reports: transport callbacks and received frames.

use crate::engine::{packet, payload, PacketType};
use crate::error::{Error, ProtocolError};
use crate::json;
use crate::sio::{decode_header, Header, PacketKind};
use crate::text;
use crate::time::Instant;

use super::engine::Role;
use super::event::{ConnectError, DisconnectReason, Event, SocketId, TransportId};
use super::socket::{AckTarget, Phase, Received};
use super::wire::Wire;
use super::{Client, Reassembly, State};

/// Where a received text came from: a platform value (WebSocket) or text the core holds (polling).
enum Source<'a, W: Wire> {
    Wire(W::Text),
    Str(&'a str),
}

/// Most bytes of a frame the core copies to read a packet it cannot decode from the header
/// prefix alone: the handshake, CONNECT and CONNECT_ERROR packets, other control packets.
/// Longer ones are protocol errors; a server cannot make the core copy more than this.
pub const MAX_CONTROL_PACKET: usize = 64 * 1024;

/// Most bytes read to find a Socket.IO header longer than the driver's prefix (long namespace).
const MAX_HEADER: usize = 4 * 1024;

/// What a driver found wrong with a frame before it could hand it over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadFrame {
    /// An empty record in a polling body.
    Empty,
    /// A `b` record of a polling body that is not valid base64.
    InvalidBase64,
    /// A record still growing past `max_message_size` (its end not received yet).
    TooLarge,
}

impl<W: Wire> Source<'_, W> {
    /// The packet data: the source without its first `prefix.len()` bytes.
    fn data(self, prefix: &str) -> W::Text {
        match self {
            Source::Wire(text) => W::text_skip(text, prefix),
            Source::Str(s) => W::text_from_str(s.get(prefix.len()..).unwrap_or("")),
        }
    }

    /// At most about `max` bytes of the text, and whether that is all of it.
    fn prefix(&self, max: usize) -> (String, bool) {
        let (text, whole) = match self {
            Source::Wire(text) => W::text_prefix(text, max),
            Source::Str(s) => super::wire::str_prefix(s, max),
        };
        (text.into_owned(), whole)
    }

    fn exceeds(&self, limit: usize) -> bool {
        match self {
            Source::Wire(text) => W::text_exceeds(text, limit),
            Source::Str(s) => s.len() > limit,
        }
    }
}

/// The error for a message over `max_message_size`.
fn too_large() -> Error {
    Error::TooLarge("received a message larger than maxMessageSize")
}

impl<W: Wire> Client<W> {
    /// A WebSocket opened.
    pub fn handle_transport_open(&mut self, now: Instant, id: TransportId) {
        self.with_engine(|e, shared| e.handle_transport_open(shared, id));
        self.drain_engine(now);
    }

    /// A transport failed (WebSocket `error`, network error on a request, HTTP error status).
    pub fn handle_transport_error(&mut self, now: Instant, id: TransportId, description: String) {
        self.transport_down(now, id, description, true);
    }

    /// A WebSocket closed.
    pub fn handle_transport_close(&mut self, now: Instant, id: TransportId, description: String) {
        self.transport_down(now, id, description, false);
    }

    fn transport_down(&mut self, now: Instant, id: TransportId, description: String, error: bool) {
        self.with_engine(|e, shared| e.handle_transport_down(shared, id, description, error));
        self.drain_engine(now);
    }

    /// A WebSocket text frame.
    ///
    /// `head` is the frame's text, or only its beginning when `whole` is false (a driver can
    /// avoid copying a large frame: the core reads the header from `head` and passes `text` on
    /// untouched; it asks `text` for the rest only when the header is longer than `head`).
    pub fn handle_text(&mut self, now: Instant, id: TransportId, head: &str, whole: bool, text: W::Text) {
        self.on_text(now, id, head, whole, Source::Wire(text));
        self.drain_engine(now);
    }

    /// A WebSocket binary frame (an attachment of a binary packet).
    pub fn handle_binary(&mut self, now: Instant, id: TransportId, data: W::Binary) {
        self.on_binary(now, id, data);
        self.drain_engine(now);
    }

    /// A long-polling GET finished with its whole body: `Ok(body)`, or `Err(description)`.
    ///
    /// For drivers that read bodies whole. A browser driver splits the body itself and feeds
    /// each record to [`Client::handle_text`] / [`Client::handle_binary`] as it streams in, then
    /// calls [`Client::handle_poll_end`]: the body never has to be in the core's memory at once.
    pub fn handle_poll_response(&mut self, now: Instant, id: TransportId, body: Result<&str, String>) {
        let body = match body {
            Err(description) => return self.handle_poll_end(now, id, Err(description)),
            Ok(body) => body,
        };
        for item in payload::decode(body) {
            if self.engine().is_none_or(|e| e.role(id) != Role::Active) {
                break;
            }
            match item {
                Ok(payload::Item::Text(t)) => self.on_text(now, id, t, true, Source::Str(t)),
                Ok(payload::Item::Binary(b)) => self.on_binary(now, id, W::binary_from_vec(b)),
                Err(e) => self.with_engine(|engine, shared| engine.protocol_error(shared, e)),
            }
            self.drain_engine(now);
        }
        self.handle_poll_end(now, id, Ok(()))
    }

    /// A long-polling GET ended: `Ok(())` once every record of its body has been handed over,
    /// or `Err(description)` when the request failed.
    pub fn handle_poll_end(&mut self, now: Instant, id: TransportId, result: Result<(), String>) {
        if let Err(description) = result {
            return self.transport_down(now, id, description, true);
        }
        self.with_engine(|e, shared| e.handle_poll_done(shared, id));
        self.drain_engine(now);
    }

    /// The driver could not hand over a frame of transport `id`: a protocol error, or a message
    /// over `max_message_size` still being received.
    pub fn handle_bad_frame(&mut self, now: Instant, id: TransportId, bad: BadFrame) {
        if self.engine().is_none_or(|e| e.role(id) == Role::Stale) {
            return;
        }
        let error = match bad {
            BadFrame::Empty => Error::Protocol(ProtocolError::EmptyPacket),
            BadFrame::InvalidBase64 => Error::Protocol(ProtocolError::InvalidBase64),
            BadFrame::TooLarge => too_large(),
        };
        self.transport_failed(now, error);
    }

    /// Ends the session with "transport error" because of what the server sent.
    fn transport_failed(&mut self, now: Instant, error: Error) {
        let description = error.to_string();
        self.close_engine(now, DisconnectReason::TransportError, Some(description), Some(error));
    }

    /// A polling POST finished: `Ok(())`, or `Err(description)` on failure.
    pub fn handle_post_response(&mut self, now: Instant, id: TransportId, result: Result<(), String>) {
        match result {
            Ok(()) => {
                self.with_engine(|e, shared| e.handle_post_done(shared, id));
                self.drain_engine(now);
            }
            Err(description) => self.transport_down(now, id, description, true),
        }
    }

    fn on_text(&mut self, now: Instant, id: TransportId, head: &str, whole: bool, src: Source<'_, W>) {
        let Some(engine) = self.engine_mut() else { return };
        let role = engine.role(id);
        if role == Role::Stale {
            return;
        }
        if engine.ping_expired(now) {
            return self.close_engine(now, DisconnectReason::PingTimeout, None, None);
        }
        if let Some(limit) = self.shared.config.max_message_size {
            if src.exceeds(limit) {
                return self.transport_failed(now, too_large());
            }
        }
        if role == Role::Active && head.as_bytes().first() == Some(&b'4') {
            return self.on_message(now, head, whole, src);
        }
        // Control packets are a few bytes: read them whole, within reason.
        let full;
        let text = if whole {
            head
        } else {
            let (prefix, complete) = src.prefix(MAX_CONTROL_PACKET);
            if !complete {
                let error = ProtocolError::UnexpectedPacket("control packet longer than 64 KiB");
                return self.with_engine(|engine, shared| engine.protocol_error(shared, error));
            }
            full = prefix;
            &full
        };
        self.with_engine(|engine, shared| match packet::decode_text(text) {
            Ok((PacketType::Message, _)) => {
                // A message on a probe before the upgrade completed: the probe failed.
                engine.handle_transport_down(shared, id, "unexpected message on probe".into(), true);
            }
            Ok((ty, data)) => engine.handle_control(shared, now, id, ty, data),
            Err(e) if role == Role::Probe => engine.handle_transport_down(shared, id, e.to_string(), true),
            Err(e) => engine.protocol_error(shared, e),
        });
    }

    fn on_binary(&mut self, now: Instant, id: TransportId, data: W::Binary) {
        match self.engine().map(|e| e.role(id)) {
            Some(Role::Active) => {}
            Some(Role::Probe) => {
                return self.with_engine(|e, shared| {
                    e.handle_transport_down(shared, id, "binary frame on probe".into(), true)
                });
            }
            _ => return,
        }
        if self.shared.config.max_message_size.is_some_and(|limit| W::binary_len(&data) > limit) {
            return self.transport_failed(now, too_large());
        }
        let Some(r) = self.reassembly.as_mut() else {
            return self.parse_error(now, ProtocolError::UnexpectedBinary);
        };
        r.attachments.push(data);
        if r.attachments.len() == r.expected {
            if let Some(r) = self.reassembly.take() {
                self.deliver(now, r.socket, r.kind, r.id, r.data, r.attachments);
            }
        }
    }

    /// A Socket.IO packet (`head` starts with the Engine.IO `4`).
    fn on_message(&mut self, now: Instant, head: &str, whole: bool, src: Source<'_, W>) {
        if self.reassembly.is_some() {
            return self.parse_error(now, ProtocolError::UnexpectedText);
        }
        match decode_header(text::after(head, 1), whole) {
            Ok(Some(header)) => self.on_packet(now, head, whole, header, src),
            Ok(None) => {
                // The header runs past `head` (rare: long namespaces or event names): read more.
                let (longer, whole) = src.prefix(MAX_HEADER);
                match decode_header(text::after(&longer, 1), whole) {
                    Ok(Some(header)) => self.on_packet(now, &longer, whole, header, src),
                    Ok(None) => {
                        self.parse_error(now, ProtocolError::InvalidPayload("header longer than 4 KiB"))
                    }
                    Err(e) => self.parse_error(now, e),
                }
            }
            Err(e) => self.parse_error(now, e),
        }
    }

    /// The packet whose header is `h`, decoded from `frame` (all of it when `whole`).
    fn on_packet(&mut self, now: Instant, frame: &str, whole: bool, h: Header<'_>, src: Source<'_, W>) {
        let sio = text::after(frame, 1);
        let Some(i) = self.sockets.iter().position(|s| s.nsp == h.nsp && s.is_active()) else {
            // No socket for that namespace (any more): nothing to do, as socket.io-client.
            return;
        };
        let has_data = h.data_start < sio.len();
        let prefix = text::before(frame, 1 + h.data_start.min(sio.len()));
        match h.kind {
            PacketKind::Connect | PacketKind::ConnectError => {
                // Small packets, read whole (within reason).
                let full;
                let frame = if whole {
                    frame
                } else {
                    let (text, complete) = src.prefix(MAX_CONTROL_PACKET);
                    if !complete {
                        let e = ProtocolError::InvalidPayload("CONNECT packet longer than 64 KiB");
                        return self.parse_error(now, e);
                    }
                    full = text;
                    &full
                };
                let data = frame.get(prefix.len()..).unwrap_or("");
                if h.kind == PacketKind::Connect {
                    self.on_connect_packet(now, i, data);
                } else {
                    self.on_connect_error_packet(now, i, data);
                }
            }
            PacketKind::Disconnect => {
                self.sockets[i].phase = Phase::Inactive;
                self.on_socket_closed(i, DisconnectReason::ServerDisconnect, None);
                self.close_if_unused(now);
            }
            PacketKind::Event | PacketKind::Ack | PacketKind::BinaryEvent | PacketKind::BinaryAck => {
                let data = if has_data { src.data(prefix) } else { W::text_from_str("[]") };
                if h.kind.is_binary() {
                    let kind =
                        if h.kind == PacketKind::BinaryEvent { PacketKind::Event } else { PacketKind::Ack };
                    self.reassembly = Some(Reassembly {
                        socket: i,
                        kind,
                        id: h.id,
                        data,
                        expected: h.attachments,
                        attachments: Vec::with_capacity(h.attachments),
                    });
                } else {
                    self.deliver(now, i, h.kind, h.id, data, Vec::new());
                }
            }
        }
    }

    fn deliver(
        &mut self,
        now: Instant,
        i: usize,
        kind: PacketKind,
        id: Option<u64>,
        data: W::Text,
        attachments: Vec<W::Binary>,
    ) {
        let socket = SocketId(i);
        if kind == PacketKind::Event {
            match self.sockets[i].phase {
                Phase::Connected { .. } => {
                    self.events.push_back(Event::Message { socket, data, attachments, ack: id })
                }
                Phase::Joining { .. } => {
                    if self.sockets[i].receive_buffer.len() >= self.shared.config.max_early_events {
                        let error =
                            Error::TooLarge("more events before the CONNECT answer than maxEarlyEvents");
                        return self.transport_failed(now, error);
                    }
                    self.sockets[i].receive_buffer.push_back(Received { data, attachments, ack: id })
                }
                _ => {}
            }
            return;
        }
        // An acknowledgement: an unknown id (answered twice, timed out) is ignored.
        let Some(pending) = id.and_then(|id| self.sockets[i].acks.remove(&id)) else { return };
        match pending.target {
            AckTarget::User(ack) => {
                self.events.push_back(Event::AckResponse { socket, ack, result: Ok((data, attachments)) })
            }
            AckTarget::Queue(seq) => {
                let s = &mut self.sockets[i];
                if s.queue.front().is_some_and(|h| h.seq == seq) {
                    if let Some(head) = s.queue.pop_front() {
                        if let Some(ack) = head.ack {
                            self.events.push_back(Event::AckResponse {
                                socket,
                                ack,
                                result: Ok((data, attachments)),
                            });
                        }
                    }
                }
                self.drain_queue(now, i, false);
            }
        }
    }

    fn on_connect_packet(&mut self, now: Instant, i: usize, data: &str) {
        let fields = json::parse_object(data).ok();
        let sid = fields.as_deref().and_then(|f| json::field(f, "sid")).and_then(|v| v.as_str());
        let Some(sid) = sid.filter(|s| !s.is_empty()) else {
            // What a v2 server (or a broken one) answers.
            self.sockets[i].phase = Phase::Inactive;
            let error = Error::Protocol(ProtocolError::InvalidPayload(
                "CONNECT answer without sid (is the server Socket.IO v3 or later?)",
            ));
            self.events.push_back(Event::ConnectError {
                socket: SocketId(i),
                error: ConnectError::Connection(error),
            });
            return self.close_if_unused(now);
        };
        let pid = fields
            .as_deref()
            .and_then(|f| json::field(f, "pid"))
            .and_then(|v| v.as_str())
            .map(|p| p.into_owned());
        let s = &mut self.sockets[i];
        if !matches!(s.phase, Phase::Joining { .. }) {
            return; // An answer nobody asked for.
        }
        s.recovered = pid.is_some() && s.pid == pid;
        if !s.recovered {
            s.last_offset = None;
        }
        s.pid = pid;
        s.phase = Phase::Connected { sid: sid.into_owned() };
        // socket.io-client order: events received early are delivered, buffered emits go out,
        // the retry queue resumes, then `connect`.
        for r in std::mem::take(&mut self.sockets[i].receive_buffer) {
            let socket = SocketId(i);
            self.events.push_back(Event::Message {
                socket,
                data: r.data,
                attachments: r.attachments,
                ack: r.ack,
            });
        }
        while let Some(packet) = self.sockets[i].send_buffer.pop_front() {
            self.write_event(i, packet);
        }
        self.drain_queue(now, i, true);
        self.events.push_back(Event::Connect { socket: SocketId(i) });
    }

    fn on_connect_error_packet(&mut self, now: Instant, i: usize, data: &str) {
        let (message, extra) = match json::parse_object(data) {
            Ok(fields) => {
                let message = json::field(&fields, "message").and_then(|v| v.as_str());
                let extra = json::field(&fields, "data").filter(|v| !v.is_null());
                (message.map(|m| m.into_owned()), extra.map(|v| W::text_from_str(v.text())))
            }
            // Older servers send the message as a bare JSON string.
            Err(_) => (json::string_prefix(data).ok().flatten().map(|(m, _)| m.into_owned()), None),
        };
        self.sockets[i].phase = Phase::Inactive;
        let error = ConnectError::Refused {
            message: message.unwrap_or_else(|| "connection refused by the server".to_owned()),
            data: extra,
        };
        self.events.push_back(Event::ConnectError { socket: SocketId(i), error });
        self.close_if_unused(now);
    }

    /// The server sent an undecodable Socket.IO packet: close with "parse error", as
    /// socket.io-client does, and let reconnection take over.
    fn parse_error(&mut self, now: Instant, error: ProtocolError) {
        let description = error.to_string();
        self.close_engine(now, DisconnectReason::ParseError, Some(description), Some(Error::Protocol(error)));
    }

    /// The driver could not parse the JSON of a delivered event (it found it invalid).
    pub fn handle_invalid_payload(&mut self, now: Instant, why: &'static str) {
        if matches!(self.state, State::Open { .. }) {
            self.parse_error(now, ProtocolError::InvalidPayload(why));
        }
    }
}
