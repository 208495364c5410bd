//! The seed document's five common mistakes, each recognised from what was recorded.

use serde::Serialize;

use super::Diagnostics;

/// Which of the seed's common mistakes a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FindingKind {
    /// Messages travel on another event than `messageBroadcast`.
    WrongEvent,
    /// Sending or expecting replies in a channel with no confirmed join.
    NotJoined,
    /// Broadcasts arrive for a channel id that is not the joined one.
    IdMismatch,
    /// The server refused a payload (`messageError`, e.g. "channelId is required").
    MissingFields,
    /// The browser blocked requests to the server (CORS, or an extension host permission).
    CorsPermission,
}

impl FindingKind {
    /// The seed's name for the mistake.
    pub fn title(self) -> &'static str {
        match self {
            FindingKind::WrongEvent => "Wrong event",
            FindingKind::NotJoined => "Not joined",
            FindingKind::IdMismatch => "ID mismatch",
            FindingKind::MissingFields => "Missing fields",
            FindingKind::CorsPermission => "CORS / permission",
        }
    }
}

/// One recognised problem and its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Which mistake.
    pub kind: FindingKind,
    /// Its name ([`FindingKind::title`]).
    pub title: &'static str,
    /// The evidence and what to check, for people.
    pub detail: String,
    /// The channel concerned, if one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    /// For an ID mismatch: the channels that are joined.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub joined_channel_ids: Vec<String>,
}

impl Finding {
    fn new(kind: FindingKind, detail: String) -> Self {
        Finding { kind, title: kind.title(), detail, channel_id: None, joined_channel_ids: Vec::new() }
    }

    fn on(mut self, channel_id: &str) -> Self {
        self.channel_id = Some(channel_id.to_owned());
        self
    }
}

/// What the rules need besides the recorder.
pub(crate) struct Context<'a> {
    /// The joined channels, canonical.
    pub(crate) joined: &'a [String],
    pub(crate) now: u64,
    /// How long a join may wait for `channel_joined`.
    pub(crate) join_timeout_ms: u64,
    /// Whether the socket is connected now.
    pub(crate) connected: bool,
}

pub(crate) fn findings(d: &Diagnostics, cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    wrong_event(d, &mut out);
    not_joined(d, cx, &mut out);
    id_mismatch(d, &mut out);
    missing_fields(d, &mut out);
    cors_permission(d, &mut out);
    out
}

fn wrong_event(d: &Diagnostics, out: &mut Vec<Finding>) {
    let c = &d.counts;
    if c.message_events > 0 {
        out.push(Finding::new(
            FindingKind::WrongEvent,
            format!(
                "the server sent {} event(s) named \"message\"; ElizaOS delivers messages to clients as \
                 \"messageBroadcast\" (\"message\" is what clients send)",
                c.message_events
            ),
        ));
    }
    if let Some(name) = &d.near_miss {
        out.push(Finding::new(
            FindingKind::WrongEvent,
            format!("the server sent \"{name}\", which is not \"messageBroadcast\" (names are case- and spelling-exact)"),
        ));
    }
    // A real server broadcasts the sender's own message before acknowledging it: an
    // acknowledgement without any broadcast means messages travel on some other event.
    if c.acks > 0 && c.broadcasts == 0 {
        out.push(Finding::new(
            FindingKind::WrongEvent,
            format!(
                "the server acknowledged {} message(s) (messageAck) but never sent a \"messageBroadcast\": \
                 replies are sent on another event",
                c.acks
            ),
        ));
    }
}

fn not_joined(d: &Diagnostics, cx: &Context<'_>, out: &mut Vec<Finding>) {
    if let Some((channel, _)) = &d.unjoined_send {
        if !cx.joined.contains(channel) {
            out.push(
                Finding::new(
                    FindingKind::NotJoined,
                    format!("a message was sent to channel {channel}, which is not joined: join it (ROOM_JOINING) first"),
                )
                .on(channel),
            );
        }
    }
    if !cx.connected {
        return;
    }
    for channel in cx.joined {
        let Some(join) = d.join_of(channel) else { continue };
        let waited = cx.now.saturating_sub(join.sent_at);
        if join.confirmed_at.is_none() && waited >= cx.join_timeout_ms {
            out.push(
                Finding::new(
                    FindingKind::NotJoined,
                    format!(
                        "the server has not confirmed joining channel {channel} (no \"channel_joined\" after {} s): \
                         its broadcasts may never reach this client",
                        waited / 1000
                    ),
                )
                .on(channel),
            );
        }
    }
}

fn id_mismatch(d: &Diagnostics, out: &mut Vec<Finding>) {
    for u in d.unjoined_channels() {
        let joined = if u.joined_channel_ids.is_empty() {
            "no channel is joined".to_owned()
        } else {
            format!("joined: {}", u.joined_channel_ids.join(", "))
        };
        let mut finding = Finding::new(
            FindingKind::IdMismatch,
            format!(
                "{} \"{}\" event(s) arrived for channel {}, which is not joined ({joined}): the ids must match exactly",
                u.count, u.event, u.channel_id
            ),
        )
        .on(&u.channel_id);
        finding.joined_channel_ids.clone_from(&u.joined_channel_ids);
        out.push(finding);
    }
}

fn missing_fields(d: &Diagnostics, out: &mut Vec<Finding>) {
    if let Some(e) = &d.message_error {
        out.push(Finding::new(
            FindingKind::MissingFields,
            format!("the server refused a payload (messageError): {}", e.message),
        ));
    }
}

fn cors_permission(d: &Diagnostics, out: &mut Vec<Finding>) {
    let Some(e) = d.last_error(super::ErrorKind::Permission) else { return };
    // The socket reaching the server proves it is up: the browser blocked the request itself.
    if d.counts.connects > 0 {
        out.push(Finding::new(
            FindingKind::CorsPermission,
            format!(
                "the socket connects but the browser blocked a REST request ({}): the server must allow this \
                 origin (CORS), or the extension needs permission for the server",
                e.message
            ),
        ));
    }
}
