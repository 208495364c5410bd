//! Errors, grouped so that callers can match on the category and show the message.
//!
//! Every error has a stable machine-readable [`Error::code`] (exposed to JavaScript as
//! `error.code`) and a human-readable `Display` message.

use core::fmt;

/// A violation of the Engine.IO v4 or Socket.IO v5 wire format by the peer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A frame or packet with no content where content is required.
    EmptyPacket,
    /// The first character of an Engine.IO packet is not a known packet type.
    UnknownEnginePacket(char),
    /// The Engine.IO handshake (`0{...}`) is not the expected JSON object.
    InvalidHandshake(&'static str),
    /// A `b`-prefixed polling packet is not valid base64.
    InvalidBase64,
    /// The first character of a Socket.IO packet is not a known packet type.
    UnknownPacketType(char),
    /// The attachment count of a binary packet is missing or malformed.
    IllegalAttachments,
    /// A binary packet announces more attachments than the limit.
    TooManyAttachments,
    /// The acknowledgement id does not fit in 53 bits.
    InvalidAckId,
    /// The JSON data does not have the shape the packet type requires.
    InvalidPayload(&'static str),
    /// An event packet uses a reserved event name (`connect`, `disconnect`, ...).
    ReservedEventName,
    /// A binary frame arrived when no binary packet was being reassembled.
    UnexpectedBinary,
    /// A text packet arrived while a binary packet still waited for attachments.
    UnexpectedText,
    /// A packet that is valid on its own arrived at a point where it makes no sense.
    UnexpectedPacket(&'static str),
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::EmptyPacket => f.write_str("empty packet"),
            ProtocolError::UnknownEnginePacket(c) => {
                f.write_str("unknown Engine.IO packet type ")?;
                write_char_name(f, *c)
            }
            ProtocolError::InvalidHandshake(why) => write!(f, "invalid handshake: {why}"),
            ProtocolError::InvalidBase64 => f.write_str("invalid base64 in binary packet"),
            ProtocolError::UnknownPacketType(c) => {
                f.write_str("unknown Socket.IO packet type ")?;
                write_char_name(f, *c)
            }
            ProtocolError::IllegalAttachments => f.write_str("illegal attachments"),
            ProtocolError::TooManyAttachments => f.write_str("too many attachments"),
            ProtocolError::InvalidAckId => f.write_str("invalid acknowledgement id"),
            ProtocolError::InvalidPayload(why) => write!(f, "invalid payload: {why}"),
            ProtocolError::ReservedEventName => f.write_str("reserved event name"),
            ProtocolError::UnexpectedBinary => {
                f.write_str("got binary data when not reconstructing a packet")
            }
            ProtocolError::UnexpectedText => f.write_str("got plaintext data when reconstructing a packet"),
            ProtocolError::UnexpectedPacket(what) => write!(f, "unexpected packet: {what}"),
        }
    }
}

/// A character from the peer, readable whatever it is: quoted when printable ASCII, else its code
/// point. (Not `{:?}`: Debug escaping of chars and strings costs ~2.6 KB of wasm.)
fn write_char_name(f: &mut fmt::Formatter<'_>, c: char) -> fmt::Result {
    if c.is_ascii_graphic() {
        write!(f, "'{c}'")
    } else {
        write!(f, "U+{:04X}", u32::from(c))
    }
}

/// Which transport an error came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransportKind {
    /// HTTP long-polling (over `fetch`).
    Polling,
    /// WebSocket.
    WebSocket,
}

impl TransportKind {
    /// The name Engine.IO uses on the wire (`transport=` query parameter, `upgrades` list).
    pub fn name(self) -> &'static str {
        match self {
            TransportKind::Polling => "polling",
            TransportKind::WebSocket => "websocket",
        }
    }

    /// Parses an Engine.IO transport name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "polling" => Some(TransportKind::Polling),
            "websocket" => Some(TransportKind::WebSocket),
            _ => None,
        }
    }
}

/// Everything that can go wrong, as seen by a user of the client.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// The server sent something that is not valid Engine.IO / Socket.IO.
    Protocol(ProtocolError),
    /// A transport failed (refused connection, network error, HTTP error status).
    Transport {
        /// The transport that failed.
        kind: TransportKind,
        /// What the platform reported.
        description: String,
    },
    /// The connection could not be opened within the `timeout` option.
    ConnectTimeout,
    /// An acknowledgement did not arrive within its timeout.
    AckTimeout,
    /// The socket disconnected before an acknowledgement arrived.
    Disconnected,
    /// An option has a value the client cannot use.
    InvalidOption(String),
    /// A URL could not be parsed or uses an unsupported scheme.
    InvalidUrl(String),
    /// A user call that is not allowed (e.g. emitting a reserved event name).
    InvalidArgument(String),
    /// The server sent more than a configured limit allows (what, and which option).
    TooLarge(&'static str),
    /// An emit did not fit in the offline buffer or the retry queue (which option).
    BufferFull(&'static str),
}

impl Error {
    /// A stable identifier for the error category (JavaScript `error.code`).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Protocol(_) => "PROTOCOL_ERROR",
            Error::Transport { .. } => "TRANSPORT_ERROR",
            Error::ConnectTimeout => "CONNECT_TIMEOUT",
            Error::AckTimeout => "ACK_TIMEOUT",
            Error::Disconnected => "DISCONNECTED",
            Error::InvalidOption(_) => "INVALID_OPTION",
            Error::InvalidUrl(_) => "INVALID_URL",
            Error::InvalidArgument(_) => "INVALID_ARGUMENT",
            Error::TooLarge(_) => "TOO_LARGE",
            Error::BufferFull(_) => "BUFFER_FULL",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Protocol(e) => write!(f, "protocol error: {e}"),
            Error::Transport { kind, description } => {
                write!(f, "{} error: {description}", kind.name())
            }
            // The same words socket.io-client uses, so existing code that matches them works.
            Error::ConnectTimeout => f.write_str("timeout"),
            Error::AckTimeout => f.write_str("operation has timed out"),
            Error::Disconnected => f.write_str("socket has been disconnected"),
            Error::InvalidOption(why) => write!(f, "invalid option: {why}"),
            Error::InvalidUrl(why) => write!(f, "invalid URL: {why}"),
            Error::InvalidArgument(why) => f.write_str(why),
            Error::TooLarge(what) => f.write_str(what),
            Error::BufferFull(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for Error {}
impl std::error::Error for ProtocolError {}

impl From<ProtocolError> for Error {
    fn from(e: ProtocolError) -> Self {
        Error::Protocol(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_char_is_named_readably_whatever_it_is() {
        assert_eq!(ProtocolError::UnknownEnginePacket('7').to_string(), "unknown Engine.IO packet type '7'");
        assert_eq!(
            ProtocolError::UnknownPacketType('\u{1}').to_string(),
            "unknown Socket.IO packet type U+0001"
        );
        assert_eq!(
            ProtocolError::UnknownPacketType('\n').to_string(),
            "unknown Socket.IO packet type U+000A"
        );
        assert_eq!(
            ProtocolError::UnknownEnginePacket('€').to_string(),
            "unknown Engine.IO packet type U+20AC"
        );
    }
}
