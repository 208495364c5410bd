//! A virtual-clock harness around the sans-IO client: the test plays the server.

#![allow(dead_code)]

use eliza_socketio::client::{
    Client, Config, Emit, Endpoint, Event, Frame, Io, Native, SocketId, TransportId,
};
use eliza_socketio::time::Instant;

pub const HANDSHAKE_WS: &str =
    r#"0{"sid":"S1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;
pub const HANDSHAKE_POLLING: &str =
    r#"0{"sid":"S1","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;

/// What the driver was asked to do, flattened for assertions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Net {
    OpenWs(TransportId, String),
    Get(TransportId, String),
    Post(TransportId, String),
    SendText(TransportId, String),
    SendBinary(TransportId, Vec<u8>),
    Close(TransportId),
}

pub struct Harness {
    pub client: Client<Native>,
    pub now: Instant,
    pub net: Vec<Net>,
    pub events: Vec<Event<Native>>,
}

impl Harness {
    pub fn new(config: Config) -> Self {
        let endpoint = Endpoint::new("http", "localhost", Some(3000)).unwrap();
        Harness {
            client: Client::new(config, endpoint, 42).unwrap(),
            now: Instant::from_millis(1_000),
            net: Vec::new(),
            events: Vec::new(),
        }
    }

    pub fn websocket_only() -> Self {
        Self::new(Config { transports: vec![eliza_socketio::TransportKind::WebSocket], ..Config::default() })
    }

    /// Collects everything the client wants done and wants said.
    pub fn pump(&mut self) {
        while let Some(io) = self.client.poll_io() {
            self.net.push(match io {
                Io::OpenWebSocket { id, url } => Net::OpenWs(id, url),
                Io::Get { id, url } => Net::Get(id, url),
                Io::Post { id, body, .. } => Net::Post(id, body),
                Io::Send { id, frame: Frame::Text { head, body } } => {
                    Net::SendText(id, head + body.as_deref().unwrap_or(""))
                }
                Io::Send { id, frame: Frame::Binary(b) } => Net::SendBinary(id, b),
                Io::Close { id } => Net::Close(id),
            });
        }
        while let Some(e) = self.client.poll_event() {
            self.events.push(e);
        }
    }

    pub fn take_net(&mut self) -> Vec<Net> {
        self.pump();
        std::mem::take(&mut self.net)
    }

    pub fn take_events(&mut self) -> Vec<Event<Native>> {
        self.pump();
        std::mem::take(&mut self.events)
    }

    /// Advances the virtual clock by `ms`, firing every timer that falls due on the way.
    pub fn advance(&mut self, ms: u64) {
        let target = Instant::from_millis(self.now.as_millis() + ms);
        for _ in 0..10_000 {
            match self.client.poll_timeout() {
                Some(at) if at <= target => {
                    self.now = self.now.max(at);
                    self.client.handle_timeout(self.now);
                    self.pump();
                }
                _ => break,
            }
        }
        self.now = target;
    }

    /// Moves the clock without running timers (a frozen tab or a stopped worker).
    pub fn freeze_for(&mut self, ms: u64) {
        self.now = Instant::from_millis(self.now.as_millis() + ms);
    }

    pub fn text(&mut self, id: TransportId, frame: &str) {
        self.client.handle_text(self.now, id, frame, true, frame.to_owned());
        self.pump();
    }

    pub fn binary(&mut self, id: TransportId, data: &[u8]) {
        self.client.handle_binary(self.now, id, data.to_vec());
        self.pump();
    }

    pub fn ws_open(&mut self, id: TransportId) {
        self.client.handle_transport_open(self.now, id);
        self.pump();
    }

    pub fn ws_close(&mut self, id: TransportId) {
        self.client.handle_transport_close(self.now, id, "code 1006".into());
        self.pump();
    }

