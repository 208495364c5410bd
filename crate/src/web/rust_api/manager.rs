//! [`Manager`] (one connection) and its builder, for Rust code.

use core::time::Duration;
use std::cell::RefCell;
use std::rc::{Rc, Weak};

use serde::Serialize;

use crate::client::{Client, Config, SocketId};
use crate::error::{Error, TransportKind};

use super::super::driver::{Driver, Sink};
use super::super::lifetime::OwnedDriver;
use super::super::manager::{parse_url, random_seed};
use super::events::ManagerEvent;
use super::listen::{EventStream, HandlerList, Subscription};
use super::socket::{Socket, SocketShared, DEFAULT_STREAM_CAPACITY};

/// One connection and the Rust sockets on it. Dropped with the last [`Manager`] and [`Socket`]
/// handle, which closes the connection.
pub(crate) struct Connection {
    /// Closes the connection when dropped (see `web/lifetime.rs`).
    pub driver: OwnedDriver,
    auto_connect: bool,
    sockets: RefCell<Vec<(SocketId, Weak<SocketShared>)>>,
    handlers: Rc<HandlerList<ManagerEvent>>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        // Closed first, so that the handlers hear of it before they go.
        self.driver.close();
        self.handlers.clear();
    }
}

/// A connection to a server (one Engine.IO session), shared by its namespace sockets.
///
/// Made by [`Manager::builder`]; cloning gives another handle on the same connection.
///
/// ```no_run
/// use core::time::Duration;
/// use eliza_socketio::rust_api::Manager;
/// use eliza_socketio::TransportKind;
///
/// # fn demo() -> Result<(), eliza_socketio::Error> {
/// let manager = Manager::builder("https://chat.example.com")
///     .transports(&[TransportKind::WebSocket])
///     .reconnection_delay(Duration::from_millis(500))
///     .ack_timeout(Duration::from_secs(5))
///     .build()?;
/// let main = manager.socket("/");
/// let admin = manager.socket_with_auth("/admin", &serde_json::json!({ "token": "secret" }))?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Manager {
    pub(crate) conn: Rc<Connection>,
}

/// Options of a connection, with socket.io-client's names and defaults (the JS face's
/// `ManagerOptions`). Made by [`Manager::builder`].
///
/// ```no_run
/// # use core::time::Duration;
/// # use eliza_socketio::rust_api::Manager;
/// # fn demo() -> Result<(), eliza_socketio::Error> {
/// let manager = Manager::builder("http://127.0.0.1:3000")
///     .path("/socket.io/")
///     .query("room", "lobby")
///     .timeout(Some(Duration::from_secs(10)))
///     .reconnection_attempts(5)
///     .auto_connect(false)
///     .build()?;
/// manager.open();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "call .build() to make the Manager"]
pub struct ManagerBuilder {
    url: String,
    config: Config,
    auto_connect: bool,
    with_credentials: bool,
}

impl ManagerBuilder {
    /// Transports in order of preference. Default: polling, then WebSocket.
    pub fn transports(mut self, transports: &[TransportKind]) -> Self {
        self.config.transports = transports.to_vec();
        self
    }

    /// Upgrade from polling to WebSocket when offered. Default `true`.
    pub fn upgrade(mut self, upgrade: bool) -> Self {
        self.config.upgrade = upgrade;
        self
    }

    /// Server path. Default `"/socket.io/"`.
    pub fn path(mut self, path: &str) -> Self {
        self.config.path = path.to_owned();
        self
    }

    /// Adds a query parameter sent with every request (parameters of the URL are kept too).
    pub fn query(mut self, key: &str, value: &str) -> Self {
        self.config.query.retain(|(k, _)| k != key);
        self.config.query.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Time allowed to open the connection (`None`: no limit). Default 20 s.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.config.timeout = timeout;
        self
    }

    /// Reconnect automatically. Default `true`.
    pub fn reconnection(mut self, reconnection: bool) -> Self {
        self.config.reconnection = reconnection;
        self
    }

    /// Attempts before giving up. Default: never give up.
    pub fn reconnection_attempts(mut self, attempts: u32) -> Self {
        self.config.reconnection_attempts = attempts;
        self
    }

    /// First reconnection delay. Default 1 s.
    pub fn reconnection_delay(mut self, delay: Duration) -> Self {
        self.config.reconnection_delay = delay;
        self
    }

    /// Largest reconnection delay. Default 5 s.
    pub fn reconnection_delay_max(mut self, delay: Duration) -> Self {
        self.config.reconnection_delay_max = delay;
        self
    }

