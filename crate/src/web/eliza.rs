//! The exported `ElizaClient`: chat with ElizaOS agents over one Socket.IO connection.
//!
//! This is the driver of [`crate::eliza::Session`]: it feeds the session the socket's events
//! (decoded from JSON here, since ElizaOS traffic is low-volume), emits what the session asks,
//! performs the REST requests, runs the session's timer, and hands the session's events to
//! JavaScript listeners — globally and per channel.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use js_sys::{Array, Function};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use crate::client::{Client, ConnectError, Emit, Event, SocketId};
use crate::eliza::rest;
use crate::eliza::{
    ConnectionFacts, ElizaError, ElizaEvent, ErrorKind, Handshake, HistoryRequest,
    JoinOptions as SessionJoin, OutboxEntry, SendOptions as SessionSend, ServerInfo, Session, SessionConfig,
};
use crate::time::{Instant, MonotonicClock, WallClock};

use super::driver::{Driver, Sink};
use super::error::{describe, js_error};
use super::glue::{self, Listeners};
use super::lifetime::OwnedDriver;
use super::manager::{parse_url, random_seed};
use super::options;
use super::timer::Timer;
use super::wire::{Js, JsAck, JsText};

/// Typed calls and events for the Rust API, over this same client.
#[cfg(feature = "rust-api")]
#[path = "rust_api/eliza_hooks.rs"]
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

/// How long a REST request may take.
const REST_TIMEOUT_MS: f64 = 15_000.0;
const DEFAULT_SERVER: &str = "http://localhost:3000";

/// What the `state` event reports.
#[derive(Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct ConnectionState {
    /// `connecting`, `connected`, `reconnecting` or `disconnected`.
    state: &'static str,
    /// Reconnection attempts since the last successful connection.
    attempt: u32,
    /// When the next attempt starts, while waiting for it: on the driver's monotonic clock here,
    /// in ms since the epoch once serialized for listeners (see `Inner::state_js`).
    retry_at: Option<u64>,
    /// The last connection error, until the next successful connection.
    error: Option<ErrorInfo>,
}

#[derive(Clone, PartialEq, Serialize)]
struct ErrorInfo {
    code: String,
    message: String,
}

struct Inner {
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
    session: RefCell<Session>,
    clock: RefCell<MonotonicClock>,
    /// Listeners of every event, and of one channel's events.
    listeners: Listeners,
    channels: RefCell<HashMap<String, Listeners>>,
    timer: RefCell<Timer>,
    timer_fn: Closure<dyn FnMut()>,
    /// Session events are being delivered further up the stack.
    dispatching: Cell<bool>,
    state: RefCell<ConnectionState>,
    /// Rust handlers of session events (the Rust API).
    #[cfg(feature = "rust-api")]
    rust_events: rust_hooks::RustEvents,
}

