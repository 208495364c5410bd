//! The seed document's server shape: no REST, presence, typing both ways, bare broadcasts,
//! acknowledgement callbacks. Payloads are the ones `tests/fixtures/seed-server.mjs` sends.

use serde_json::{json, Value};

use super::*;
use crate::eliza::{AckVia, Emit, TYPING_EVENT};

const PEER: &str = "9e1e0000-1111-4222-8333-444455556666";
const PEER2: &str = "9e1e0000-1111-4222-8333-777788889999";

impl Harness {
    /// Joins `channel` without history and connects.
    fn join_live_without_rest(&mut self, channel: &str) {
        let options = JoinOptions { channel_id: channel.into(), history: false, ..JoinOptions::default() };
        self.session.join(self.now, options).unwrap();
        self.session.handle_connected(self.now);
    }

    fn typing_emits(&mut self) -> Vec<Value> {
        self.all_emits().into_iter().filter(|e| e.event == TYPING_EVENT).map(|e| e.payload).collect()
    }

    fn at(&mut self, ms: u64) {
        self.now = Instant::from_millis(ms);
        self.session.handle_timeout(self.now);
    }
}

fn typing_payload(channel: &str, is_typing: bool) -> Value {
    json!({"channelId": channel, "roomId": channel, "userId": USER, "isTyping": is_typing})
}

fn presence(events: &[ElizaEvent]) -> Vec<(String, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            ElizaEvent::Presence { user_id, present, .. } => Some((user_id.clone(), *present)),
            _ => None,
        })
        .collect()
}

