//! Diagnostics: each of the seed's common mistakes shows as its finding, from the payloads a
//! server sends; a healthy conversation shows none; the recorder stays bounded.

use serde_json::json;

use super::{agent_reply, Harness, DM, GROUP, OTHER};
use crate::eliza::diagnostics::{
    ConnectionFacts, FindingKind, Handshake, JoinState, Report, MAX_MISMATCHES, MAX_TEXT_CHARS, RECENT_EVENTS,
};
use crate::eliza::ElizaError;

fn facts() -> ConnectionFacts {
    ConnectionFacts {
        server_url: "http://127.0.0.1:3000".into(),
        server_era: "unknown".into(),
        state: "connected".into(),
        transport: Some("websocket".into()),
        socket_id: Some("sid".into()),
        handshake: Handshake::Ok,
    }
}

fn report(h: &Harness) -> Report {
    h.session.diagnostics_report(h.now, facts())
}

fn kinds(r: &Report) -> Vec<FindingKind> {
    r.findings.iter().map(|f| f.kind).collect()
}

/// Connected, DM joined and in sync, one message sent, echoed and acknowledged, one reply.
fn healthy() -> Harness {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    h.send(DM, "hello");
    let sent = h.emits().pop().unwrap();
    let (echo, id) = h.echo(&sent, 2_000);
    h.event("messageBroadcast", echo);
    h.event("messageAck", Harness::ack_for(&sent, &id));
    let reply_id = h.server_id();
    h.event("messageBroadcast", agent_reply(&reply_id, DM, "echo: hello", 2_100));
    h.events();
    h
}

#[test]
fn a_healthy_conversation_has_no_findings() {
    let h = healthy();
    let r = report(&h);
    assert_eq!(r.findings, vec![]);
    assert_eq!(r.channels.len(), 1);
    assert_eq!(r.channels[0].join, JoinState::Confirmed);
    assert!(r.channels[0].live);
    assert!(r.channels[0].join_confirmed_at.is_some());
    let names: Vec<&str> = r.recent_events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        ["channel_joined", "room_joined", "messageBroadcast", "messageAck", "messageBroadcast"]
    );
    assert!(r.recent_events.iter().all(|e| e.channel_id.as_deref() == Some(DM)));
    assert_eq!(r.counts.broadcasts, 2);
    assert_eq!(r.counts.acks, 1);
    assert_eq!(r.last_errors, Default::default());
}

#[test]
fn no_message_text_is_kept() {
    let h = healthy();
    let text = serde_json::to_string(&report(&h)).unwrap();
    assert!(!text.contains("hello"), "{text}");
}

#[test]
fn server_traffic_on_message_is_a_wrong_event() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    h.event("message", json!({"channelId": DM, "text": "hi"}));
    let r = report(&h);
    assert_eq!(kinds(&r), [FindingKind::WrongEvent]);
    assert!(r.findings[0].detail.contains("\"message\""), "{}", r.findings[0].detail);
}

#[test]
fn a_misspelled_broadcast_is_a_wrong_event() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    h.event("message_broadcast", json!({"channelId": DM}));
    assert_eq!(kinds(&report(&h)), [FindingKind::WrongEvent]);
}

#[test]
fn acknowledgements_without_any_broadcast_are_a_wrong_event() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    h.send(DM, "hello");
    let sent = h.emits().pop().unwrap();
    h.event("messageAck", Harness::ack_for(&sent, "5e7e0000-0000-4000-8000-000000000009"));
    let r = report(&h);
    assert_eq!(kinds(&r), [FindingKind::WrongEvent]);
    assert!(r.findings[0].detail.contains("messageAck"));
}

#[test]
fn sending_to_an_unjoined_channel_is_not_joined() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    let error = h.session.send(h.now, OTHER, "x", Default::default()).unwrap_err();
    assert_eq!(error.code(), "INVALID_ARGUMENT");
    let r = report(&h);
    assert_eq!(kinds(&r), [FindingKind::NotJoined]);
    assert_eq!(r.findings[0].channel_id.as_deref(), Some(OTHER));
    // Joining it afterwards answers the finding.
    h.join_group(OTHER);
    h.joined(OTHER);
    assert_eq!(kinds(&report(&h)), []);
}

#[test]
fn a_join_never_confirmed_is_not_joined_once_the_timeout_passed() {
    let mut h = Harness::new();
    h.join_dm();
    h.session.handle_connected(h.now);
    h.emits();
    let r = report(&h);
    assert_eq!(r.channels[0].join, JoinState::Waiting);
    assert_eq!(kinds(&r), []);
    h.advance(10_000);
    let r = report(&h);
    assert_eq!(r.channels[0].join, JoinState::Unconfirmed);
    assert_eq!(kinds(&r), [FindingKind::NotJoined]);
    assert_eq!(r.last_errors.join.as_ref().map(|e| e.code.as_str()), Some("JOIN_UNCONFIRMED"));
    // Offline, the join is simply not sent: nothing to blame on the server.
    h.session.handle_disconnected();
    let r = report(&h);
    assert_eq!(r.channels[0].join, JoinState::NotSent);
    assert_eq!(kinds(&r), []);
}