    pub fn poll_reply(&mut self, id: TransportId, body: &str) {
        self.client.handle_poll_response(self.now, id, Ok(body));
        self.pump();
    }

    pub fn post_done(&mut self, id: TransportId) {
        self.client.handle_post_response(self.now, id, Ok(()));
        self.pump();
    }

    pub fn emit(&mut self, socket: SocketId, data: &str, ack: Option<u64>) {
        self.try_emit(socket, data, ack).expect("emit accepted");
    }

    pub fn try_emit(
        &mut self,
        socket: SocketId,
        data: &str,
        ack: Option<u64>,
    ) -> Result<(), eliza_socketio::Error> {
        let result = self.client.emit(
            self.now,
            socket,
            Emit {
                data: data.to_owned(),
                attachments: vec![],
                ack,
                timeout: None,
                volatile: false,
                session_only: false,
            },
        );
        self.pump();
        result
    }

    pub fn emit_with(&mut self, socket: SocketId, emit: Emit<Native>) {
        self.client.emit(self.now, socket, emit).expect("emit accepted");
        self.pump();
    }

    /// The id of the last WebSocket the client asked to open.
    pub fn last_ws(&self) -> TransportId {
        self.net
            .iter()
            .rev()
            .find_map(|n| match n {
                Net::OpenWs(id, _) => Some(*id),
                _ => None,
            })
            .expect("no websocket opened")
    }

    /// Plays the server on the WebSocket the client opened last: open, handshake, then accept
    /// the CONNECT of `/` as socket `sid`. Returns that transport.
    pub fn accept_ws(&mut self, sid: &str) -> TransportId {
        let ws = self.open_ws();
        self.text(ws, &format!(r#"40{{"sid":"{sid}"}}"#));
        ws
    }

    /// Like [`Harness::accept_ws`], stopping after the Engine.IO handshake.
    pub fn open_ws(&mut self) -> TransportId {
        let ws = self.last_ws();
        self.ws_open(ws);
        self.text(ws, HANDSHAKE_WS);
        ws
    }

    /// Opens a websocket-only session and connects `/`: returns the socket and the transport.
    pub fn connected_ws(auth: Option<&str>) -> (Self, SocketId, TransportId) {
        let mut h = Self::websocket_only();
        let s = h.client.socket("/", auth.map(str::to_owned));
        h.client.connect(h.now, s);
        h.pump();
        let ws = h.accept_ws("sock1");
        h.net.clear();
        h.events.clear();
        (h, s, ws)
    }
}

/// Short names for events, for readable assertions.
pub fn names(events: &[Event<Native>]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            Event::Open => "open".into(),
            Event::Close { reason, .. } => format!("close:{}", reason.as_str()),
            Event::Error(e) => format!("error:{}", e.code()),
            Event::Ping => "ping".into(),
            Event::Upgrade(k) => format!("upgrade:{}", k.name()),
            Event::ReconnectAttempt(n) => format!("reconnect_attempt:{n}"),
            Event::Reconnect(n) => format!("reconnect:{n}"),
            Event::ReconnectError(_) => "reconnect_error".into(),
            Event::ReconnectFailed => "reconnect_failed".into(),
            Event::Connect { socket } => format!("connect:{}", socket.get()),
            Event::ConnectError { socket, .. } => format!("connect_error:{}", socket.get()),
            Event::Disconnect { socket, reason, .. } => {
                format!("disconnect:{}:{}", socket.get(), reason.as_str())
            }
            Event::Message { socket, data, ack, .. } => match ack {
                Some(id) => format!("message:{}:{data}:ack{id}", socket.get()),
                None => format!("message:{}:{data}", socket.get()),
            },
            Event::AckResponse { ack, result, .. } => match result {
                Ok((data, _)) => format!("ack:{ack}:{data}"),
                Err(e) => format!("ack:{ack}:{}", e.code()),
            },
            Event::Sent { data, .. } => format!("sent:{data}"),
        })
        .collect()
}
