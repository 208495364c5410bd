//! What a socket tells its Rust handlers: lifecycle events, server events, acknowledgements.

use core::fmt;
use std::cell::Cell;
use std::rc::{Rc, Weak};

use serde::de::DeserializeOwned;
use serde_json::Value;

pub use crate::client::DisconnectReason;

use crate::args::{Args, IntoArgs, PayloadError};

use super::socket::SocketShared;

/// Something that happened on a socket, as delivered to [`super::Socket::events`] and
/// [`super::Socket::on_any_event`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SocketEvent {
    /// The socket joined its namespace (after every reconnection too).
    Connect,
    /// The socket left its namespace.
    Disconnect {
        /// Why (socket.io-client's reasons; [`DisconnectReason::as_str`] gives its words).
        reason: DisconnectReason,
        /// Details, when the browser gave any.
        description: Option<String>,
    },
    /// The socket could not join its namespace (refused by the server, or no connection).
    ConnectError(ConnectError),
    /// An event from the server.
    Message(Message),
}

/// Something that happened to a connection, as delivered to [`super::Manager::events`] and
/// [`super::Manager::on_event`] (socket.io-client's manager events).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ManagerEvent {
    /// The Engine.IO session opened.
    Open,
    /// The Engine.IO session closed.
    Close {
        /// Why.
        reason: DisconnectReason,
        /// Details, when the browser gave any.
        description: Option<String>,
    },
    /// A connection-level error (its [`crate::Error::code`] says which kind).
    Error(crate::Error),
    /// The server pinged.
    Ping,
    /// The transport changed after a successful upgrade.
    Upgrade(crate::TransportKind),
    /// A reconnection attempt starts, counting from 1.
    ReconnectAttempt(u32),
    /// Reconnected after this many attempts.
    Reconnect(u32),
    /// A reconnection attempt failed.
    ReconnectError(crate::Error),
    /// Gave up after `reconnection_attempts`.
    ReconnectFailed,
}

impl ManagerEvent {
    /// The manager event of a core event, if it is one.
    pub(crate) fn from_core<W: crate::client::Wire>(event: &crate::client::Event<W>) -> Option<Self> {
        use crate::client::Event;
        Some(match event {
            Event::Open => ManagerEvent::Open,
            Event::Close { reason, description } => {
                ManagerEvent::Close { reason: *reason, description: description.clone() }
            }
            Event::Error(e) => ManagerEvent::Error(e.clone()),
            Event::Ping => ManagerEvent::Ping,
            Event::Upgrade(kind) => ManagerEvent::Upgrade(*kind),
            Event::ReconnectAttempt(n) => ManagerEvent::ReconnectAttempt(*n),
            Event::Reconnect(n) => ManagerEvent::Reconnect(*n),
            Event::ReconnectError(e) => ManagerEvent::ReconnectError(e.clone()),
            Event::ReconnectFailed => ManagerEvent::ReconnectFailed,
            _ => return None,
        })
    }
}

/// Why a socket could not join its namespace.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectError {
    code: &'static str,
    message: String,
    data: Option<Value>,
}

impl ConnectError {
    pub(crate) fn new(code: &'static str, message: String, data: Option<Value>) -> Self {
        ConnectError { code, message, data }
    }

