//! The browser driver: runs one [`Client`] on real WebSockets, `fetch` and one timer.
//!
//! Every browser callback becomes one `handle_*` call on the core, followed by [`Driver::pump`]:
//! perform the network work the core asked for, deliver its events (with no borrow held, so
//! listeners may call back into the client), and re-arm the single timer. A [`Layer`] over the
//! connection (the ElizaOS session) runs in that same pump, clock and timer.
//!
//! All callbacks are created once per driver and hold only a weak reference to it; while the
//! connection is active the driver keeps itself alive (as a JavaScript socket is kept alive by
//! its pending callbacks), and lets go once it is idle.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;

use crate::client::{BadFrame, Client, Event, Frame, Io, SocketId, TransportId};
use crate::time::{Instant, MonotonicClock};

use super::glue::{self, Listeners};
use super::timer::Timer;
use super::wire::{Js, JsText};

/// Rust code consuming a socket's raw core events.
#[cfg(any(feature = "eliza", feature = "rust-api"))]
pub(crate) type RustSink = Rc<dyn Fn(&Rc<Driver>, Event<Js>)>;
/// Rust code told about connection-level events.
pub(crate) type ManagerHook = Rc<dyn Fn(&Event<Js>)>;

/// Work layered over the connection (the ElizaOS session): it runs in the driver's pump, on the
/// driver's clock and its one timer, so that a client over a connection holds one of each.
#[cfg(feature = "eliza")]
pub(crate) trait Layer {
    /// Performs the layer's pending work and delivers at most one of its events; returns whether
    /// there was anything to do. Called by the pump before each core event, so that what a core
    /// event caused is delivered before the next core event.
    fn step(self: Rc<Self>) -> bool;
    /// The layer's next deadline, folded into the driver's timer.
    fn next_timeout(&self) -> Option<Instant>;
    /// The driver's timer fired at `now` (perhaps before the layer's deadline).
    fn handle_timeout(&self, now: Instant);
}

/// Where a socket's events go.
#[derive(Clone)]
pub(crate) enum Sink {
    /// JavaScript listeners (the exported `Socket` class), and the function answering the
    /// server's ack requests on this socket.
    Listeners(Listeners, Function),
    /// Rust code (the ElizaOS layer, the Rust API) that consumes the raw core events.
    #[cfg(any(feature = "eliza", feature = "rust-api"))]
    Rust(RustSink),
}

enum Transport {
    WebSocket(JsValue),
    /// A polling session; holds the AbortController of the GET in flight.
    Polling(Option<JsValue>),
}

struct Inner {
    client: Client<Js>,
    clock: MonotonicClock,
    transports: Vec<(TransportId, Transport)>,
    timer: Timer,
    /// POSTs whose answer has not come yet: their callback must outlive them.
    posts_in_flight: u32,
    /// Strong self-reference while the connection is active.
    keep_alive: Option<Rc<Driver>>,
    with_credentials: bool,
    heads: HeadCache,
}

/// JS strings of recently written frame headers (`42`, `42/admin,`, `3`…).
///
/// Turning a Rust string into a JS string goes through `TextDecoder`, which costs more than the
/// rest of an emit for a two-byte header; most headers repeat, so they are kept.
#[derive(Default)]
struct HeadCache {
    entries: Vec<(String, JsValue)>,
}

impl HeadCache {
    /// Enough for the headers of a few namespaces; headers with ack ids mostly miss.
    const SIZE: usize = 8;

    fn get(&mut self, head: &str) -> JsValue {
        if let Some((_, js)) = self.entries.iter().find(|(h, _)| h == head) {
            return js.clone();
        }
        let js = JsValue::from_str(head);
        if self.entries.len() == Self::SIZE {
            self.entries.remove(0);
        }
        self.entries.push((head.to_owned(), js.clone()));
        js
    }
}

