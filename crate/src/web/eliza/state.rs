//! The connection state (`state` events) and the diagnostics report.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::eliza::{ConnectionFacts, Handshake};

use super::{to_js, Inner};

/// What the `state` event reports.
#[derive(Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ConnectionState {
    /// `connecting`, `connected`, `reconnecting` or `disconnected`.
    pub(super) state: &'static str,
    /// Reconnection attempts since the last successful connection.
    pub(super) attempt: u32,
    /// When the next attempt starts, while waiting for it: on the driver's monotonic clock here,
    /// in ms since the epoch once serialized for listeners (see `Inner::state_js`).
    pub(super) retry_at: Option<u64>,
    /// The last connection error, until the next successful connection.
    pub(super) error: Option<ErrorInfo>,
}

#[derive(Clone, PartialEq, Serialize)]
pub(super) struct ErrorInfo {
    pub(super) code: String,
    pub(super) message: String,
}

impl Inner {
    /// A connection state for listeners: `retryAt` is wall-now plus the time left.
    pub(super) fn state_js(&self, state: &ConnectionState) -> JsValue {
        let mut state = state.clone();
        state.retry_at = state.retry_at.map(|t| self.wall_clock().wall(t));
        to_js(&state)
    }

    /// Emits `state` when the connection state changed.
    pub(super) fn update_state(&self) {
        let socket = self.socket;
        let observed = self.driver.read(|c| {
            let attempt = c.reconnect_attempts();
            if c.socket_connected(socket) {
                Some(("connected", 0, None))
            } else if let Some(at) = c.reconnect_at() {
                Some(("reconnecting", attempt, Some(at.as_millis())))
            } else if c.is_open() && c.socket_active(socket) {
                // The session is open and the socket's CONNECT is on its way: still whatever it
                // was (connecting, or reconnecting with its attempt count), not a new state.
                None
            } else if c.socket_active(socket) && !c.is_idle() {
                Some((if attempt > 0 { "reconnecting" } else { "connecting" }, attempt, None))
            } else {
                Some(("disconnected", attempt, None))
            }
        });
        let Some((state, attempt, retry_at)) = observed else { return };
        let next = {
            let mut current = self.state.borrow_mut();
            let next = ConnectionState { state, attempt, retry_at, error: current.error.clone() };
            if *current == next {
                return;
            }
            *current = next.clone();
            next
        };
        self.listeners.emit1("state", &self.state_js(&next));
    }

    /// The diagnostics report: the session's record and findings, and the connection as the
    /// driver sees it (the session removes the API key from all of it).
    pub(super) fn diagnostics(&self) -> crate::eliza::Report {
        let socket = self.socket;
        let (connected, transport, socket_id) = self.driver.read(|c| {
            let connected = c.socket_connected(socket);
            let transport = c.transport().map(|t| t.name().to_owned());
            (connected, transport, c.socket_sid(socket).map(str::to_owned))
        });
        let state = self.state.borrow().clone();
        let handshake = match (&state.error, connected) {
            (_, true) => Handshake::Ok,
            (Some(e), false) if e.code == "CONNECT_REFUSED" || e.code == "UNAUTHORIZED" => {
                Handshake::Refused { reason: e.message.clone() }
            }
            (Some(e), false) => Handshake::Failed { reason: e.message.clone() },
            (None, false) => Handshake::Pending,
        };
        let facts = ConnectionFacts {
            server_url: self.base_url.clone(),
            server_era: self.session.borrow().server_info().era.as_str().to_owned(),
            state: state.state.to_owned(),
            transport,
            socket_id,
            handshake,
        };
        let now = self.now();
        self.session.borrow().diagnostics_report(now, facts)
    }
}
