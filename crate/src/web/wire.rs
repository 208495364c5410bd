//! Payloads as JavaScript values: event JSON stays a JS string, attachments stay ArrayBuffers.

use std::borrow::Cow;

use js_sys::Function;
use wasm_bindgen::JsValue;

use crate::client::Wire;

use super::glue;

/// A JS string holding a packet, and where its data starts (in UTF-16 units).
///
/// Received frames are never copied into wasm memory: the core reads the header from a short
/// prefix and records the data's offset here; `JSON.parse` later reads the data from the string.
#[derive(Clone, Debug)]
pub struct JsText {
    pub value: JsValue,
    pub start: u32,
}

impl JsText {
    pub fn new(value: JsValue) -> Self {
        JsText { value, start: 0 }
    }

    /// The text itself, copied into Rust (rare paths only).
    pub fn text(&self) -> String {
        glue::text_slice(&self.value, self.start)
    }
}

/// A user's acknowledgement callback and how to call it.
#[derive(Debug)]
pub struct JsAck {
    pub callback: Function,
    /// Called as `(err, ...args)` (emitWithAck, timeouts) rather than `(...args)`.
    pub with_error: bool,
}

/// The browser's payload types.
#[derive(Debug)]
pub struct Js;

impl Wire for Js {
    type Text = JsText;
    type Binary = JsValue;
    type Ack = JsAck;

    fn text_from_str(s: &str) -> JsText {
        JsText::new(JsValue::from_str(s))
    }

    fn text_skip(mut text: JsText, prefix: &str) -> JsText {
        let units = if prefix.is_ascii() { prefix.len() } else { prefix.encode_utf16().count() };
        text.start = text.start.saturating_add(units as u32);
        text
    }

    fn text_to_str(text: &JsText) -> Cow<'_, str> {
        Cow::Owned(text.text())
    }

    fn text_utf8_len(text: &JsText) -> usize {
        glue::utf8_length(&text.value, text.start) as usize
    }

    fn text_exceeds(text: &JsText, limit: usize) -> bool {
        glue::utf8_exceeds(&text.value, text.start, limit as f64)
    }

    fn text_prefix(text: &JsText, max: usize) -> (Cow<'_, str>, bool) {
        // UTF-16 units: `max` of them is at least `max` bytes' worth of characters.
        let (prefix, whole) = glue::text_prefix(&text.value, text.start, max as u32);
        (Cow::Owned(prefix), whole)
    }

    fn binary_from_vec(bytes: Vec<u8>) -> JsValue {
        js_sys::Uint8Array::from(&bytes[..]).buffer().into()
    }

    fn binary_to_bytes(binary: &JsValue) -> Cow<'_, [u8]> {
        Cow::Owned(glue::binary_bytes(binary))
    }

    fn binary_len(binary: &JsValue) -> usize {
        glue::binary_length(binary) as usize
    }
}