/// A client for one ElizaOS server: agents, DM channels, messages, history.
///
/// Freeing it (`free()`, `[Symbol.dispose]`, or garbage collection) closes its connection and
/// clears its timer.
#[wasm_bindgen]
pub struct ElizaClient {
    inner: Rc<Inner>,
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

/// A JS value read as `T`, through JSON text (`JSON.stringify`, then serde_json).
fn from_js<T: serde::de::DeserializeOwned>(value: &JsValue) -> Result<T, String> {
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

fn get_str(obj: &JsValue, key: &str) -> Result<Option<String>, JsValue> {
    if !obj.is_object() {
        return Ok(None);
    }
    let v = js_sys::Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string().map(Some).ok_or_else(|| invalid(format!("{key} must be a string")))
}

fn get_bool(obj: &JsValue, key: &str) -> Result<Option<bool>, JsValue> {
    if !obj.is_object() {
        return Ok(None);
    }
    let v = js_sys::Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_bool().map(Some).ok_or_else(|| invalid(format!("{key} must be a boolean")))
}

fn get_f64(obj: &JsValue, key: &str) -> Result<Option<f64>, JsValue> {
    if !obj.is_object() {
        return Ok(None);
    }
    let v = js_sys::Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_f64().filter(|n| n.is_finite()).map(Some).ok_or_else(|| invalid(format!("{key} must be a number")))
}

impl Inner {
    /// One page of a channel's history (newest first), from the path the server is known or
    /// guessed to have: an unproven path that is not found is tried under the other name
    /// (releases before 1.7 have only `central-channels`), and the one that answers is remembered.
    pub(super) async fn history_page(
        self: &Rc<Self>,
        channel_id: &str,
        limit: u32,
        before: Option<i64>,
    ) -> Result<Vec<crate::eliza::ChatMessage>, ElizaError> {
        let context = self.session.borrow().message_context(channel_id);
        let first = self.session.borrow().history_path();
        let proven = self.session.borrow().server_info().history_path == Some(first);
        let mut result = Err(ElizaError::NotFound { detail: String::new() });
        let paths = if proven { vec![first] } else { vec![first, first.other()] };
        for path in paths {
            let url = rest::channel_messages_url(&self.base_url, path, channel_id, limit, before)?;
            let (status, body) = self.get(&url).await?;
            result = rest::parse_history(status, &body, &context);
            if !matches!(result, Err(ElizaError::NotFound { .. })) {
                if result.is_ok() {
                    self.session.borrow_mut().handle_history_path(path);
                    self.pump();
                }
                break;
            }
        }
        result
    }

    fn now(&self) -> Instant {
        self.clock.borrow_mut().observe(glue::monotonic_now())
    }

    /// The wall clock against the monotonic one, now.
    fn wall_clock(&self) -> WallClock {
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

    fn outbox_js(&self) -> JsValue {
        to_js(&self.outbox_wall())
    }

    /// A connection state for listeners: `retryAt` is wall-now plus the time left.
    fn state_js(&self, state: &ConnectionState) -> JsValue {
        let mut state = state.clone();
        state.retry_at = state.retry_at.map(|t| self.wall_clock().wall(t));
        to_js(&state)
    }

    /// Leaves and closes the connection; reconnection waits for `connect()`.
    pub(super) fn close(&self) {
        let socket = self.socket;
        self.driver.with_client(|c, now| {
            c.disconnect(now, socket);
            c.close(now);
        });
    }

    fn socket_connected(&self) -> bool {
        self.driver.read(|c| c.socket_connected(self.socket))
    }

    /// Performs what the session asked for and delivers its events.
    fn pump(self: &Rc<Self>) {
        self.flush_requests();
        if self.dispatching.replace(true) {
            return;
        }
        loop {
            self.flush_requests();
            let event = self.session.borrow_mut().poll_event();
            match event {
                Some(event) => self.dispatch(event),
                None => break,
            }
        }
        self.dispatching.set(false);
        self.arm_timer();
    }

    /// Socket emits and history requests.
    fn flush_requests(self: &Rc<Self>) {
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

    async fn fetch_history(self: Rc<Self>, request: HistoryRequest) {
        let context = self.session.borrow().message_context(&request.channel_id);
        let url = rest::channel_messages_url(
            &self.base_url,
            request.path,
            &request.channel_id,
            request.limit,
            None,
        );
        let result = match url {
            Ok(url) => {
                self.get(&url).await.and_then(|(status, body)| rest::parse_history(status, &body, &context))
            }
            Err(e) => Err(e),
        };
        let now = self.now();
        self.session.borrow_mut().handle_history(now, &request, result);
        self.pump();
    }

    /// A GET on the REST API: `(status, body)`, or a network error.
    async fn get(&self, url: &str) -> Result<(u16, String), ElizaError> {
        let promise = glue::http_json("GET", url, self.api_key.clone(), None, REST_TIMEOUT_MS);
        match JsFuture::from(promise).await {
            Ok(pair) => {
                let pair: Array = pair.unchecked_into();
                let status = pair.get(0).as_f64().unwrap_or(0.0) as u16;
                // glue.js stops reading a body over its size limit and says why instead.
                match pair.get(1).as_string() {
                    Some(body) => Ok((status, body)),
                    None => Err(ElizaError::BadResponse(pair.get(2).as_string().unwrap_or_default())),
                }
            }
            Err(e) => {
                let error = ElizaError::Network(format!(
                    "cannot reach the ElizaOS server at {} ({})",
                    self.base_url,
                    describe(&e)
                ));
                // fetch throws a TypeError, and nothing more, when the browser blocks the request
                // (CORS, a missing host permission) or cannot reach the server at all.
                if e.is_instance_of::<js_sys::TypeError>() {
                    let message = format!("GET {url}: {}", describe(&e));
                    self.record(|d, at| d.record_error(ErrorKind::Permission, error.code(), &message, at));
                }
                Err(error)
            }
        }
    }

    /// Adds to the session's diagnostics, stamped with the current time.
    fn record(&self, f: impl FnOnce(&mut crate::eliza::Diagnostics, u64)) {
        let at = self.now().as_millis();
        f(self.session.borrow_mut().diagnostics_mut(), at);
    }

    /// The diagnostics report: the session's record and findings, and the connection as the
    /// driver sees it (the session removes the API key from all of it).
    fn diagnostics(&self) -> crate::eliza::Report {
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

    fn dispatch(self: &Rc<Self>, event: ElizaEvent) {
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

    fn arm_timer(&self) {
        let next = self.session.borrow().poll_timeout();
        self.timer.borrow_mut().follow(next, self.now(), &self.timer_fn);
    }

    /// The socket joined: find out the message server id if not known yet (a 404 means a
    /// release before 1.7 and the default id), then let the session re-join.
    fn on_connected(self: &Rc<Self>) {
        if !self.rest || !self.session.borrow().needs_server_probe() {
            let now = self.now();
            self.session.borrow_mut().handle_connected(now);
            return self.pump();
        }
        let inner = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let url = rest::message_server_url(&inner.base_url);
            let id = inner.get(&url).await.and_then(|(s, b)| rest::parse_message_server_id(s, &b));
            // A failed request keeps the default id and asks again on the next connect.
            inner.session.borrow_mut().handle_message_server(id);
            if inner.socket_connected() {
                let now = inner.now();
                inner.session.borrow_mut().handle_connected(now);
                inner.pump();
            }
        });
    }

    fn on_socket_event(self: &Rc<Self>, event: Event<Js>) {
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
                // Decoded in wasm memory, which never shrinks: refuse rather than grow for it.
                let error =
                    ElizaError::BadResponse("an event larger than 1 MiB from the server was ignored".into());
                self.dispatch(ElizaEvent::Error { channel_id: None, error });
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
                let reply = match serde_json::from_str(&data.text()) {
                    Ok(serde_json::Value::Array(mut args)) if !args.is_empty() => args.swap_remove(0),
                    _ => serde_json::Value::Null,
                };
                let now = self.now();
                self.session.borrow_mut().handle_emit_ack(now, &client_message_id, &reply);
                self.pump();
            }
            _ => {}
        }
        self.update_state();
    }

    /// Emits `state` when the connection state changed.
    fn update_state(&self) {
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
}

impl ElizaClient {
    fn inner_new(opts: &JsValue) -> Result<ElizaClient, JsValue> {
        let server = get_str(opts, "serverUrl")?.unwrap_or_else(|| DEFAULT_SERVER.to_owned());
        let target = parse_url(Some(&server)).map_err(|e| super::error::to_js(&e))?;
        let base_url = server.trim_end_matches('/').to_owned();
        let api_key = get_str(opts, "apiKey")?.filter(|k| !k.is_empty());
        let rest = get_bool(opts, "rest")?.unwrap_or(true);
        let entity_id = match get_str(opts, "entityId")? {
            Some(id) => id,
            None => glue::random_uuid(),
        };
        let user_name = get_str(opts, "userName")?.unwrap_or_else(|| "User".to_owned());
        let socket_opts = if opts.is_object() {
            js_sys::Reflect::get(opts, &"socket".into()).unwrap_or(JsValue::UNDEFINED)
        } else {
            JsValue::UNDEFINED
        };
        let mut face = options::read(&socket_opts).map_err(|e| super::error::to_js(&e))?;
        // The session re-sends by itself after checking history; a socket-level retry queue would
        // send twice.
        face.config.retries = 0;

        let mut config = SessionConfig::new(entity_id.clone(), user_name);
        if let Some(source) = get_str(opts, "source")? {
            config.source = source;
        }
        if let Some(ms) = get_f64(opts, "messageAckTimeout")? {
            config.ack_timeout = core::time::Duration::from_millis(ms.max(0.0) as u64);
        }
        if let Some(ms) = get_f64(opts, "thinkingTimeout")? {
            config.thinking_timeout = core::time::Duration::from_millis(ms.max(0.0) as u64);
        }
        if let Some(ms) = get_f64(opts, "joinTimeout")? {
            config.join_timeout = core::time::Duration::from_millis(ms.max(0.0) as u64);
        }
        let send_ack_timeout = config.ack_timeout;
        let seed = random_seed();
        let mut session = Session::new(config, seed).map_err(|e| to_js_error(&e))?;
        if opts.is_object() {
            let saved = js_sys::Reflect::get(opts, &"serverInfo".into()).unwrap_or(JsValue::UNDEFINED);
            if !saved.is_undefined() && !saved.is_null() {
                let info: ServerInfo = from_js(&saved).map_err(|e| invalid(format!("serverInfo: {e}")))?;
                session.restore_server_info(info).map_err(|e| to_js_error(&e))?;
            }
        }
        if let Some(key) = &api_key {
            session.diagnostics_mut().set_secret(key);
        }

        // The socket's auth: the entity id the server requires, and the API key if any.
        let mut auth = serde_json::Map::new();
        auth.insert("entityId".into(), entity_id.into());
        if let Some(key) = &api_key {
            auth.insert("apiKey".into(), key.clone().into());
        }
        let auth = serde_json::Value::Object(auth).to_string();
        let client = Client::new(face.config.clone(), target.endpoint, seed ^ 0x5eed)
            .map_err(|e| super::error::to_js(&e))?;
        let driver = Driver::new(client, face.with_credentials);
        let socket = driver.with_client(|c, _| c.socket("/", Some(auth)));

        let inner = Rc::new_cyclic(|weak: &Weak<Inner>| {
            let w = weak.clone();
            let timer_fn = Closure::<dyn FnMut()>::new(move || {
                if let Some(inner) = w.upgrade() {
                    inner.timer.borrow_mut().fired();
                    let now = inner.now();
                    inner.session.borrow_mut().handle_timeout(now);
                    inner.pump();
                }
            });
            Inner {
                base_url,
                api_key,
                rest,
                send_ack_timeout,
                driver: OwnedDriver::new(driver.clone()),
                socket,
                session: RefCell::new(session),
                clock: RefCell::new(MonotonicClock::default()),
                listeners: Listeners::new(),
                channels: RefCell::new(HashMap::new()),
                timer: RefCell::new(Timer::default()),
                timer_fn,
                dispatching: Cell::new(false),
                state: RefCell::new(ConnectionState {
                    state: "disconnected",
                    attempt: 0,
                    retry_at: None,
                    error: None,
                }),
                #[cfg(feature = "rust-api")]
                rust_events: rust_hooks::new_rust_events(),
            }
        });
        let weak = Rc::downgrade(&inner);
        driver.set_sink(
            socket,
            Sink::Rust(Rc::new(move |_, event| {
                if let Some(inner) = weak.upgrade() {
                    inner.on_socket_event(event);
                }
            })),
        );
        let weak = Rc::downgrade(&inner);
        driver.set_manager_hook(Rc::new(move |_| {
            if let Some(inner) = weak.upgrade() {
                inner.update_state();
            }
        }));

        if opts.is_object() {
            let outbox = js_sys::Reflect::get(opts, &"outbox".into()).unwrap_or(JsValue::UNDEFINED);
            if !outbox.is_undefined() && !outbox.is_null() {
                let mut entries: Vec<OutboxEntry> =
                    from_js(&outbox).map_err(|e| invalid(format!("outbox: {e}")))?;
                // Stored times are wall times: back onto the monotonic clock.
                let wall = inner.wall_clock();
                for e in &mut entries {
                    e.created_at = wall.monotonic(e.created_at);
                    e.last_sent_at = e.last_sent_at.map(|t| wall.monotonic(t));
                }
                let now = inner.now();
                inner.session.borrow_mut().restore_outbox(now, entries);
            }
        }
        let client = ElizaClient { inner };
        if face.auto_connect {
            client.connect();
        }
        Ok(client)
    }

    fn listeners_for(&self, channel_id: &str) -> Listeners {
        self.inner.channels.borrow_mut().entry(channel_id.to_owned()).or_insert_with(Listeners::new).clone()
    }

    fn rest<F, T>(&self, f: F) -> js_sys::Promise
    where
        F: FnOnce(Rc<Inner>) -> T + 'static,
        T: std::future::Future<Output = Result<JsValue, ElizaError>> + 'static,
    {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let result = f(inner.clone()).await;
            result.map_err(|e| {
                inner.record(|d, at| d.record_rest_error(&e, at));
                to_js_error(&e)
            })
        })
    }
}

#[wasm_bindgen]
impl ElizaClient {
    /// A client for one ElizaOS server. See `ElizaClientOptions`.
    #[wasm_bindgen(constructor)]
    pub fn new(opts: Option<ElizaClientOptions>) -> Result<ElizaClient, JsValue> {
        Self::inner_new(&opts.map_or(JsValue::UNDEFINED, Into::into))
    }

