//! [`Socket`]: one namespace of a connection, for Rust code.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::args::{Args, IntoArgs};
use crate::client::{ConnectError as CoreConnectError, Emit, Event, SocketId, Wire};
use crate::error::Error;

use super::super::driver::Driver;
use super::super::glue;
use super::super::lifetime;
use super::super::wire::{Js, JsAck, JsText};
use super::events::{AckError, AckRequest, ConnectError, DisconnectReason, Message, SocketEvent};
use super::listen::{EventStream, HandlerList, Slot, Subscription};
use super::manager::{Connection, Manager};

/// How long [`Socket::emit_with_ack`] waits when the connection has no `ack_timeout`.
pub const DEFAULT_ACK_TIMEOUT: Duration = Duration::from_secs(10);

/// How many unread events [`Socket::events`] keeps before dropping the oldest.
pub const DEFAULT_STREAM_CAPACITY: usize = 1024;

/// Names socket.io keeps for itself: emitting them is refused, as in socket.io-client.
const RESERVED: [&str; 6] =
    ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"];

/// A connection to one namespace, made by [`Manager::socket`] or [`super::connect`].
///
/// Cloning gives another handle on the same socket. When the last handle of a socket is
/// dropped it leaves its namespace; when the last socket and [`Manager`] of a connection are
/// dropped, the connection closes.
///
/// ```no_run
/// use eliza_socketio::rust_api::{self, Args};
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let socket = rust_api::connect("http://127.0.0.1:3000/")?;
/// socket.on_connect(|| log("connected")).forget();
/// let _news = socket.on("news", |m| log(&m.arg::<String>(0).unwrap_or_default()));
/// socket.emit("chat", &serde_json::json!({ "text": "hello" }))?;
/// let total: u64 = socket.emit_with_ack("add", Args::new().arg(&1)?.arg(&2)?).await?;
/// # Ok(()) }
/// # fn log(_: &str) {}
/// ```
#[derive(Clone)]
pub struct Socket {
    pub(crate) shared: Rc<SocketShared>,
}

pub(crate) struct SocketShared {
    pub conn: Rc<Connection>,
    pub id: SocketId,
    handlers: Rc<HandlerList<SocketEvent>>,
    /// Emits waiting for their acknowledgement, by the key their `JsAck` carries.
    pending: RefCell<Vec<(u64, AckSlot)>>,
    next_ack_key: Cell<u64>,
}

impl SocketShared {
    pub fn new(conn: Rc<Connection>, id: SocketId) -> Rc<Self> {
        Rc::new(SocketShared {
            conn,
            id,
            handlers: HandlerList::new(),
            pending: RefCell::new(Vec::new()),
            next_ack_key: Cell::new(0),
        })
    }

    fn driver(&self) -> &Rc<Driver> {
        &self.conn.driver
    }

    /// A core event for this socket, turned into a Rust value for the handlers.
    pub fn on_core_event(self: &Rc<Self>, event: Event<Js>) {
        let event = match event {
            Event::Connect { .. } => SocketEvent::Connect,
            Event::Disconnect { reason, description, .. } => SocketEvent::Disconnect { reason, description },
            Event::ConnectError { error, .. } => SocketEvent::ConnectError(match error {
                CoreConnectError::Refused { message, data } => {
                    let data = data.and_then(|d| serde_json::from_str(&d.text()).ok());
                    ConnectError::new("CONNECT_REFUSED", message, data)
                }
                CoreConnectError::Connection(e) => ConnectError::new(e.code(), e.to_string(), None),
            }),
            Event::Message { data, attachments, ack, .. } => {
                let attachments = attachments.iter().map(glue::binary_bytes).collect();
                let Ok((event, args)) = Args::decode(&data.text(), attachments, true) else {
                    // The same rule as the JS face: undecodable event data is a parse error.
                    self.driver().with_client(|c, now| {
                        c.handle_invalid_payload(now, "event data is not a JSON array")
                    });
                    return;
                };
                // Connection state recovery: the last string argument is the server's offset.
                if let Some(serde_json::Value::String(offset)) = args.values().last() {
                    let id = self.id;
                    if self.driver().read(|c| c.socket_tracks_offsets(id)) {
                        let offset = offset.clone();
                        self.driver().with_client(|c, _| c.record_offset(id, offset));
                    }
                }
                let ack = ack.map(|id| {
                    Rc::new(AckRequest { socket: Rc::downgrade(self), id, answered: Cell::new(false) })
                });
                SocketEvent::Message(Message { event: event.unwrap_or_default(), args, ack })
            }
            Event::AckResponse { ack, result, .. } => return self.settle(&ack, result),
            _ => return,
        };
        self.handlers.deliver(&event);
    }

