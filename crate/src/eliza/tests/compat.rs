//! Releases 1.2 – 1.7: what is detected, and that no failing step blocks the others.
//!
//! The differences are those of `shared/reference/elizaos-versions.md`, checked against real
//! 1.4.2, 1.6.4 and 1.7.2 servers by the `releases` end-to-end suite.

use serde_json::{json, Value};

use super::*;
use crate::eliza::{ElizaError, Era, HistoryPath, OutboxState, ServerIdSource, ServerInfo};

const NEW_SERVER: &str = "5e7e0000-0000-4000-8000-00000000abcd";

fn sends(emits: &[Value]) -> Vec<Value> {
    emits.iter().filter(|e| e["type"] == 2).cloned().collect()
}

fn not_found() -> ElizaError {
    ElizaError::NotFound { detail: "Cannot GET".into() }
}

fn errors(events: &[ElizaEvent]) -> Vec<(Option<String>, &'static str)> {
    events
        .iter()
        .filter_map(|e| match e {
            ElizaEvent::Error { channel_id, error } => Some((channel_id.clone(), error.code())),
            _ => None,
        })
        .collect()
}

fn send_failures(events: &[ElizaEvent]) -> Vec<(String, &'static str)> {
    events
        .iter()
        .filter_map(|e| match e {
            ElizaEvent::SendFailed { client_message_id, error, .. } => {
                Some((client_message_id.clone(), error.code()))
            }
            _ => None,
        })
        .collect()
}

fn server_infos(events: &[ElizaEvent]) -> Vec<ServerInfo> {
    events
        .iter()
        .filter_map(|e| match e {
            ElizaEvent::ServerInfo { info } => Some(info.clone()),
            _ => None,
        })
        .collect()
}

/// Answers every history fetch of `channel` with `error` until the channel goes live; returns
/// the number of fetches and the events meanwhile.
fn fail_history_until_live(h: &mut Harness, channel: &str, error: &ElizaError) -> (usize, Vec<ElizaEvent>) {
    let mut events = Vec::new();
    let mut fetches = 0;
    let mut pending = h.requests();
    while !h.session.is_live(channel) {
        if let Some(request) = pending.pop() {
            fetches += 1;
            assert!(fetches <= 10, "history is not fetched forever");
            h.session.handle_history(h.now, &request, Err(error.clone()));
        } else {
            let at = h.session.poll_timeout().expect("a retry is scheduled");
            h.advance(at.as_millis().saturating_sub(h.now.as_millis()));
        }
        events.extend(h.events());
        pending.extend(h.requests());
    }
    (fetches, events)
}

#[test]
fn before_1_7_the_404_means_the_default_server_and_central_channels() {
    let mut h = Harness::new();
    assert!(h.session.needs_server_probe());
    h.session.handle_message_server(Err(not_found()));
    assert!(!h.session.needs_server_probe());
    let info = h.session.server_info().clone();
    assert_eq!(info.era, Era::Before1_6_5);
    assert_eq!(info.server_id_source, ServerIdSource::Default);
    assert_eq!(server_infos(&h.events()), [info]);
    h.join_dm();
    h.session.handle_connected(h.now);
    let join = h.emits().remove(0);
    assert_eq!(join["payload"]["messageServerId"], SERVER);
    h.joined(DM);
    let request = h.requests().remove(0);
    assert_eq!(request.path, HistoryPath::CentralChannels);
    h.answer(&request, vec![]);
    assert_eq!(h.session.server_info().history_path, Some(HistoryPath::CentralChannels));
    h.send(DM, "hi");
    let send = sends(&h.emits()).remove(0);
    // Both spellings of both ids: every release reads one of them.
    let p = &send["payload"];
    assert_eq!((&p["serverId"], &p["messageServerId"]), (&json!(SERVER), &json!(SERVER)));
    assert_eq!((&p["channelId"], &p["roomId"]), (&json!(DM), &json!(DM)));
}

#[test]
fn on_1_7_the_current_server_and_channels_are_used() {
    let mut h = Harness::new();
    h.session.handle_message_server(Ok(NEW_SERVER.into()));
    assert_eq!(h.session.server_info().era, Era::Since1_6_5);
    assert_eq!(h.session.message_server_id(), NEW_SERVER);
    h.join_dm();
    h.session.handle_connected(h.now);
    assert_eq!(h.emits()[0]["payload"]["messageServerId"], NEW_SERVER);
    h.joined(DM);
    assert_eq!(h.requests()[0].path, HistoryPath::Channels);
}

