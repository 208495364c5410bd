//! The exported class: construction and the methods JavaScript calls.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::client::Client;
use crate::eliza::rest;
use crate::eliza::{ElizaError, JoinOptions as SessionJoin, SendOptions as SessionSend, Session};

use super::super::driver::{abort, Driver, Sink};
use super::super::error;
use super::super::glue::{self, Listeners};
use super::super::lifetime::OwnedDriver;
use super::super::manager::random_seed;
use super::options::{get_bool, get_f64, get_str, read_options, ClientOptions};
use super::state::ConnectionState;
use super::{
    from_js, invalid, string_arg, to_js, to_js_error, ElizaClientOptions, HistoryOptions, Inner,
    JoinDmOptions, JoinOptions, SendOptions,
};

/// A client for one ElizaOS server: agents, DM channels, messages, history.
///
/// Freeing it (`free()`, `[Symbol.dispose]`, or garbage collection) closes its connection and
/// clears its timer.
#[wasm_bindgen]
pub struct ElizaClient {
    pub(super) inner: Rc<Inner>,
}

impl Drop for ElizaClient {
    fn drop(&mut self) {
        // Nothing can call into a freed handle: its listeners go first, unheard.
        self.inner.listeners.off(&JsValue::UNDEFINED, &JsValue::UNDEFINED);
        self.inner.channels.borrow_mut().clear();
        // The state outlives this handle while a REST request is pending (its future holds it):
        // the requests end and the connection closes now, with the handle.
        abort(&self.inner.requests);
        self.inner.close();
    }
}

impl ElizaClient {
    pub(super) fn inner_new(opts: &JsValue) -> Result<ElizaClient, JsValue> {
        let ClientOptions {
            base_url,
            target,
            api_key,
            rest,
            session: config,
            socket: face,
            server_info,
            outbox,
        } = read_options(opts)?;
        let entity_id = config.entity_id.clone();
        let send_ack_timeout = config.ack_timeout;
        let seed = random_seed();
        let mut session = Session::new(config, seed).map_err(|e| to_js_error(&e))?;
        if let Some(info) = server_info {
            session.restore_server_info(info).map_err(|e| to_js_error(&e))?;
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
        let client =
            Client::new(face.config.clone(), target.endpoint, seed ^ 0x5eed).map_err(|e| error::to_js(&e))?;
        let driver = Driver::new(client, face.with_credentials);
        let socket = driver.with_client(|c, _| c.socket("/", Some(auth)));

        let inner = Rc::new(Inner {
            base_url,
            api_key,
            rest,
            send_ack_timeout,
            driver: OwnedDriver::new(driver.clone()),
            socket,
            requests: glue::abort_controller(),
            session: RefCell::new(session),
            listeners: Listeners::new(),
            channels: RefCell::new(HashMap::new()),
            state: RefCell::new(ConnectionState {
                state: "disconnected",
                attempt: 0,
                retry_at: None,
                error: None,
            }),
            #[cfg(feature = "rust-api")]
            rust_events: super::rust_hooks::new_rust_events(),
        });
        let layer: Weak<Inner> = Rc::downgrade(&inner);
        driver.set_layer(layer);
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

        if let Some(mut entries) = outbox {
            // Stored times are wall times: back onto the monotonic clock.
            let wall = inner.wall_clock();
            for e in &mut entries {
                e.created_at = wall.monotonic(e.created_at);
                e.last_sent_at = e.last_sent_at.map(|t| wall.monotonic(t));
            }
            let now = inner.now();
            inner.session.borrow_mut().restore_outbox(now, entries);
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