    /// Longest message text `send` accepts, in UTF-8 bytes (longer fails with `MESSAGE_TOO_LONG`).
    #[wasm_bindgen(getter, js_name = maxMessageBytes)]
    pub fn max_message_bytes() -> u32 {
        crate::eliza::MAX_TEXT_BYTES as u32
    }

    /// The user's entity id (persist it to stay the same user across restarts).
    #[wasm_bindgen(getter, js_name = entityId)]
    pub fn entity_id(&self) -> String {
        self.inner.session.borrow().entity_id().to_owned()
    }

    /// The server's base URL.
    #[wasm_bindgen(getter, js_name = serverUrl)]
    pub fn server_url(&self) -> String {
        self.inner.base_url.clone()
    }

    /// Whether the socket is connected.
    #[wasm_bindgen(getter)]
    pub fn connected(&self) -> bool {
        self.inner.socket_connected()
    }

    /// The connection state, as the last `state` event reported it.
    #[wasm_bindgen(getter, unchecked_return_type = "ConnectionState")]
    pub fn state(&self) -> JsValue {
        self.inner.update_state();
        let state = self.inner.state.borrow().clone();
        self.inner.state_js(&state)
    }

    /// Connects (reconnection is automatic afterwards). While waiting to reconnect, tries now.
    pub fn connect(&self) {
        let socket = self.inner.socket;
        self.inner.driver.with_client(|c, now| {
            c.connect(now, socket);
            c.retry_now(now);
        });
        self.inner.update_state();
    }