    fn settle(&self, ack: &JsAck, result: Result<(JsText, Vec<JsValue>), Error>) {
        let Some(key) = ack.callback.as_f64().map(|k| k as u64) else { return };
        let slot = {
            let mut pending = self.pending.borrow_mut();
            pending.iter().position(|(k, _)| *k == key).map(|at| pending.swap_remove(at).1)
        };
        let Some(slot) = slot else { return };
        let outcome = match result {
            Ok((text, attachments)) => {
                let attachments = attachments.iter().map(glue::binary_bytes).collect();
                match Args::decode(&text.text(), attachments, false) {
                    Ok((_, args)) => Ok(args),
                    Err(e) => {
                        self.driver().with_client(|c, now| {
                            c.handle_invalid_payload(now, "ack data is not a JSON array")
                        });
                        Err(AckError::InvalidReply(e))
                    }
                }
            }
            Err(e) => Err(AckError::from_core(e)),
        };
        slot.fill(outcome);
    }

    fn emit(
        &self,
        event: &str,
        args: Args,
        ack: Option<(JsAck, Duration)>,
        volatile: bool,
    ) -> Result<(), Error> {
        if RESERVED.contains(&event) {
            return Err(Error::InvalidArgument(format!("{event:?} is a reserved event name")));
        }
        let text = args.to_json(Some(event)).map_err(|e| Error::InvalidArgument(e.to_string()))?;
        let attachments = args.into_attachments().into_iter().map(Js::binary_from_vec).collect();
        let (ack, timeout) = match ack {
            Some((ack, timeout)) => (Some(ack), Some(timeout)),
            None => (None, None),
        };
        let emit = Emit {
            data: JsText::new(JsValue::from_str(&text)),
            attachments,
            ack,
            timeout,
            volatile,
            session_only: false,
        };
        let id = self.id;
        // Err only when the user capped the offline buffer or the retry queue and it is full.
        self.driver().with_client(|c, now| c.emit(now, id, emit))
    }

    pub fn send_ack(&self, ack_id: u64, args: Args) -> Result<(), Error> {
        let text = args.to_json(None).map_err(|e| Error::InvalidArgument(e.to_string()))?;
        let attachments = args.into_attachments().into_iter().map(Js::binary_from_vec).collect();
        let id = self.id;
        self.driver()
            .with_client(|c, _| c.send_ack(id, ack_id, JsText::new(JsValue::from_str(&text)), attachments));
        Ok(())
    }

    fn emit_with_ack(&self, event: &str, args: impl IntoArgs, timeout: Duration) -> AckWait {
        let args = match args.into_args() {
            Ok(args) => args,
            Err(e) => return AckWait::Failed(Some(AckError::InvalidArguments(e))),
        };
        let key = self.next_ack_key.get();
        self.next_ack_key.set(key + 1);
        let slot = Slot::new();
        self.pending.borrow_mut().push((key, slot.clone()));
        // The core carries the callback back in `AckResponse` and never calls it: for the Rust
        // face it is only the key of the waiting slot (it never reaches JavaScript).
        let callback = JsValue::from_f64(key as f64).unchecked_into();
        let ack = JsAck { callback, with_error: true };
        match self.emit(event, args, Some((ack, timeout)), false) {
            Ok(()) => AckWait::Waiting(slot),
            Err(e) => {
                self.pending.borrow_mut().retain(|(k, _)| *k != key);
                AckWait::Failed(Some(AckError::Refused(e)))
            }
        }
    }
}

impl Drop for SocketShared {
    fn drop(&mut self) {
        for (_, slot) in self.pending.take() {
            slot.fill(Err(AckError::Disconnected));
        }
        self.handlers.clear();
        lifetime::leave_namespace(&self.conn.driver, self.id);
    }
}

/// Where an acknowledgement (all its arguments) or its failure arrives.
type AckSlot = Rc<Slot<Result<Args, AckError>>>;

enum AckWait {
    Failed(Option<AckError>),
    Waiting(AckSlot),
}

/// The acknowledgement of an emit: resolves with the server's answer or an [`AckError`].
///
/// The event is sent when the future is made (not when it is first polled); dropping the
/// future only stops waiting.
#[must_use = "the event is sent already; await the future to get the acknowledgement"]
pub struct AckFuture<R> {
    wait: AckWait,
    decode: fn(Args) -> Result<R, AckError>,
}