#[test]
fn a_history_path_that_is_not_found_is_tried_under_the_other_name_at_once() {
    let mut h = Harness::new();
    // Looks like 1.7 (authenticated), but history lives under central-channels only.
    h.event("authenticated", json!({"entityId": USER, "timestamp": 1}));
    assert_eq!(h.session.server_info().era, Era::Since1_6_5);
    h.join_dm();
    h.send(DM, "hello");
    h.session.handle_connected(h.now);
    h.emits();
    h.joined(DM);
    h.events();
    let first = h.requests().remove(0);
    assert_eq!(first.path, HistoryPath::Channels);
    h.session.handle_history(h.now, &first, Err(not_found()));
    let second = h.requests().remove(0);
    assert_eq!(second.path, HistoryPath::CentralChannels);
    assert!(errors(&h.events()).is_empty(), "a path tried under its other name is no error");
    h.answer(&second, vec![]);
    assert_eq!(sends(&h.emits()).len(), 1, "the channel went live");
    let info = server_infos(&h.events()).pop().expect("the working path is reported");
    assert_eq!(info.history_path, Some(HistoryPath::CentralChannels));
    // Remembered: the next connect asks there first.
    h.session.handle_disconnected();
    h.session.handle_connected(h.now);
    h.joined(DM);
    assert_eq!(h.requests()[0].path, HistoryPath::CentralChannels);
}

#[test]
fn history_that_cannot_be_read_is_reported_once_and_the_channel_goes_live() {
    let mut h = Harness::new();
    h.join_dm();
    let fresh = h.send(DM, "never written");
    h.session.handle_connected(h.now);
    h.emits();
    h.joined(DM);
    h.events();
    let (fetches, all_events) = fail_history_until_live(&mut h, DM, &ElizaError::Network("refused".into()));
    assert_eq!(fetches, 3);
    assert_eq!(errors(&all_events), [(Some(DM.to_owned()), "HISTORY_UNAVAILABLE")], "{all_events:?}");
    assert!(h.session.is_live(DM));
    let sent = sends(&h.emits());
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["payload"]["messageId"], json!(fresh));
    // A message sent now goes out at once.
    h.send(DM, "later");
    assert_eq!(sends(&h.emits()).len(), 1);
}

#[test]
fn a_404_under_both_names_counts_as_unreadable_history() {
    let mut h = Harness::new();
    h.join_group(GROUP);
    h.session.handle_connected(h.now);
    h.emits();
    h.joined(GROUP);
    let (fetches, all_events) = fail_history_until_live(&mut h, GROUP, &not_found());
    assert_eq!(fetches, 6, "3 attempts, each under both names");
    assert_eq!(errors(&all_events), [(Some(GROUP.to_owned()), "HISTORY_UNAVAILABLE")]);
    assert!(h.session.is_live(GROUP));
    assert_eq!(h.session.server_info().history_path, None, "nothing proven");
}

#[test]
fn a_message_that_may_be_on_the_server_fails_rather_than_going_out_twice_unchecked() {
    let mut h = Harness::new();
    h.join_group(GROUP);
    h.connect_and_sync(vec![]);
    let id = h.send(GROUP, "in flight");
    h.emits();
    h.session.handle_disconnected();
    h.session.handle_connected(h.now);
    h.emits();
    h.joined(GROUP);
    h.events();
    let (_, events) = fail_history_until_live(&mut h, GROUP, &ElizaError::Network("refused".into()));
    assert_eq!(send_failures(&events), [(id.clone(), "HISTORY_UNAVAILABLE")]);
    assert!(sends(&h.emits()).is_empty());
    assert!(
        matches!(&h.session.outbox()[0].state, OutboxState::Failed { code, .. } if code == "HISTORY_UNAVAILABLE")
    );
    // Retry is the user's decision to send it unchecked.
    h.session.retry(h.now, &id).unwrap();
    assert!(h.requests().is_empty(), "no new check while history is unreadable");
    let sent = sends(&h.emits());
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["payload"]["messageId"], json!(id));
}

#[test]
fn an_unconfirmed_join_is_reported_once_and_its_unanswered_message_fails_with_join_timeout() {
    let mut h = Harness::new();
    h.join_dm();
    h.session.handle_connected(h.now);
    h.emits();
    let id = h.send(DM, "anyone there?");
    assert!(sends(&h.emits()).is_empty(), "waits for the join");
    h.advance(10_000);
    assert_eq!(errors(&h.events()), [(Some(DM.to_owned()), "JOIN_TIMEOUT")]);
    // Goes on anyway (some servers never confirm): history, then the message.
    let request = h.requests().remove(0);
    h.answer(&request, vec![]);
    assert_eq!(sends(&h.emits()).len(), 1);
    // Nothing confirms it: it fails within the acknowledgement timeout, with the reason.
    h.advance(30_000);
    let events = h.events();
    assert_eq!(send_failures(&events), [(id.clone(), "JOIN_TIMEOUT")]);
    assert!(errors(&events).is_empty(), "the join is reported once");
    let entry = &h.session.outbox()[0];
    assert!(matches!(&entry.state, OutboxState::Failed { code, .. } if code == "JOIN_TIMEOUT"));
    assert_eq!(h.session.poll_timeout(), None, "nothing left waiting");
    // Retry checks history first (the server may have it), then sends it again.
    h.session.retry(h.now, &id).unwrap();
    let request = h.requests().remove(0);
    h.answer(&request, vec![]);
    assert_eq!(sends(&h.emits()).len(), 1);
}

