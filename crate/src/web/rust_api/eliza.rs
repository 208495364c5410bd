//! [`ElizaClient`] for Rust: agents, DM channels, messages and a stream of channel events.

use core::time::Duration;
use std::rc::Rc;

use wasm_bindgen::JsValue;

use crate::eliza::rest::{Agent, DmChannel};
use crate::eliza::{ChatMessage, ElizaError, ElizaEvent, OutboxEntry};
use crate::error::TransportKind;

use super::super::eliza::ElizaClient as SharedClient;
use super::super::manager::parse_url;
use super::listen::{EventStream, Subscription};
use super::socket::DEFAULT_STREAM_CAPACITY;

/// A client for one ElizaOS server: the JavaScript `ElizaClient` (same session, same rules:
/// joins survive reconnects, each message once, an outbox until the server confirms) with
/// typed results, futures and a [`futures_core::Stream`] of [`ElizaEvent`]s.
///
/// Cloning gives another handle; dropping the last one closes the connection.
///
/// ```no_run
/// use futures_util::StreamExt;
/// use eliza_socketio::rust_api::{ElizaClient, ElizaEvent};
///
/// # async fn demo() -> Result<(), eliza_socketio::rust_api::ElizaError> {
/// let client = ElizaClient::builder("http://127.0.0.1:3000").user_name("Ada").build()?;
/// let mut events = client.events();
/// let agents = client.agents().await?;
/// let channel = client.join_dm(&agents[0].id).await?;
/// client.send(&channel.id, "hello")?;
/// while let Some(event) = events.next().await {
///     if let ElizaEvent::Message { message, .. } = event {
///         if message.from_agent {
///             log(&message.text);
///             break;
///         }
///     }
/// }
/// # Ok(()) }
/// # fn log(_: &str) {}
/// ```
#[derive(Clone)]
pub struct ElizaClient {
    owner: Rc<Owner>,
}

/// The client shared by the Rust handles; dropping it closes the connection (as freeing the
/// JavaScript `ElizaClient` does: `web/lifetime.rs`).
struct Owner(SharedClient);

/// Options of an [`ElizaClient`] (the JavaScript `ElizaClientOptions`). Made by
/// [`ElizaClient::builder`].
///
/// ```no_run
/// # use core::time::Duration;
/// # use eliza_socketio::rust_api::ElizaClient;
/// # use eliza_socketio::TransportKind;
/// # fn demo() -> Result<(), eliza_socketio::rust_api::ElizaError> {
/// let client = ElizaClient::builder("https://agents.example.com")
///     .api_key("server-key")
///     .entity_id("2a6f0c4e-8d1b-4f6a-9c3e-5b7d9e1f2a4c") // keep it to stay the same user
///     .user_name("Ada")
///     .transports(&[TransportKind::WebSocket])
///     .message_ack_timeout(Duration::from_secs(10))
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "call .build() to make the client"]
pub struct ElizaClientBuilder {
    server_url: String,
    api_key: Option<String>,
    entity_id: Option<String>,
    user_name: Option<String>,
    source: Option<String>,
    message_ack_timeout: Option<Duration>,
    thinking_timeout: Option<Duration>,
    transports: Option<Vec<TransportKind>>,
    auto_connect: bool,
}

impl ElizaClientBuilder {
    /// The key the server wants (`SERVER_API_KEY` / `ELIZA_SERVER_AUTH_TOKEN`), if any.
    pub fn api_key(mut self, key: &str) -> Self {
        self.api_key = Some(key.to_owned());
        self
    }

    /// The user's entity id (a UUID). Default: a new random one.
    pub fn entity_id(mut self, id: &str) -> Self {
        self.entity_id = Some(id.to_owned());
        self
    }

    /// The name shown for the user's messages. Default `"User"`.
    pub fn user_name(mut self, name: &str) -> Self {
        self.user_name = Some(name.to_owned());
        self
    }

    /// The `source` of sent messages.
    pub fn source(mut self, source: &str) -> Self {
        self.source = Some(source.to_owned());
        self
    }

    /// How long a sent message may wait for the server's confirmation before it fails.
    pub fn message_ack_timeout(mut self, timeout: Duration) -> Self {
        self.message_ack_timeout = Some(timeout);
        self
    }

    /// How long an agent may "think" before [`ElizaEvent::Thinking`] ends by itself.
    pub fn thinking_timeout(mut self, timeout: Duration) -> Self {
        self.thinking_timeout = Some(timeout);
        self
    }

    /// Socket.IO transports in order of preference. Default: polling, then WebSocket.
    pub fn transports(mut self, transports: &[TransportKind]) -> Self {
        self.transports = Some(transports.to_vec());
        self
    }

