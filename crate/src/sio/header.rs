//! Socket.IO packet headers: decoding from a (possibly truncated) prefix, and encoding.

use crate::error::ProtocolError;
use crate::json;
use crate::text;

use super::{MAX_ACK_ID, MAX_ATTACHMENTS};

/// Event names a server may not send (they are the client's own lifecycle events).
pub const RESERVED_EVENTS: [&str; 6] =
    ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"];

/// The seven Socket.IO packet types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacketKind {
    /// `0`: join a namespace (client → server, with auth), or accepted (server → client, with sid).
    Connect,
    /// `1`: leave a namespace.
    Disconnect,
    /// `2`: an event: `["name", ...args]`.
    Event,
    /// `3`: the answer to an event that asked for one: `[...args]`.
    Ack,
    /// `4`: the server refused the namespace: `{"message":…,"data":…}`.
    ConnectError,
    /// `5`: an event whose arguments contain binary attachments sent as separate frames.
    BinaryEvent,
    /// `6`: an acknowledgement with binary attachments.
    BinaryAck,
}

impl PacketKind {
    fn from_byte(b: u8) -> Option<Self> {
        Some(match b {
            b'0' => PacketKind::Connect,
            b'1' => PacketKind::Disconnect,
            b'2' => PacketKind::Event,
            b'3' => PacketKind::Ack,
            b'4' => PacketKind::ConnectError,
            b'5' => PacketKind::BinaryEvent,
            b'6' => PacketKind::BinaryAck,
            _ => return None,
        })
    }

    fn as_char(self) -> char {
        (b'0' + self as u8) as char
    }

    /// Whether attachments follow the packet.
    pub fn is_binary(self) -> bool {
        matches!(self, PacketKind::BinaryEvent | PacketKind::BinaryAck)
    }
}

/// A decoded packet header; the data is `&input[data_start..]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    /// Packet type.
    pub kind: PacketKind,
    /// Number of binary attachments that follow (binary kinds only, else 0).
    pub attachments: usize,
    /// Namespace, `/` when absent on the wire.
    pub nsp: &'a str,
    /// Acknowledgement id, if the packet carries one.
    pub id: Option<u64>,
    /// Byte offset of the JSON data in the input (the input's length when there is none).
    pub data_start: usize,
}

impl Header<'_> {
    /// Whether the packet carries JSON data.
    pub fn has_data(&self, input: &str) -> bool {
        self.data_start < input.len()
    }
}

/// Decodes the header of a Socket.IO packet.
///
/// `input` is the packet text, or only a prefix of it when `whole` is false (a driver may pass
/// just the first few dozen characters of a large frame). Returns `Ok(None)` when the prefix is
/// too short to decide — the caller then retries with the whole text.
pub fn decode_header(input: &str, whole: bool) -> Result<Option<Header<'_>>, ProtocolError> {
    let bytes = input.as_bytes();
    let first = *bytes.first().ok_or(ProtocolError::EmptyPacket)?;
    let kind = PacketKind::from_byte(first)
        .ok_or_else(|| ProtocolError::UnknownPacketType(input.chars().next().unwrap_or('?')))?;
    let mut i = 1;

    let mut attachments = 0;
    if kind.is_binary() {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == bytes.len() && !whole {
            return Ok(None);
        }
        if i == start || bytes.get(i) != Some(&b'-') {
            return Err(ProtocolError::IllegalAttachments);
        }
        // A long run of digits cannot be a small number; don't bother parsing it.
        attachments = text::between(input, start, i).parse::<usize>().unwrap_or(usize::MAX);
        if attachments == 0 {
            return Err(ProtocolError::IllegalAttachments);
        }
        if attachments > MAX_ATTACHMENTS {
            return Err(ProtocolError::TooManyAttachments);
        }
        i += 1;
    }

    let mut nsp = "/";
    if bytes.get(i) == Some(&b'/') {
        let start = i;
        match text::after(input, i).find(',') {
            Some(comma) => {
                nsp = text::between(input, start, i + comma);
                i += comma + 1;
            }
            None if whole => {
                nsp = text::after(input, start);
                i = bytes.len();
            }
            None => return Ok(None),
        }
    }

    let mut id = None;
    if bytes.get(i).is_some_and(u8::is_ascii_digit) {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == bytes.len() && !whole {
            return Ok(None);
        }
        let n = text::between(input, start, i).parse::<u64>().ok().filter(|n| *n <= MAX_ACK_ID);
        id = Some(n.ok_or(ProtocolError::InvalidAckId)?);
    }

    let data = text::after(input, i);
    if !whole && data.trim_start_matches(is_ws).is_empty() {
        // The prefix stops where the data begins: nothing about the data is known yet.
        return Ok(None);
    }
    check_data_shape(kind, data, whole)?;
    if !data_ready(kind, data, whole) {
        return Ok(None);
    }
    Ok(Some(Header { kind, attachments, nsp, id, data_start: i }))
}

