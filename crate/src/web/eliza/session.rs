//! The session on the driver: socket events in, emits, history requests and session events out.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::client::{ConnectError, Emit, Event};
use crate::eliza::{ElizaError, ElizaEvent, ErrorKind};
use crate::time::Instant;

use super::super::driver::Layer;
use super::super::glue;
use super::super::wire::{Js, JsAck, JsText};
use super::state::ErrorInfo;
use super::{to_js, Inner, MAX_EVENT_UNITS};

impl Inner {
    /// Performs what the session asked for at once; its events are delivered, and the timer
    /// re-armed, by the driver's pump (at once, unless that pump is delivering further up the
    /// stack).
    pub(super) fn pump(self: &Rc<Self>) {
        self.flush_requests();
        self.driver.pump();
    }

    /// Socket emits and history requests.
    pub(super) fn flush_requests(self: &Rc<Self>) {
        loop {
            let emit = self.session.borrow_mut().poll_emit();
            let Some(emit) = emit else { break };
            // The session re-sends after reconnecting: never let the socket keep a copy.
            let Ok(text) = serde_json::to_string(&(emit.event, emit.payload)) else { continue };
            // The callback slot carries the client message id as a tag: this client's sink
            // receives the answer as an `AckResponse` event and never calls it.
            let ack = emit
                .ack_for
                .map(|id| JsAck { callback: JsValue::from_str(&id).unchecked_into(), with_error: false });
            let emit = Emit {
                data: JsText::new(JsValue::from_str(&text)),
                attachments: Vec::new(),
                timeout: ack.as_ref().map(|_| self.send_ack_timeout),
                ack,
                volatile: false,
                session_only: true,
            };
            let socket = self.socket;
            // Never buffered (session_only), so never refused for a full buffer.
            let _ = self.driver.with_client(|c, now| c.emit(now, socket, emit));
        }
        loop {
            let request = self.session.borrow_mut().poll_history_request();
            let Some(request) = request else { break };
            let inner = self.clone();
            wasm_bindgen_futures::spawn_local(async move { inner.fetch_history(request).await });
        }
    }

    pub(super) fn dispatch(self: &Rc<Self>, event: ElizaEvent) {
        self.record(|d, at| d.observe(&event, at));
        #[cfg(feature = "rust-api")]
        self.rust_events.deliver(&event);
        let channel = event.channel_id().map(str::to_owned);
        let (name, value) = match &event {
            ElizaEvent::OutboxChanged => {
                let outbox = self.outbox_js();
                let obj = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&obj, &"type".into(), &"outbox".into());
                let _ = js_sys::Reflect::set(&obj, &"outbox".into(), &outbox);
                ("outbox".to_owned(), obj.into())
            }
            other => {
                let value = to_js(other);
                let name = js_sys::Reflect::get(&value, &"type".into()).ok().and_then(|t| t.as_string());
                (name.unwrap_or_else(|| "event".to_owned()), value)
            }
        };
        let per_channel = channel.and_then(|c| self.channels.borrow().get(&c).cloned());
        if let Some(l) = per_channel {
            l.emit1(&name, &value);
        }
        self.listeners.emit1(&name, &value);
    }

    pub(super) fn on_socket_event(self: &Rc<Self>, event: Event<Js>) {
        match event {
            Event::Connect { .. } => {
                self.state.borrow_mut().error = None;
                self.on_connected();
            }
            Event::Disconnect { .. } => {
                self.session.borrow_mut().handle_disconnected();
                self.pump();
            }
            Event::ConnectError { error, .. } => {
                let info = match error {
                    ConnectError::Refused { message, .. } => {
                        // ElizaOS refuses the socket for a missing or wrong key (SERVER_API_KEY).
                        let code =
                            if message.contains("API Key") { "UNAUTHORIZED" } else { "CONNECT_REFUSED" };
                        ErrorInfo {
                            code: code.into(),
                            message: format!("the server refused the connection: {message}"),
                        }
                    }
                    ConnectError::Connection(e) => ErrorInfo {
                        code: e.code().into(),
                        message: format!("cannot reach the ElizaOS server at {} ({e})", self.base_url),
                    },
                };
                let kind = if info.code == "UNAUTHORIZED" { ErrorKind::Auth } else { ErrorKind::Connection };
                self.record(|d, at| d.record_error(kind, &info.code, &info.message, at));
                self.state.borrow_mut().error = Some(info);
            }
            Event::Message { data, .. } if glue::text_units(&data.value, data.start) > MAX_EVENT_UNITS => {
                self.refuse_oversized("an event larger than 1 MiB from the server was ignored");
            }
            Event::Message { data, .. } => {
                let text = data.text();
                if let Ok(serde_json::Value::Array(mut args)) = serde_json::from_str(&text) {
                    if let Some(serde_json::Value::String(name)) = args.first().cloned() {
                        let payload =
                            if args.len() > 1 { args.swap_remove(1) } else { serde_json::Value::Null };
                        let now = self.now();
                        let wall = self.wall_clock();
                        {
                            let mut session = self.session.borrow_mut();
                            session.set_wall_clock(wall);
                            session.handle_event(now, &name, &payload);
                        }
                        self.pump();
                    }
                }
            }
            Event::AckResponse { ack, result: Ok((data, _)), .. } => {
                // The answer to a SEND_MESSAGE's callback (see `flush_requests`); a timeout or
                // disconnect is left to the session's own acknowledgement timeout.
                let Some(client_message_id) = JsValue::from(ack.callback).as_string() else { return };
                let reply = if glue::text_units(&data.value, data.start) > MAX_EVENT_UNITS {
                    // Answered, but with nothing this client reads: as if without a reply.
                    self.refuse_oversized("an acknowledgement larger than 1 MiB from the server was ignored");
                    serde_json::Value::Null
                } else {
                    match serde_json::from_str(&data.text()) {
                        Ok(serde_json::Value::Array(mut args)) if !args.is_empty() => args.swap_remove(0),
                        _ => serde_json::Value::Null,
                    }
                };
                let now = self.now();
                self.session.borrow_mut().handle_emit_ack(now, &client_message_id, &reply);
                self.pump();
            }
            _ => {}
        }
        self.update_state();
    }

    /// Reports a server event or reply over [`MAX_EVENT_UNITS`], which is not decoded: decoding
    /// happens in wasm memory, which never shrinks, so one input must not decide its size.
    pub(super) fn refuse_oversized(self: &Rc<Self>, message: &str) {
        let error = ElizaError::BadResponse(message.into());
        self.dispatch(ElizaEvent::Error { channel_id: None, error });
    }
}

impl Layer for Inner {
    fn step(self: Rc<Self>) -> bool {
        self.flush_requests();
        let event = self.session.borrow_mut().poll_event();
        match event {
            Some(event) => {
                self.dispatch(event);
                true
            }
            None => false,
        }
    }

    fn next_timeout(&self) -> Option<Instant> {
        self.session.borrow().poll_timeout()
    }

    fn handle_timeout(&self, now: Instant) {
        self.session.borrow_mut().handle_timeout(now);
    }
}
