//! The REST side, as pure functions: URLs to fetch and typed results from the answers.
//!
//! The driver does the `fetch` (with the `X-API-KEY` header when it has a key) and hands the
//! HTTP status and body text to a parser. Parsers map every failure to an [`ElizaError`]: 401
//! and 403 to `UNAUTHORIZED`, 404 to `NOT_FOUND`, other error statuses and `success: false` to
//! `SERVER_ERROR` with the server's own message, and anything unreadable to `BAD_RESPONSE`.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;
use serde_json::Value;

use super::era::HistoryPath;
use super::error::ElizaError;
use super::fields::{str_at, string_at};
use super::ids;
use super::message::{ChatMessage, MessageContext};

/// The header carrying the API key of a server run with `ELIZA_SERVER_AUTH_TOKEN`.
pub const API_KEY_HEADER: &str = "X-API-KEY";

/// Characters left as they are in a query value or path segment (RFC 3986 unreserved).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn encode(component: &str) -> impl core::fmt::Display + '_ {
    utf8_percent_encode(component, COMPONENT)
}

fn join(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// `GET` the agents known to the server.
pub fn agents_url(base: &str) -> String {
    join(base, "/api/agents")
}

/// `GET` the id of the server's current message server (1.7; older releases answer 404 and
/// use [`super::DEFAULT_MESSAGE_SERVER_ID`]).
pub fn message_server_url(base: &str) -> String {
    join(base, "/api/messaging/message-server/current")
}

/// `GET` (finds or creates) the DM channel between the user and an agent.
pub fn dm_channel_url(base: &str, current_user_id: &str, target_user_id: &str) -> Result<String, ElizaError> {
    let user = ids::require("currentUserId", current_user_id)?;
    let target = ids::require("targetUserId", target_user_id)?;
    Ok(join(
        base,
        &format!(
            "/api/messaging/dm-channel?currentUserId={}&targetUserId={}",
            encode(&user),
            encode(&target)
        ),
    ))
}

/// `GET` up to `limit` messages of a channel, newest first; `before` (server milliseconds)
/// pages back. `path`: [`HistoryPath::CentralChannels`] works on every release from 1.2 to
/// 1.7, [`HistoryPath::Channels`] from 1.7 (see [`super::ServerInfo::history_path`]).
pub fn channel_messages_url(
    base: &str,
    path: HistoryPath,
    channel_id: &str,
    limit: u32,
    before: Option<i64>,
) -> Result<String, ElizaError> {
    let channel = ids::require("channelId", channel_id)?;
    let mut url = format!("/api/messaging/{}/{}/messages?limit={limit}", path.segment(), encode(&channel));
    if let Some(before) = before {
        url.push_str(&format!("&before={before}"));
    }
    Ok(join(base, &url))
}

/// An agent as `GET /api/agents` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    /// The agent's id (its entity id in channels).
    pub id: String,
    /// The agent's name.
    pub name: String,
    /// The character's name, when it differs or is given.
    pub character_name: Option<String>,
    /// The first line of the character's bio.
    pub bio: Option<String>,
    /// `active` (running) or `inactive` (known, not running: it will not answer).
    pub status: String,
}

impl Agent {
    /// Whether the agent is running and can answer.
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }
}

/// A DM channel as `GET /api/messaging/dm-channel` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DmChannel {
    /// The channel id to join and send to.
    pub id: String,
    /// The message server the channel belongs to.
    pub message_server_id: String,
    /// The server's name for it (`DM-<user>-<agent>`).
    pub name: String,
    /// The channel type (`DM`).
    #[serde(rename = "type")]
    pub channel_type: String,
}

/// The JSON body of a successful answer, or the error the status and body describe.
pub fn check_response(status: u16, body: &str) -> Result<Value, ElizaError> {
    let json: Option<Value> = serde_json::from_str(body).ok();
    let detail = || json.as_ref().and_then(server_message).unwrap_or_else(|| snippet(body));
    match status {
        401 | 403 => Err(ElizaError::Unauthorized { status, detail: detail() }),
        404 => Err(ElizaError::NotFound { detail: detail() }),
        200..=299 => {
            let json = json.ok_or_else(|| ElizaError::BadResponse(format!("not JSON: {}", snippet(body))))?;
            if json.get("success") == Some(&Value::Bool(false)) {
                let message = server_message(&json).unwrap_or_else(|| "request failed".to_owned());
                return Err(ElizaError::Server { status: Some(status), message });
            }
            Ok(json)
        }
        _ => Err(ElizaError::Server { status: Some(status), message: detail() }),
    }
}