impl<R> Future for AckFuture<R> {
    type Output = Result<R, AckError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        match &mut this.wait {
            AckWait::Failed(e) => Poll::Ready(Err(e.take().unwrap_or(AckError::Disconnected))),
            AckWait::Waiting(slot) => slot.poll_take(cx).map(|r| r.and_then(this.decode)),
        }
    }
}

fn first_arg<R: DeserializeOwned>(args: Args) -> Result<R, AckError> {
    args.get(0).map_err(AckError::InvalidReply)
}

fn all_args(args: Args) -> Result<Args, AckError> {
    Ok(args)
}

impl Socket {
    /// The socket id the server assigned, while connected.
    pub fn id(&self) -> Option<String> {
        let id = self.shared.id;
        self.shared.driver().read(|c| c.socket_sid(id).map(str::to_owned))
    }

    /// Whether the socket is connected to its namespace.
    pub fn connected(&self) -> bool {
        let id = self.shared.id;
        self.shared.driver().read(|c| c.socket_connected(id))
    }

    /// Whether the socket is connected or will (re)connect by itself.
    pub fn active(&self) -> bool {
        let id = self.shared.id;
        self.shared.driver().read(|c| c.socket_active(id))
    }

    /// Whether the last reconnection restored the session (connection state recovery): the
    /// server kept the socket's rooms and sent what was missed.
    pub fn recovered(&self) -> bool {
        let id = self.shared.id;
        self.shared.driver().read(|c| c.socket_recovered(id))
    }

    /// The namespace, e.g. `"/"` or `"/admin"`.
    pub fn nsp(&self) -> String {
        let id = self.shared.id;
        self.shared.driver().read(|c| c.socket_nsp(id).to_owned())
    }

    /// The connection this socket runs on.
    pub fn manager(&self) -> Manager {
        Manager { conn: self.shared.conn.clone() }
    }

    /// Connects (or reconnects) to the namespace; not needed with `auto_connect` (the default).
    pub fn connect(&self) {
        let id = self.shared.id;
        self.shared.driver().with_client(|c, now| c.connect(now, id));
    }

    /// Leaves the namespace; no automatic reconnection follows. Waiting acknowledgements fail
    /// with [`AckError::Disconnected`].
    pub fn disconnect(&self) {
        let id = self.shared.id;
        self.shared.driver().with_client(|c, now| c.disconnect(now, id));
    }

    /// Replaces the `auth` payload sent with the next CONNECT (a JSON object).
    ///
    /// ```no_run
    /// # fn demo(socket: &eliza_socketio::rust_api::Socket) -> Result<(), eliza_socketio::Error> {
    /// socket.set_auth(&serde_json::json!({ "token": "secret" }))?;
    /// # Ok(()) }
    /// ```
    pub fn set_auth<T: Serialize + ?Sized>(&self, auth: &T) -> Result<(), Error> {
        let auth = super::manager::auth_json(auth)?;
        let id = self.shared.id;
        self.shared.driver().with_client(|c, _| c.set_auth(id, Some(auth)));
        Ok(())
    }

    /// Sends an event. While disconnected it is buffered and sent after connecting, as in
    /// socket.io-client. Errors: a reserved name (`INVALID_ARGUMENT`), arguments that cannot be
    /// serialized (`INVALID_ARGUMENT`), or a full offline buffer or retry queue when
    /// [`super::ManagerBuilder::max_buffered_emits`] or `max_retry_queue` caps it (`BUFFER_FULL`).
    ///
    /// ```no_run
    /// # use eliza_socketio::rust_api::{Args, Socket};
    /// # fn demo(socket: &Socket) -> Result<(), Box<dyn std::error::Error>> {
    /// socket.emit("hello", ())?;
    /// socket.emit("chat", &"hi all")?;
    /// socket.emit("upload", Args::new().arg(&"a.bin")?.bytes(vec![1, 2, 3]))?;
    /// # Ok(()) }
    /// ```
    pub fn emit(&self, event: &str, args: impl IntoArgs) -> Result<(), Error> {
        let args = args.into_args().map_err(|e| Error::InvalidArgument(e.to_string()))?;
        self.shared.emit(event, args, None, false)
    }

    /// Like [`Socket::emit`], but the event is dropped rather than buffered when it cannot be
    /// written right away (socket.io-client's `socket.volatile.emit`).
    ///
    /// ```no_run
    /// # fn demo(socket: &eliza_socketio::rust_api::Socket) -> Result<(), eliza_socketio::Error> {
    /// socket.emit_volatile("cursor", &serde_json::json!({ "x": 10, "y": 20 }))?;
    /// # Ok(()) }
    /// ```
    pub fn emit_volatile(&self, event: &str, args: impl IntoArgs) -> Result<(), Error> {
        let args = args.into_args().map_err(|e| Error::InvalidArgument(e.to_string()))?;
        self.shared.emit(event, args, None, true)
    }

