//! What the core asks of its driver ([`Io`]) and tells its user ([`Event`]).

use crate::error::{Error, TransportKind};

use super::wire::Wire;

/// Identifies one transport instance (one WebSocket, or one polling session).
///
/// Ids are never reused, so late callbacks from a transport the core has dropped are recognized
/// and ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransportId(pub(crate) u64);

impl TransportId {
    /// The raw id, for drivers that key a table by it.
    pub fn get(self) -> u64 {
        self.0
    }

    /// The id a driver got from [`TransportId::get`] (e.g. after a round trip through JavaScript).
    pub fn from_raw(raw: u64) -> Self {
        TransportId(raw)
    }
}

/// Identifies one namespace socket of a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SocketId(pub(crate) usize);

impl SocketId {
    /// The raw index, for drivers that key a table by it.
    pub fn get(self) -> usize {
        self.0
    }
}

/// One frame to write on a WebSocket.
#[derive(Debug, Clone)]
pub enum Frame<W: Wire> {
    /// `head` followed by `body`: the Engine.IO type, the Socket.IO header, then the JSON data.
    Text {
        /// Everything before the data, e.g. `42/admin,7`.
        head: String,
        /// The JSON data, if any.
        body: Option<W::Text>,
    },
    /// A binary attachment.
    Binary(W::Binary),
}

/// Network work for the driver.
#[derive(Debug)]
pub enum Io<W: Wire> {
    /// Open a WebSocket; report `handle_transport_open`, frames, errors and close with `id`.
    OpenWebSocket {
        /// Transport id to report back.
        id: TransportId,
        /// `ws://` or `wss://` URL.
        url: String,
    },
    /// Issue one long-polling GET and report its body with `handle_poll_response`.
    Get {
        /// Transport id to report back.
        id: TransportId,
        /// `http://` or `https://` URL.
        url: String,
    },
    /// POST a polling body and report completion with `handle_post_response`.
    Post {
        /// Transport id to report back.
        id: TransportId,
        /// `http://` or `https://` URL.
        url: String,
        /// The encoded payload (`text/plain;charset=UTF-8`).
        body: String,
    },
    /// Write one frame on the WebSocket `id`.
    Send {
        /// Which WebSocket.
        id: TransportId,
        /// What to write.
        frame: Frame<W>,
    },
    /// Close the transport and forget it (abort a pending GET; let a POST finish).
    Close {
        /// Which transport.
        id: TransportId,
    },
}

/// Why a socket disconnected; the strings are socket.io-client's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisconnectReason {
    /// The server disconnected the socket (no automatic reconnection).
    ServerDisconnect,
    /// The user called `disconnect()`.
    ClientDisconnect,
    /// No ping from the server within `pingInterval + pingTimeout`.
    PingTimeout,
    /// The transport was closed (server gone, network lost).
    TransportClose,
    /// The transport failed.
    TransportError,
    /// The server sent something the client could not decode.
    ParseError,
    /// The whole connection was closed by the user.
    ForcedClose,
}

impl DisconnectReason {
    /// socket.io-client's name for the reason.
    pub fn as_str(self) -> &'static str {
        match self {
            DisconnectReason::ServerDisconnect => "io server disconnect",
            DisconnectReason::ClientDisconnect => "io client disconnect",
            DisconnectReason::PingTimeout => "ping timeout",
            DisconnectReason::TransportClose => "transport close",
            DisconnectReason::TransportError => "transport error",
            DisconnectReason::ParseError => "parse error",
            DisconnectReason::ForcedClose => "forced close",
        }
    }

    /// Whether the manager should reconnect after this reason.
    pub fn is_recoverable(self) -> bool {
        !matches!(
            self,
            DisconnectReason::ServerDisconnect
                | DisconnectReason::ClientDisconnect
                | DisconnectReason::ForcedClose
        )
    }
}

/// Why a socket could not join its namespace.
#[derive(Debug, Clone)]
pub enum ConnectError<W: Wire> {
    /// The server refused (CONNECT_ERROR); `data` is the JSON text of the server's `data`, if any.
    Refused {
        /// The server's message.
        message: String,
        /// The server's extra data (JSON text).
        data: Option<W::Text>,
    },
    /// The connection itself failed (transport error, timeout, protocol error).
    Connection(Error),
}

/// Why an acknowledgement will not arrive.
pub type AckError = Error;

/// Something that happened, for the user of the client.
#[derive(Debug)]
pub enum Event<W: Wire> {
    /// The Engine.IO session opened (manager `open`).
    Open,
    /// The Engine.IO session closed (manager `close`).
    Close {
        /// Why.
        reason: DisconnectReason,
        /// Details, when the platform gave any.
        description: Option<String>,
    },
    /// A connection-level error (manager `error`).
    Error(Error),
    /// The server pinged (manager `ping`).
    Ping,
    /// The transport changed after a successful upgrade.
    Upgrade(TransportKind),
    /// A reconnection attempt starts (manager `reconnect_attempt`), counting from 1.
    ReconnectAttempt(u32),
    /// Reconnected after this many attempts (manager `reconnect`).
    Reconnect(u32),
    /// A reconnection attempt failed (manager `reconnect_error`).
    ReconnectError(Error),
    /// Gave up after `reconnectionAttempts` (manager `reconnect_failed`).
    ReconnectFailed,
    /// The socket joined its namespace (`connect`).
    Connect {
        /// Which socket.
        socket: SocketId,
    },
    /// The socket could not join (`connect_error`).
    ConnectError {
        /// Which socket.
        socket: SocketId,
        /// Why.
        error: ConnectError<W>,
    },
    /// The socket left its namespace (`disconnect`).
    Disconnect {
        /// Which socket.
        socket: SocketId,
        /// Why.
        reason: DisconnectReason,
        /// Details, when the platform gave any.
        description: Option<String>,
    },
    /// An event from the server: `data` is the JSON array `["name", ...args]`.
    Message {
        /// Which socket.
        socket: SocketId,
        /// The event's JSON array, attachment placeholders included.
        data: W::Text,
        /// Binary attachments, in placeholder order.
        attachments: Vec<W::Binary>,
        /// The id to answer with [`super::Client::send_ack`], if the server asked for an answer.
        ack: Option<u64>,
    },
    /// The outcome of an emit that asked for an acknowledgement.
    AckResponse {
        /// Which socket.
        socket: SocketId,
        /// The callback given to `emit`.
        ack: W::Ack,
        /// The server's answer (JSON array of arguments, attachments) or why there is none.
        result: Result<(W::Text, Vec<W::Binary>), AckError>,
    },
    /// A packet was written (for `onAnyOutgoing` listeners; only when enabled per socket).
    Sent {
        /// Which socket.
        socket: SocketId,
        /// The event's JSON array.
        data: W::Text,
    },
}