/// The agents of `GET /api/agents` (entries without a valid id are skipped).
pub fn parse_agents(status: u16, body: &str) -> Result<Vec<Agent>, ElizaError> {
    let json = check_response(status, body)?;
    let list = data(&json)?
        .get("agents")
        .and_then(Value::as_array)
        .ok_or_else(|| ElizaError::BadResponse("no agents list in the answer".into()))?;
    Ok(list.iter().filter_map(agent).collect())
}

fn agent(value: &Value) -> Option<Agent> {
    let bio = match value.get("bio") {
        Some(Value::Array(lines)) => lines.first().and_then(Value::as_str).map(str::to_owned),
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    Some(Agent {
        id: str_at(value, "id").and_then(ids::canonical)?,
        name: str_at(value, "name").unwrap_or_default().to_owned(),
        character_name: string_at(value, "characterName"),
        bio: bio.filter(|b| !b.is_empty()),
        status: str_at(value, "status").unwrap_or("inactive").to_owned(),
    })
}

/// The id of `GET /api/messaging/message-server/current`.
pub fn parse_message_server_id(status: u16, body: &str) -> Result<String, ElizaError> {
    let json = check_response(status, body)?;
    str_at(data(&json)?, "messageServerId")
        .and_then(ids::canonical)
        .ok_or_else(|| ElizaError::BadResponse("no messageServerId in the answer".into()))
}

/// The channel of `GET /api/messaging/dm-channel`.
pub fn parse_dm_channel(status: u16, body: &str) -> Result<DmChannel, ElizaError> {
    let json = check_response(status, body)?;
    let channel = data(&json)?;
    let id_at = |keys: &[&str]| keys.iter().find_map(|k| str_at(channel, k).and_then(ids::canonical));
    Ok(DmChannel {
        id: id_at(&["id"]).ok_or_else(|| ElizaError::BadResponse("no channel id in the answer".into()))?,
        message_server_id: id_at(&["messageServerId", "message_server_id", "serverId"])
            .ok_or_else(|| ElizaError::BadResponse("no messageServerId in the answer".into()))?,
        name: str_at(channel, "name").unwrap_or_default().to_owned(),
        channel_type: str_at(channel, "type").unwrap_or("DM").to_owned(),
    })
}

/// The messages of `GET /api/messaging/{central-channels,channels}/:id/messages`, newest first as the server
/// sends them (entries without an id are skipped).
pub fn parse_history(
    status: u16,
    body: &str,
    context: &MessageContext,
) -> Result<Vec<ChatMessage>, ElizaError> {
    let json = check_response(status, body)?;
    let list = data(&json)?
        .get("messages")
        .and_then(Value::as_array)
        .ok_or_else(|| ElizaError::BadResponse("no messages list in the answer".into()))?;
    Ok(list.iter().filter_map(|entry| ChatMessage::from_history(entry, context)).collect())
}

fn data(json: &Value) -> Result<&Value, ElizaError> {
    json.get("data")
        .filter(|d| d.is_object())
        .ok_or_else(|| ElizaError::BadResponse("no data object in the answer".into()))
}

/// The server's explanation in an error body: `{error: "…"}`, `{error: {message}}` or
/// `{message}`, followed by `message` or `details` when they add to a string `error`
/// (`{"error":"API key required","message":"Missing or invalid X-API-KEY header"}`).
fn server_message(json: &Value) -> Option<String> {
    let error = json.get("error");
    let headline = error.and_then(|e| e.as_str().map(str::to_owned).or_else(|| string_at(e, "message")));
    let more = ["message", "details"].iter().find_map(|k| string_at(json, k));
    match (headline.filter(|h| !h.is_empty()), more) {
        (Some(headline), Some(more)) if more != headline => Some(format!("{headline}: {more}")),
        (Some(headline), _) => Some(headline),
        (None, more) => more,
    }
}

/// The start of a body, for messages about bodies that are not what was expected.
fn snippet(body: &str) -> String {
    const MAX_CHARS: usize = 200;
    let trimmed = body.trim();
    match trimmed.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &trimmed[..cut]),
        None => trimmed.to_owned(),
    }
}
