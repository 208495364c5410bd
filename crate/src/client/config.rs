//! Connection options, with socket.io-client's defaults, validated once.

use core::time::Duration;

use crate::error::{Error, TransportKind};

/// Options for one connection (one Engine.IO session and its namespaces).
///
/// Build with `Config::default()` and set fields; [`Config::validate`] runs when a client is
/// created.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Transports to use, in order of preference; the first one opens the session.
    pub transports: Vec<TransportKind>,
    /// Whether to upgrade from polling to WebSocket when the server offers it.
    pub upgrade: bool,
    /// Server path (trailing slash added if missing).
    pub path: String,
    /// Extra query parameters sent with every request.
    pub query: Vec<(String, String)>,
    /// How long opening a session may take (`None`: wait forever).
    pub timeout: Option<Duration>,
    /// Whether to reconnect automatically.
    pub reconnection: bool,
    /// Reconnection attempts before giving up (`u32::MAX`: never give up).
    pub reconnection_attempts: u32,
    /// First reconnection delay.
    pub reconnection_delay: Duration,
    /// Largest reconnection delay.
    pub reconnection_delay_max: Duration,
    /// Jitter factor in `[0, 1]`.
    pub randomization_factor: f64,
    /// Default acknowledgement timeout for emits that expect one.
    pub ack_timeout: Option<Duration>,
    /// How many times an emit is re-sent after its acknowledgement timed out (0: no retry queue).
    pub retries: u32,
    /// Whether polling requests carry a random `t=` parameter to defeat caches.
    pub timestamp_requests: bool,
    /// Largest message accepted from the server, in bytes: a text frame or polling record
    /// (UTF-8), or a binary attachment. A larger one is a transport error. `None`: no limit
    /// (socket.io-client has none).
    pub max_message_size: Option<usize>,
    /// Most events a socket keeps while waiting for its CONNECT answer (a server may send events
    /// before it). One more is a transport error.
    pub max_early_events: usize,
    /// Most emits kept while disconnected (the offline buffer); `emit` fails with `BUFFER_FULL`
    /// beyond it. `None`: no limit (as socket.io-client).
    pub max_buffered_emits: Option<usize>,
    /// Most emits in the retry queue (`retries`); `emit` fails with `BUFFER_FULL` beyond it.
    /// `None`: no limit (as socket.io-client).
    pub max_retry_queue: Option<usize>,
}

/// Default of [`Config::max_early_events`]: far more than a server sends before answering
/// CONNECT, small enough that a server flooding them costs at most about a hundred KB of wasm memory
/// (which never shrinks).
pub const DEFAULT_MAX_EARLY_EVENTS: usize = 1_000;

impl Default for Config {
    fn default() -> Self {
        Config {
            transports: vec![TransportKind::Polling, TransportKind::WebSocket],
            upgrade: true,
            path: "/socket.io/".to_owned(),
            query: Vec::new(),
            timeout: Some(Duration::from_millis(20_000)),
            reconnection: true,
            reconnection_attempts: u32::MAX,
            reconnection_delay: Duration::from_millis(1000),
            reconnection_delay_max: Duration::from_millis(5000),
            randomization_factor: 0.5,
            ack_timeout: None,
            retries: 0,
            timestamp_requests: true,
            max_message_size: None,
            max_early_events: DEFAULT_MAX_EARLY_EVENTS,
            max_buffered_emits: None,
            max_retry_queue: None,
        }
    }
}

impl Config {
    /// Checks the options and normalizes the path; the error says which option is wrong.
    pub fn validate(mut self) -> Result<Self, Error> {
        if self.transports.is_empty() {
            return Err(Error::InvalidOption("transports must name at least one transport".into()));
        }
        self.transports.dedup();
        if !(0.0..=1.0).contains(&self.randomization_factor) {
            return Err(Error::InvalidOption("randomizationFactor must be between 0 and 1".into()));
        }
        if self.reconnection_delay_max < self.reconnection_delay {
            return Err(Error::InvalidOption(
                "reconnectionDelayMax must not be less than reconnectionDelay".into(),
            ));
        }
        if !self.path.starts_with('/') {
            self.path.insert(0, '/');
        }
        if !self.path.ends_with('/') {
            self.path.push('/');
        }
        if self.path.contains(['?', '#']) {
            return Err(Error::InvalidOption("path must not contain '?' or '#'".into()));
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_socket_io_client() {
        let c = Config::default().validate().unwrap();
        assert_eq!(c.path, "/socket.io/");
        assert_eq!(c.reconnection_delay, Duration::from_millis(1000));
        assert_eq!(c.reconnection_delay_max, Duration::from_millis(5000));
        assert_eq!(c.randomization_factor, 0.5);
        assert_eq!(c.reconnection_attempts, u32::MAX);
        assert_eq!(c.timeout, Some(Duration::from_millis(20_000)));
    }

    #[test]
    fn normalizes_path_and_rejects_nonsense() {
        let c = Config { path: "io".into(), ..Config::default() }.validate().unwrap();
        assert_eq!(c.path, "/io/");
        assert!(Config { transports: vec![], ..Config::default() }.validate().is_err());
        assert!(Config { randomization_factor: 1.5, ..Config::default() }.validate().is_err());
        assert!(Config { path: "/a?b".into(), ..Config::default() }.validate().is_err());
        let c = Config {
            reconnection_delay: Duration::from_millis(10),
            reconnection_delay_max: Duration::from_millis(5),
            ..Config::default()
        };
        assert!(c.validate().is_err());
    }
}