    /// Leaves and closes the connection (nothing reconnects until `connect()`); the outbox is
    /// kept. Freeing the client does this too.
    pub fn close(&self) {
        self.inner.close();
        self.inner.update_state();
    }

    /// Disconnects; the outbox is kept and sent after the next `connect()`.
    pub fn disconnect(&self) {
        let socket = self.inner.socket;
        self.inner.driver.with_client(|c, now| c.disconnect(now, socket));
        self.inner.update_state();
    }

    /// Listens to every event of a kind (`state`, `message`, `ack`, …); returns an unsubscribe
    /// function.
    #[wasm_bindgen(skip_typescript)]
    pub fn on(&self, event: JsValue, listener: JsValue) -> Result<Function, JsValue> {
        self.inner.listeners.on(&event, &listener, false, false)
    }

    /// Removes a listener (or all listeners of an event).
    #[wasm_bindgen(skip_typescript)]
    pub fn off(&self, event: JsValue, listener: JsValue) {
        self.inner.listeners.off(&event, &listener);
    }

    /// Listens to one channel's events only; returns an unsubscribe function.
    #[wasm_bindgen(js_name = onChannel, skip_typescript)]
    pub fn on_channel(
        &self,
        #[wasm_bindgen(js_name = channelId, unchecked_param_type = "string")] channel_id: JsValue,
        event: JsValue,
        listener: JsValue,
    ) -> Result<Function, JsValue> {
        let channel_id = string_arg("channelId", &channel_id)?;
        self.listeners_for(&channel_id).on(&event, &listener, false, false)
    }

