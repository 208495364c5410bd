//! The exported `Socket` class: one namespace of a connection, with socket.io-client's API.

use std::cell::Cell;
use std::rc::Rc;

use core::time::Duration;

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;

use crate::client::{Emit, SocketId};
use crate::error::Error;

use super::driver::Driver;
use super::error::to_js;
use super::glue::{self, Listeners};
use super::lifetime::SocketOwner;
use super::manager::Manager;
use super::wire::{JsAck, JsText};

/// Modifiers for the next `emit` (`socket.timeout(ms).emit(…)`, `socket.volatile.emit(…)`).
#[derive(Clone, Copy, Default)]
struct Flags {
    timeout: Option<Duration>,
    volatile: bool,
}

/// A connection to one namespace. Created by `io()` or `Manager.socket()`.
///
/// Freeing the last object of a namespace socket disconnects it; freeing the last `Socket` and
/// `Manager` of a connection closes the connection.
#[wasm_bindgen]
pub struct Socket {
    owner: Rc<SocketOwner>,
    id: SocketId,
    listeners: Listeners,
    flags: Rc<Cell<Flags>>,
}

impl Socket {
    pub(crate) fn new(owner: Rc<SocketOwner>) -> Socket {
        let id = owner.id;
        let listeners = owner.conn.driver.listeners(id).unwrap_or_else(Listeners::new);
        Socket { owner, id, listeners, flags: Rc::default() }
    }

    fn driver(&self) -> &Rc<Driver> {
        &self.owner.conn.driver
    }

    fn with_flags(&self, f: impl FnOnce(&mut Flags)) -> Socket {
        let mut flags = self.flags.get();
        f(&mut flags);
        self.flags.set(flags);
        Socket {
            owner: self.owner.clone(),
            id: self.id,
            listeners: self.listeners.clone(),
            flags: self.flags.clone(),
        }
    }

    /// Encodes and sends `[ev, ...args]`; `ack` overrides a trailing callback in `args`.
    fn send_event(&self, ev: JsValue, args: Array, ack: Option<JsAck>) -> Result<(), JsValue> {
        let encoded = glue::encode_emit(&ev, &args);
        let (data, attachments, callback) = if encoded.is_string() {
            (JsText::new(encoded), Vec::new(), None)
        } else if encoded.is_undefined() {
            return Err(glue::take_thrown());
        } else {
            let parts: Array = encoded.unchecked_into();
            let attachments = parts.get(1);
            let attachments = if attachments.is_undefined() {
                Vec::new()
            } else {
                attachments.unchecked_into::<Array>().iter().collect()
            };
            (JsText::new(parts.get(0)), attachments, parts.get(2).dyn_into::<Function>().ok())
        };
        let flags = self.flags.replace(Flags::default());
        let ack = ack.or_else(|| {
            callback.map(|callback| JsAck {
                callback,
                // socket.io-client: a callback with a timeout receives an error first.
                with_error: flags.timeout.is_some()
                    || self.driver().read(|c| c.config().ack_timeout.is_some()),
            })
        });
        let emit = Emit {
            data,
            attachments,
            ack,
            timeout: flags.timeout,
            volatile: flags.volatile,
            session_only: false,
        };
        self.driver().with_client(|c, now| c.emit(now, self.id, emit)).map_err(|e| super::error::to_js(&e))
    }
}