    /// Jitter of the reconnection delay, between 0 and 1. Default 0.5.
    pub fn randomization_factor(mut self, factor: f64) -> Self {
        self.config.randomization_factor = factor;
        self
    }

    /// Acknowledgement timeout of every emit that expects one, on every socket of the
    /// connection (also the default of [`Socket::emit_with_ack`]).
    pub fn ack_timeout(mut self, timeout: Duration) -> Self {
        self.config.ack_timeout = Some(timeout);
        self
    }

    /// Re-send an emit this many times after its acknowledgement timed out. Default 0.
    pub fn retries(mut self, retries: u32) -> Self {
        self.config.retries = retries;
        self
    }

    /// Add a random `t` parameter to polling requests. Default `true`.
    pub fn timestamp_requests(mut self, on: bool) -> Self {
        self.config.timestamp_requests = on;
        self
    }

    /// Largest message accepted from the server, in bytes (a text frame, a polling record or a
    /// binary attachment); a larger one is a transport error (`TOO_LARGE`). Default: no limit,
    /// as socket.io-client.
    pub fn max_message_size(mut self, bytes: Option<usize>) -> Self {
        self.config.max_message_size = bytes;
        self
    }

    /// Most events a socket keeps while waiting for its CONNECT answer; one more is a transport
    /// error. Default 1000.
    pub fn max_early_events(mut self, events: usize) -> Self {
        self.config.max_early_events = events;
        self
    }

    /// Most emits kept while disconnected (the offline buffer); beyond it `emit` fails with
    /// `BUFFER_FULL`. Default: no limit, as socket.io-client.
    pub fn max_buffered_emits(mut self, emits: Option<usize>) -> Self {
        self.config.max_buffered_emits = emits;
        self
    }

    /// Most emits in the retry queue (see [`ManagerBuilder::retries`]); beyond it `emit` fails
    /// with `BUFFER_FULL`. Default: no limit.
    pub fn max_retry_queue(mut self, emits: Option<usize>) -> Self {
        self.config.max_retry_queue = emits;
        self
    }

    /// Connect as soon as a socket is made. Default `true`.
    pub fn auto_connect(mut self, on: bool) -> Self {
        self.auto_connect = on;
        self
    }

    /// Send cookies with polling requests (sticky sessions). Default `false`.
    pub fn with_credentials(mut self, on: bool) -> Self {
        self.with_credentials = on;
        self
    }

    /// Checks the options and makes the connection (opened when the first socket connects).
    /// Errors name the option or say what is wrong with the URL.
    pub fn build(self) -> Result<Manager, Error> {
        let target = parse_url(Some(&self.url))?;
        let mut config = self.config.validate()?;
        for pair in target.query {
            if !config.query.iter().any(|(k, _)| *k == pair.0) {
                config.query.push(pair);
            }
        }
        let client = Client::new(config, target.endpoint, random_seed())?;
        let driver = Driver::new(client, self.with_credentials);
        let handlers = HandlerList::new();
        let weak = Rc::downgrade(&handlers);
        driver.set_manager_hook(Rc::new(move |event| {
            if let (Some(handlers), Some(event)) = (weak.upgrade(), ManagerEvent::from_core(event)) {
                handlers.deliver(&event);
            }
        }));
        let conn = Connection {
            driver: OwnedDriver::new(driver),
            auto_connect: self.auto_connect,
            sockets: RefCell::new(Vec::new()),
            handlers,
        };
        Ok(Manager { conn: Rc::new(conn) })
    }
}

/// The `auth` payload as JSON object text.
pub(crate) fn auth_json<T: Serialize + ?Sized>(auth: &T) -> Result<String, Error> {
    match serde_json::to_value(auth) {
        Ok(value @ serde_json::Value::Object(_)) => Ok(value.to_string()),
        Ok(_) => Err(Error::InvalidOption("auth must be a JSON object".into())),
        Err(e) => Err(Error::InvalidOption(format!("auth cannot be serialized: {e}"))),
    }
}

impl Manager {
    /// Options for a connection to `url` (its path is not a namespace here: use
    /// [`Manager::socket`]).
    pub fn builder(url: &str) -> ManagerBuilder {
        ManagerBuilder {
            url: url.to_owned(),
            config: Config::default(),
            auto_connect: true,
            with_credentials: false,
        }
    }

    /// The socket of a namespace (`"/"`, `"/admin"`…), made on first use; connects it unless
    /// `auto_connect(false)`.
    pub fn socket(&self, nsp: &str) -> Socket {
        self.socket_for(nsp, None)
    }

