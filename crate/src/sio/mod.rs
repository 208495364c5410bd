//! Socket.IO v5: packets carried inside Engine.IO messages.
//!
//! `<type>[<attachments>-][<namespace>,][<ack id>][<JSON data>]`, for example
//! `2/admin,456["project:delete",123]`.
//!
//! Only the *header* is decoded here ([`decode_header`]); the JSON data stays text. The header
//! decoder applies the reference parser's (socket.io-parser 4.2) rules — packet type, attachment
//! count between 1 and [`MAX_ATTACHMENTS`], namespace, ack id, and the shape of the data for the
//! packet type, including reserved event names — and checks the data's first element, so that
//! a malformed packet is rejected before anything is delivered. Where the reference parser
//! accepts nonsense, this one is stricter: an EVENT must carry data, an ack id must fit in
//! JavaScript's safe integers, and digits mean ASCII digits only.

mod header;

pub(crate) use header::push_decimal;
pub use header::{decode_header, write_header, Header, PacketKind, RESERVED_EVENTS};

/// Most attachments one binary packet may announce (socket.io-parser's default limit).
pub const MAX_ATTACHMENTS: usize = 10;

/// Largest acknowledgement id (JavaScript's `Number.MAX_SAFE_INTEGER`).
pub const MAX_ACK_ID: u64 = (1 << 53) - 1;