    /// Connect at once. Default `true`; otherwise call [`ElizaClient::connect`].
    pub fn auto_connect(mut self, on: bool) -> Self {
        self.auto_connect = on;
        self
    }

    /// Checks the options and makes the client.
    pub fn build(self) -> Result<ElizaClient, ElizaError> {
        parse_url(Some(&self.server_url)).map_err(|e| ElizaError::InvalidArgument(e.to_string()))?;
        let opts = js_sys::Object::new();
        let set = |obj: &js_sys::Object, key: &str, value: JsValue| {
            let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), &value);
        };
        let ms = |d: Duration| JsValue::from_f64(d.as_millis() as f64);
        set(&opts, "serverUrl", JsValue::from_str(&self.server_url));
        for (key, value) in [
            ("apiKey", &self.api_key),
            ("entityId", &self.entity_id),
            ("userName", &self.user_name),
            ("source", &self.source),
        ] {
            if let Some(value) = value {
                set(&opts, key, JsValue::from_str(value));
            }
        }
        if let Some(d) = self.message_ack_timeout {
            set(&opts, "messageAckTimeout", ms(d));
        }
        if let Some(d) = self.thinking_timeout {
            set(&opts, "thinkingTimeout", ms(d));
        }
        let socket = js_sys::Object::new();
        set(&socket, "autoConnect", JsValue::from_bool(self.auto_connect));
        if let Some(transports) = &self.transports {
            let list: js_sys::Array = transports.iter().map(|t| JsValue::from_str(t.name())).collect();
            set(&socket, "transports", list.into());
        }
        set(&opts, "socket", socket.into());
        let client = SharedClient::from_js_options(&opts.into())?;
        Ok(ElizaClient { owner: Rc::new(Owner(client)) })
    }
}

impl ElizaClient {
    /// Options for a client of the server at `server_url` (e.g. `http://127.0.0.1:3000`).
    pub fn builder(server_url: &str) -> ElizaClientBuilder {
        ElizaClientBuilder {
            server_url: server_url.to_owned(),
            api_key: None,
            entity_id: None,
            user_name: None,
            source: None,
            message_ack_timeout: None,
            thinking_timeout: None,
            transports: None,
            auto_connect: true,
        }
    }

    fn shared(&self) -> &SharedClient {
        &self.owner.0
    }

    /// The user's entity id (persist it to stay the same user across restarts).
    pub fn entity_id(&self) -> String {
        self.shared().entity_id()
    }

    /// The server's base URL.
    pub fn server_url(&self) -> String {
        self.shared().server_url()
    }

    /// Whether the socket is connected.
    pub fn connected(&self) -> bool {
        self.shared().connected()
    }

    /// Connects (reconnection is automatic afterwards); while waiting to reconnect, tries now.
    pub fn connect(&self) {
        self.shared().connect();
    }

    /// Disconnects; the outbox is kept and sent after the next [`ElizaClient::connect`].
    pub fn disconnect(&self) {
        self.shared().disconnect();
    }

    /// The agents of the server.
    ///
    /// ```no_run
    /// # async fn demo(client: &eliza_socketio::rust_api::ElizaClient) -> Result<(), eliza_socketio::rust_api::ElizaError> {
    /// for agent in client.agents().await? {
    ///     log(&format!("{} ({})", agent.name, agent.status));
    /// }
    /// # Ok(()) }
    /// # fn log(_: &str) {}
    /// ```
    pub async fn agents(&self) -> Result<Vec<Agent>, ElizaError> {
        self.shared().agents_typed().await
    }

    /// Opens the direct-message channel with an agent and joins it (re-joined after every
    /// reconnect). Its backlog arrives as [`ElizaEvent::Message`]s with `from_history`.
    ///
    /// ```no_run
    /// # async fn demo(client: &eliza_socketio::rust_api::ElizaClient) -> Result<(), eliza_socketio::rust_api::ElizaError> {
    /// let channel = client.join_dm("e738c7d8-9afb-0a9a-8b54-8496f7ce7ca8").await?;
    /// client.send(&channel.id, "hello")?;
    /// # Ok(()) }
    /// ```
    pub async fn join_dm(&self, agent_id: &str) -> Result<DmChannel, ElizaError> {
        self.shared().join_dm_typed(agent_id, None).await
    }

    /// Like [`ElizaClient::join_dm`]; `since` is the `created_at` of the newest message the
    /// user already has (only newer ones come from history).
    pub async fn join_dm_since(&self, agent_id: &str, since: i64) -> Result<DmChannel, ElizaError> {
        self.shared().join_dm_typed(agent_id, Some(since)).await
    }