    /// Sends an event and waits for the server's acknowledgement; resolves with its first
    /// argument as `R` (`serde_json::Value`, `()` or any `DeserializeOwned` type). Waits the
    /// connection's `ack_timeout`, or [`DEFAULT_ACK_TIMEOUT`].
    ///
    /// ```no_run
    /// # use eliza_socketio::rust_api::{AckError, Socket};
    /// # async fn demo(socket: &Socket) {
    /// match socket.emit_with_ack::<serde_json::Value>("save", &"draft").await {
    ///     Ok(reply) => log(&reply.to_string()),
    ///     Err(AckError::Timeout) => log("no answer"),
    ///     Err(e) => log(&e.to_string()),
    /// }
    /// # }
    /// # fn log(_: &str) {}
    /// ```
    pub fn emit_with_ack<R: DeserializeOwned>(&self, event: &str, args: impl IntoArgs) -> AckFuture<R> {
        let timeout = self.shared.driver().read(|c| c.config().ack_timeout).unwrap_or(DEFAULT_ACK_TIMEOUT);
        self.emit_with_ack_timeout(event, args, timeout)
    }

    /// Like [`Socket::emit_with_ack`], waiting at most `timeout`.
    ///
    /// ```no_run
    /// # use core::time::Duration;
    /// # async fn demo(socket: &eliza_socketio::rust_api::Socket) -> Result<(), eliza_socketio::rust_api::AckError> {
    /// let ok: bool = socket.emit_with_ack_timeout("ping", (), Duration::from_secs(2)).await?;
    /// # Ok(()) }
    /// ```
    pub fn emit_with_ack_timeout<R: DeserializeOwned>(
        &self,
        event: &str,
        args: impl IntoArgs,
        timeout: Duration,
    ) -> AckFuture<R> {
        AckFuture { wait: self.shared.emit_with_ack(event, args, timeout), decode: first_arg::<R> }
    }

    /// Like [`Socket::emit_with_ack_timeout`], resolving with every argument of the answer
    /// (binary ones included).
    ///
    /// ```no_run
    /// # use core::time::Duration;
    /// # use eliza_socketio::rust_api::Args;
    /// # async fn demo(socket: &eliza_socketio::rust_api::Socket) -> Result<(), eliza_socketio::rust_api::AckError> {
    /// let reply: Args = socket.emit_with_ack_args("thumbnail", &"cat.png", Duration::from_secs(5)).await?;
    /// let png = reply.bytes_at(0);
    /// # Ok(()) }
    /// ```
    pub fn emit_with_ack_args(&self, event: &str, args: impl IntoArgs, timeout: Duration) -> AckFuture<Args> {
        AckFuture { wait: self.shared.emit_with_ack(event, args, timeout), decode: all_args }
    }

    /// Calls `handler` for every `event` from the server, until the returned guard is dropped.
    ///
    /// ```no_run
    /// # fn demo(socket: &eliza_socketio::rust_api::Socket) {
    /// let guard = socket.on("chat", |m| log(&m.arg::<String>(0).unwrap_or_default()));
    /// # drop(guard);
    /// # }
    /// # fn log(_: &str) {}
    /// ```
    pub fn on(&self, event: &str, mut handler: impl FnMut(&Message) + 'static) -> Subscription {
        let event = event.to_owned();
        self.shared.handlers.add(move |e| {
            if let SocketEvent::Message(m) = e {
                if m.event == event {
                    handler(m)
                }
            }
        })
    }

    /// Calls `handler` for every event from the server, whatever its name.
    ///
    /// ```no_run
    /// # fn demo(socket: &eliza_socketio::rust_api::Socket) {
    /// socket.on_any(|m| log(m.event())).forget();
    /// # }
    /// # fn log(_: &str) {}
    /// ```
    pub fn on_any(&self, mut handler: impl FnMut(&Message) + 'static) -> Subscription {
        self.shared.handlers.add(move |e| {
            if let SocketEvent::Message(m) = e {
                handler(m)
            }
        })
    }

    /// Calls `handler` every time the socket joins its namespace.
    ///
    /// ```no_run
    /// # fn demo(socket: &eliza_socketio::rust_api::Socket) {
    /// socket.on_connect(|| log("online")).forget();
    /// # }
    /// # fn log(_: &str) {}
    /// ```
    pub fn on_connect(&self, mut handler: impl FnMut() + 'static) -> Subscription {
        self.shared.handlers.add(move |e| {
            if let SocketEvent::Connect = e {
                handler()
            }
        })
    }

