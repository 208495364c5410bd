//! What a server supports, found out rather than assumed.
//!
//! ElizaOS releases 1.2 – 1.7 speak the same Socket.IO protocol with small differences: where
//! channel history lives (`/central-channels/:id/messages` everywhere, `/channels/:id/messages`
//! only from 1.7), where the message server id comes from (`GET
//! /api/messaging/message-server/current` only from 1.7; before, the default id), and whether
//! an agent's answer ends with `messageComplete` (1.2 – 1.4 only). Sending both spellings of
//! every id works on every release, so nothing has to be known before the first message; what
//! is learnt is recorded here, per server, so that it is probed once.

use serde::Serialize;
use serde_json::Value;

use super::error::ElizaError;
use super::ids;
use super::stored::Fields;

/// The message server every ElizaOS install has until another is configured, and the only one
/// servers before 1.7 can name (they answer 404 to `message-server/current`).
pub const DEFAULT_MESSAGE_SERVER_ID: &str = "00000000-0000-0000-0000-000000000000";

/// Which releases the server behaves like, as far as seen so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Era {
    /// Nothing learnt yet.
    #[default]
    #[serde(rename = "unknown")]
    Unknown,
    /// `message-server/current` is missing (404): some release from 1.2 to 1.6.4; narrowed by
    /// whether agent answers end with `messageComplete`.
    #[serde(rename = "1.2-1.6.4")]
    Before1_6_5,
    /// Agent answers end with `messageComplete`.
    #[serde(rename = "1.2-1.4")]
    V1_2To1_4,
    /// No `message-server/current`, and an agent answer came without `messageComplete`.
    #[serde(rename = "1.5-1.6.4")]
    V1_5To1_6_4,
    /// `message-server/current` answers, or the socket said `authenticated`.
    #[serde(rename = "1.6.5+")]
    Since1_6_5,
}

impl Era {
    const ALL: [Era; 5] = [Era::Unknown, Era::Before1_6_5, Era::V1_2To1_4, Era::V1_5To1_6_4, Era::Since1_6_5];

    /// The era as it is serialized (`"unknown"`, `"1.2-1.4"`, …), for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Era::Unknown => "unknown",
            Era::Before1_6_5 => "1.2-1.6.4",
            Era::V1_2To1_4 => "1.2-1.4",
            Era::V1_5To1_6_4 => "1.5-1.6.4",
            Era::Since1_6_5 => "1.6.5+",
        }
    }
}

/// Where a channel's messages are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum HistoryPath {
    /// `/api/messaging/central-channels/:id/…`: every release from 1.2 to 1.7.
    #[serde(rename = "central-channels")]
    CentralChannels,
    /// `/api/messaging/channels/:id/…`: 1.7 and later (the name newer releases document).
    #[serde(rename = "channels")]
    Channels,
}

impl HistoryPath {
    /// The path segment after `/api/messaging/`.
    pub fn segment(self) -> &'static str {
        match self {
            HistoryPath::CentralChannels => "central-channels",
            HistoryPath::Channels => "channels",
        }
    }

    /// The other one: what to try when this one is not found.
    pub fn other(self) -> Self {
        match self {
            HistoryPath::CentralChannels => HistoryPath::Channels,
            HistoryPath::Channels => HistoryPath::CentralChannels,
        }
    }
}

/// Where the message server id in use came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ServerIdSource {
    /// Not asked yet (or the question failed): the default id is used meanwhile.
    #[default]
    Unknown,
    /// From `GET /api/messaging/message-server/current`.
    Current,
    /// That endpoint is missing (404): the default id, as servers before 1.7 use.
    Default,
    /// Set by the application.
    Given,
}

/// What is known about the server: plain data, serializable so that an application can keep
/// it per server and hand it back (`restore_server_info`) instead of probing again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerInfo {
    /// The releases the server behaves like.
    pub era: Era,
    /// The message server id sent with every join and message.
    pub message_server_id: String,
    /// Where `message_server_id` came from.
    pub server_id_source: ServerIdSource,
    /// Where history was last read successfully; `None` before the first page.
    pub history_path: Option<HistoryPath>,
    /// The server ends agent answers with `messageComplete`.
    pub message_complete: bool,
}