    /// Like [`Manager::socket`], with the `auth` payload sent with CONNECT (a JSON object).
    pub fn socket_with_auth<T: Serialize + ?Sized>(&self, nsp: &str, auth: &T) -> Result<Socket, Error> {
        Ok(self.socket_for(nsp, Some(auth_json(auth)?)))
    }

    fn socket_for(&self, nsp: &str, auth: Option<String>) -> Socket {
        let nsp = if nsp.starts_with('/') { nsp.to_owned() } else { format!("/{nsp}") };
        let conn = &self.conn;
        let id = conn.driver.with_client(|c, _| c.socket(&nsp, auth));
        let existing = conn.sockets.borrow().iter().find(|(i, _)| *i == id).and_then(|(_, s)| s.upgrade());
        let shared = match existing {
            Some(shared) => shared,
            None => {
                let shared = SocketShared::new(conn.clone(), id);
                let weak = Rc::downgrade(&shared);
                conn.driver.set_sink(
                    id,
                    Sink::Rust(Rc::new(move |_, event| {
                        if let Some(socket) = weak.upgrade() {
                            socket.on_core_event(event);
                        }
                    })),
                );
                let mut sockets = conn.sockets.borrow_mut();
                sockets.retain(|(i, s)| *i != id && s.strong_count() > 0);
                sockets.push((id, Rc::downgrade(&shared)));
                shared
            }
        };
        let socket = Socket { shared };
        if conn.auto_connect {
            socket.connect();
        }
        socket
    }

    /// Opens the connection (sockets then join their namespaces).
    pub fn open(&self) {
        self.conn.driver.with_client(|c, now| c.open(now));
    }

    /// Closes the connection; no reconnection follows until [`Manager::open`] or
    /// [`Socket::connect`].
    pub fn close(&self) {
        self.conn.driver.with_client(|c, now| c.close(now));
    }

    /// The Engine.IO session id, while connected.
    pub fn id(&self) -> Option<String> {
        self.conn.driver.read(|c| c.engine_sid().map(str::to_owned))
    }

    /// The transport in use, while connected.
    pub fn transport(&self) -> Option<TransportKind> {
        self.conn.driver.read(|c| c.transport())
    }

    /// Whether a reconnection is scheduled or under way.
    pub fn reconnecting(&self) -> bool {
        self.conn.driver.read(|c| c.is_reconnecting())
    }

    /// Calls `handler` with every connection event (open, close, reconnection attempts…) until
    /// the guard is dropped.
    ///
    /// ```no_run
    /// # use eliza_socketio::rust_api::{Manager, ManagerEvent};
    /// # fn demo(manager: &Manager) {
    /// manager.on_event(|event| {
    ///     if let ManagerEvent::ReconnectAttempt(n) = event {
    ///         log(&format!("reconnecting, attempt {n}"));
    ///     }
    /// }).forget();
    /// # }
    /// # fn log(_: &str) {}
    /// ```
    pub fn on_event(&self, handler: impl FnMut(&ManagerEvent) + 'static) -> Subscription {
        self.conn.handlers.add(handler)
    }

    /// Every connection event from now on as a [`futures_core::Stream`], keeping at most
    /// [`DEFAULT_STREAM_CAPACITY`] unread (see [`EventStream`]).
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    /// # use eliza_socketio::rust_api::{Manager, ManagerEvent};
    /// # async fn demo(manager: Manager) {
    /// let mut events = manager.events();
    /// while let Some(event) = events.next().await {
    ///     if event == ManagerEvent::ReconnectFailed {
    ///         log("offline for good");
    ///     }
    /// }
    /// # }
    /// # fn log(_: &str) {}
    /// ```
    pub fn events(&self) -> EventStream<ManagerEvent> {
        EventStream::from_handlers(&self.conn.handlers, DEFAULT_STREAM_CAPACITY, |e: &ManagerEvent| {
            Some(e.clone())
        })
    }
}

impl core::fmt::Debug for Manager {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Manager").field("id", &self.id()).finish()
    }
}

/// Connects to the namespace in `url` (its path; `"/"` when none) with default options, as
/// socket.io-client's `io(url)` does (but never sharing a connection).
///
/// ```no_run
/// # fn demo() -> Result<(), eliza_socketio::Error> {
/// let admin = eliza_socketio::rust_api::connect("http://127.0.0.1:3000/admin")?;
/// # Ok(()) }
/// ```
pub fn connect(url: &str) -> Result<Socket, Error> {
    let nsp = parse_url(Some(url))?.nsp;
    Ok(Manager::builder(url).build()?.socket(&nsp))
}
