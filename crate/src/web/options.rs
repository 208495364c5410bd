//! Reading the JavaScript options object (socket.io-client's names) into the core's `Config`.
//!
//! Every option is checked for its type, and a wrong one is reported by name, so that a typo in
//! a value fails loudly at construction rather than as a strange connection later.

use core::time::Duration;

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};

use crate::client::Config;
use crate::error::{Error, TransportKind};

/// Options beyond the core's: how the JS face behaves.
pub(crate) struct FaceOptions {
    pub config: Config,
    pub auto_connect: bool,
    pub with_credentials: bool,
    pub force_new: bool,
    /// The CONNECT payload (JSON text of the `auth` object).
    pub auth: Option<String>,
}

pub(crate) fn read(opts: &JsValue) -> Result<FaceOptions, Error> {
    let mut config = Config::default();
    let mut face = FaceOptions {
        config: Config::default(),
        auto_connect: true,
        with_credentials: false,
        force_new: false,
        auth: None,
    };
    if opts.is_undefined() || opts.is_null() {
        face.config = config;
        return Ok(face);
    }
    if !opts.is_object() {
        return Err(Error::InvalidOption("options must be an object".into()));
    }
    let get = |name: &str| field(opts, name);

    if let Some(list) = get("transports") {
        let list: js_sys::Array = list
            .dyn_into()
            .map_err(|_| Error::InvalidOption("transports must be an array of transport names".into()))?;
        config.transports = list
            .iter()
            .map(|t| {
                let name = t.as_string().unwrap_or_default();
                TransportKind::from_name(&name).ok_or_else(|| {
                    Error::InvalidOption(format!(
                        "transports: unsupported transport \"{name}\" (use \"polling\" or \"websocket\")"
                    ))
                })
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(v) = get("upgrade") {
        config.upgrade = boolean("upgrade", &v)?;
    }
    if let Some(v) = get("path") {
        config.path = v.as_string().ok_or_else(|| Error::InvalidOption("path must be a string".into()))?;
    }
    if let Some(v) = get("query") {
        config.query = query(&v)?;
    }
    if let Some(v) = get("timeout") {
        config.timeout = if v.as_bool() == Some(false) { None } else { Some(millis("timeout", &v)?) };
    }
    if let Some(v) = get("reconnection") {
        config.reconnection = boolean("reconnection", &v)?;
    }
    if let Some(v) = get("reconnectionAttempts") {
        let n = number("reconnectionAttempts", &v)?;
        config.reconnection_attempts = if n >= u32::MAX as f64 { u32::MAX } else { n as u32 };
    }
    if let Some(v) = get("reconnectionDelay") {
        config.reconnection_delay = millis("reconnectionDelay", &v)?;
    }
    if let Some(v) = get("reconnectionDelayMax") {
        config.reconnection_delay_max = millis("reconnectionDelayMax", &v)?;
    }
    if let Some(v) = get("randomizationFactor") {
        config.randomization_factor = number("randomizationFactor", &v)?;
    }
    if let Some(v) = get("ackTimeout") {
        config.ack_timeout = Some(millis("ackTimeout", &v)?);
    }
    if let Some(v) = get("retries") {
        config.retries = number("retries", &v)?.min(u32::MAX as f64) as u32;
    }
    if let Some(v) = get("timestampRequests") {
        config.timestamp_requests = boolean("timestampRequests", &v)?;
    }
    if let Some(v) = get("maxMessageSize") {
        config.max_message_size = limit("maxMessageSize", &v)?;
    }
    if let Some(v) = get("maxEarlyEvents") {
        config.max_early_events = limit("maxEarlyEvents", &v)?.unwrap_or(usize::MAX);
    }
    if let Some(v) = get("maxBufferedEmits") {
        config.max_buffered_emits = limit("maxBufferedEmits", &v)?;
    }
    if let Some(v) = get("maxRetryQueue") {
        config.max_retry_queue = limit("maxRetryQueue", &v)?;
    }
    if let Some(v) = get("autoConnect") {
        face.auto_connect = boolean("autoConnect", &v)?;
    }
    if let Some(v) = get("withCredentials") {
        face.with_credentials = boolean("withCredentials", &v)?;
    }
    let force_new = get("forceNew").map(|v| boolean("forceNew", &v)).transpose()?;
    let multiplex = get("multiplex").map(|v| boolean("multiplex", &v)).transpose()?;
    face.force_new = force_new == Some(true) || multiplex == Some(false);
    if let Some(v) = get("auth") {
        face.auth = Some(auth_json(&v)?);
    }
    face.config = config.validate()?;
    Ok(face)
}

/// The `auth` option as JSON object text.
pub(crate) fn auth_json(v: &JsValue) -> Result<String, Error> {
    if v.is_function() {
        return Err(Error::InvalidOption("auth must be a plain object (functions are not supported)".into()));
    }
    if !v.is_object() || js_sys::Array::is_array(v) {
        return Err(Error::InvalidOption("auth must be an object".into()));
    }
    js_sys::JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| Error::InvalidOption("auth must be JSON-serializable".into()))
}

/// A field of an options object: `None` when `opts` is not an object or the field is `undefined`
/// or `null`. Every option of every class is read through here.
pub(crate) fn field(opts: &JsValue, name: &str) -> Option<JsValue> {
    if !opts.is_object() {
        return None;
    }
    defined(Reflect::get(opts, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED))
}

/// A string field, if given; `Err` says what is wrong with it.
#[cfg(feature = "eliza")]
pub(crate) fn string_field(opts: &JsValue, name: &str) -> Result<Option<String>, String> {
    field(opts, name).map(|v| v.as_string().ok_or_else(|| format!("{name} must be a string"))).transpose()
}

/// A boolean field, if given; `Err` says what is wrong with it.
#[cfg(feature = "eliza")]
pub(crate) fn bool_field(opts: &JsValue, name: &str) -> Result<Option<bool>, String> {
    field(opts, name).map(|v| v.as_bool().ok_or_else(|| format!("{name} must be a boolean"))).transpose()
}

/// A finite number field, if given; `Err` says what is wrong with it.
#[cfg(feature = "eliza")]
pub(crate) fn finite_field(opts: &JsValue, name: &str) -> Result<Option<f64>, String> {
    field(opts, name)
        .map(|v| v.as_f64().filter(|n| n.is_finite()).ok_or_else(|| format!("{name} must be a number")))
        .transpose()
}

fn defined(v: JsValue) -> Option<JsValue> {
    (!v.is_undefined() && !v.is_null()).then_some(v)
}

fn boolean(name: &str, v: &JsValue) -> Result<bool, Error> {
    v.as_bool().ok_or_else(|| Error::InvalidOption(format!("{name} must be a boolean")))
}

fn number(name: &str, v: &JsValue) -> Result<f64, Error> {
    v.as_f64()
        .filter(|n| !n.is_nan() && *n >= 0.0)
        .ok_or_else(|| Error::InvalidOption(format!("{name} must be a non-negative number")))
}

/// A size or count limit: a non-negative number, `Infinity` (or `false`) for none.
fn limit(name: &str, v: &JsValue) -> Result<Option<usize>, Error> {
    if v.as_bool() == Some(false) {
        return Ok(None);
    }
    let n = number(name, v)?;
    Ok(if n.is_finite() && n < usize::MAX as f64 { Some(n as usize) } else { None })
}

fn millis(name: &str, v: &JsValue) -> Result<Duration, Error> {
    let n = number(name, v)?;
    Ok(Duration::from_millis(if n.is_finite() { n as u64 } else { u64::MAX / 2 }))
}

fn query(v: &JsValue) -> Result<Vec<(String, String)>, Error> {
    if let Some(s) = v.as_string() {
        let params = web_sys::UrlSearchParams::new_with_str(&s)
            .map_err(|_| Error::InvalidOption("query string could not be parsed".into()))?;
        return Ok(entries(js_sys::try_iter(&params).ok().flatten()));
    }
    if !v.is_object() {
        return Err(Error::InvalidOption("query must be an object or a string".into()));
    }
    let pairs = js_sys::Object::entries(v.unchecked_ref());
    Ok(pairs
        .iter()
        .filter_map(|pair| {
            let pair: js_sys::Array = pair.unchecked_into();
            let key = pair.get(0).as_string()?;
            let value = pair.get(1);
            let value = value
                .as_string()
                .or_else(|| js_sys::JSON::stringify(&value).ok().and_then(|s| s.as_string()))?;
            Some((key, value))
        })
        .collect())
}

fn entries(iter: Option<js_sys::IntoIter>) -> Vec<(String, String)> {
    iter.into_iter()
        .flatten()
        .filter_map(|pair| {
            let pair: js_sys::Array = pair.ok()?.unchecked_into();
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}
