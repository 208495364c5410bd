//! Errors as JavaScript `Error` objects with a `code`.

use wasm_bindgen::{JsCast, JsValue};

use crate::error::Error;

use super::glue;

/// A JS `Error` for a core error: `message` says what happened, `code` is [`Error::code`].
pub fn to_js(e: &Error) -> JsValue {
    glue::make_error(&e.to_string(), e.code(), &JsValue::UNDEFINED)
}

/// A JS `Error` with a code and optional data.
pub fn js_error(message: &str, code: &str, data: &JsValue) -> JsValue {
    glue::make_error(message, code, data)
}

/// What a thrown JS value says, for transport error descriptions.
pub fn describe(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| "unknown error".to_owned())
}