impl Default for ServerInfo {
    fn default() -> Self {
        ServerInfo {
            era: Era::Unknown,
            message_server_id: DEFAULT_MESSAGE_SERVER_ID.to_owned(),
            server_id_source: ServerIdSource::Unknown,
            history_path: None,
            message_complete: false,
        }
    }
}

impl ServerInfo {
    /// The stored form (as serialized: camelCase fields), read strictly: a field of the wrong
    /// type or an unknown era / source / path is an error naming it; only `messageServerId` is
    /// required; unknown fields are ignored. `at` names the value in errors (`serverInfo`).
    /// Not yet checked: see `validated`.
    pub fn from_json(value: &Value, at: &str) -> Result<Self, ElizaError> {
        let fields = Fields::of(value, at)?;
        let eras = Era::ALL.map(Era::as_str);
        let era = fields.opt_one_of("era", &eras)?.map_or(Era::Unknown, |i| Era::ALL[i]);
        const SOURCES: [ServerIdSource; 4] = [
            ServerIdSource::Unknown,
            ServerIdSource::Current,
            ServerIdSource::Default,
            ServerIdSource::Given,
        ];
        let source = fields
            .opt_one_of("serverIdSource", &["unknown", "current", "default", "given"])?
            .map_or(ServerIdSource::Unknown, |i| SOURCES[i]);
        const PATHS: [HistoryPath; 2] = [HistoryPath::CentralChannels, HistoryPath::Channels];
        let history_path = match fields.nullable_str("historyPath")? {
            None => None,
            Some(_) => fields.opt_one_of("historyPath", &PATHS.map(HistoryPath::segment))?.map(|i| PATHS[i]),
        };
        Ok(ServerInfo {
            era,
            message_server_id: fields.string("messageServerId")?,
            server_id_source: source,
            history_path,
            message_complete: fields.bool_or_false("messageComplete")?,
        })
    }

    /// The stored form in canonical form, checked (for facts handed back by an application).
    pub(crate) fn validated(mut self) -> Result<Self, ElizaError> {
        self.message_server_id = ids::require("messageServerId", &self.message_server_id)?;
        Ok(self)
    }

    /// Whether `GET message-server/current` should be asked (again) before joining: never
    /// answered, or a server taken for an older release now looks like 1.7 (upgraded).
    pub fn needs_probe(&self) -> bool {
        self.server_id_source == ServerIdSource::Unknown
    }

    /// The path history is read from: the one that worked, else the one the era has (the
    /// newer name on 1.7, the one every release has otherwise).
    pub fn history_path(&self) -> HistoryPath {
        self.history_path.unwrap_or(match self.era {
            Era::Since1_6_5 => HistoryPath::Channels,
            _ => HistoryPath::CentralChannels,
        })
    }

    /// The answer to `GET message-server/current`; returns whether anything changed. Errors
    /// other than 404 (server down, refused key) teach nothing: the probe is asked again on
    /// the next connect.
    pub(crate) fn learn_message_server(&mut self, answer: Result<&str, &ElizaError>) -> bool {
        let before = self.clone();
        match answer {
            Ok(id) => {
                if let Some(id) = ids::canonical(id) {
                    self.message_server_id = id;
                    self.server_id_source = ServerIdSource::Current;
                    self.era = Era::Since1_6_5;
                }
            }
            Err(ElizaError::NotFound { .. }) => {
                self.message_server_id = DEFAULT_MESSAGE_SERVER_ID.to_owned();
                self.server_id_source = ServerIdSource::Default;
                // A server that said `authenticated` stays 1.6.5+ (some may lack the endpoint).
                if self.era == Era::Unknown {
                    self.era = Era::Before1_6_5;
                }
            }
            Err(_) => {}
        }
        *self != before
    }