    /// Calls `handler` with the reason every time the socket leaves its namespace.
    ///
    /// ```no_run
    /// # use eliza_socketio::rust_api::DisconnectReason;
    /// # fn demo(socket: &eliza_socketio::rust_api::Socket) {
    /// socket.on_disconnect(|reason| {
    ///     if reason == DisconnectReason::ServerDisconnect {
    ///         log("kicked out: no automatic reconnection");
    ///     }
    /// }).forget();
    /// # }
    /// # fn log(_: &str) {}
    /// ```
    pub fn on_disconnect(&self, mut handler: impl FnMut(DisconnectReason) + 'static) -> Subscription {
        self.shared.handlers.add(move |e| {
            if let SocketEvent::Disconnect { reason, .. } = e {
                handler(*reason)
            }
        })
    }

    /// Calls `handler` every time joining the namespace fails.
    ///
    /// ```no_run
    /// # fn demo(socket: &eliza_socketio::rust_api::Socket) {
    /// socket.on_connect_error(|e| {
    ///     if e.code() == "CONNECT_REFUSED" {
    ///         log(e.message());
    ///     }
    /// }).forget();
    /// # }
    /// # fn log(_: &str) {}
    /// ```
    pub fn on_connect_error(&self, mut handler: impl FnMut(&ConnectError) + 'static) -> Subscription {
        self.shared.handlers.add(move |e| {
            if let SocketEvent::ConnectError(error) = e {
                handler(error)
            }
        })
    }

    /// Calls `handler` for every [`SocketEvent`]: lifecycle and server events alike.
    ///
    /// ```no_run
    /// # use eliza_socketio::rust_api::SocketEvent;
    /// # fn demo(socket: &eliza_socketio::rust_api::Socket) {
    /// socket.on_any_event(|e| if let SocketEvent::Connect = e { log("up") }).forget();
    /// # }
    /// # fn log(_: &str) {}
    /// ```
    pub fn on_any_event(&self, handler: impl FnMut(&SocketEvent) + 'static) -> Subscription {
        self.shared.handlers.add(handler)
    }

    /// Every [`SocketEvent`] from now on as a [`futures_core::Stream`], keeping at most
    /// [`DEFAULT_STREAM_CAPACITY`] unread events (see [`EventStream`]).
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    /// use eliza_socketio::rust_api::SocketEvent;
    /// # async fn demo(socket: eliza_socketio::rust_api::Socket) {
    /// let mut events = socket.events();
    /// while let Some(event) = events.next().await {
    ///     if let SocketEvent::Message(m) = event {
    ///         log(m.event());
    ///     }
    /// }
    /// # }
    /// # fn log(_: &str) {}
    /// ```
    pub fn events(&self) -> EventStream<SocketEvent> {
        self.events_with_capacity(DEFAULT_STREAM_CAPACITY)
    }

    /// Like [`Socket::events`], keeping at most `capacity` unread events.
    pub fn events_with_capacity(&self, capacity: usize) -> EventStream<SocketEvent> {
        EventStream::from_handlers(&self.shared.handlers, capacity, |e: &SocketEvent| Some(e.clone()))
    }
}

impl core::fmt::Debug for Socket {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Socket").field("nsp", &self.nsp()).field("connected", &self.connected()).finish()
    }
}

impl Socket {
    /// A handle that does not keep the socket alive, for handlers that use their own socket.
    ///
    /// ```no_run
    /// # fn demo(socket: &eliza_socketio::rust_api::Socket) {
    /// let weak = socket.downgrade();
    /// socket.on("ping", move |_| {
    ///     if let Some(socket) = weak.upgrade() {
    ///         let _ = socket.emit("pong", ());
    ///     }
    /// }).forget();
    /// # }
    /// ```
    pub fn downgrade(&self) -> WeakSocket {
        WeakSocket(Rc::downgrade(&self.shared))
    }
}

/// A [`Socket`] handle that does not keep it alive (see [`Socket::downgrade`]).
#[derive(Clone)]
pub struct WeakSocket(std::rc::Weak<SocketShared>);

impl WeakSocket {
    /// The socket, while some [`Socket`] handle still holds it.
    pub fn upgrade(&self) -> Option<Socket> {
        self.0.upgrade().map(|shared| Socket { shared })
    }
}

impl core::fmt::Debug for WeakSocket {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("WeakSocket")
    }
}
