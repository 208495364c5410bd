//! The exported `Manager` class (one connection) and the `io()` entry point.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use js_sys::Function;
use wasm_bindgen::prelude::*;

use crate::client::{Client, Endpoint};
use crate::error::Error;

use super::driver::{Driver, Sink};
use super::error::to_js;
use super::lifetime::Connection;
use super::options::{self, FaceOptions};
use super::socket::Socket;

#[wasm_bindgen]
extern "C" {
    /// Options of `new Manager()` (declared in types.rs).
    #[wasm_bindgen(typescript_type = "ManagerOptions")]
    pub type ManagerOptions;
    #[wasm_bindgen(typescript_type = "SocketOptions")]
    pub type SocketOptions;
}

thread_local! {
    /// Connections shared by `io()` calls to the same origin (socket.io-client's `cache`), as
    /// long as a handle uses them. A page talks to a handful of servers at most: a list is enough.
    static SHARED: RefCell<Vec<(String, Weak<Connection>)>> = const { RefCell::new(Vec::new()) };
}

/// One connection to a server (one Engine.IO session), shared by its namespace sockets.
///
/// Freeing the last `Manager` and `Socket` of a connection closes it.
#[wasm_bindgen]
#[derive(Clone)]
pub struct Manager {
    conn: Rc<Connection>,
    auto_connect: bool,
}

/// A parsed `io()`/`Manager` URL.
pub(crate) struct Target {
    pub endpoint: Endpoint,
    /// `scheme://host:port`, the key under which connections are shared.
    pub origin: String,
    pub nsp: String,
    pub query: Vec<(String, String)>,
}

