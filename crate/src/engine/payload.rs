//! HTTP long-polling bodies: several packets in one text, separated by the record separator.
//!
//! `4hello\x1e4€\x1ebAQIDBA==` holds two text messages and one binary message (base64 after `b`).

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

use crate::error::ProtocolError;

/// Separates packets in a polling body (ASCII record separator).
pub const SEPARATOR: char = '\x1e';

/// One packet of a polling body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item<'a> {
    /// A text packet, type character included (decode it with [`super::packet::decode_text`]).
    Text(&'a str),
    /// A binary message, already decoded from base64.
    Binary(Vec<u8>),
}

/// Splits a polling body into its packets.
pub fn decode(body: &str) -> impl Iterator<Item = Result<Item<'_>, ProtocolError>> {
    body.split(SEPARATOR).map(|part| {
        if let Some(b64) = part.strip_prefix('b') {
            BASE64.decode(b64).map(Item::Binary).map_err(|_| ProtocolError::InvalidBase64)
        } else if part.is_empty() {
            Err(ProtocolError::EmptyPacket)
        } else {
            Ok(Item::Text(part))
        }
    })
}

/// Appends the polling form of a binary message (`b` + base64) to `out`.
pub fn push_binary(out: &mut String, bytes: &[u8]) {
    out.push('b');
    // Into bytes, then as chars: base64 is ASCII. (`encode_string` unwraps a UTF-8 check whose
    // error formatting adds ~1 KB of wasm.) The buffer has the exact encoded size, so encoding
    // into it cannot fail.
    let mut encoded = vec![0; base64::encoded_len(bytes.len(), true).unwrap_or(0)];
    let written = BASE64.encode_slice(bytes, &mut encoded).unwrap_or(0);
    out.extend(encoded[..written].iter().map(|&b| char::from(b)));
}

/// The size a binary message takes in a polling body.
pub fn binary_len(bytes: usize) -> usize {
    1 + bytes.div_ceil(3) * 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_example() {
        let items: Vec<_> = decode("4hello\x1e4€\x1ebAQIDBA==").collect();
        assert_eq!(
            items,
            vec![Ok(Item::Text("4hello")), Ok(Item::Text("4€")), Ok(Item::Binary(vec![1, 2, 3, 4]))]
        );
    }

    #[test]
    fn single_packet_and_errors() {
        assert_eq!(decode("6").collect::<Vec<_>>(), vec![Ok(Item::Text("6"))]);
        assert_eq!(decode("").collect::<Vec<_>>(), vec![Err(ProtocolError::EmptyPacket)]);
        assert_eq!(
            decode("4a\x1e\x1ebAA!").collect::<Vec<_>>(),
            vec![Ok(Item::Text("4a")), Err(ProtocolError::EmptyPacket), Err(ProtocolError::InvalidBase64)]
        );
    }

    #[test]
    fn binary_encoding_round_trips_and_sizes_match() {
        for n in 0..10 {
            let bytes: Vec<u8> = (0..n as u8).collect();
            let mut out = String::new();
            push_binary(&mut out, &bytes);
            assert_eq!(out.len(), binary_len(n));
            assert_eq!(decode(&out).next().unwrap().unwrap(), Item::Binary(bytes));
        }
    }
}