    /// The agents of the server.
    #[wasm_bindgen(unchecked_return_type = "Promise<Agent[]>")]
    pub fn agents(&self) -> js_sys::Promise {
        self.rest(|inner| async move {
            let (status, body) = inner.get(&rest::agents_url(&inner.base_url)).await?;
            Ok(to_js(&rest::parse_agents(status, &body)?))
        })
    }

    /// The id of the server's current message server.
    #[wasm_bindgen(js_name = messageServerId, unchecked_return_type = "Promise<string>")]
    pub fn message_server_id(&self) -> js_sys::Promise {
        self.rest(|inner| async move {
            let (status, body) = inner.get(&rest::message_server_url(&inner.base_url)).await?;
            Ok(JsValue::from_str(&rest::parse_message_server_id(status, &body)?))
        })
    }

    /// The direct-message channel with an agent (created by the server on first use).
    #[wasm_bindgen(js_name = dmChannel, unchecked_return_type = "Promise<DmChannel>")]
    pub fn dm_channel(
        &self,
        #[wasm_bindgen(js_name = agentId, unchecked_param_type = "string")] agent_id: JsValue,
    ) -> js_sys::Promise {
        let agent_id = agent_id.as_string();
        self.rest(|inner| async move {
            let agent_id =
                agent_id.ok_or_else(|| ElizaError::InvalidArgument("agentId must be a string".into()))?;
            let entity = inner.session.borrow().entity_id().to_owned();
            let url = rest::dm_channel_url(&inner.base_url, &entity, &agent_id)?;
            let (status, body) = inner.get(&url).await?;
            Ok(to_js(&rest::parse_dm_channel(status, &body)?))
        })
    }

