//! The exported `ElizaClient`: chat with ElizaOS agents over one Socket.IO connection.
//!
//! This is the driver of [`crate::eliza::Session`], run as a layer of the socket's driver (its
//! pump, its clock, its one timer): it feeds the session the socket's events (decoded from JSON
//! here, since ElizaOS traffic is low-volume), emits what the session asks, performs the REST
//! requests, and hands the session's events to JavaScript listeners — globally and per channel.
//!
//! - [`class`]: the exported class and its construction;
//! - [`options`]: reading its options (with the socket's option reader);
//! - [`session`]: the session on the driver — socket events in, emits and events out;
//! - [`rest`]: the REST requests;
//! - [`state`]: the connection state and the diagnostics report.

use std::cell::RefCell;
use std::collections::HashMap;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::client::SocketId;
use crate::eliza::{ElizaError, OutboxEntry, Session};
use crate::time::{Instant, WallClock};

use super::error::js_error;
use super::glue::Listeners;
use super::lifetime::OwnedDriver;

mod class;
mod options;
mod rest;
mod session;
mod state;

pub use class::ElizaClient;

/// Typed calls and events for the Rust API, over this same client.
#[cfg(feature = "rust-api")]
#[path = "../rust_api/eliza_hooks.rs"]
mod rust_hooks;

#[wasm_bindgen]
extern "C" {
    /// Options of `new ElizaClient()` (declared in eliza_types.rs).
    #[wasm_bindgen(typescript_type = "ElizaClientOptions")]
    pub type ElizaClientOptions;
    #[wasm_bindgen(typescript_type = "JoinDmOptions")]
    pub type JoinDmOptions;
    #[wasm_bindgen(typescript_type = "JoinOptions")]
    pub type JoinOptions;
    #[wasm_bindgen(typescript_type = "HistoryOptions")]
    pub type HistoryOptions;
    #[wasm_bindgen(typescript_type = "SendOptions")]
    pub type SendOptions;
}

/// Largest ElizaOS event decoded (UTF-16 units of its JSON): far above any chat message.
const MAX_EVENT_UNITS: f64 = 1024.0 * 1024.0;

pub(super) struct Inner {
    base_url: String,
    api_key: Option<String>,
    /// The server has the ElizaOS REST API (`rest: false`: Socket.IO only, as in the seed
    /// document's server): no message-server lookup, and joins fetch no history by default.
    rest: bool,
    /// How long the socket layer keeps a SEND_MESSAGE's acknowledgement callback pending.
    send_ack_timeout: core::time::Duration,
    /// Closes the connection when the client is dropped (`free()`, `[Symbol.dispose]`, or
    /// garbage collection of the last JavaScript reference).
    driver: OwnedDriver,
    socket: SocketId,
    /// The AbortController of every REST request: aborted when the client is dropped.
    requests: JsValue,
    /// Runs in the driver's pump, on its clock and its timer (see [`super::driver::Layer`]).
    session: RefCell<Session>,
    /// Listeners of every event, and of one channel's events.
    listeners: Listeners,
    channels: RefCell<HashMap<String, Listeners>>,
    state: RefCell<state::ConnectionState>,
    /// Rust handlers of session events (the Rust API).
    #[cfg(feature = "rust-api")]
    rust_events: rust_hooks::RustEvents,
}

fn to_js_error(e: &ElizaError) -> JsValue {
    js_error(&e.to_string(), e.code(), &JsValue::UNDEFINED)
}

/// A Rust value as a JS value, through JSON text: serde_json writes it, `JSON.parse` builds it. One
/// JSON codec in the wasm (a direct JS-value codec doubled the serde code).
fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    serde_json::to_string(value)
        .ok()
        .and_then(|text| js_sys::JSON::parse(&text).ok())
        .unwrap_or(JsValue::UNDEFINED)
}

/// A JS value as JSON, through JSON text (`JSON.stringify`, then serde_json). Typed values are
/// read from it by hand (`OutboxEntry::from_json`, …): derived readers would pull serde's
/// error formatting, float formatting included, into the wasm.
fn from_js(value: &JsValue) -> Result<serde_json::Value, String> {
    let text = js_sys::JSON::stringify(value).ok().and_then(|t| t.as_string());
    let text = text.ok_or_else(|| "not representable as JSON".to_owned())?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

fn invalid(message: impl Into<String>) -> JsValue {
    to_js_error(&ElizaError::InvalidArgument(message.into()))
}

/// A string argument, or an `INVALID_ARGUMENT` error naming it (instead of the `TypeError` a
/// plain `&str` parameter would throw for `null` or a number).
fn string_arg(name: &str, v: &JsValue) -> Result<String, JsValue> {
    v.as_string().ok_or_else(|| invalid(format!("{name} must be a string")))
}

impl Inner {
    pub(super) fn now(&self) -> Instant {
        self.driver.now()
    }

    /// The wall clock against the monotonic one, now.
    pub(super) fn wall_clock(&self) -> WallClock {
        WallClock::at(self.now().as_millis() as f64, js_sys::Date::now())
    }

    /// The outbox with its times on the wall clock (as stored and shown to users).
    pub(super) fn outbox_wall(&self) -> Vec<OutboxEntry> {
        let wall = self.wall_clock();
        let mut entries = self.session.borrow().outbox().to_vec();
        for e in &mut entries {
            e.created_at = wall.wall(e.created_at);
            e.last_sent_at = e.last_sent_at.map(|t| wall.wall(t));
        }
        entries
    }

    pub(super) fn outbox_js(&self) -> JsValue {
        to_js(&self.outbox_wall())
    }

    /// Leaves and closes the connection; reconnection waits for `connect()`.
    pub(super) fn close(&self) {
        let socket = self.socket;
        self.driver.with_client(|c, now| {
            c.disconnect(now, socket);
            c.close(now);
        });
    }

    pub(super) fn socket_connected(&self) -> bool {
        self.driver.read(|c| c.socket_connected(self.socket))
    }

    /// Adds to the session's diagnostics, stamped with the current time.
    pub(super) fn record(&self, f: impl FnOnce(&mut crate::eliza::Diagnostics, u64)) {
        let at = self.now().as_millis();
        f(self.session.borrow_mut().diagnostics_mut(), at);
    }
}