#[test]
fn a_broadcast_for_another_channel_is_an_id_mismatch_naming_both_ids() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    h.events();
    let id = h.server_id();
    h.event("messageBroadcast", agent_reply(&id, GROUP, "for someone else", 3_000));
    let id = h.server_id();
    h.event("messageBroadcast", agent_reply(&id, &GROUP.to_uppercase(), "again", 3_001));
    assert!(h.events().is_empty(), "nothing delivered");
    let r = report(&h);
    assert_eq!(kinds(&r), [FindingKind::IdMismatch]);
    let finding = &r.findings[0];
    assert_eq!(finding.channel_id.as_deref(), Some(GROUP));
    assert_eq!(finding.joined_channel_ids, [DM]);
    assert!(finding.detail.contains(GROUP) && finding.detail.contains(DM), "{}", finding.detail);
    assert_eq!(r.unjoined_broadcasts.len(), 1);
    assert_eq!(r.unjoined_broadcasts[0].count, 2);
}

#[test]
fn a_room_name_that_is_not_a_uuid_is_an_id_mismatch_too() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    h.event("messageBroadcast", json!({"id": "x", "roomId": "general", "text": "t"}));
    let r = report(&h);
    assert_eq!(kinds(&r), [FindingKind::IdMismatch]);
    assert_eq!(r.findings[0].channel_id.as_deref(), Some("general"));
}

#[test]
fn message_error_is_missing_fields_and_kept_as_the_join_or_send_error() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    h.event("messageError", json!({"error": "channelId is required for joining."}));
    let r = report(&h);
    assert_eq!(kinds(&r), [FindingKind::MissingFields]);
    assert!(r.findings[0].detail.contains("channelId is required for joining."));
    assert!(r.last_errors.join.is_some());
    assert!(r.last_errors.send.is_none());

    h.send(DM, "x");
    h.emits();
    h.event("messageError", json!({"error": "senderId is required"}));
    let events = h.events();
    for e in &events {
        h.session.diagnostics_mut().observe(e, 5);
    }
    let r = report(&h);
    let send = r.last_errors.send.expect("the failed send is kept");
    assert!(send.message.contains("senderId is required"), "{}", send.message);
}

#[test]
fn a_blocked_request_is_cors_only_once_the_socket_proved_the_server_up() {
    let mut h = Harness::new();
    let blocked = "Failed to fetch";
    h.session.diagnostics_mut().record_error(crate::eliza::ErrorKind::Permission, "NETWORK", blocked, 1);
    assert_eq!(kinds(&report(&h)), [], "an unreachable server is not a CORS problem");
    h.session.handle_connected(h.now);
    let r = report(&h);
    assert_eq!(kinds(&r), [FindingKind::CorsPermission]);
    assert!(r.findings[0].detail.contains(blocked));
}

#[test]
fn rest_and_auth_errors_are_kept_by_kind() {
    let mut h = Harness::new();
    let d = h.session.diagnostics_mut();
    d.record_rest_error(&ElizaError::Unauthorized { status: 401, detail: String::new() }, 1);
    d.record_rest_error(&ElizaError::NotFound { detail: "no agent".into() }, 2);
    d.record_rest_error(&ElizaError::InvalidArgument("bad".into()), 3);
    let r = report(&h);
    assert_eq!(r.last_errors.auth.as_ref().map(|e| e.code.as_str()), Some("UNAUTHORIZED"));
    assert_eq!(r.last_errors.rest.as_ref().map(|e| (e.code.as_str(), e.at)), Some(("NOT_FOUND", 2)));
}

#[test]
fn the_recorder_is_bounded_whatever_the_server_sends() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    let long = "n".repeat(100_000);
    for i in 0..1_000 {
        let channel = format!("room-{i}-{long}");
        h.event(&long, json!({"roomId": channel}));
        h.event("messageBroadcast", json!({"id": "x", "roomId": channel}));
    }
    let r = report(&h);
    assert_eq!(r.recent_events.len(), RECENT_EVENTS);
    assert_eq!(r.unjoined_broadcasts.len(), MAX_MISMATCHES);
    for e in &r.recent_events {
        assert!(e.name.chars().count() <= MAX_TEXT_CHARS + 1);
        assert!(e.channel_id.as_ref().unwrap().chars().count() <= MAX_TEXT_CHARS + 1);
    }
    assert_eq!(r.counts.events, 2_000 + 2);
}

#[test]
fn the_revision_changes_with_what_is_recorded() {
    let mut h = Harness::new();
    let before = report(&h).revision;
    assert_eq!(report(&h).revision, before, "reading changes nothing");
    h.event("authenticated", json!({}));
    assert!(report(&h).revision > before);
}

#[test]
fn the_secret_is_never_kept_nor_reported() {
    let mut h = Harness::new();
    h.session.diagnostics_mut().set_secret("s3cr3t");
    h.join_dm();
    h.connect_and_sync(vec![]);
    h.event("leak-s3cr3t", json!({"roomId": "s3cr3t-room"}));
    h.event("messageBroadcast", json!({"id": "x", "channelId": "s3cr3t"}));
    h.event("messageError", json!({"error": "bad key s3cr3t"}));
    let at = h.now.as_millis();
    h.session.diagnostics_mut().record_error(
        crate::eliza::ErrorKind::Auth,
        "UNAUTHORIZED",
        "key s3cr3t refused",
        at,
    );
    let mut connection = facts();
    connection.server_url = "http://127.0.0.1:3000/?key=s3cr3t".into();
    connection.handshake = Handshake::Refused { reason: "s3cr3t is wrong".into() };
    let r = h.session.diagnostics_report(h.now, connection);
    let text = serde_json::to_string(&r).unwrap();
    assert!(!text.contains("s3cr3t"), "{text}");
    assert!(text.contains("leak-[redacted]") && text.contains("[redacted]-room"), "{text}");
    assert_eq!(kinds(&r), [FindingKind::IdMismatch, FindingKind::MissingFields]);
}