    /// Opens the DM channel with an agent and joins it. `since`: `createdAt` of the newest
    /// message the user already has (only newer ones are delivered from history).
    #[wasm_bindgen(js_name = joinDm, unchecked_return_type = "Promise<DmChannel>")]
    pub fn join_dm(
        &self,
        #[wasm_bindgen(js_name = agentId, unchecked_param_type = "string")] agent_id: JsValue,
        opts: Option<JoinDmOptions>,
    ) -> js_sys::Promise {
        let opts: JsValue = opts.map_or(JsValue::UNDEFINED, Into::into);
        let since = get_f64(&opts, "since");
        let agent_id = agent_id.as_string();
        self.rest(|inner| async move {
            let agent_id =
                agent_id.ok_or_else(|| ElizaError::InvalidArgument("agentId must be a string".into()))?;
            let since = since.map_err(|_| ElizaError::InvalidArgument("since must be a number".into()))?;
            let entity = inner.session.borrow().entity_id().to_owned();
            let url = rest::dm_channel_url(&inner.base_url, &entity, &agent_id)?;
            let (status, body) = inner.get(&url).await?;
            let channel = rest::parse_dm_channel(status, &body)?;
            let join = SessionJoin {
                channel_id: channel.id.clone(),
                agent_id: Some(agent_id),
                dm: true,
                since: since.map(|s| s as i64),
                history: true,
            };
            let now = inner.now();
            let joined = inner.session.borrow_mut().join(now, join);
            inner.pump();
            joined?;
            Ok(to_js(&channel))
        })
    }