#[test]
fn a_refused_join_then_no_answer_still_ends_in_send_failed() {
    let mut h = Harness::new();
    h.join_group(GROUP);
    h.session.handle_connected(h.now);
    h.emits();
    // What 1.x answers to a join it cannot read.
    h.event("messageError", json!({"error": "channelId is required for joining."}));
    let id = h.send(GROUP, "hello");
    h.advance(10_000);
    fail_history_until_live(&mut h, GROUP, &ElizaError::Network("no REST".into()));
    assert_eq!(sends(&h.emits()).len(), 1);
    h.advance(30_000);
    let events = h.events();
    assert!(send_failures(&events).contains(&(id, "JOIN_TIMEOUT")), "{events:?}");
}

#[test]
fn a_late_channel_joined_makes_an_unanswered_message_a_plain_timeout() {
    let mut h = Harness::new();
    h.join_group(GROUP);
    h.session.handle_connected(h.now);
    h.emits();
    h.advance(10_000);
    let request = h.requests().remove(0);
    h.answer(&request, vec![]);
    h.joined(GROUP);
    let id = h.send(GROUP, "hi");
    h.emits();
    h.events();
    h.advance(30_000);
    assert_eq!(send_failures(&h.events()), [(id, "TIMEOUT")]);
}

#[test]
fn message_complete_ends_thinking_and_means_1_2_to_1_4() {
    let mut h = Harness::new();
    h.session.handle_message_server(Err(not_found()));
    h.join_dm();
    h.connect_and_sync(vec![]);
    h.send(DM, "hi");
    let sent = h.emits().remove(0);
    h.event("messageAck", Harness::ack_for(&sent, "5e7e0000-0000-4000-8000-000000000001"));
    assert!(h.session.is_thinking(DM));
    h.events();
    h.event("messageComplete", json!({"channelId": DM, "serverId": SERVER}));
    assert!(!h.session.is_thinking(DM));
    let events = h.events();
    assert!(events.iter().any(|e| matches!(e, ElizaEvent::Complete { .. })));
    let info = server_infos(&events).pop().unwrap();
    assert_eq!((info.era, info.message_complete), (Era::V1_2To1_4, true));
    // Later replies without one change nothing.
    h.event("messageBroadcast", agent_reply("a0000000-0000-4000-8000-000000000009", DM, "echo", 5_000));
    h.advance(60_000);
    assert_eq!(h.session.server_info().era, Era::V1_2To1_4);
}

#[test]
fn a_reply_without_message_complete_means_1_5_to_1_6_4() {
    let mut h = Harness::new();
    h.session.handle_message_server(Err(not_found()));
    h.join_dm();
    h.connect_and_sync(vec![]);
    h.events();
    h.event("messageBroadcast", agent_reply("a0000000-0000-4000-8000-000000000001", DM, "echo", 2_000));
    assert_eq!(h.session.server_info().era, Era::Before1_6_5, "a complete may still come");
    let due = h.session.poll_timeout().unwrap();
    h.advance(due.as_millis() - h.now.as_millis());
    assert_eq!(h.session.server_info().era, Era::V1_5To1_6_4);
    assert_eq!(server_infos(&h.events()).len(), 1);
}

#[test]
fn known_server_facts_are_restored_and_not_probed_again() {
    let mut learnt = Harness::new();
    learnt.session.handle_message_server(Err(not_found()));
    learnt.join_dm();
    learnt.connect_and_sync(vec![]);
    let stored = serde_json::to_value(learnt.session.server_info()).unwrap();
    let mut h = Harness::new();
    h.session.restore_server_info(ServerInfo::from_json(&stored, "serverInfo").unwrap()).unwrap();
    assert!(!h.session.needs_server_probe());
    assert_eq!(h.session.history_path(), HistoryPath::CentralChannels);
    let bad = ServerInfo { message_server_id: "main".into(), ..ServerInfo::default() };
    assert_eq!(h.session.restore_server_info(bad).unwrap_err().code(), "INVALID_ARGUMENT");
}

#[test]
fn a_server_that_now_says_authenticated_is_probed_again() {
    let mut h = Harness::new();
    h.session.handle_message_server(Err(not_found()));
    h.event("authenticated", json!({"entityId": USER}));
    assert!(h.session.needs_server_probe(), "upgraded to 1.7: its message server may not be the default");
    h.session.handle_message_server(Ok(NEW_SERVER.into()));
    assert_eq!(h.session.message_server_id(), NEW_SERVER);
}
