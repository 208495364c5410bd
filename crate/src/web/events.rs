//! Core events delivered to JavaScript listeners.

use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};

use crate::client::{ConnectError, Event};

use super::driver::Driver;
use super::error::{js_error, to_js};
use super::glue::{self, Listeners};
use super::wire::{Js, JsText};

/// Longest connection-state-recovery offset recorded (UTF-16 units; socket.io's are a few dozen).
const MAX_OFFSET_UNITS: f64 = 1024.0;

/// Manager events: `open`, `close`, `error`, `ping`, `upgrade` and the `reconnect*` family.
pub(crate) fn manager_event(l: &Listeners, event: Event<Js>) {
    match event {
        Event::Open => l.emit0("open"),
        Event::Close { reason, description } => {
            l.emit2("close", &reason.as_str().into(), &description.map_or(JsValue::UNDEFINED, Into::into))
        }
        Event::Error(e) => l.emit1("error", &to_js(&e)),
        Event::Ping => l.emit0("ping"),
        Event::Upgrade(kind) => l.emit1("upgrade", &kind.name().into()),
        Event::ReconnectAttempt(n) => l.emit1("reconnect_attempt", &n.into()),
        Event::Reconnect(n) => l.emit1("reconnect", &n.into()),
        Event::ReconnectError(e) => l.emit1("reconnect_error", &to_js(&e)),
        Event::ReconnectFailed => l.emit0("reconnect_failed"),
        _ => {}
    }
}

/// Socket events: lifecycle, server events, acknowledgements, outgoing notifications.
pub(crate) fn socket_event(driver: &Rc<Driver>, l: &Listeners, acker: &js_sys::Function, event: Event<Js>) {
    match event {
        Event::Connect { .. } => l.emit0("connect"),
        Event::ConnectError { error, .. } => l.emit1("connect_error", &connect_error(error)),
        Event::Disconnect { reason, description, .. } => l.emit2(
            "disconnect",
            &reason.as_str().into(),
            &description.map_or(JsValue::UNDEFINED, Into::into),
        ),
        Event::Message { socket, data, attachments, ack } => {
            let attachments = attachments_value(attachments);
            let (ack_id, acker) = match ack {
                Some(id) => (id as f64, acker.clone().into()),
                None => (-1.0, JsValue::UNDEFINED),
            };
            let outcome = glue::deliver_event(l, &data.value, data.start, &attachments, ack_id, &acker);
            if outcome.is_falsy() {
                driver.with_client(|c, now| c.handle_invalid_payload(now, "event data is not a JSON array"));
            } else if outcome.is_string() && driver.read(|c| c.socket_tracks_offsets(socket)) {
                // Offsets are short ids; a long last argument is not one, and is not copied into
                // wasm memory.
                if glue::text_units(&outcome, 0) <= MAX_OFFSET_UNITS {
                    if let Some(offset) = outcome.as_string() {
                        driver.with_client(|c, _| c.record_offset(socket, offset));
                    }
                }
            }
        }
        Event::AckResponse { ack, result, .. } => {
            let valid = match result {
                Ok((data, attachments)) => glue::settle_ack(
                    ack.callback.unchecked_ref(),
                    ack.with_error,
                    &JsValue::UNDEFINED,
                    &data.value,
                    data.start,
                    &attachments_value(attachments),
                ),
                Err(e) => glue::settle_ack(
                    ack.callback.unchecked_ref(),
                    ack.with_error,
                    &to_js(&e),
                    &JsValue::UNDEFINED,
                    0,
                    &JsValue::UNDEFINED,
                ),
            };
            if !valid {
                driver.with_client(|c, now| c.handle_invalid_payload(now, "ack data is not a JSON array"));
            }
        }
        Event::Sent { data, .. } => l.emit_outgoing(&data.value, data.start),
        _ => {}
    }
}

fn connect_error(error: ConnectError<Js>) -> JsValue {
    match error {
        ConnectError::Refused { message, data } => {
            let data = data.map_or(JsValue::UNDEFINED, |d| glue::parse_json(&d.text()));
            js_error(&message, "CONNECT_REFUSED", &data)
        }
        ConnectError::Connection(e) => to_js(&e),
    }
}

fn attachments_value(attachments: Vec<JsValue>) -> JsValue {
    if attachments.is_empty() {
        JsValue::UNDEFINED
    } else {
        attachments.into_iter().collect::<js_sys::Array>().into()
    }
}

/// Splits `encodeArgs` output: JSON text, or `[text, attachments]`.
pub(crate) fn split_encoded(encoded: JsValue) -> (JsText, Vec<JsValue>) {
    if encoded.is_string() {
        return (JsText::new(encoded), Vec::new());
    }
    let pair: js_sys::Array = encoded.unchecked_into();
    let attachments: js_sys::Array = pair.get(1).unchecked_into();
    (JsText::new(pair.get(0)), attachments.iter().collect())
}
