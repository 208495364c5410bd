//! Engine.IO v4: the transport layer under Socket.IO.
//!
//! - [`packet`]: one packet in one text frame (`<type char><data>`), binary frames are messages.
//! - [`handshake`]: the `open` packet's JSON (`sid`, `upgrades`, ping settings, `maxPayload`).
//! - [`payload`]: HTTP long-polling bodies, packets joined by `\x1e`, binary as `b<base64>`.
//!
//! Everything here is a pure function of its input; nothing here can panic on any input.

pub mod handshake;
pub mod packet;
pub mod payload;

pub use handshake::Handshake;
pub use packet::PacketType;

/// The Engine.IO protocol revision this client speaks (`EIO=4` in URLs).
pub const PROTOCOL: &str = "4";