    /// A stable code: `CONNECT_REFUSED` when the server refused (its middleware called
    /// `next(err)`), otherwise the connection's error code (`TRANSPORT_ERROR`,
    /// `CONNECT_TIMEOUT`, `PROTOCOL_ERROR`, …) as in [`crate::Error::code`].
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// What happened, e.g. the server's `err.message`.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The server's `err.data`, when it sent one.
    pub fn data(&self) -> Option<&Value> {
        self.data.as_ref()
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for ConnectError {}

/// An event from the server: its name, its arguments, and — when the server asked for one —
/// the way to acknowledge it.
///
/// ```no_run
/// # use eliza_socketio::rust_api::{Args, Socket};
/// # fn demo(socket: &Socket) {
/// socket.on("question", |message| {
///     let asked: String = message.arg(0).unwrap_or_default();
///     // The server called emitWithAck("question", …): answer it.
///     let _ = message.ack(&format!("you asked {asked}"));
/// }).forget();
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Message {
    pub(crate) event: String,
    pub(crate) args: Args,
    pub(crate) ack: Option<Rc<AckRequest>>,
}

/// A server's request for an acknowledgement (answered at most once).
#[derive(Debug)]
pub(crate) struct AckRequest {
    pub socket: Weak<SocketShared>,
    pub id: u64,
    pub answered: Cell<bool>,
}

impl Message {
    /// The event name.
    pub fn event(&self) -> &str {
        &self.event
    }

    /// The arguments.
    pub fn args(&self) -> &Args {
        &self.args
    }

    /// Argument `index` deserialized into `T` (see [`Args::get`]).
    pub fn arg<T: DeserializeOwned>(&self, index: usize) -> Result<T, PayloadError> {
        self.args.get(index)
    }

    /// Whether the server asked for an acknowledgement that has not been sent yet.
    pub fn wants_ack(&self) -> bool {
        self.ack.as_ref().is_some_and(|a| !a.answered.get())
    }

    /// Answers the server's acknowledgement request with `args` (`()`, one `&value`, or
    /// [`Args`], binary included). Only the first answer counts, and only while the socket is
    /// connected (as in socket.io, an answer is never buffered). An error says why nothing was
    /// sent: no request, already answered, socket dropped, or arguments not serializable.
    pub fn ack(&self, args: impl IntoArgs) -> Result<(), crate::Error> {
        let Some(request) = &self.ack else {
            return Err(crate::Error::InvalidArgument(format!(
                "the server did not ask for an acknowledgement of {:?}",
                self.event
            )));
        };
        if request.answered.get() {
            return Err(crate::Error::InvalidArgument(format!("{:?} was already acknowledged", self.event)));
        }
        let args = args.into_args().map_err(|e| crate::Error::InvalidArgument(e.to_string()))?;
        let socket = request.socket.upgrade().ok_or(crate::Error::Disconnected)?;
        request.answered.set(true);
        socket.send_ack(request.id, args)
    }
}

/// Why an acknowledgement did not come.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AckError {
    /// No answer within the timeout.
    Timeout,
    /// The socket disconnected (or was dropped) before the answer came.
    Disconnected,
    /// The arguments could not be serialized: nothing was sent.
    InvalidArguments(PayloadError),
    /// The answer does not have the type asked for.
    InvalidReply(PayloadError),
    /// The emit was refused (e.g. a reserved event name): nothing was sent.
    Refused(crate::Error),
}

impl AckError {
    /// A stable code, as JavaScript errors have: `ACK_TIMEOUT`, `DISCONNECTED`,
    /// `INVALID_ARGUMENT`, `INVALID_REPLY`, or the refusal's code.
    pub fn code(&self) -> &'static str {
        match self {
            AckError::Timeout => "ACK_TIMEOUT",
            AckError::Disconnected => "DISCONNECTED",
            AckError::InvalidArguments(_) => "INVALID_ARGUMENT",
            AckError::InvalidReply(_) => "INVALID_REPLY",
            AckError::Refused(e) => e.code(),
        }
    }

    pub(crate) fn from_core(e: crate::Error) -> Self {
        match e {
            crate::Error::AckTimeout => AckError::Timeout,
            crate::Error::Disconnected => AckError::Disconnected,
            other => AckError::Refused(other),
        }
    }
}

impl fmt::Display for AckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AckError::Timeout => f.write_str("operation has timed out"),
            AckError::Disconnected => f.write_str("socket has been disconnected"),
            AckError::InvalidArguments(e) => write!(f, "arguments not sent: {e}"),
            AckError::InvalidReply(e) => write!(f, "unexpected acknowledgement: {e}"),
            AckError::Refused(e) => write!(f, "not sent: {e}"),
        }
    }
}

impl std::error::Error for AckError {}
