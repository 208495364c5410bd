//! Reading `ElizaClientOptions`, and the options objects of the methods, with the socket's option
//! reader (`web/options.rs`): the `socket` option is read exactly as `io()` reads its options.

use core::time::Duration;

use wasm_bindgen::prelude::*;

use crate::eliza::{OutboxEntry, ServerInfo, SessionConfig};

use super::super::error;
use super::super::glue;
use super::super::manager::{parse_url, Target};
use super::super::options::{self, FaceOptions};
use super::{from_js, invalid, to_js_error};

const DEFAULT_SERVER: &str = "http://localhost:3000";

/// `new ElizaClient(options)`, read and checked.
pub(super) struct ClientOptions {
    /// The server's base URL, without a trailing slash.
    pub base_url: String,
    pub target: Target,
    pub api_key: Option<String>,
    /// The server has the ElizaOS REST API.
    pub rest: bool,
    pub session: SessionConfig,
    /// The socket's options.
    pub socket: FaceOptions,
    pub server_info: Option<ServerInfo>,
    /// The outbox given back, its times on the wall clock.
    pub outbox: Option<Vec<OutboxEntry>>,
}

pub(super) fn read_options(opts: &JsValue) -> Result<ClientOptions, JsValue> {
    let server = get_str(opts, "serverUrl")?.unwrap_or_else(|| DEFAULT_SERVER.to_owned());
    let target = parse_url(Some(&server)).map_err(|e| error::to_js(&e))?;
    let base_url = server.trim_end_matches('/').to_owned();
    let api_key = get_str(opts, "apiKey")?.filter(|k| !k.is_empty());
    let rest = get_bool(opts, "rest")?.unwrap_or(true);
    let entity_id = match get_str(opts, "entityId")? {
        Some(id) => id,
        None => glue::random_uuid(),
    };
    let user_name = get_str(opts, "userName")?.unwrap_or_else(|| "User".to_owned());
    let socket_opts = options::field(opts, "socket").unwrap_or(JsValue::UNDEFINED);
    let mut socket = options::read(&socket_opts).map_err(|e| error::to_js(&e))?;
    // The session re-sends by itself after checking history; a socket-level retry queue would
    // send twice.
    socket.config.retries = 0;

    let mut session = SessionConfig::new(entity_id, user_name);
    if let Some(source) = get_str(opts, "source")? {
        session.source = source;
    }
    if let Some(ms) = get_f64(opts, "messageAckTimeout")? {
        session.ack_timeout = Duration::from_millis(ms.max(0.0) as u64);
    }
    if let Some(ms) = get_f64(opts, "thinkingTimeout")? {
        session.thinking_timeout = Duration::from_millis(ms.max(0.0) as u64);
    }
    if let Some(ms) = get_f64(opts, "joinTimeout")? {
        session.join_timeout = Duration::from_millis(ms.max(0.0) as u64);
    }
    let server_info = options::field(opts, "serverInfo")
        .map(|saved| {
            let saved = from_js(&saved).map_err(|e| invalid(format!("serverInfo: {e}")))?;
            ServerInfo::from_json(&saved, "serverInfo").map_err(|e| to_js_error(&e))
        })
        .transpose()?;
    let outbox = options::field(opts, "outbox")
        .map(|outbox| {
            let outbox = from_js(&outbox).map_err(|e| invalid(format!("outbox: {e}")))?;
            OutboxEntry::list_from_json(&outbox, "outbox").map_err(|e| to_js_error(&e))
        })
        .transpose()?;
    Ok(ClientOptions { base_url, target, api_key, rest, session, socket, server_info, outbox })
}

/// A string option, if given, or an `INVALID_ARGUMENT` error naming it.
pub(super) fn get_str(obj: &JsValue, key: &str) -> Result<Option<String>, JsValue> {
    options::string_field(obj, key).map_err(invalid)
}

/// A boolean option, if given, or an `INVALID_ARGUMENT` error naming it.
pub(super) fn get_bool(obj: &JsValue, key: &str) -> Result<Option<bool>, JsValue> {
    options::bool_field(obj, key).map_err(invalid)
}

/// A finite number option, if given, or an `INVALID_ARGUMENT` error naming it.
pub(super) fn get_f64(obj: &JsValue, key: &str) -> Result<Option<f64>, JsValue> {
    options::finite_field(obj, key).map_err(invalid)
}
