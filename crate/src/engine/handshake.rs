//! The Engine.IO `open` packet: `0{"sid":…,"upgrades":[…],"pingInterval":…,"pingTimeout":…,"maxPayload":…}`.

use core::time::Duration;

use crate::error::{ProtocolError, TransportKind};
use crate::json;

/// Largest `pingInterval` and `pingTimeout` accepted (one hour each): beyond it a dead server
/// would go unnoticed for longer than any real deployment configures.
pub const MAX_PING_MS: u64 = 3_600_000;

/// Session parameters chosen by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// Session id, sent back as `sid=` on every later request.
    pub sid: String,
    /// Transports the session may upgrade to (unknown names are dropped).
    pub upgrades: Vec<TransportKind>,
    /// How often the server sends a ping.
    pub ping_interval: Duration,
    /// How long the server waits for the pong; the client allows `interval + timeout` between pings.
    pub ping_timeout: Duration,
    /// Largest HTTP body the server accepts, in bytes (0: no limit announced).
    pub max_payload: usize,
}

impl Handshake {
    /// Parses the data of an `open` packet (the JSON after the `0`).
    pub fn parse(data: &str) -> Result<Self, ProtocolError> {
        let fields =
            json::parse_object(data).map_err(|_| ProtocolError::InvalidHandshake("not a JSON object"))?;
        let sid = json::field(&fields, "sid")
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .ok_or(ProtocolError::InvalidHandshake("missing sid"))?
            .into_owned();
        let upgrades = match json::field(&fields, "upgrades") {
            None => Vec::new(),
            Some(v) => v
                .as_str_array()
                .ok_or(ProtocolError::InvalidHandshake("upgrades is not a list of names"))?
                .iter()
                .filter_map(|name| TransportKind::from_name(name))
                .collect(),
        };
        let millis = |name: &'static str, out_of_range: &'static str| {
            let ms = json::field(&fields, name)
                .and_then(|v| v.as_u64())
                .ok_or(ProtocolError::InvalidHandshake(name))?;
            // 0 or an absurd value would switch dead-server detection off: refuse the session.
            if (1..=MAX_PING_MS).contains(&ms) {
                Ok(Duration::from_millis(ms))
            } else {
                Err(ProtocolError::InvalidHandshake(out_of_range))
            }
        };
        let max_payload = match json::field(&fields, "maxPayload") {
            None => 0,
            Some(v) => v
                .as_u64()
                .ok_or(ProtocolError::InvalidHandshake("maxPayload"))?
                .try_into()
                .unwrap_or(usize::MAX),
        };
        Ok(Handshake {
            sid,
            upgrades,
            ping_interval: millis("pingInterval", "pingInterval must be between 1 ms and 1 hour")?,
            ping_timeout: millis("pingTimeout", "pingTimeout must be between 1 ms and 1 hour")?,
            max_payload,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_example() {
        let h = Handshake::parse(r#"{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#).unwrap();
        assert_eq!(
            h,
            Handshake {
                sid: "lv_VI97HAXpY6yYWAAAC".into(),
                upgrades: vec![TransportKind::WebSocket],
                ping_interval: Duration::from_millis(25000),
                ping_timeout: Duration::from_millis(20000),
                max_payload: 1_000_000,
            }
        );
    }

    #[test]
    fn unknown_upgrades_are_ignored_and_max_payload_optional() {
        let h = Handshake::parse(
            r#"{"sid":"x","upgrades":["webtransport","websocket"],"pingInterval":1,"pingTimeout":2}"#,
        )
        .unwrap();
        assert_eq!(h.upgrades, vec![TransportKind::WebSocket]);
        assert_eq!(h.max_payload, 0);
    }

    #[test]
    fn ping_settings_at_the_limits_are_accepted() {
        let h = Handshake::parse(r#"{"sid":"x","pingInterval":1,"pingTimeout":3600000}"#).unwrap();
        assert_eq!(h.ping_interval, Duration::from_millis(1));
        assert_eq!(h.ping_timeout, Duration::from_millis(MAX_PING_MS));
    }

    #[test]
    fn rejects_incomplete_handshakes() {
        for bad in [
            "",
            "[]",
            r#"{"upgrades":[],"pingInterval":1,"pingTimeout":1}"#,
            r#"{"sid":"","pingInterval":1,"pingTimeout":1}"#,
            r#"{"sid":"x","pingTimeout":1}"#,
            r#"{"sid":"x","pingInterval":-5,"pingTimeout":1}"#,
            r#"{"sid":"x","upgrades":"websocket","pingInterval":1,"pingTimeout":1}"#,
            r#"{"sid":7,"pingInterval":1,"pingTimeout":1}"#,
            r#"{"sid":"x","pingInterval":0,"pingTimeout":1}"#,
            r#"{"sid":"x","pingInterval":1,"pingTimeout":0}"#,
            r#"{"sid":"x","pingInterval":1e15,"pingTimeout":1}"#,
            r#"{"sid":"x","pingInterval":1000000000000000,"pingTimeout":1}"#,
            r#"{"sid":"x","pingInterval":25000,"pingTimeout":3600001}"#,
        ] {
            assert!(Handshake::parse(bad).is_err(), "{bad}");
        }
    }
}