/// Parses a server URL like the browser does (relative to the page when there is one).
pub(crate) fn parse_url(url: Option<&str>) -> Result<Target, Error> {
    let base = js_sys::Reflect::get(&js_sys::global(), &"location".into())
        .ok()
        .filter(|l| l.is_object())
        .and_then(|l| js_sys::Reflect::get(&l, &"href".into()).ok())
        .and_then(|h| h.as_string());
    let input = url.unwrap_or("");
    let parsed = match (&base, input.is_empty()) {
        (Some(base), _) => web_sys::Url::new_with_base(input, base),
        (None, false) => web_sys::Url::new(input),
        (None, true) => return Err(Error::InvalidUrl("a server URL is required outside a web page".into())),
    }
    .map_err(|_| Error::InvalidUrl(format!("\"{input}\" is not a valid URL")))?;
    let port = match parsed.port().as_str() {
        "" => None,
        p => Some(p.parse().map_err(|_| Error::InvalidUrl(format!("bad port in \"{input}\"")))?),
    };
    let endpoint = Endpoint::new(&parsed.protocol(), &parsed.hostname(), port)?;
    let query = js_sys::try_iter(&parsed.search_params())
        .ok()
        .flatten()
        .into_iter()
        .flatten()
        .filter_map(|pair| {
            let pair: js_sys::Array = pair.ok()?.unchecked_into();
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect();
    let nsp = match parsed.pathname().as_str() {
        "" => "/".to_owned(),
        p => p.to_owned(),
    };
    Ok(Target { endpoint, origin: parsed.origin(), nsp, query })
}

/// 64 random bits from `crypto.getRandomValues` (seeds the core's jitter and ids).
pub(crate) fn random_seed() -> u64 {
    let mut bytes = [0u8; 8];
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).ok();
    let filled = crypto
        .and_then(|c| c.dyn_into::<web_sys::Crypto>().ok())
        .map(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if filled != Some(true) {
        bytes = (js_sys::Math::random() * u64::MAX as f64).to_bits().to_le_bytes();
    }
    u64::from_le_bytes(bytes)
}

impl Manager {
    pub(crate) fn from_connection(conn: Rc<Connection>) -> Manager {
        Manager { conn, auto_connect: true }
    }

    fn driver(&self) -> &Rc<Driver> {
        &self.conn.driver
    }

    pub(crate) fn create(target: &Target, face: &FaceOptions) -> Result<Manager, Error> {
        let mut config = face.config.clone();
        for pair in &target.query {
            if !config.query.iter().any(|(k, _)| k == &pair.0) {
                config.query.push(pair.clone());
            }
        }
        let client = Client::new(config, target.endpoint.clone(), random_seed())?;
        let driver = Driver::new(client, face.with_credentials);
        Ok(Manager { conn: Connection::new(driver), auto_connect: face.auto_connect })
    }

    /// The socket for `nsp` on this connection, with JS listeners attached.
    pub(crate) fn socket_for(&self, nsp: &str, auth: Option<String>, auto_connect: bool) -> Socket {
        let driver = self.driver();
        let id = driver.with_client(|c, _| c.socket(nsp, auth));
        if !driver.has_sink(id) {
            let acker = driver.make_acker(id);
            driver.set_sink(id, Sink::Listeners(super::glue::Listeners::new(), acker));
        }
        let socket = Socket::new(self.conn.socket(id));
        if auto_connect {
            socket.connect();
        }
        socket
    }
}

#[wasm_bindgen]
impl Manager {
    /// A connection to `url` (path and namespace ignored: use `socket(nsp)`).
    #[wasm_bindgen(constructor)]
    pub fn new(url: Option<String>, opts: Option<ManagerOptions>) -> Result<Manager, JsValue> {
        let opts: JsValue = opts.map_or(JsValue::UNDEFINED, Into::into);
        let target = parse_url(url.as_deref()).map_err(|e| to_js(&e))?;
        let face = options::read(&opts).map_err(|e| to_js(&e))?;
        let manager = Manager::create(&target, &face).map_err(|e| to_js(&e))?;
        if face.auto_connect {
            manager.open();
        }
        Ok(manager)
    }

    /// The socket for a namespace (created on first use).
    pub fn socket(&self, nsp: &str, opts: Option<SocketOptions>) -> Result<Socket, JsValue> {
        let opts: JsValue = opts.map_or(JsValue::UNDEFINED, Into::into);
        let auth = match js_sys::Reflect::get(&opts, &"auth".into()) {
            Ok(a) if !a.is_undefined() && !a.is_null() => {
                Some(options::auth_json(&a).map_err(|e| to_js(&e))?)
            }
            _ => None,
        };
        let nsp = if nsp.starts_with('/') { nsp.to_owned() } else { format!("/{nsp}") };
        Ok(self.socket_for(&nsp, auth, self.auto_connect))
    }

    /// Opens the connection (sockets connect when they are connected).
    pub fn open(&self) {
        self.driver().with_client(|c, now| c.open(now));
    }

    /// Same as `open()`.
    pub fn connect(&self) {
        self.open();
    }

    /// Closes the connection; no reconnection follows.
    pub fn close(&self) {
        self.driver().with_client(|c, now| c.close(now));
    }

    /// Same as `close()`.
    pub fn disconnect(&self) {
        self.close();
    }

    /// The Engine.IO session id, while connected.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> Option<String> {
        self.driver().read(|c| c.engine_sid().map(str::to_owned))
    }

    /// The transport in use: `"polling"` or `"websocket"`.
    #[wasm_bindgen(getter)]
    pub fn transport(&self) -> Option<String> {
        self.driver().read(|c| c.transport().map(|t| t.name().to_owned()))
    }

    /// Whether a reconnection is scheduled or under way.
    #[wasm_bindgen(getter)]
    pub fn reconnecting(&self) -> bool {
        self.driver().read(|c| c.is_reconnecting())
    }

    /// Listens to a connection event; returns a function that removes the listener.
    #[wasm_bindgen(skip_typescript)]
    pub fn on(&self, ev: JsValue, listener: JsValue) -> Result<Function, JsValue> {
        self.driver().manager.on(&ev, &listener, false, false)
    }

    /// Listens to the next occurrence of a connection event only.
    #[wasm_bindgen(skip_typescript)]
    pub fn once(&self, ev: JsValue, listener: JsValue) -> Result<Function, JsValue> {
        self.driver().manager.on(&ev, &listener, true, false)
    }

    /// Removes a listener, all listeners of an event, or all listeners.
    #[wasm_bindgen(skip_typescript)]
    pub fn off(&self, ev: JsValue, listener: JsValue) {
        self.driver().manager.off(&ev, &listener);
    }
}

/// Connects to a namespace: `io("http://localhost:3000/admin", { auth: {…} })`.
///
/// Connections to the same origin are shared unless `forceNew` is set or the namespace is
/// already in use there, as in socket.io-client.
#[wasm_bindgen(skip_typescript)]
pub fn io(url: Option<String>, opts: Option<JsValue>) -> Result<Socket, JsValue> {
    io_impl(url.as_deref(), &opts.unwrap_or(JsValue::UNDEFINED)).map_err(|e| to_js(&e))
}

fn io_impl(url: Option<&str>, opts: &JsValue) -> Result<Socket, Error> {
    let target = parse_url(url)?;
    let face = options::read(opts)?;
    let key = format!("{}{}", target.origin, face.config.path);
    let cached = SHARED.with(|m| {
        let mut shared = m.borrow_mut();
        shared.retain(|(_, c)| c.strong_count() > 0);
        shared.iter().find(|(k, _)| *k == key).and_then(|(_, c)| c.upgrade())
    });
    let new_connection =
        face.force_new || cached.as_ref().is_some_and(|c| c.driver.read(|c| c.has_socket(&target.nsp)));
    let manager = match cached {
        Some(conn) if !new_connection => Manager::from_connection(conn),
        Some(_) => Manager::create(&target, &face)?,
        None => {
            let m = Manager::create(&target, &face)?;
            if !face.force_new {
                SHARED.with(|s| s.borrow_mut().push((key, Rc::downgrade(&m.conn))));
            }
            m
        }
    };
    Ok(manager.socket_for(&target.nsp, face.auth, face.auto_connect))
}