    /// Sends a message to a joined channel; returns its client id (named again by
    /// [`ElizaEvent::Ack`] or [`ElizaEvent::SendFailed`]). It waits in the outbox while offline.
    ///
    /// ```no_run
    /// # fn demo(client: &eliza_socketio::rust_api::ElizaClient, channel_id: &str) -> Result<(), eliza_socketio::rust_api::ElizaError> {
    /// let id = client.send(channel_id, "what is the weather like?")?;
    /// # Ok(()) }
    /// ```
    pub fn send(&self, channel_id: &str, text: &str) -> Result<String, ElizaError> {
        self.shared().send_typed(channel_id, text)
    }

    /// The newest `limit` messages of a channel (1 to 500), newest first.
    ///
    /// ```no_run
    /// # async fn demo(client: &eliza_socketio::rust_api::ElizaClient, channel_id: &str) -> Result<(), eliza_socketio::rust_api::ElizaError> {
    /// let last_ten = client.history(channel_id, 10).await?;
    /// # Ok(()) }
    /// ```
    pub async fn history(&self, channel_id: &str, limit: u32) -> Result<Vec<ChatMessage>, ElizaError> {
        self.shared().history_typed(channel_id, limit).await
    }

    /// Sends a failed message again ([`ElizaEvent::SendFailed`]), after checking the server
    /// does not have it already.
    ///
    /// ```no_run
    /// # use eliza_socketio::rust_api::ElizaEvent;
    /// # fn demo(client: &eliza_socketio::rust_api::ElizaClient, event: ElizaEvent) {
    /// if let ElizaEvent::SendFailed { client_message_id, .. } = event {
    ///     let _ = client.retry(&client_message_id);
    /// }
    /// # }
    /// ```
    pub fn retry(&self, client_message_id: &str) -> Result<(), ElizaError> {
        self.shared().retry_typed(client_message_id)
    }

    /// Removes a message from the outbox without sending it; `false` when it was not there.
    pub fn discard(&self, client_message_id: &str) -> bool {
        self.shared().discard_typed(client_message_id)
    }

    /// Messages not yet confirmed by the server, oldest first.
    pub fn outbox(&self) -> Vec<OutboxEntry> {
        self.shared().outbox_typed()
    }

    /// Whether an agent reply is expected in a channel.
    pub fn is_thinking(&self, channel_id: &str) -> bool {
        self.shared().is_thinking_typed(channel_id)
    }

    /// Stops following a channel; `false` when it was not joined.
    pub fn leave(&self, channel_id: &str) -> bool {
        self.shared().leave_typed(channel_id)
    }

    /// Calls `handler` with every session event until the guard is dropped.
    ///
    /// ```no_run
    /// # use eliza_socketio::rust_api::ElizaEvent;
    /// # fn demo(client: &eliza_socketio::rust_api::ElizaClient) {
    /// client.on_event(|event| {
    ///     if let ElizaEvent::Thinking { active, .. } = event {
    ///         log(if *active { "typing…" } else { "" });
    ///     }
    /// }).forget();
    /// # }
    /// # fn log(_: &str) {}
    /// ```
    pub fn on_event(&self, handler: impl FnMut(&ElizaEvent) + 'static) -> Subscription {
        self.shared().rust_events().add(handler)
    }

    /// Every session event from now on as a [`futures_core::Stream`] (messages, acks,
    /// stream chunks, thinking, errors…), keeping at most
    /// [`DEFAULT_STREAM_CAPACITY`](super::DEFAULT_STREAM_CAPACITY) unread.
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    /// # use eliza_socketio::rust_api::ElizaEvent;
    /// # async fn demo(client: eliza_socketio::rust_api::ElizaClient) {
    /// let mut events = client.events();
    /// while let Some(event) = events.next().await {
    ///     if let ElizaEvent::StreamChunk { text, .. } = event {
    ///         log(&text); // the reply so far
    ///     }
    /// }
    /// # }
    /// # fn log(_: &str) {}
    /// ```
    pub fn events(&self) -> EventStream<ElizaEvent> {
        EventStream::from_handlers(self.shared().rust_events(), DEFAULT_STREAM_CAPACITY, |e: &ElizaEvent| {
            Some(e.clone())
        })
    }

    /// The events of one channel only, as a stream.
    pub fn channel_events(&self, channel_id: &str) -> EventStream<ElizaEvent> {
        let channel_id = channel_id.to_owned();
        EventStream::from_handlers(
            self.shared().rust_events(),
            DEFAULT_STREAM_CAPACITY,
            move |e: &ElizaEvent| (e.channel_id() == Some(channel_id.as_str())).then(|| e.clone()),
        )
    }
}

impl core::fmt::Debug for ElizaClient {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ElizaClient").field("server_url", &self.server_url()).finish()
    }
}