/// Callbacks handed to JavaScript, created once.
///
/// The WebSocket closures are only read through `ws_handlers`, but must live as long as it does.
#[allow(dead_code)]
struct Callbacks {
    ws_open: Closure<dyn FnMut(f64, f64)>,
    ws_text: Closure<dyn FnMut(f64, JsValue, u32, bool, f64) -> f64>,
    invalid: Closure<dyn FnMut()>,
    ws_binary: Closure<dyn FnMut(f64, JsValue, f64)>,
    ws_down: Closure<dyn FnMut(f64, bool, String, f64)>,
    http_done: Closure<dyn FnMut(f64, bool, JsValue, f64)>,
    bad: Closure<dyn FnMut(f64, u32, f64)>,
    timer: Closure<dyn FnMut()>,
    /// `{open, text, binary, down, invalid, done, bad, sockets}` for `wsOpen` and
    /// `httpRequest`; `sockets[i]` holds the listeners of socket `i` for events the handler
    /// delivers itself.
    ws_handlers: JsValue,
}

pub(crate) struct Driver {
    inner: RefCell<Inner>,
    sinks: RefCell<Vec<Sink>>,
    /// Manager-level listeners (`open`, `reconnect_attempt`, …).
    pub manager: Listeners,
    /// Rust code told about manager-level events before the listeners (the ElizaOS layer).
    manager_hook: RefCell<Option<ManagerHook>>,
    /// The layer over the connection, if any (held weakly: it owns the driver).
    #[cfg(feature = "eliza")]
    layer: RefCell<Option<Weak<dyn Layer>>>,
    callbacks: Callbacks,
    /// Events are being delivered further up the stack: nested pumps leave them to that loop.
    dispatching: Cell<bool>,
    /// Where glue.js writes the first bytes of each text frame: the header is read from here
    /// without a string crossing the boundary. A `Cell`, since JavaScript writes it between calls.
    head: Box<Cell<[u8; HEAD_BYTES]>>,
}

/// Bytes of each text frame given to the core: enough for any usual Socket.IO header (the rest,
/// rarely needed, is read from the frame itself).
const HEAD_BYTES: usize = 64;

impl Driver {
    pub fn new(client: Client<Js>, with_credentials: bool) -> Rc<Driver> {
        Rc::new_cyclic(|weak: &Weak<Driver>| {
            let callbacks = Callbacks::new(weak.clone());
            let head = Box::new(Cell::new([0; HEAD_BYTES]));
            // A polling record growing past this many UTF-16 units is over the byte limit too.
            let max_message = client.config().max_message_size.map_or(f64::INFINITY, |n| n as f64);
            for (name, value) in [
                ("memory", wasm_bindgen::memory()),
                ("head", JsValue::from(head.as_ptr() as usize as u32)),
                ("headLen", JsValue::from(HEAD_BYTES as u32)),
                ("maxMessage", JsValue::from(max_message)),
            ] {
                let _ = js_sys::Reflect::set(&callbacks.ws_handlers, &JsValue::from_str(name), &value);
            }
            Driver {
                inner: RefCell::new(Inner {
                    client,
                    clock: MonotonicClock::default(),
                    transports: Vec::new(),
                    timer: Timer::default(),
                    posts_in_flight: 0,
                    keep_alive: None,
                    with_credentials,
                    heads: HeadCache::default(),
                }),
                sinks: RefCell::new(Vec::new()),
                manager: Listeners::new(),
                manager_hook: RefCell::new(None),
                #[cfg(feature = "eliza")]
                layer: RefCell::new(None),
                callbacks,
                dispatching: Cell::new(false),
                head,
            }
        })
    }

    /// Runs `f` on the core with the current time, then pumps.
    pub fn with_client<R>(self: &Rc<Self>, f: impl FnOnce(&mut Client<Js>, Instant) -> R) -> R {
        let out = {
            let mut inner = self.inner.borrow_mut();
            let now = inner.clock.observe(glue::monotonic_now());
            f(&mut inner.client, now)
        };
        self.pump();
        out
    }

    /// The driver's monotonic clock, now.
    #[cfg(feature = "eliza")]
    pub fn now(&self) -> Instant {
        self.inner.borrow_mut().clock.observe(glue::monotonic_now())
    }

    /// Runs `layer` in this driver's pump, clock and timer (see [`Layer`]).
    #[cfg(feature = "eliza")]
    pub fn set_layer(&self, layer: Weak<dyn Layer>) {
        *self.layer.borrow_mut() = Some(layer);
    }