#[wasm_bindgen]
impl Socket {
    /// The socket id the server assigned; `undefined` while not connected.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> Option<String> {
        self.driver().read(|c| c.socket_sid(self.id).map(str::to_owned))
    }

    /// Whether the socket is connected to its namespace.
    #[wasm_bindgen(getter)]
    pub fn connected(&self) -> bool {
        self.driver().read(|c| c.socket_connected(self.id))
    }

    /// Whether the socket is not connected.
    #[wasm_bindgen(getter)]
    pub fn disconnected(&self) -> bool {
        !self.connected()
    }

    /// Whether the socket is connected or will reconnect automatically.
    #[wasm_bindgen(getter)]
    pub fn active(&self) -> bool {
        self.driver().read(|c| c.socket_active(self.id))
    }

    /// Whether the last reconnection restored the session (connection state recovery).
    #[wasm_bindgen(getter)]
    pub fn recovered(&self) -> bool {
        self.driver().read(|c| c.socket_recovered(self.id))
    }

    /// The namespace, e.g. `"/"` or `"/admin"`.
    #[wasm_bindgen(getter)]
    pub fn nsp(&self) -> String {
        self.driver().read(|c| c.socket_nsp(self.id).to_owned())
    }

    /// The connection this socket runs on.
    #[wasm_bindgen(getter)]
    pub fn io(&self) -> Manager {
        Manager::from_connection(self.owner.conn.clone())
    }

    /// Replaces the `auth` payload sent with the next CONNECT.
    #[wasm_bindgen(setter)]
    pub fn set_auth(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] auth: JsValue,
    ) -> Result<(), JsValue> {
        let auth = if auth.is_undefined() || auth.is_null() {
            None
        } else {
            Some(super::options::auth_json(&auth).map_err(|e| to_js(&e))?)
        };
        self.driver().with_client(|c, _| c.set_auth(self.id, auth));
        Ok(())
    }

    /// Emits waiting for the connection or for their acknowledgement.
    #[wasm_bindgen(getter, js_name = pendingCount)]
    pub fn pending_count(&self) -> usize {
        self.driver().read(|c| c.socket_pending(self.id))
    }

    /// Connects (or reconnects) to the namespace.
    pub fn connect(&self) {
        self.driver().with_client(|c, now| c.connect(now, self.id));
    }

    /// Same as `connect()`.
    pub fn open(&self) {
        self.connect();
    }

    /// Leaves the namespace; no automatic reconnection follows.
    pub fn disconnect(&self) {
        self.driver().with_client(|c, now| c.disconnect(now, self.id));
    }

    /// Same as `disconnect()`.
    pub fn close(&self) {
        self.disconnect();
    }

    /// Sends an event. A trailing function receives the server's acknowledgement.
    #[wasm_bindgen(variadic, skip_typescript)]
    pub fn emit(&self, ev: JsValue, args: Array) -> Result<(), JsValue> {
        self.send_event(ev, args, None)
    }

    /// Sends an event and resolves with the server's acknowledgement (rejects on timeout or
    /// disconnection).
    #[wasm_bindgen(variadic, js_name = emitWithAck, skip_typescript)]
    pub fn emit_with_ack(&self, ev: JsValue, args: Array) -> Result<js_sys::Promise, JsValue> {
        let pair = glue::promise_ack();
        let ack = JsAck { callback: pair.get(1).unchecked_into(), with_error: true };
        self.send_event(ev, args, Some(ack))?;
        Ok(pair.get(0).unchecked_into())
    }

    /// Sends a `message` event.
    #[wasm_bindgen(variadic, skip_typescript)]
    pub fn send(&self, args: Array) -> Result<(), JsValue> {
        self.send_event("message".into(), args, None)
    }

    /// Sets an acknowledgement timeout for the next emit: its callback gets an error first.
    pub fn timeout(&self, ms: f64) -> Result<Socket, JsValue> {
        if ms.is_nan() || ms < 0.0 {
            return Err(to_js(&Error::InvalidArgument("timeout must be a non-negative number".into())));
        }
        Ok(self.with_flags(|f| f.timeout = Some(Duration::from_millis(ms as u64))))
    }

    /// The next emit is dropped rather than buffered if it cannot be sent right away.
    #[wasm_bindgen(getter)]
    pub fn volatile(&self) -> Socket {
        self.with_flags(|f| f.volatile = true)
    }

    /// Accepted for compatibility; WebSocket compression is negotiated by the browser.
    pub fn compress(&self, compress: bool) -> Socket {
        let _ = compress;
        self.with_flags(|_| {})
    }

    /// Listens to an event; returns a function that removes the listener.
    #[wasm_bindgen(skip_typescript)]
    pub fn on(&self, ev: JsValue, listener: JsValue) -> Result<Function, JsValue> {
        self.listeners.on(&ev, &listener, false, false)
    }

    /// Listens to the next occurrence of an event only.
    #[wasm_bindgen(skip_typescript)]
    pub fn once(&self, ev: JsValue, listener: JsValue) -> Result<Function, JsValue> {
        self.listeners.on(&ev, &listener, true, false)
    }

    /// Removes a listener, all listeners of an event, or all listeners.
    #[wasm_bindgen(skip_typescript)]
    pub fn off(&self, ev: JsValue, listener: JsValue) {
        self.listeners.off(&ev, &listener);
    }

    /// The listeners of an event.
    #[wasm_bindgen(skip_typescript)]
    pub fn listeners(&self, ev: JsValue) -> Array {
        self.listeners.listeners(&ev)
    }

    /// Whether an event has listeners.
    #[wasm_bindgen(js_name = hasListeners)]
    pub fn has_listeners(&self, ev: &str) -> bool {
        self.listeners.listeners(&ev.into()).length() > 0
    }

    /// Listens to every incoming event: `(event, ...args)`.
    #[wasm_bindgen(js_name = onAny, skip_typescript)]
    pub fn on_any(&self, listener: JsValue) -> Result<Function, JsValue> {
        self.listeners.add_any(false, &listener, false)
    }

    /// Like `onAny`, but called before the other catch-all listeners.
    #[wasm_bindgen(js_name = prependAny, skip_typescript)]
    pub fn prepend_any(&self, listener: JsValue) -> Result<Function, JsValue> {
        self.listeners.add_any(false, &listener, true)
    }

    /// Removes a catch-all listener (or all of them).
    #[wasm_bindgen(js_name = offAny, skip_typescript)]
    pub fn off_any(&self, listener: JsValue) {
        self.listeners.remove_any(false, &listener);
    }

    /// The catch-all listeners.
    #[wasm_bindgen(js_name = listenersAny, skip_typescript)]
    pub fn listeners_any(&self) -> Array {
        self.listeners.any().slice(0, u32::MAX)
    }

    /// Listens to every outgoing event: `(event, ...args)`, called when the packet is written.
    #[wasm_bindgen(js_name = onAnyOutgoing, skip_typescript)]
    pub fn on_any_outgoing(&self, listener: JsValue) -> Result<Function, JsValue> {
        let off = self.listeners.add_any(true, &listener, false)?;
        self.driver().with_client(|c, _| c.set_notify_outgoing(self.id, true));
        Ok(off)
    }

    /// Like `onAnyOutgoing`, but called before the other outgoing listeners.
    #[wasm_bindgen(js_name = prependAnyOutgoing, skip_typescript)]
    pub fn prepend_any_outgoing(&self, listener: JsValue) -> Result<Function, JsValue> {
        let off = self.listeners.add_any(true, &listener, true)?;
        self.driver().with_client(|c, _| c.set_notify_outgoing(self.id, true));
        Ok(off)
    }

    /// Removes an outgoing catch-all listener (or all of them).
    #[wasm_bindgen(js_name = offAnyOutgoing, skip_typescript)]
    pub fn off_any_outgoing(&self, listener: JsValue) {
        self.listeners.remove_any(true, &listener);
    }

    /// The outgoing catch-all listeners.
    #[wasm_bindgen(js_name = listenersAnyOutgoing, skip_typescript)]
    pub fn listeners_any_outgoing(&self) -> Array {
        self.listeners.any_out().slice(0, u32::MAX)
    }
}