    /// The socket said `authenticated` (1.7 does after every connect). A server taken for an
    /// older release has been upgraded: its message server is asked for again (once).
    pub(crate) fn learn_authenticated(&mut self) -> bool {
        if !self.set_era(Era::Since1_6_5) {
            return false;
        }
        if self.server_id_source == ServerIdSource::Default {
            self.server_id_source = ServerIdSource::Unknown;
        }
        true
    }

    /// A `messageComplete` arrived (1.2 – 1.4).
    pub(crate) fn learn_message_complete(&mut self) -> bool {
        let changed = !self.message_complete;
        self.message_complete = true;
        self.set_era(Era::V1_2To1_4) || changed
    }

    /// An agent answer came and no `messageComplete` followed in time.
    pub(crate) fn learn_no_message_complete(&mut self) -> bool {
        self.era == Era::Before1_6_5 && self.set_era(Era::V1_5To1_6_4)
    }

    /// History was read from `path`.
    pub(crate) fn learn_history_path(&mut self, path: HistoryPath) -> bool {
        let changed = self.history_path != Some(path);
        self.history_path = Some(path);
        changed
    }

    fn set_era(&mut self, era: Era) -> bool {
        let changed = self.era != era;
        self.era = era;
        changed
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn era_names_in_reports_are_the_serialized_names() {
        for era in [Era::Unknown, Era::Before1_6_5, Era::V1_2To1_4, Era::V1_5To1_6_4, Era::Since1_6_5] {
            assert_eq!(serde_json::to_value(era).unwrap(), json!(era.as_str()));
        }
    }

    #[test]
    fn a_404_means_the_default_id_and_an_older_release() {
        let mut info = ServerInfo::default();
        assert!(info.needs_probe());
        assert!(info.learn_message_server(Err(&ElizaError::NotFound { detail: String::new() })));
        assert_eq!(info.era, Era::Before1_6_5);
        assert_eq!(info.server_id_source, ServerIdSource::Default);
        assert_eq!(info.message_server_id, DEFAULT_MESSAGE_SERVER_ID);
        assert_eq!(info.history_path(), HistoryPath::CentralChannels);
        assert!(!info.needs_probe());
        // Narrowed by what agent answers end with.
        assert!(info.learn_no_message_complete());
        assert_eq!(info.era, Era::V1_5To1_6_4);
        assert!(info.learn_message_complete());
        assert_eq!(info.era, Era::V1_2To1_4);
        assert!(!info.learn_no_message_complete(), "a messageComplete seen once wins");
    }

    #[test]
    fn an_answer_means_1_7_and_its_id() {
        let mut info = ServerInfo::default();
        assert!(info.learn_message_server(Ok("5E7E0000-0000-4000-8000-000000000001")));
        assert_eq!(info.message_server_id, "5e7e0000-0000-4000-8000-000000000001");
        assert_eq!(info.era, Era::Since1_6_5);
        assert_eq!(info.history_path(), HistoryPath::Channels);
        assert!(!info.needs_probe());
        assert!(!info.learn_message_server(Ok("5e7e0000-0000-4000-8000-000000000001")));
    }

    #[test]
    fn other_failures_teach_nothing() {
        let mut info = ServerInfo::default();
        assert!(!info.learn_message_server(Err(&ElizaError::Network("down".into()))));
        assert!(info.needs_probe());
        assert_eq!(info.history_path(), HistoryPath::CentralChannels);
    }

    #[test]
    fn an_upgraded_server_is_probed_again_once() {
        let mut info = ServerInfo::default();
        let not_found = ElizaError::NotFound { detail: String::new() };
        info.learn_message_server(Err(&not_found));
        assert!(info.learn_authenticated());
        assert!(info.needs_probe());
        // Still no endpoint: the default id, and no probe on every connect after that.
        info.learn_message_server(Err(&not_found));
        assert_eq!((info.era, info.server_id_source), (Era::Since1_6_5, ServerIdSource::Default));
        assert!(!info.learn_authenticated());
        assert!(!info.needs_probe());
    }

    #[test]
    fn round_trips_and_validates_the_stored_form() {
        let mut info = ServerInfo::default();
        info.learn_message_server(Err(&ElizaError::NotFound { detail: String::new() }));
        info.learn_history_path(HistoryPath::CentralChannels);
        let v = serde_json::to_value(&info).unwrap();
        assert_eq!(
            v,
            json!({"era": "1.2-1.6.4", "messageServerId": DEFAULT_MESSAGE_SERVER_ID,
                "serverIdSource": "default", "historyPath": "central-channels", "messageComplete": false})
        );
        let back = ServerInfo::from_json(&v, "serverInfo").unwrap();
        assert_eq!(back.validated().unwrap(), info);
        let bad = ServerInfo::from_json(&json!({"messageServerId": "main"}), "serverInfo").unwrap();
        assert_eq!(bad.validated().unwrap_err().code(), "INVALID_ARGUMENT");
        // Every value of every field reads back as it was written.
        for era in Era::ALL {
            for source in [
                ServerIdSource::Unknown,
                ServerIdSource::Current,
                ServerIdSource::Default,
                ServerIdSource::Given,
            ] {
                for history_path in [None, Some(HistoryPath::CentralChannels), Some(HistoryPath::Channels)] {
                    for message_complete in [false, true] {
                        let info = ServerInfo {
                            era,
                            server_id_source: source,
                            history_path,
                            message_complete,
                            ..info.clone()
                        };
                        let v = serde_json::to_value(&info).unwrap();
                        assert_eq!(ServerInfo::from_json(&v, "s").unwrap(), info);
                    }
                }
            }
        }
    }

    #[test]
    fn minimal_stored_form_takes_the_defaults() {
        let v = json!({"messageServerId": DEFAULT_MESSAGE_SERVER_ID, "other": 1});
        assert_eq!(ServerInfo::from_json(&v, "serverInfo").unwrap(), ServerInfo::default());
    }

    #[test]
    fn wrong_types_and_missing_fields_are_named() {
        let error_of = |v: serde_json::Value| {
            let e = ServerInfo::from_json(&v, "serverInfo").unwrap_err();
            assert_eq!(e.code(), "INVALID_ARGUMENT");
            e.to_string()
        };
        let id = DEFAULT_MESSAGE_SERVER_ID;
        assert_eq!(error_of(json!([])), "serverInfo must be an object, got an array");
        assert_eq!(error_of(json!({})), "serverInfo.messageServerId is missing");
        assert_eq!(
            error_of(json!({"messageServerId": 0})),
            "serverInfo.messageServerId must be a string, got a number"
        );
        assert_eq!(
            error_of(json!({"messageServerId": id, "era": "2.0"})),
            "serverInfo.era must be one of \"unknown\", \"1.2-1.6.4\", \"1.2-1.4\", \"1.5-1.6.4\", \"1.6.5+\", got \"2.0\""
        );
        assert_eq!(
            error_of(json!({"messageServerId": id, "era": null})),
            "serverInfo.era must be a string, got null"
        );
        assert_eq!(
            error_of(json!({"messageServerId": id, "serverIdSource": "Current"})),
            "serverInfo.serverIdSource must be one of \"unknown\", \"current\", \"default\", \"given\", got \"Current\""
        );
        assert_eq!(
            error_of(json!({"messageServerId": id, "historyPath": "messages"})),
            "serverInfo.historyPath must be one of \"central-channels\", \"channels\", got \"messages\""
        );
        assert_eq!(
            error_of(json!({"messageServerId": id, "historyPath": 2})),
            "serverInfo.historyPath must be a string, got a number"
        );
        assert_eq!(
            error_of(json!({"messageServerId": id, "messageComplete": "yes"})),
            "serverInfo.messageComplete must be a boolean, got a string"
        );
        assert_eq!(
            error_of(json!({"messageServerId": id, "messageComplete": null})),
            "serverInfo.messageComplete must be a boolean, got null"
        );
        let v = json!({"messageServerId": id, "historyPath": null});
        assert_eq!(ServerInfo::from_json(&v, "serverInfo").unwrap().history_path, None);
    }
}