    #[cfg(feature = "eliza")]
    fn layer(&self) -> Option<Rc<dyn Layer>> {
        self.layer.borrow().as_ref().and_then(Weak::upgrade)
    }

    /// One step of the layer's work (see [`Layer::step`]).
    fn layer_step(&self) -> bool {
        #[cfg(feature = "eliza")]
        if let Some(layer) = self.layer() {
            return layer.step();
        }
        false
    }

    /// The next deadline of the core and of the layer.
    fn next_timeout(&self) -> Option<Instant> {
        let core = self.inner.borrow_mut().client.poll_timeout();
        #[cfg(feature = "eliza")]
        if let Some(layer) = self.layer() {
            return match (core, layer.next_timeout()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        core
    }

    /// Reads the core without pumping.
    pub fn read<R>(&self, f: impl FnOnce(&Client<Js>) -> R) -> R {
        f(&self.inner.borrow().client)
    }

    /// Registers where the events of `socket` go (sockets are numbered in creation order).
    pub fn set_sink(&self, socket: SocketId, sink: Sink) {
        // The WebSocket handler delivers plain events straight to these listeners.
        let fast = match &sink {
            Sink::Listeners(listeners, _) => listeners.clone().into(),
            #[cfg(any(feature = "eliza", feature = "rust-api"))]
            Sink::Rust(_) => JsValue::UNDEFINED,
        };
        if let Ok(sockets) = js_sys::Reflect::get(&self.callbacks.ws_handlers, &"sockets".into()) {
            let _ = js_sys::Reflect::set(&sockets, &(socket.get() as u32).into(), &fast);
        }
        let mut sinks = self.sinks.borrow_mut();
        if socket.get() < sinks.len() {
            sinks[socket.get()] = sink;
        } else {
            sinks.push(sink);
        }
    }

    /// Registers Rust code to be told about manager-level events (state changes).
    #[cfg(any(feature = "eliza", feature = "rust-api"))]
    pub fn set_manager_hook(&self, hook: ManagerHook) {
        *self.manager_hook.borrow_mut() = Some(hook);
    }

    pub fn has_sink(&self, socket: SocketId) -> bool {
        socket.get() < self.sinks.borrow().len()
    }

    pub fn listeners(&self, socket: SocketId) -> Option<Listeners> {
        match self.sinks.borrow().get(socket.get()) {
            Some(Sink::Listeners(l, _)) => Some(l.clone()),
            _ => None,
        }
    }

    fn input(self: &Rc<Self>, raw_now: f64, f: impl FnOnce(&mut Client<Js>, Instant)) {
        {
            let mut inner = self.inner.borrow_mut();
            let now = inner.clock.observe(raw_now);
            f(&mut inner.client, now);
        }
        self.pump();
    }

    /// A WebSocket text frame. The common case — one plain event for a JS socket, nothing else
    /// to do — is handed back to the JS handler to deliver (`socket · 2³² + data offset`), which
    /// saves a round trip across the boundary per frame; anything else goes through `pump`.
    fn on_text(
        self: &Rc<Self>,
        id: TransportId,
        data: JsValue,
        head: &str,
        whole: bool,
        raw_now: f64,
    ) -> f64 {
        let fast = {
            let mut inner = self.inner.borrow_mut();
            let now = inner.clock.observe(raw_now);
            inner.client.handle_text(now, id, head, whole, JsText::new(data));
            if self.dispatching.get() || inner.client.pending_outputs() != (1, 0) {
                None
            } else {
                match inner.client.peek_event() {
                    Some(Event::Message { socket, data, attachments, ack: None })
                        if attachments.is_empty()
                            && !inner.client.socket_tracks_offsets(*socket)
                            && matches!(self.sinks.borrow().get(socket.get()), Some(Sink::Listeners(..))) =>
                    {
                        Some(socket.get() as f64 * 4_294_967_296.0 + f64::from(data.start))
                    }
                    _ => None,
                }
            }
        };
        match fast {
            Some(code) => {
                // Taken here, delivered by the caller. Nothing else changed (no network work,
                // no other event), so the timer and the keep-alive stand as they are.
                let _ = self.inner.borrow_mut().client.poll_event();
                code
            }
            None => {
                self.pump();
                NOTHING_TO_DELIVER
            }
        }
    }

    /// Performs pending network work, delivers events, re-arms the timer.
    pub fn pump(self: &Rc<Self>) {
        // Network work is done at once even in a nested pump (a listener that emits): only the
        // event loop below is left to the outermost pump, to keep events in order.
        self.inner.borrow_mut().perform_io(&self.callbacks);
        if self.dispatching.replace(true) {
            return;
        }
        loop {
            if self.layer_step() {
                continue;
            }
            let event = {
                let mut inner = self.inner.borrow_mut();
                inner.perform_io(&self.callbacks);
                inner.client.poll_event()
            };
            match event {
                Some(event) => self.dispatch(event),
                None => break,
            }
        }
        self.dispatching.set(false);
        let next = self.next_timeout();
        let mut inner = self.inner.borrow_mut();
        let Inner { timer, clock, .. } = &mut *inner;
        timer.follow(next, || clock.observe(glue::monotonic_now()), &self.callbacks.timer);
        let active = !inner.client.is_idle()
            || !inner.transports.is_empty()
            || inner.timer.is_armed()
            || inner.posts_in_flight > 0;
        let keep = if active { Some(self.clone()) } else { None };
        // Dropped after the borrow ends, in case it is the last reference.
        let _previous = std::mem::replace(&mut inner.keep_alive, keep);
        drop(inner);
    }

    fn dispatch(self: &Rc<Self>, event: Event<Js>) {
        let socket = match &event {
            Event::Connect { socket }
            | Event::ConnectError { socket, .. }
            | Event::Disconnect { socket, .. }
            | Event::Message { socket, .. }
            | Event::AckResponse { socket, .. }
            | Event::Sent { socket, .. } => Some(*socket),
            _ => None,
        };
        let Some(socket) = socket else {
            let hook = self.manager_hook.borrow().clone();
            if let Some(hook) = hook {
                hook(&event);
            }
            return super::events::manager_event(&self.manager, event);
        };
        let Some(sink) = self.sinks.borrow().get(socket.get()).cloned() else { return };
        match sink {
            Sink::Listeners(listeners, acker) => super::events::socket_event(self, &listeners, &acker, event),
            #[cfg(any(feature = "eliza", feature = "rust-api"))]
            Sink::Rust(f) => f(self, event),
        }
    }

    /// Makes the JS function that answers a server's ack requests on `socket`.
    pub fn make_acker(self: &Rc<Self>, socket: SocketId) -> Function {
        let weak = Rc::downgrade(self);
        let f = Closure::<dyn FnMut(f64, Array)>::new(move |id: f64, args: Array| {
            let Some(driver) = weak.upgrade() else { return };
            match glue::encode_args(&args) {
                Ok(encoded) => {
                    let (text, attachments) = super::events::split_encoded(encoded);
                    driver.with_client(|c, _| c.send_ack(socket, id as u64, text, attachments));
                }
                Err(e) => glue::report_exception(&e),
            }
        });
        f.into_js_value().unchecked_into()
    }
}

impl Inner {
    fn perform_io(&mut self, cb: &Callbacks) {
        while let Some(io) = self.client.poll_io() {
            match io {
                Io::OpenWebSocket { id, url } => {
                    match glue::ws_open(id.get() as f64, &url, &cb.ws_handlers) {
                        Ok(ws) => self.transports.push((id, Transport::WebSocket(ws))),
                        Err(e) => {
                            let why = super::error::describe(&e);
                            self.client.handle_transport_error(
                                self.clock.observe(glue::monotonic_now()),
                                id,
                                why,
                            );
                        }
                    }
                }
                Io::Get { id, url } => {
                    let request = glue::http_request(
                        (id.get() * 2) as f64,
                        &url,
                        None,
                        self.with_credentials,
                        &cb.ws_handlers,
                    );
                    match request {
                        Ok(ctrl) => match self.transport_mut(id) {
                            Some(Transport::Polling(get)) => *get = Some(ctrl),
                            _ => self.transports.push((id, Transport::Polling(Some(ctrl)))),
                        },
                        Err(e) => {
                            let now = self.clock.observe(glue::monotonic_now());
                            self.client.handle_poll_end(now, id, Err(super::error::describe(&e)))
                        }
                    }
                }
                Io::Post { id, url, body } => {
                    let request = glue::http_request(
                        (id.get() * 2 + 1) as f64,
                        &url,
                        Some(body),
                        self.with_credentials,
                        &cb.ws_handlers,
                    );
                    match request {
                        Ok(_) => self.posts_in_flight += 1,
                        Err(e) => {
                            let now = self.clock.observe(glue::monotonic_now());
                            self.client.handle_post_response(now, id, Err(super::error::describe(&e)));
                        }
                    }
                }
                Io::Send { id, frame } => {
                    let sent = match &frame {
                        Frame::Text { head, body } => {
                            let head = self.heads.get(head);
                            let Some(Transport::WebSocket(ws)) = self.transport_mut(id) else { continue };
                            let undefined = JsValue::UNDEFINED;
                            let (body, start) =
                                body.as_ref().map_or((&undefined, 0), |b| (&b.value, b.start));
                            if glue::ws_send_text(ws, &head, body, start) {
                                Ok(())
                            } else {
                                Err(glue::take_thrown())
                            }
                        }
                        Frame::Binary(data) => {
                            let Some(Transport::WebSocket(ws)) = self.transport_mut(id) else { continue };
                            glue::ws_send_binary(ws, data)
                        }
                    };
                    if let Err(e) = sent {
                        let now = self.clock.observe(glue::monotonic_now());
                        self.client.handle_transport_error(now, id, super::error::describe(&e));
                    }
                }
                Io::Close { id } => {
                    if let Some(i) = self.transports.iter().position(|(t, _)| *t == id) {
                        match self.transports.swap_remove(i).1 {
                            Transport::WebSocket(ws) => glue::ws_close(&ws),
                            Transport::Polling(Some(ctrl)) => abort(&ctrl),
                            Transport::Polling(None) => {}
                        }
                    }
                }
            }
        }
    }

    fn transport_mut(&mut self, id: TransportId) -> Option<&mut Transport> {
        self.transports.iter_mut().find(|(t, _)| *t == id).map(|(_, t)| t)
    }
}

/// Aborts what an AbortController controls.
pub(crate) fn abort(ctrl: &JsValue) {
    if let Ok(f) = js_sys::Reflect::get(ctrl, &JsValue::from_str("abort")) {
        if let Some(f) = f.dyn_ref::<Function>() {
            let _ = f.call0(ctrl);
        }
    }
}

impl Callbacks {
    fn new(weak: Weak<Driver>) -> Self {
        let w = weak.clone();
        let ws_open = Closure::<dyn FnMut(f64, f64)>::new(move |id: f64, now: f64| {
            if let Some(d) = w.upgrade() {
                d.input(now, |c, now| c.handle_transport_open(now, transport_id(id)));
            }
        });
        let w = weak.clone();
        let invalid = Closure::<dyn FnMut()>::new(move || {
            if let Some(d) = w.upgrade() {
                d.with_client(|c, now| c.handle_invalid_payload(now, "event data is not a JSON array"));
            }
        });
        let w = weak.clone();
        let ws_binary =
            Closure::<dyn FnMut(f64, JsValue, f64)>::new(move |id: f64, data: JsValue, now: f64| {
                if let Some(d) = w.upgrade() {
                    d.input(now, |c, now| c.handle_binary(now, transport_id(id), data));
                }
            });
        let w = weak.clone();
        let ws_down = Closure::<dyn FnMut(f64, bool, String, f64)>::new(
            move |id: f64, error: bool, why: String, now: f64| {
                if let Some(d) = w.upgrade() {
                    d.forget_transport(transport_id(id));
                    d.input(now, |c, now| {
                        if error {
                            c.handle_transport_error(now, transport_id(id), why)
                        } else {
                            c.handle_transport_close(now, transport_id(id), why)
                        }
                    });
                }
            },
        );
        // A request ended. A GET's records have been fed one by one to `text` / `binary` (the
        // body never enters wasm memory); `why` describes a failure.
        let w = weak.clone();
        let http_done = Closure::<dyn FnMut(f64, bool, JsValue, f64)>::new(
            move |tag: f64, ok: bool, why: JsValue, now: f64| {
                let Some(d) = w.upgrade() else { return };
                let (id, is_post) = (TransportId::from_raw(tag as u64 / 2), tag as u64 % 2 == 1);
                let result = if ok { Ok(()) } else { Err(why.as_string().unwrap_or_default()) };
                if is_post {
                    let mut inner = d.inner.borrow_mut();
                    inner.posts_in_flight = inner.posts_in_flight.saturating_sub(1);
                }
                d.input(now, |c, now| {
                    if is_post {
                        c.handle_post_response(now, id, result)
                    } else {
                        c.handle_poll_end(now, id, result)
                    }
                });
            },
        );
        let w = weak.clone();
        let bad = Closure::<dyn FnMut(f64, u32, f64)>::new(move |id: f64, what: u32, now: f64| {
            if let Some(d) = w.upgrade() {
                let bad = match what {
                    0 => BadFrame::Empty,
                    1 => BadFrame::InvalidBase64,
                    _ => BadFrame::TooLarge,
                };
                d.input(now, |c, now| c.handle_bad_frame(now, transport_id(id), bad));
            }
        });
        let w = weak.clone();
        let ws_text = Closure::<dyn FnMut(f64, JsValue, u32, bool, f64) -> f64>::new(
            move |id: f64, data: JsValue, head_len: u32, whole: bool, now: f64| match w.upgrade() {
                Some(d) => {
                    // glue.js wrote the frame's first bytes (whole UTF-8 characters) into `head`.
                    let head = d.head.get();
                    let head =
                        std::str::from_utf8(&head[..(head_len as usize).min(HEAD_BYTES)]).unwrap_or("");
                    d.on_text(transport_id(id), data, head, whole, now)
                }
                None => NOTHING_TO_DELIVER,
            },
        );
        let w = weak;
        let timer = Closure::<dyn FnMut()>::new(move || {
            if let Some(d) = w.upgrade() {
                let _now = {
                    let mut inner = d.inner.borrow_mut();
                    inner.timer.fired();
                    let now = inner.clock.observe(glue::monotonic_now());
                    inner.client.handle_timeout(now);
                    now
                };
                #[cfg(feature = "eliza")]
                if let Some(layer) = d.layer() {
                    layer.handle_timeout(_now);
                }
                d.pump();
            }
        });
        let ws_handlers = js_sys::Object::new();
        for (name, f) in [
            ("open", ws_open.as_ref()),
            ("text", ws_text.as_ref()),
            ("binary", ws_binary.as_ref()),
            ("down", ws_down.as_ref()),
            ("invalid", invalid.as_ref()),
            ("done", http_done.as_ref()),
            ("bad", bad.as_ref()),
            ("sockets", &Array::new()),
        ] {
            let _ = js_sys::Reflect::set(&ws_handlers, &JsValue::from_str(name), f);
        }
        Callbacks {
            ws_open,
            ws_text,
            invalid,
            ws_binary,
            ws_down,
            http_done,
            bad,
            timer,
            ws_handlers: ws_handlers.into(),
        }
    }
}

impl Driver {
    /// A WebSocket reported its end: drop our handle (the core is told right after).
    fn forget_transport(&self, id: TransportId) {
        let mut inner = self.inner.borrow_mut();
        if let Some(i) = inner.transports.iter().position(|(t, _)| *t == id) {
            if let (_, Transport::WebSocket(ws)) = inner.transports.swap_remove(i) {
                glue::ws_close(&ws);
            }
        }
    }
}

/// What `on_text` returns when it delivered everything itself.
const NOTHING_TO_DELIVER: f64 = -1.0;

fn transport_id(raw: f64) -> TransportId {
    TransportId::from_raw(raw as u64)
}