fn typing(events: &[ElizaEvent]) -> Vec<(String, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            ElizaEvent::Typing { user_id, is_typing, .. } => Some((user_id.clone(), *is_typing)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_channel_without_history_is_live_once_the_join_is_written() {
    let mut h = Harness::new();
    h.join_live_without_rest(GROUP);
    let emits = h.all_emits();
    assert_eq!(emits.len(), 1);
    assert_eq!(emits[0].payload["type"], 1);
    assert_eq!(emits[0].payload["payload"]["roomId"], GROUP);
    assert_eq!(emits[0].payload["payload"]["entityId"], USER);
    assert!(h.session.is_live(GROUP));
    let id = h.send(GROUP, "hi");
    let emits = h.all_emits();
    assert_eq!(emits.len(), 1);
    assert_eq!(emits[0].payload["payload"]["message"], "hi");
    assert_eq!(emits[0].ack_for.as_deref(), Some(id.as_str()), "the send asks for a callback");
    // Nothing waits for a confirmation that this server never sends.
    h.advance(60_000);
    assert!(h.requests().is_empty(), "no REST request, ever");
    assert!(h.session.is_live(GROUP));
}

#[test]
fn the_acknowledgement_callback_confirms_a_send() {
    let mut h = Harness::new();
    h.join_live_without_rest(GROUP);
    let id = h.send(GROUP, "hi");
    h.events();
    h.session.handle_emit_ack(h.now, &id, &json!({"status": "received"}));
    let events = h.events();
    assert!(events.iter().any(|e| matches!(e,
        ElizaEvent::Ack { client_message_id, message_id, via: AckVia::Callback, status: Some(s), .. }
            if *client_message_id == id && *message_id == id && s == "received")));
    assert!(h.session.outbox().is_empty());
    // A late timeout of the same message changes nothing.
    h.advance(31_000);
    assert!(!h.events().iter().any(|e| matches!(e, ElizaEvent::SendFailed { .. })));
}

#[test]
fn after_a_reconnect_an_unconfirmed_message_is_sent_again_without_a_history_check() {
    let mut h = Harness::new();
    h.join_live_without_rest(GROUP);
    let id = h.send(GROUP, "hi");
    h.all_emits();
    h.session.handle_disconnected();
    h.session.handle_connected(h.now);
    let emits = h.all_emits();
    assert_eq!(emits.len(), 2, "join, then the message again: {emits:?}");
    assert_eq!(emits[1].ack_for.as_deref(), Some(id.as_str()));
    assert!(h.requests().is_empty());
}

#[test]
fn a_bare_broadcast_becomes_one_dated_agent_message_with_its_own_id() {
    let mut h = Harness::new();
    h.join_live_without_rest(GROUP);
    h.events();
    let reply = json!({"roomId": GROUP, "channelId": GROUP, "senderName": "Seed", "text": "echo: hi"});
    h.event("messageBroadcast", reply.clone());
    h.now = Instant::from_millis(h.now.as_millis() + 5);
    h.event("messageBroadcast", reply);
    let events = h.events();
    assert!(!events.iter().any(|e| matches!(e, ElizaEvent::Error { .. })), "{events:?}");
    let messages = Harness::messages(&events);
    assert_eq!(messages.len(), 2, "the same text twice is two replies");
    let (first, second) = (&messages[0].0, &messages[1].0);
    assert_ne!(first.id, second.id);
    assert!(crate::eliza::ids::canonical(&first.id).is_some());
    assert_eq!(first.created_at, Some(1_000));
    assert_eq!(second.created_at, Some(1_005));
    assert_eq!((first.sender_name.as_str(), first.text.as_str()), ("Seed", "echo: hi"));
    assert_eq!(first.channel_id, GROUP);
    assert!(first.from_agent && !first.own);
    // The arrival time is wall time: on a driver clock that is not the wall clock, it is moved
    // onto the wall clock the driver reports.
    h.session.set_wall_clock(crate::time::WallClock::at(1_005.0, 1_800_000_000_000.0));
    h.event("messageBroadcast", json!({"roomId": GROUP, "channelId": GROUP, "text": "later"}));
    let events = h.events();
    let later = Harness::messages(&events);
    assert_eq!(later[0].0.created_at, Some(1_800_000_000_000), "{events:?}");
    // A broadcast with neither id nor text is still an error.
    h.event("messageBroadcast", json!({"roomId": GROUP}));
    assert!(h.events().iter().any(|e| matches!(e, ElizaEvent::Error { .. })));
}

#[test]
fn presence_is_kept_per_joined_channel() {
    let mut h = Harness::new();
    h.join_live_without_rest(GROUP);
    h.events();
    h.event("userJoined", json!({"userId": PEER, "roomId": GROUP}));
    h.event("userJoined", json!({"userId": PEER, "roomId": GROUP}));
    h.event("userJoined", json!({"userId": PEER2.to_uppercase(), "roomId": GROUP}));
    h.event("userJoined", json!({"userId": USER, "roomId": GROUP}));
    h.event("userJoined", json!({"userId": PEER, "roomId": OTHER}));
    h.event("userJoined", json!({"roomId": GROUP}));
    assert_eq!(presence(&h.events()), [(PEER.to_owned(), true), (PEER2.to_owned(), true)]);
    assert_eq!(h.session.present(GROUP), [PEER, PEER2]);
    assert!(h.session.present(OTHER).is_empty());

    h.event("userLeft", json!({"userId": PEER, "roomId": GROUP}));
    h.event("userLeft", json!({"userId": PEER, "roomId": GROUP}));
    assert_eq!(presence(&h.events()), [(PEER.to_owned(), false)]);
    assert_eq!(h.session.present(GROUP), [PEER2]);

    // What the connection told is forgotten with it.
    h.session.handle_disconnected();
    assert_eq!(presence(&h.events()), [(PEER2.to_owned(), false)]);
    assert!(h.session.present(GROUP).is_empty());
}

#[test]
fn presence_is_bounded() {
    let mut h = Harness::new();
    h.join_live_without_rest(GROUP);
    for n in 0..2_000u32 {
        h.event("userJoined", json!({"userId": format!("user-{n}"), "roomId": GROUP}));
    }
    assert_eq!(h.session.present(GROUP).len(), crate::eliza::presence::MAX_USERS_PER_CHANNEL);
}

#[test]
fn own_typing_is_sent_at_once_then_at_most_every_two_seconds() {
    let mut h = Harness::new();
    h.join_live_without_rest(GROUP);
    h.all_emits();
    h.session.typing(h.now, GROUP, true).unwrap();
    assert_eq!(h.typing_emits(), [typing_payload(GROUP, true)]);
    for t in [1_500, 2_000, 2_999] {
        h.at(t);
        h.session.typing(h.now, GROUP, true).unwrap();
        assert!(h.typing_emits().is_empty(), "keystroke at {t} ms");
    }
    h.at(3_000);
    h.session.typing(h.now, GROUP, true).unwrap();
    assert_eq!(h.typing_emits(), [typing_payload(GROUP, true)], "two seconds after the last true");
}

#[test]
fn own_typing_ends_after_a_three_second_pause() {
    let mut h = Harness::new();
    h.join_live_without_rest(GROUP);
    h.all_emits();
    h.session.typing(h.now, GROUP, true).unwrap();
    h.at(2_500);
    h.session.typing(h.now, GROUP, true).unwrap();
    h.typing_emits();
    assert_eq!(h.session.poll_timeout(), Some(Instant::from_millis(5_500)));
    h.at(5_499);
    assert!(h.typing_emits().is_empty());
    h.at(5_500);
    assert_eq!(h.typing_emits(), [typing_payload(GROUP, false)]);
    h.at(20_000);
    assert!(h.typing_emits().is_empty(), "false goes out once");
    assert_eq!(h.session.poll_timeout(), None);
}

#[test]
fn sending_or_clearing_ends_own_typing_once() {
    let mut h = Harness::new();
    h.join_live_without_rest(GROUP);
    h.all_emits();
    h.session.typing(h.now, GROUP, true).unwrap();
    h.all_emits();
    h.send(GROUP, "hi");
    let emits: Vec<Emit> = h.all_emits();
    let order: Vec<&str> = emits.iter().map(|e| e.event).collect();
    assert_eq!(order, ["typing", "message"], "false before the message");
    assert_eq!(emits[0].payload, typing_payload(GROUP, false));
    h.advance(10_000);
    assert!(h.typing_emits().is_empty());

    h.session.typing(h.now, GROUP, true).unwrap();
    h.session.typing(h.now, GROUP, false).unwrap();
    h.session.typing(h.now, GROUP, false).unwrap();
    assert_eq!(h.typing_emits(), [typing_payload(GROUP, true), typing_payload(GROUP, false)]);

    h.session.typing(h.now, GROUP, true).unwrap();
    h.typing_emits();
    assert!(h.session.leave(GROUP));
    assert_eq!(h.typing_emits(), [typing_payload(GROUP, false)], "leaving ends it too");
    assert_eq!(h.session.poll_timeout(), Some(Instant::from_millis(31_000)), "only the ack is left");
}

#[test]
fn own_typing_needs_a_joined_channel_and_a_connection() {
    let mut h = Harness::new();
    assert_eq!(h.session.typing(h.now, GROUP, true).unwrap_err().code(), "INVALID_ARGUMENT");
    assert_eq!(h.session.typing(h.now, "nope", true).unwrap_err().code(), "INVALID_ARGUMENT");
    let options = JoinOptions { channel_id: GROUP.into(), history: false, ..JoinOptions::default() };
    h.session.join(h.now, options).unwrap();
    h.session.typing(h.now, GROUP, true).unwrap();
    assert!(h.all_emits().is_empty(), "nothing while disconnected");
    h.session.handle_connected(h.now);
    h.all_emits();
    h.session.typing(h.now, GROUP, true).unwrap();
    h.session.handle_disconnected();
    h.session.handle_connected(h.now);
    h.all_emits();
    h.session.typing(h.now, GROUP, true).unwrap();
    assert_eq!(h.typing_emits(), [typing_payload(GROUP, true)], "a new connection starts afresh");
}

#[test]
fn others_typing_is_filtered_by_channel_and_expires() {
    let mut h = Harness::new();
    h.join_live_without_rest(GROUP);
    h.events();
    h.event("userTyping", json!({"userId": PEER, "roomId": GROUP, "isTyping": true}));
    h.event("userTyping", json!({"userId": PEER, "channelId": GROUP, "isTyping": true}));
    h.event("userTyping", json!({"userId": USER, "roomId": GROUP, "isTyping": true}));
    h.event("userTyping", json!({"userId": PEER2, "roomId": OTHER, "isTyping": true}));
    h.event("userTyping", json!({"userId": PEER2, "channelId": OTHER, "roomId": GROUP, "isTyping": true}));
    h.event("userTyping", json!({"userId": PEER2, "roomId": GROUP, "isTyping": "yes"}));
    assert_eq!(typing(&h.events()), [(PEER.to_owned(), true)]);
    assert_eq!(h.session.typing_users(GROUP), [PEER]);

    // Refreshed at 4 s, so it lasts until 10 s.
    h.at(4_000);
    h.event("userTyping", json!({"userId": PEER, "roomId": GROUP, "isTyping": true}));
    h.at(9_999);
    assert!(typing(&h.events()).is_empty());
    h.at(10_000);
    assert_eq!(typing(&h.events()), [(PEER.to_owned(), false)]);
    assert!(h.session.typing_users(GROUP).is_empty());
}

#[test]
fn others_typing_ends_with_false_their_message_or_their_leaving() {
    let mut h = Harness::new();
    h.join_live_without_rest(GROUP);
    h.events();
    h.event("userTyping", json!({"userId": PEER, "roomId": GROUP, "isTyping": true}));
    h.event("userTyping", json!({"userId": PEER, "roomId": GROUP, "isTyping": false}));
    h.event("userTyping", json!({"userId": PEER, "roomId": GROUP, "isTyping": false}));
    assert_eq!(typing(&h.events()), [(PEER.to_owned(), true), (PEER.to_owned(), false)]);

    h.event("userTyping", json!({"userId": PEER, "roomId": GROUP, "isTyping": true}));
    h.event(
        "messageBroadcast",
        json!({"id": "m1", "senderId": PEER, "senderName": "Peer", "text": "yo",
        "channelId": GROUP, "createdAt": 5}),
    );
    let events = h.events();
    assert_eq!(typing(&events), [(PEER.to_owned(), true), (PEER.to_owned(), false)]);
    assert_eq!(Harness::messages(&events).len(), 1);

    h.event("userTyping", json!({"userId": PEER, "roomId": GROUP, "isTyping": true}));
    h.event("userLeft", json!({"userId": PEER, "roomId": GROUP}));
    assert_eq!(typing(&h.events()), [(PEER.to_owned(), true), (PEER.to_owned(), false)]);
}