    /// Messages of a channel, newest first (`limit` default 50; `before`: a `createdAt`).
    #[wasm_bindgen(unchecked_return_type = "Promise<ChatMessage[]>")]
    pub fn history(
        &self,
        #[wasm_bindgen(js_name = channelId, unchecked_param_type = "string")] channel_id: JsValue,
        opts: Option<HistoryOptions>,
    ) -> js_sys::Promise {
        let opts: JsValue = opts.map_or(JsValue::UNDEFINED, Into::into);
        let limit = get_f64(&opts, "limit");
        let before = get_f64(&opts, "before");
        let channel_id = channel_id.as_string();
        self.rest(|inner| async move {
            let channel_id =
                channel_id.ok_or_else(|| ElizaError::InvalidArgument("channelId must be a string".into()))?;
            let bad = |k: &str| ElizaError::InvalidArgument(format!("{k} must be a number"));
            let limit = limit.map_err(|_| bad("limit"))?.unwrap_or(50.0).clamp(1.0, 500.0) as u32;
            let before = before.map_err(|_| bad("before"))?.map(|b| b as i64);
            Ok(to_js(&inner.history_page(&channel_id, limit, before).await?))
        })
    }

    /// Joins a channel (re-joined automatically after every reconnect).
    pub fn join(
        &self,
        #[wasm_bindgen(js_name = channelId, unchecked_param_type = "string")] channel_id: JsValue,
        opts: Option<JoinOptions>,
    ) -> Result<(), JsValue> {
        let opts: JsValue = opts.map_or(JsValue::UNDEFINED, Into::into);
        let dm = opts.is_object()
            && js_sys::Reflect::get(&opts, &"dm".into()).ok().and_then(|v| v.as_bool()).unwrap_or(false);
        let join = SessionJoin {
            channel_id: string_arg("channelId", &channel_id)?,
            agent_id: get_str(&opts, "agentId")?,
            dm,
            since: get_f64(&opts, "since")?.map(|s| s as i64),
            history: get_bool(&opts, "history")?.unwrap_or(self.inner.rest),
        };
        let now = self.inner.now();
        let result = self.inner.session.borrow_mut().join(now, join);
        self.inner.pump();
        result.map_err(|e| to_js_error(&e))
    }

    /// Stops following a channel.
    pub fn leave(
        &self,
        #[wasm_bindgen(js_name = channelId, unchecked_param_type = "string")] channel_id: JsValue,
    ) -> bool {
        let Some(channel_id) = channel_id.as_string() else { return false };
        let left = self.inner.session.borrow_mut().leave(&channel_id);
        self.inner.pump();
        left
    }

    /// Sends a message; returns its client id. It stays in the outbox until the server confirms
    /// it, and waits there while offline.
    pub fn send(
        &self,
        #[wasm_bindgen(js_name = channelId, unchecked_param_type = "string")] channel_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
        opts: Option<SendOptions>,
    ) -> Result<String, JsValue> {
        let channel_id = string_arg("channelId", &channel_id)?;
        let text = string_arg("text", &text)?;
        let opts: JsValue = opts.map_or(JsValue::UNDEFINED, Into::into);
        let field = |k: &str| -> Result<serde_json::Value, JsValue> {
            if !opts.is_object() {
                return Ok(serde_json::Value::Null);
            }
            let v = js_sys::Reflect::get(&opts, &k.into()).unwrap_or(JsValue::UNDEFINED);
            if v.is_undefined() {
                return Ok(serde_json::Value::Null);
            }
            from_js(&v).map_err(|e| invalid(format!("{k}: {e}")))
        };
        let options = SessionSend { attachments: field("attachments")?, metadata: field("metadata")? };
        let now = self.inner.now();
        let result = self.inner.session.borrow_mut().send(now, &channel_id, &text, options);
        self.inner.pump();
        result.map_err(|e| to_js_error(&e))
    }

    /// Sends a failed message again (after checking the server does not have it).
    pub fn retry(
        &self,
        #[wasm_bindgen(js_name = clientMessageId, unchecked_param_type = "string")]
        client_message_id: JsValue,
    ) -> Result<(), JsValue> {
        let client_message_id = string_arg("clientMessageId", &client_message_id)?;
        let now = self.inner.now();
        let result = self.inner.session.borrow_mut().retry(now, &client_message_id);
        self.inner.pump();
        result.map_err(|e| to_js_error(&e))
    }

