//! Engine.IO packet types and text-frame framing.

use crate::error::ProtocolError;

/// The seven Engine.IO packet types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacketType {
    /// `0`: the server's handshake, carrying [`super::Handshake`] JSON.
    Open,
    /// `1`: the transport is being closed.
    Close,
    /// `2`: heartbeat request (server → client), or `2probe` on an upgrade probe.
    Ping,
    /// `3`: heartbeat answer, or `3probe` answering a probe.
    Pong,
    /// `4`: application data (a Socket.IO packet).
    Message,
    /// `5`: completes a transport upgrade.
    Upgrade,
    /// `6`: does nothing; used by servers to release a pending long-poll.
    Noop,
}

impl PacketType {
    /// The type for a type character, if it is one.
    pub fn from_byte(b: u8) -> Option<Self> {
        Some(match b {
            b'0' => PacketType::Open,
            b'1' => PacketType::Close,
            b'2' => PacketType::Ping,
            b'3' => PacketType::Pong,
            b'4' => PacketType::Message,
            b'5' => PacketType::Upgrade,
            b'6' => PacketType::Noop,
            _ => return None,
        })
    }

    /// The type character written on the wire.
    pub fn as_char(self) -> char {
        match self {
            PacketType::Open => '0',
            PacketType::Close => '1',
            PacketType::Ping => '2',
            PacketType::Pong => '3',
            PacketType::Message => '4',
            PacketType::Upgrade => '5',
            PacketType::Noop => '6',
        }
    }
}

/// Splits a text packet into its type and its data (the rest of the text).
pub fn decode_text(text: &str) -> Result<(PacketType, &str), ProtocolError> {
    let first = *text.as_bytes().first().ok_or(ProtocolError::EmptyPacket)?;
    match PacketType::from_byte(first) {
        // The type byte is ASCII, so index 1 is a char boundary.
        Some(ty) => Ok((ty, crate::text::after(text, 1))),
        None => Err(ProtocolError::UnknownEnginePacket(text.chars().next().unwrap_or('?'))),
    }
}

/// Encodes a text packet: its type character followed by `data`.
pub fn encode_text(ty: PacketType, data: &str) -> String {
    let mut out = String::with_capacity(1 + data.len());
    out.push(ty.as_char());
    out.push_str(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples() {
        assert_eq!(decode_text("4hello"), Ok((PacketType::Message, "hello")));
        assert_eq!(decode_text("2"), Ok((PacketType::Ping, "")));
        assert_eq!(decode_text("2probe"), Ok((PacketType::Ping, "probe")));
        assert_eq!(decode_text("3probe"), Ok((PacketType::Pong, "probe")));
        assert_eq!(decode_text("6"), Ok((PacketType::Noop, "")));
        assert_eq!(encode_text(PacketType::Pong, ""), "3");
        assert_eq!(encode_text(PacketType::Ping, "probe"), "2probe");
    }

    #[test]
    fn every_type_round_trips() {
        for b in b'0'..=b'6' {
            let ty = PacketType::from_byte(b).unwrap();
            assert_eq!(ty.as_char() as u8, b);
            assert_eq!(decode_text(&encode_text(ty, "x€")), Ok((ty, "x€")));
        }
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(decode_text(""), Err(ProtocolError::EmptyPacket));
        assert_eq!(decode_text("7"), Err(ProtocolError::UnknownEnginePacket('7')));
        assert_eq!(decode_text("€4"), Err(ProtocolError::UnknownEnginePacket('€')));
    }
}
