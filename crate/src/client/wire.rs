//! How the core refers to payloads it carries but does not read.
//!
//! Event arguments and binary attachments pass through the core untouched: in a browser they
//! stay JavaScript values (a string for `JSON.parse`, an `ArrayBuffer`) and never get copied into
//! wasm memory; in native tests they are plain `String`s and `Vec<u8>`s. [`Wire`] names those
//! types and the few operations the core needs on them.

use std::borrow::Cow;
use std::fmt::Debug;

/// The payload types of one platform.
pub trait Wire {
    /// JSON text of a packet's data (e.g. `["event",1,2]`), kept wherever the platform keeps it.
    type Text: Clone + Debug;
    /// One binary attachment.
    type Binary: Clone + Debug;
    /// A user's acknowledgement callback, returned untouched in [`super::Event::AckResponse`].
    type Ack: Debug;

    /// Makes a payload from text the core holds (polling bodies, synthesized `[]`).
    fn text_from_str(s: &str) -> Self::Text;
    /// The payload without its first `prefix.len()` bytes; `prefix` is that head, verbatim.
    ///
    /// A browser implementation records the offset (in UTF-16 units) instead of copying.
    fn text_skip(text: Self::Text, prefix: &str) -> Self::Text;
    /// The payload's text (rare paths only: polling writes, long headers).
    fn text_to_str(text: &Self::Text) -> Cow<'_, str>;
    /// Size of the payload in UTF-8 bytes (polling `maxPayload` accounting).
    fn text_utf8_len(text: &Self::Text) -> usize;
    /// Whether the payload is longer than `limit` UTF-8 bytes (`max_message_size`; only asked
    /// when that limit is set).
    fn text_exceeds(text: &Self::Text, limit: usize) -> bool;
    /// The payload's first characters, at most about `max` bytes of them, and whether that is
    /// all of it. Bounds what the core copies when it must read more than the header prefix.
    fn text_prefix(text: &Self::Text, max: usize) -> (Cow<'_, str>, bool);

    /// Makes an attachment from bytes decoded out of a polling body.
    fn binary_from_vec(bytes: Vec<u8>) -> Self::Binary;
    /// The attachment's bytes (polling writes only).
    fn binary_to_bytes(binary: &Self::Binary) -> Cow<'_, [u8]>;
    /// The attachment's size in bytes.
    fn binary_len(binary: &Self::Binary) -> usize;
}

/// Plain Rust payloads, for native use and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Native;

impl Wire for Native {
    type Text = String;
    type Binary = Vec<u8>;
    /// Native callers identify their callbacks by number.
    type Ack = u64;

    fn text_from_str(s: &str) -> String {
        s.to_owned()
    }
    fn text_skip(mut text: String, prefix: &str) -> String {
        text.drain(..prefix.len().min(text.len()));
        text
    }
    fn text_to_str(text: &String) -> Cow<'_, str> {
        Cow::Borrowed(text)
    }
    fn text_utf8_len(text: &String) -> usize {
        text.len()
    }
    fn text_exceeds(text: &String, limit: usize) -> bool {
        text.len() > limit
    }
    fn text_prefix(text: &String, max: usize) -> (Cow<'_, str>, bool) {
        str_prefix(text, max)
    }
    fn binary_from_vec(bytes: Vec<u8>) -> Vec<u8> {
        bytes
    }
    fn binary_to_bytes(binary: &Vec<u8>) -> Cow<'_, [u8]> {
        Cow::Borrowed(binary)
    }
    fn binary_len(binary: &Vec<u8>) -> usize {
        binary.len()
    }
}

/// `s` cut to at most `max` bytes on a character boundary, and whether nothing was cut.
pub(crate) fn str_prefix(s: &str, max: usize) -> (Cow<'_, str>, bool) {
    if s.len() <= max {
        return (Cow::Borrowed(s), true);
    }
    let cut = (0..=max).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0);
    (Cow::Borrowed(crate::text::before(s, cut)), false)
}