    /// Removes a message from the outbox without sending it.
    pub fn discard(
        &self,
        #[wasm_bindgen(js_name = clientMessageId, unchecked_param_type = "string")]
        client_message_id: JsValue,
    ) -> bool {
        let Some(client_message_id) = client_message_id.as_string() else { return false };
        let discarded = self.inner.session.borrow_mut().discard(&client_message_id).is_some();
        self.inner.pump();
        discarded
    }

    /// Messages not yet confirmed by the server (persist them; pass them back as `outbox`).
    #[wasm_bindgen(unchecked_return_type = "OutboxEntry[]")]
    pub fn outbox(&self) -> JsValue {
        self.inner.outbox_js()
    }

    /// What is known about the server: `era`, `messageServerId` and where it came from,
    /// `historyPath` (once a page was read), `messageComplete`. Keep it per server and pass it
    /// back as the `serverInfo` option to skip probing; a `serverInfo` event tells when it
    /// changes.
    #[wasm_bindgen(getter, js_name = serverInfo, unchecked_return_type = "ServerInfo")]
    pub fn server_info(&self) -> JsValue {
        to_js(self.inner.session.borrow().server_info())
    }

    /// What the client has seen, for finding out why replies do not arrive: the connection
    /// (server URL and release era, transport, handshake, socket id), each joined channel and its
    /// join confirmation, the message server id, the last events received (names and channels
    /// only), broadcasts for channels not joined, the last error of each kind, and `findings`
    /// naming the common mistakes recognised. Never contains message text or the API key.
    /// Cheap: poll it (compare `revision` to skip unchanged reports).
    #[wasm_bindgen(unchecked_return_type = "Diagnostics")]
    pub fn diagnostics(&self) -> JsValue {
        self.inner.update_state();
        to_js(&self.inner.diagnostics())
    }

    /// Whether an agent reply is expected in a channel.
    #[wasm_bindgen(js_name = isThinking)]
    pub fn is_thinking(
        &self,
        #[wasm_bindgen(js_name = channelId, unchecked_param_type = "string")] channel_id: JsValue,
    ) -> bool {
        channel_id.as_string().is_some_and(|c| self.inner.session.borrow().is_thinking(&c))
    }

    /// Tells the channel that the user is typing (`true`, on every keystroke) or stopped
    /// (`false`). Throttled: see the README.
    pub fn typing(
        &self,
        #[wasm_bindgen(js_name = channelId, unchecked_param_type = "string")] channel_id: JsValue,
        #[wasm_bindgen(js_name = isTyping, unchecked_param_type = "boolean")] is_typing: JsValue,
    ) -> Result<(), JsValue> {
        let channel_id = string_arg("channelId", &channel_id)?;
        let is_typing = is_typing.as_bool().ok_or_else(|| invalid("isTyping must be a boolean"))?;
        let now = self.inner.now();
        let result = self.inner.session.borrow_mut().typing(now, &channel_id, is_typing);
        self.inner.pump();
        result.map_err(|e| to_js_error(&e))
    }

    /// The other users the server announced in a channel (`userJoined`, not yet `userLeft`)
    /// during this connection.
    #[wasm_bindgen(unchecked_return_type = "string[]")]
    pub fn present(
        &self,
        #[wasm_bindgen(js_name = channelId, unchecked_param_type = "string")] channel_id: JsValue,
    ) -> JsValue {
        let users =
            channel_id.as_string().map(|c| self.inner.session.borrow().present(&c)).unwrap_or_default();
        to_js(&users)
    }

    /// The other users typing in a channel now.
    #[wasm_bindgen(js_name = typingUsers, unchecked_return_type = "string[]")]
    pub fn typing_users(
        &self,
        #[wasm_bindgen(js_name = channelId, unchecked_param_type = "string")] channel_id: JsValue,
    ) -> JsValue {
        let users =
            channel_id.as_string().map(|c| self.inner.session.borrow().typing_users(&c)).unwrap_or_default();
        to_js(&users)
    }
}