/// Whether the prefix holds enough of the data to have checked its shape.
fn data_ready(kind: PacketKind, data: &str, whole: bool) -> bool {
    whole || !matches!(kind, PacketKind::Event | PacketKind::BinaryEvent) || event_name_seen(data)
}

/// For events, the prefix must reach past the first array element (checked in [`check_data_shape`]).
fn event_name_seen(data: &str) -> bool {
    let rest = data.trim_start_matches(is_ws);
    let Some(after) = rest.strip_prefix('[') else { return true };
    let after = after.trim_start_matches(is_ws);
    match after.as_bytes().first() {
        None => false,
        Some(b'"') => matches!(json::string_prefix(after), Ok(Some(_)) | Err(_)),
        Some(_) => true,
    }
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// The reference parser's `isPayloadValid`, applied to what can be seen of the data.
fn check_data_shape(kind: PacketKind, data: &str, whole: bool) -> Result<(), ProtocolError> {
    let body = data.trim_start_matches(is_ws);
    let first = body.as_bytes().first().copied();
    let absent = data.is_empty();
    match kind {
        PacketKind::Connect if absent || first == Some(b'{') => Ok(()),
        PacketKind::Connect => Err(ProtocolError::InvalidPayload("CONNECT data must be an object")),
        PacketKind::Disconnect if absent => Ok(()),
        PacketKind::Disconnect => Err(ProtocolError::InvalidPayload("DISCONNECT carries no data")),
        PacketKind::ConnectError if matches!(first, Some(b'{' | b'"')) => Ok(()),
        PacketKind::ConnectError => {
            Err(ProtocolError::InvalidPayload("CONNECT_ERROR data must be an object or a string"))
        }
        PacketKind::Ack | PacketKind::BinaryAck if absent || first == Some(b'[') => Ok(()),
        PacketKind::Ack | PacketKind::BinaryAck => {
            Err(ProtocolError::InvalidPayload("ACK data must be an array"))
        }
        PacketKind::Event | PacketKind::BinaryEvent => check_event_name(body, whole),
    }
}

fn check_event_name(body: &str, whole: bool) -> Result<(), ProtocolError> {
    const NOT_ARRAY: ProtocolError =
        ProtocolError::InvalidPayload("EVENT data must be an array starting with the event name");
    let Some(after) = body.strip_prefix('[') else { return Err(NOT_ARRAY) };
    let after = after.trim_start_matches(is_ws);
    match after.as_bytes().first() {
        None if whole => Err(NOT_ARRAY),
        None => Ok(()),
        Some(b'"') => match json::string_prefix(after) {
            Ok(Some((name, _))) if RESERVED_EVENTS.contains(&name.as_ref()) => {
                Err(ProtocolError::ReservedEventName)
            }
            Ok(Some(_)) => Ok(()),
            Ok(None) if !whole => Ok(()),
            _ => Err(NOT_ARRAY),
        },
        Some(b'-' | b'0'..=b'9') => Ok(()),
        Some(_) => Err(NOT_ARRAY),
    }
}

/// Appends a packet header to `out`; the caller appends the JSON data after it.
pub fn write_header(out: &mut String, kind: PacketKind, attachments: usize, nsp: &str, id: Option<u64>) {
    out.push(kind.as_char());
    if kind.is_binary() {
        push_decimal(out, attachments as u64);
        out.push('-');
    }
    if nsp != "/" && !nsp.is_empty() {
        out.push_str(nsp);
        out.push(',');
    }
    if let Some(id) = id {
        push_decimal(out, id);
    }
}

/// Writes a number without going through `core::fmt` (kept out of the hot path and the wasm).
pub(crate) fn push_decimal(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(b as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(s: &str) -> Header<'_> {
        decode_header(s, true).unwrap().unwrap()
    }

    fn enc(kind: PacketKind, att: usize, nsp: &str, id: Option<u64>, data: &str) -> String {
        let mut s = String::new();
        write_header(&mut s, kind, att, nsp, id);
        s.push_str(data);
        s
    }

    /// The examples from the Socket.IO v5 protocol specification.
    #[test]
    fn spec_examples_decode() {
        let h = whole("0");
        assert_eq!((h.kind, h.nsp, h.id, h.data_start), (PacketKind::Connect, "/", None, 1));
        let h = whole("0/admin,");
        assert_eq!((h.kind, h.nsp, h.data_start), (PacketKind::Connect, "/admin", 8));
        let s = r#"0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}"#;
        let h = whole(s);
        assert_eq!(&s[h.data_start..], r#"{"sid":"oSO0OpakMV_3jnilAAAA"}"#);
        let h = whole(r#"4{"message":"Not authorized"}"#);
        assert_eq!(h.kind, PacketKind::ConnectError);
        let s = r#"2["hello",1]"#;
        let h = whole(s);
        assert_eq!(
            (h.kind, h.nsp, h.id, &s[h.data_start..]),
            (PacketKind::Event, "/", None, r#"["hello",1]"#)
        );
        let s = r#"2/admin,456["project:delete",123]"#;
        let h = whole(s);
        assert_eq!((h.nsp, h.id, &s[h.data_start..]), ("/admin", Some(456), r#"["project:delete",123]"#));
        let h = whole("3/admin,456[]");
        assert_eq!((h.kind, h.nsp, h.id), (PacketKind::Ack, "/admin", Some(456)));
        let s = r#"51-["hello",{"_placeholder":true,"num":0}]"#;
        let h = whole(s);
        assert_eq!((h.kind, h.attachments, h.data_start), (PacketKind::BinaryEvent, 1, 3));
        let h = whole(r#"61-/admin,456[{"_placeholder":true,"num":0}]"#);
        assert_eq!((h.kind, h.attachments, h.nsp, h.id), (PacketKind::BinaryAck, 1, "/admin", Some(456)));
        let h = whole("1/admin,");
        assert_eq!((h.kind, h.nsp), (PacketKind::Disconnect, "/admin"));
    }

    #[test]
    fn spec_examples_encode() {
        assert_eq!(enc(PacketKind::Connect, 0, "/", None, ""), "0");
        assert_eq!(
            enc(PacketKind::Connect, 0, "/admin", None, r#"{"token":"123"}"#),
            r#"0/admin,{"token":"123"}"#
        );
        assert_eq!(enc(PacketKind::Disconnect, 0, "/admin", None, ""), "1/admin,");
        assert_eq!(enc(PacketKind::Event, 0, "/", None, r#"["hello",1]"#), r#"2["hello",1]"#);
        assert_eq!(
            enc(PacketKind::Event, 0, "/admin", Some(456), r#"["project:delete",123]"#),
            r#"2/admin,456["project:delete",123]"#
        );
        assert_eq!(enc(PacketKind::Ack, 0, "/admin", Some(456), "[]"), "3/admin,456[]");
        assert_eq!(enc(PacketKind::BinaryEvent, 1, "/", None, "[]"), "51-[]");
        assert_eq!(enc(PacketKind::BinaryAck, 2, "/admin", Some(456), "[]"), "62-/admin,456[]");
        assert_eq!(enc(PacketKind::Event, 0, "/", Some(0), "[]"), "20[]");
        assert_eq!(enc(PacketKind::Event, 0, "/", Some(MAX_ACK_ID), ""), "29007199254740991");
    }

    #[test]
    fn encode_then_decode_round_trips() {
        for kind in [PacketKind::Event, PacketKind::BinaryEvent, PacketKind::Ack, PacketKind::BinaryAck] {
            for nsp in ["/", "/a", "/ünï"] {
                for id in [None, Some(0), Some(7), Some(MAX_ACK_ID)] {
                    let data = if matches!(kind, PacketKind::Event | PacketKind::BinaryEvent) {
                        r#"["e",1]"#
                    } else {
                        "[1]"
                    };
                    let att = if kind.is_binary() { 3 } else { 0 };
                    let s = enc(kind, att, nsp, id, data);
                    let h = whole(&s);
                    assert_eq!(
                        (h.kind, h.attachments, h.nsp, h.id, &s[h.data_start..]),
                        (kind, att, nsp, id, data),
                        "{s}"
                    );
                }
            }
        }
    }

    #[test]
    fn reference_parser_rejections() {
        use ProtocolError::*;
        let err = |s: &str| decode_header(s, true).unwrap_err();
        assert_eq!(err(""), EmptyPacket);
        assert_eq!(err("7"), UnknownPacketType('7'));
        assert_eq!(err("a"), UnknownPacketType('a'));
        assert_eq!(err("5[]"), IllegalAttachments);
        assert_eq!(err("5-[]"), IllegalAttachments);
        assert_eq!(err("50-[]"), IllegalAttachments);
        assert_eq!(err("51"), IllegalAttachments);
        assert_eq!(err("511-[\"a\"]"), TooManyAttachments);
        assert_eq!(err("599999999999999999999999-[\"a\"]"), TooManyAttachments);
        assert_eq!(err("29007199254740992[\"a\"]"), InvalidAckId);
        assert_eq!(err("2999999999999999999999999[\"a\"]"), InvalidAckId);
        assert!(matches!(err("0[]"), InvalidPayload(_)));
        assert!(matches!(err("1{}"), InvalidPayload(_)));
        assert!(matches!(err("2{}"), InvalidPayload(_)));
        assert!(matches!(err("2"), InvalidPayload(_)));
        assert!(matches!(err("2[]"), InvalidPayload(_)));
        assert!(matches!(err("2[null]"), InvalidPayload(_)));
        assert!(matches!(err("2[{}]"), InvalidPayload(_)));
        assert!(matches!(err("2[\"unterminated"), InvalidPayload(_)));
        assert!(matches!(err("3{}"), InvalidPayload(_)));
        assert!(matches!(err("4[]"), InvalidPayload(_)));
        assert!(matches!(err("4"), InvalidPayload(_)));
        for reserved in RESERVED_EVENTS {
            assert_eq!(err(&format!("2[\"{reserved}\"]")), ReservedEventName);
        }
        // Escapes cannot smuggle a reserved name past the check.
        assert_eq!(err(r#"2["conn\u0065ct"]"#), ReservedEventName);
    }

    #[test]
    fn accepts_what_the_reference_accepts() {
        for ok in [r#"2[1,"x"]"#, r#"2 [ "a" ]"#, "3", "3[]", r#"4"plain message""#, "0/a", r#"2/a,["x"]"#] {
            assert!(decode_header(ok, true).unwrap().is_some(), "{ok}");
        }
    }

    #[test]
    fn prefixes_ask_for_more_only_when_needed() {
        let full = r#"2/admin,456["project:delete",123]"#;
        for cut in 1..full.len() {
            let prefix = &full[..cut];
            match decode_header(prefix, false).unwrap() {
                None => {}
                Some(h) => {
                    // A decision made on a prefix must equal the one made on the whole text.
                    assert_eq!(h, whole(full), "cut at {cut}");
                }
            }
        }
        // Enough to see the event name: decided without the rest.
        assert!(decode_header(r#"2["tick",{"i":1"#, false).unwrap().is_some());
        assert!(decode_header(r#"2["ti"#, false).unwrap().is_none());
        assert!(decode_header("2/adm", false).unwrap().is_none());
        assert!(decode_header("245", false).unwrap().is_none());
        // Errors are reported from a prefix too, when they are certain.
        assert_eq!(decode_header(r#"2["disconnect","#, false), Err(ProtocolError::ReservedEventName));
        assert!(decode_header("2{", false).is_err());
    }

    #[test]
    fn decimal_writer() {
        for n in [0u64, 9, 10, 12345, u64::MAX] {
            let mut s = String::new();
            push_decimal(&mut s, n);
            assert_eq!(s, n.to_string());
        }
    }
}
