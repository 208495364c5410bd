//! Where the server is, and the Engine.IO request URLs built from it.
//!
//! Parsing the user's URL string is the platform's job (the browser's `URL` parser is the
//! reference); the core receives its parts already split.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::engine::PROTOCOL;
use crate::error::{Error, TransportKind};

/// Characters `encodeURIComponent` leaves alone: `A-Z a-z 0-9 - _ . ! ~ * ' ( )`.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// The server's origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `https`/`wss` rather than `http`/`ws`.
    pub secure: bool,
    /// Host name or address (IPv6 without brackets).
    pub host: String,
    /// Port, when not the scheme's default.
    pub port: Option<u16>,
}

impl Endpoint {
    /// An endpoint from URL parts; `scheme` is one of `http`, `https`, `ws`, `wss`.
    pub fn new(scheme: &str, host: &str, port: Option<u16>) -> Result<Self, Error> {
        let secure = match scheme.trim_end_matches(':') {
            "http" | "ws" => false,
            "https" | "wss" => true,
            other => {
                return Err(Error::InvalidUrl(format!(
                    "unsupported scheme \"{other}\" (use http, https, ws or wss)"
                )))
            }
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(Error::InvalidUrl("missing host".into()));
        }
        let default_port = if secure { 443 } else { 80 };
        Ok(Endpoint { secure, host: host.to_owned(), port: port.filter(|p| *p != default_port) })
    }

    /// The URL a transport opens.
    ///
    /// `sid` is the session id once known; `token` the cache-busting value for polling.
    pub fn transport_url(
        &self,
        kind: TransportKind,
        path: &str,
        query: &[(String, String)],
        sid: Option<&str>,
        token: Option<&str>,
    ) -> String {
        let scheme = match (kind, self.secure) {
            (TransportKind::Polling, false) => "http",
            (TransportKind::Polling, true) => "https",
            (TransportKind::WebSocket, false) => "ws",
            (TransportKind::WebSocket, true) => "wss",
        };
        let mut url = String::with_capacity(64);
        url.push_str(scheme);
        url.push_str("://");
        if self.host.contains(':') {
            url.push('[');
            url.push_str(&self.host);
            url.push(']');
        } else {
            url.push_str(&self.host);
        }
        if let Some(port) = self.port {
            url.push(':');
            crate::sio::push_decimal(&mut url, port as u64);
        }
        url.push_str(path);
        url.push('?');
        let mut first = true;
        let mut param = |url: &mut String, k: &str, v: &str| {
            if !first {
                url.push('&');
            }
            first = false;
            url.extend(utf8_percent_encode(k, COMPONENT));
            url.push('=');
            url.extend(utf8_percent_encode(v, COMPONENT));
        };
        // User parameters first, then the protocol's own (which must win if names clash).
        for (k, v) in query {
            if !matches!(k.as_str(), "EIO" | "transport" | "sid" | "t") {
                param(&mut url, k, v);
            }
        }
        param(&mut url, "EIO", PROTOCOL);
        param(&mut url, "transport", kind.name());
        if let Some(t) = token {
            param(&mut url, "t", t);
        }
        if let Some(sid) = sid {
            param(&mut url, "sid", sid);
        }
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_polling_and_websocket_urls() {
        let e = Endpoint::new("http", "localhost", Some(3000)).unwrap();
        assert_eq!(
            e.transport_url(TransportKind::Polling, "/socket.io/", &[], None, Some("abc")),
            "http://localhost:3000/socket.io/?EIO=4&transport=polling&t=abc"
        );
        assert_eq!(
            e.transport_url(TransportKind::WebSocket, "/socket.io/", &[], Some("s1"), None),
            "ws://localhost:3000/socket.io/?EIO=4&transport=websocket&sid=s1"
        );
    }

    #[test]
    fn secure_default_ports_ipv6_and_query_encoding() {
        let e = Endpoint::new("https:", "example.org", Some(443)).unwrap();
        assert_eq!(e.port, None);
        let q = vec![("a b".to_owned(), "x&y=z/é".to_owned()), ("EIO".to_owned(), "3".to_owned())];
        assert_eq!(
            e.transport_url(TransportKind::WebSocket, "/io/", &q, None, None),
            "wss://example.org/io/?a%20b=x%26y%3Dz%2F%C3%A9&EIO=4&transport=websocket"
        );
        let e = Endpoint::new("ws", "[::1]", Some(8080)).unwrap();
        assert_eq!(e.host, "::1");
        assert!(e
            .transport_url(TransportKind::Polling, "/socket.io/", &[], None, None)
            .starts_with("http://[::1]:8080/socket.io/?"));
    }

    #[test]
    fn rejects_bad_schemes_and_hosts() {
        assert!(matches!(Endpoint::new("ftp", "h", None), Err(Error::InvalidUrl(_))));
        assert!(matches!(Endpoint::new("http", "", None), Err(Error::InvalidUrl(_))));
    }
}
