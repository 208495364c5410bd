//! The one error type of the ElizaOS layer.
//!
//! Every error has a stable machine-readable [`ElizaError::code`] (JavaScript `error.code`) and a
//! `Display` message meant for people: it says what went wrong and, where there is one, what to
//! do about it.

use core::fmt;

use serde::ser::{Serialize, SerializeStruct, Serializer};

/// What went wrong talking to an ElizaOS server, or with a call into this layer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ElizaError {
    /// HTTP 401 or 403: the server wants an API key and did not get the right one.
    Unauthorized {
        /// The HTTP status (401 or 403).
        status: u16,
        /// What the server said, if anything.
        detail: String,
    },
    /// HTTP 404: the agent, channel or endpoint does not exist on this server.
    NotFound {
        /// What the server said, if anything.
        detail: String,
    },
    /// The server reported a failure: an HTTP error status, `success: false`, or a socket
    /// `messageError`.
    Server {
        /// The HTTP status, when the error came over HTTP.
        status: Option<u16>,
        /// The server's own message (`error.message` or `error`).
        message: String,
    },
    /// The server answered with something that is not JSON or not the expected shape.
    BadResponse(String),
    /// The server could not be reached (built by the driver from the platform's error).
    Network(String),
    /// The server did not answer in time.
    Timeout(String),
    /// The server never confirmed joining the channel (`channel_joined`): its broadcasts may
    /// not reach us, and a message sent there was not acknowledged.
    JoinTimeout(String),
    /// The channel's history could not be read, so whether the server already has a message
    /// that may have reached it cannot be checked; sending it again may duplicate it.
    HistoryUnavailable(String),
    /// A call with an argument this layer refuses (empty text, unknown channel, malformed id…).
    InvalidArgument(String),
    /// Message text over [`MAX_TEXT_BYTES`](super::outbox::MAX_TEXT_BYTES) UTF-8 bytes.
    MessageTooLong {
        /// The text's length in UTF-8 bytes.
        bytes: usize,
        /// The limit, in the same unit.
        limit: usize,
    },
}

impl ElizaError {
    /// A stable identifier for the error category (JavaScript `error.code`).
    pub fn code(&self) -> &'static str {
        match self {
            ElizaError::Unauthorized { .. } => "UNAUTHORIZED",
            ElizaError::NotFound { .. } => "NOT_FOUND",
            ElizaError::Server { .. } => "SERVER_ERROR",
            ElizaError::BadResponse(_) => "BAD_RESPONSE",
            ElizaError::Network(_) => "NETWORK",
            ElizaError::Timeout(_) => "TIMEOUT",
            ElizaError::JoinTimeout(_) => "JOIN_TIMEOUT",
            ElizaError::HistoryUnavailable(_) => "HISTORY_UNAVAILABLE",
            ElizaError::InvalidArgument(_) => "INVALID_ARGUMENT",
            ElizaError::MessageTooLong { .. } => "MESSAGE_TOO_LONG",
        }
    }
}

impl fmt::Display for ElizaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ElizaError::Unauthorized { status, detail } => {
                write!(
                    f,
                    "the ElizaOS server refused the request (HTTP {status}): the API key is missing or wrong"
                )?;
                if !detail.is_empty() {
                    write!(f, " ({detail})")?;
                }
                Ok(())
            }
            ElizaError::NotFound { detail } if detail.is_empty() => f.write_str("not found on the server"),
            ElizaError::NotFound { detail } => write!(f, "not found on the server: {detail}"),
            ElizaError::Server { status: Some(status), message } => {
                write!(f, "the ElizaOS server reported an error (HTTP {status}): {message}")
            }
            ElizaError::Server { status: None, message } => {
                write!(f, "the ElizaOS server reported an error: {message}")
            }
            ElizaError::BadResponse(why) => write!(f, "unexpected answer from the ElizaOS server: {why}"),
            ElizaError::Network(why) => write!(f, "cannot reach the ElizaOS server: {why}"),
            ElizaError::Timeout(what) | ElizaError::JoinTimeout(what) => f.write_str(what),
            ElizaError::HistoryUnavailable(why) => write!(f, "the channel's history cannot be read: {why}"),
            ElizaError::InvalidArgument(why) => f.write_str(why),
            ElizaError::MessageTooLong { bytes, limit } => {
                write!(f, "the message is too long: {bytes} bytes of UTF-8 text, at most {limit}")
            }
        }
    }
}

impl std::error::Error for ElizaError {}

/// `{code, message}`: what a JavaScript `Error` needs, for events that carry an error.
impl Serialize for ElizaError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("ElizaError", 2)?;
        s.serialize_field("code", self.code())?;
        s.serialize_field("message", &self.to_string())?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unauthorized_says_what_to_fix() {
        let e =
            ElizaError::Unauthorized { status: 401, detail: "Missing or invalid X-API-KEY header".into() };
        assert_eq!(e.code(), "UNAUTHORIZED");
        let text = e.to_string();
        assert!(text.contains("API key is missing or wrong"), "{text}");
        assert!(text.contains("X-API-KEY"), "{text}");
    }

    #[test]
    fn serializes_as_code_and_message() {
        let e = ElizaError::InvalidArgument("message text is empty".into());
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v, serde_json::json!({"code": "INVALID_ARGUMENT", "message": "message text is empty"}));
    }
}
