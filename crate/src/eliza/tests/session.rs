//! Joining, sending, filtering and re-synchronizing, one rule per test.

use serde_json::{json, Value};

use super::*;
use crate::eliza::{AckVia, ElizaError, OutboxEntry, OutboxState};

fn sends(emits: &[Value]) -> Vec<&Value> {
    emits.iter().filter(|e| e["type"] == 2).collect()
}

#[test]
fn dm_join_payload_is_sent_on_connect() {
    let mut h = Harness::new();
    h.join_dm();
    assert!(h.emits().is_empty(), "nothing goes out while disconnected");
    h.session.handle_connected(h.now);
    assert_eq!(
        h.emits(),
        [json!({"type": 1, "payload": {"channelId": DM, "roomId": DM, "entityId": USER,
            "messageServerId": SERVER, "agentId": AGENT,
            "metadata": {"isDm": true, "channelType": "DM"}}})]
    );
}

#[test]
fn join_while_connected_goes_out_now_with_the_current_message_server() {
    let mut h = Harness::new();
    h.session.handle_connected(h.now);
    let server = "11111111-2222-4333-8444-555555555555";
    h.session.set_message_server_id(server).unwrap();
    h.join_group(GROUP);
    assert_eq!(
        h.emits(),
        [json!({"type": 1, "payload": {"channelId": GROUP, "roomId": GROUP, "entityId": USER,
            "messageServerId": server}})]
    );
}

#[test]
fn dm_send_payload_has_every_field_the_server_reads() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    let options =
        SendOptions { attachments: Value::Null, metadata: json!({"mood": "curious", "isDm": false}) };
    let id = h.session.send(h.now, DM, "hello", options).unwrap();
    assert_eq!(
        h.emits(),
        [json!({"type": 2, "payload": {"channelId": DM, "roomId": DM, "messageServerId": SERVER,
            "serverId": SERVER, "senderId": USER, "senderName": "Tester", "message": "hello",
            "messageId": id, "source": "eliza-socketio", "attachments": [],
            "metadata": {"mood": "curious", "isDm": true, "channelType": "DM", "targetUserId": AGENT}}})]
    );
    assert!(crate::eliza::ids::canonical(&id).is_some_and(|c| c == id));
}

#[test]
fn group_send_payload_has_no_dm_metadata() {
    let mut h = Harness::new();
    h.join_group(GROUP);
    h.connect_and_sync(vec![]);
    let options = SendOptions { attachments: json!([{"url": "/a.png"}]), metadata: Value::Null };
    let id = h.session.send(h.now, GROUP, "hi all", options).unwrap();
    let emits = h.emits();
    assert_eq!(
        emits[0]["payload"],
        json!({"channelId": GROUP, "roomId": GROUP, "messageServerId": SERVER, "serverId": SERVER,
            "senderId": USER, "senderName": "Tester", "message": "hi all", "messageId": id,
            "source": "eliza-socketio", "attachments": [{"url": "/a.png"}]})
    );
}

#[test]
fn every_reconnect_joins_every_channel_again() {
    let mut h = Harness::new();
    h.join_dm();
    h.join_group(GROUP);
    h.connect_and_sync(vec![]);
    h.session.handle_disconnected();
    h.session.handle_connected(h.now);
    let channels: Vec<Value> =
        h.emits().iter().filter(|e| e["type"] == 1).map(|e| e["payload"]["channelId"].clone()).collect();
    assert_eq!(channels, [json!(DM), json!(GROUP)]);
}

#[test]
fn events_reach_only_the_channel_they_name() {
    let mut h = Harness::new();
    h.join_dm();
    h.join_group(GROUP);
    h.connect_and_sync(vec![]);
    h.events();
    h.event("messageBroadcast", agent_reply("a0000000-0000-4000-8000-000000000001", GROUP, "to group", 10));
    h.event("messageBroadcast", agent_reply("a0000000-0000-4000-8000-000000000002", OTHER, "not joined", 11));
    // `channelId` wins over `roomId`: a payload naming an unjoined channel never lands in a joined one.
    let mut mixed = agent_reply("a0000000-0000-4000-8000-000000000003", DM, "mixed", 12);
    mixed["channelId"] = json!(OTHER);
    h.event("messageBroadcast", mixed);
    h.event("messageStreamChunk", json!({"messageId": "x", "chunk": "c", "index": 0, "channelId": OTHER}));
    h.event("messageDeleted", json!({"messageId": "x", "channelId": OTHER}));
    let events = h.events();
    let messages = Harness::messages(&events);
    assert_eq!(messages.len(), 1, "{events:?}");
    assert_eq!(messages[0].0.channel_id, GROUP);
    assert_eq!(messages[0].0.text, "to group");
    assert_eq!(events.len(), 1, "{events:?}");
}

#[test]
fn left_channels_hear_nothing() {
    let mut h = Harness::new();
    h.join_group(GROUP);
    h.connect_and_sync(vec![]);
    assert!(h.session.leave(GROUP));
    assert!(!h.session.leave(GROUP));
    h.events();
    h.event("messageBroadcast", agent_reply("a0000000-0000-4000-8000-000000000001", GROUP, "late", 10));
    assert!(h.events().is_empty());
}

#[test]
fn repeated_messages_are_delivered_once() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    h.events();
    let reply = agent_reply("a0000000-0000-4000-8000-000000000001", DM, "echo: hi", 100);
    h.event("messageBroadcast", reply.clone());
    h.event("messageBroadcast", reply);
    assert_eq!(Harness::messages(&h.events()).len(), 1);
    // The same message again in history after a reconnect.
    h.session.handle_disconnected();
    let stored = stored_agent_reply("a0000000-0000-4000-8000-000000000001", DM, "echo: hi", 100, "m");
    h.connect_and_sync(vec![stored]);
    assert!(Harness::messages(&h.events()).is_empty());
}

#[test]
fn a_newer_edit_of_a_known_message_is_delivered_again() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    let mut action = agent_reply("a0000000-0000-4000-8000-000000000001", DM, "working…", 100);
    action["updatedAt"] = json!(100);
    h.event("messageBroadcast", action.clone());
    action["text"] = json!("done");
    action["updatedAt"] = json!(250);
    h.event("messageBroadcast", action.clone());
    h.event("messageBroadcast", action);
    let texts: Vec<String> = Harness::messages(&h.events()).into_iter().map(|(m, _)| m.text).collect();
    assert_eq!(texts, ["working…", "done"]);
}

#[test]
fn own_echo_acknowledges_and_the_later_ack_is_quiet() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    h.events();
    let id = h.send(DM, "hello");
    let sent = h.emits().remove(0);
    let (echo, server_id) = h.echo(&sent, 500);
    h.event("messageBroadcast", echo);
    h.event("messageAck", Harness::ack_for(&sent, &server_id));
    let events = h.events();
    let acks: Vec<&ElizaEvent> = events.iter().filter(|e| matches!(e, ElizaEvent::Ack { .. })).collect();
    assert_eq!(
        acks,
        [&ElizaEvent::Ack {
            channel_id: DM.into(),
            client_message_id: id.clone(),
            message_id: server_id.clone(),
            via: AckVia::Echo,
            status: None,
        }]
    );
    let messages = Harness::messages(&events);
    assert_eq!(messages.len(), 1);
    let own = &messages[0].0;
    assert!(own.own && !own.from_agent);
    assert_eq!(own.client_message_id.as_deref(), Some(id.as_str()));
    assert!(h.session.outbox().is_empty());
    assert!(events.contains(&ElizaEvent::OutboxChanged));
}

#[test]
fn message_ack_alone_acknowledges() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    h.events();
    let id = h.send(DM, "hello");
    let sent = h.emits().remove(0);
    assert_eq!(h.session.outbox()[0].state, OutboxState::Sent);
    h.event("messageAck", Harness::ack_for(&sent, "5e7e0000-0000-4000-8000-000000000009"));
    assert!(h.events().contains(&ElizaEvent::Ack {
        channel_id: DM.into(),
        client_message_id: id,
        message_id: "5e7e0000-0000-4000-8000-000000000009".into(),
        via: AckVia::Ack,
        status: Some("received_by_server_and_processing".into()),
    }));
    assert!(h.session.outbox().is_empty());
}

#[test]
fn offline_send_waits_for_the_join_and_the_history_check() {
    let mut h = Harness::new();
    h.join_dm();
    let id = h.send(DM, "written offline");
    assert_eq!(h.session.outbox()[0].state, OutboxState::Queued);
    assert!(h.emits().is_empty());
    h.session.handle_connected(h.now);
    assert!(sends(&h.emits()).is_empty(), "the join goes first, alone");
    assert!(h.requests().is_empty(), "history waits for the join's confirmation");
    h.joined(DM);
    let requests = h.requests();
    assert_eq!(requests.len(), 1, "one request per channel, not one per join reply");
    assert_eq!((requests[0].channel_id.as_str(), requests[0].limit), (DM, 50));
    assert!(h.emits().is_empty(), "nothing is sent before the history check");
    h.answer(&requests[0], vec![]);
    let emits = h.emits();
    assert_eq!(sends(&emits).len(), 1);
    assert_eq!(emits[0]["payload"]["messageId"], json!(id));
    assert_eq!(emits[0]["payload"]["message"], "written offline");
    assert!(h.session.is_live(DM));
}

#[test]
fn queued_messages_go_out_in_order() {
    let mut h = Harness::new();
    h.join_dm();
    let ids: Vec<String> = ["one", "two", "three"].iter().map(|t| h.send(DM, t)).collect();
    h.connect_and_sync(vec![]);
    let sent: Vec<Value> = sends(&h.emits()).iter().map(|e| e["payload"]["messageId"].clone()).collect();
    assert_eq!(sent, ids.iter().map(|i| json!(i)).collect::<Vec<_>>());
}

#[test]
fn sent_message_found_in_history_is_not_sent_again() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    let id = h.send(DM, "did it arrive?");
    assert_eq!(sends(&h.emits()).len(), 1);
    // The connection drops before the echo and the ack.
    h.session.handle_disconnected();
    assert_eq!(h.session.outbox()[0].state, OutboxState::Queued);
    h.events();
    let stored = stored_user_message("5e7e0000-0000-4000-8000-000000000001", DM, &id, "did it arrive?", 900);
    h.connect_and_sync(vec![stored]);
    assert!(sends(&h.emits()).is_empty(), "must not be sent twice");
    let events = h.events();
    assert!(events.iter().any(|e| matches!(e,
        ElizaEvent::Ack { via: AckVia::History, client_message_id, message_id, .. }
            if *client_message_id == id && message_id == "5e7e0000-0000-4000-8000-000000000001")));
    let messages = Harness::messages(&events);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].0.client_message_id.as_deref(), Some(id.as_str()));
    assert!(h.session.outbox().is_empty());
}

#[test]
fn sent_message_missing_from_history_is_sent_again_exactly_once() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    let id = h.send(DM, "lost in transit");
    h.emits();
    h.session.handle_disconnected();
    h.connect_and_sync(vec![]);
    let emits = h.emits();
    let resent = sends(&emits);
    assert_eq!(resent.len(), 1);
    assert_eq!(resent[0]["payload"]["messageId"], json!(id));
    assert_eq!(h.session.outbox()[0].attempts, 2);
    // Its echo settles it; nothing more goes out.
    let (echo, _) = h.echo(resent[0], 1_000);
    h.event("messageBroadcast", echo);
    assert!(h.session.outbox().is_empty());
    h.advance(120_000);
    assert!(h.emits().is_empty());
}

#[test]
fn a_message_the_server_keeps_dropping_fails_instead_of_looping() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    let id = h.send(DM, "dropped every time");
    let mut writes = sends(&h.emits()).len();
    // Each time the connection dies before a confirmation, history does not have it: re-sent.
    for _ in 0..10 {
        h.session.handle_disconnected();
        h.connect_and_sync(vec![]);
        writes += sends(&h.emits()).len();
    }
    assert_eq!(writes, crate::eliza::outbox::MAX_WRITES as usize);
    let failed = h.events().into_iter().any(|e| {
        matches!(&e, ElizaEvent::SendFailed { client_message_id, error, .. }
            if *client_message_id == id && error.code() == "SERVER_ERROR")
    });
    assert!(failed, "reported as failed");
    assert!(matches!(h.session.outbox()[0].state, OutboxState::Failed { .. }));
    // The user's retry gives it a fresh budget (after a history check).
    h.session.retry(h.now, &id).unwrap();
    for request in h.requests() {
        h.answer(&request, vec![]);
    }
    assert_eq!(sends(&h.emits()).len(), 1);
}

#[test]
fn agent_reply_produced_while_offline_arrives_from_history() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    let id = h.send(DM, "hi");
    let sent = h.emits().remove(0);
    let (echo, server_id) = h.echo(&sent, 1_000);
    h.event("messageBroadcast", echo);
    assert!(h.session.is_thinking(DM));
    h.session.handle_disconnected();
    h.events();
    let user = stored_user_message(&server_id, DM, &id, "hi", 1_000);
    let reply = stored_agent_reply("a0000000-0000-4000-8000-000000000001", DM, "echo: hi", 1_100, &server_id);
    h.connect_and_sync(vec![reply, user]);
    let events = h.events();
    let messages = Harness::messages(&events);
    assert_eq!(messages.len(), 1, "only the reply is new: {events:?}");
    let (reply, from_history) = &messages[0];
    assert!(from_history);
    assert!(reply.from_agent);
    assert_eq!(reply.text, "echo: hi");
    assert_eq!(reply.sender_name, "Echo");
    assert!(!h.session.is_thinking(DM));
    assert!(events.contains(&ElizaEvent::Thinking {
        channel_id: DM.into(),
        agent_id: Some(AGENT.into()),
        active: false
    }));
}

#[test]
fn a_message_broadcast_during_the_history_fetch_is_not_delivered_twice() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    h.session.handle_disconnected();
    h.session.handle_connected(h.now);
    h.emits();
    h.joined(DM);
    let request = h.requests().remove(0);
    // Joined, so new messages are broadcast while the page is being fetched.
    h.event("messageBroadcast", agent_reply("a0000000-0000-4000-8000-000000000002", DM, "live", 2_000));
    let page = vec![
        stored_agent_reply("a0000000-0000-4000-8000-000000000002", DM, "live", 2_000, "x"),
        stored_agent_reply("a0000000-0000-4000-8000-000000000001", DM, "missed", 1_000, "x"),
    ];
    h.answer(&request, page);
    let delivered: Vec<(String, bool)> =
        Harness::messages(&h.events()).into_iter().map(|(m, from_history)| (m.text, from_history)).collect();
    assert_eq!(delivered, [("live".to_owned(), false), ("missed".to_owned(), true)]);
}

#[test]
fn first_sync_delivers_the_backlog_oldest_first_and_since_skips_known_messages() {
    let page = vec![
        stored_agent_reply("a0000000-0000-4000-8000-000000000003", DM, "third", 3_000, "x"),
        stored_user_message("a0000000-0000-4000-8000-000000000002", DM, "c2", "second", 2_000),
        stored_agent_reply("a0000000-0000-4000-8000-000000000001", DM, "first", 1_000, "x"),
    ];
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(page.clone());
    let texts: Vec<String> = Harness::messages(&h.events()).into_iter().map(|(m, _)| m.text).collect();
    assert_eq!(texts, ["first", "second", "third"]);

    let mut h = Harness::new();
    let options = JoinOptions {
        channel_id: DM.into(),
        agent_id: Some(AGENT.into()),
        dm: true,
        since: Some(2_000),
        history: true,
    };
    h.session.join(h.now, options).unwrap();
    h.connect_and_sync(page);
    let texts: Vec<String> = Harness::messages(&h.events()).into_iter().map(|(m, _)| m.text).collect();
    assert_eq!(texts, ["third"]);
}

#[test]
fn failed_history_keeps_the_outbox_and_retries() {
    let mut h = Harness::new();
    h.join_dm();
    h.send(DM, "patience");
    h.session.handle_connected(h.now);
    h.emits();
    h.joined(DM);
    let request = h.requests().remove(0);
    h.session.handle_history(h.now, &request, Err(ElizaError::Network("connection refused".into())));
    assert!(h.emits().is_empty());
    assert_eq!(h.session.outbox()[0].state, OutboxState::Queued);
    // Reported once, if the retries fail too (compat.rs).
    assert!(!h.events().iter().any(|e| matches!(e, ElizaEvent::Error { .. })));
    // Retried after a backoff delay while still connected.
    let at = h.session.poll_timeout().expect("a retry is scheduled");
    assert!(at > h.now);
    h.advance(at.as_millis() - h.now.as_millis());
    let retry = h.requests();
    assert_eq!(retry.len(), 1);
    // A late answer to the first request does not count as the check.
    h.answer(&request, vec![]);
    assert!(h.emits().is_empty());
    h.answer(&retry[0], vec![]);
    assert_eq!(sends(&h.emits()).len(), 1);
}

#[test]
fn failed_history_is_fetched_again_on_the_next_connect() {
    let mut h = Harness::new();
    h.join_dm();
    h.send(DM, "patience");
    h.session.handle_connected(h.now);
    h.emits();
    h.joined(DM);
    let request = h.requests().remove(0);
    h.session.handle_history(h.now, &request, Err(ElizaError::Network("server down".into())));
    h.session.handle_disconnected();
    h.advance(120_000);
    assert!(h.requests().is_empty(), "no fetch while disconnected");
    h.connect_and_sync(vec![]);
    assert_eq!(sends(&h.emits()).len(), 1);
}

#[test]
fn join_without_confirmation_proceeds_after_the_join_timeout() {
    let mut h = Harness::new();
    h.join_dm();
    h.session.handle_connected(h.now);
    h.emits();
    h.advance(9_999);
    assert!(h.requests().is_empty());
    h.advance(1);
    assert_eq!(h.requests().len(), 1);
}

#[test]
fn outbox_survives_a_restart() {
    let mut h = Harness::with_seed(1);
    h.join_dm();
    let reached_server = h.send(DM, "typed offline");
    h.connect_and_sync(vec![]);
    h.session.handle_disconnected();
    let never_sent = h.send(DM, "typed later");
    assert!(h.events().contains(&ElizaEvent::OutboxChanged));
    let stored = serde_json::to_string(h.session.outbox()).unwrap();

    // A new process: another session, the same user.
    let mut h = Harness::with_seed(2);
    let stored: serde_json::Value = serde_json::from_str(&stored).unwrap();
    let entries = OutboxEntry::list_from_json(&stored, "outbox").unwrap();
    h.session.restore_outbox(h.now, entries.clone());
    h.session.restore_outbox(h.now, entries);
    assert_eq!(h.session.outbox().len(), 2, "restoring twice adds nothing");
    h.join_dm();
    let first =
        stored_user_message("5e7e0000-0000-4000-8000-000000000001", DM, &reached_server, "typed offline", 5);
    h.connect_and_sync(vec![first]);
    let emits = h.emits();
    let resent = sends(&emits);
    assert_eq!(resent.len(), 1, "the one the server has is not sent again");
    assert_eq!(resent[0]["payload"]["messageId"], json!(never_sent));
    assert_eq!(resent[0]["payload"]["message"], "typed later");
}

#[test]
fn restoring_invalid_entries_reports_them() {
    let mut h = Harness::new();
    let bad = OutboxEntry::from_json(
        &json!({"clientMessageId": "nope", "channelId": DM, "text": "x", "createdAt": 0}),
        "outbox[0]",
    )
    .unwrap();
    h.session.restore_outbox(h.now, vec![bad]);
    assert!(h.session.outbox().is_empty());
    assert!(matches!(
        &h.events()[..],
        [ElizaEvent::Error { channel_id: None, error: ElizaError::InvalidArgument(_) }]
    ));
}

#[test]
fn thinking_starts_on_ack_and_ends_with_the_reply() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    h.send(DM, "hi");
    let sent = h.emits().remove(0);
    h.events();
    h.event("messageAck", Harness::ack_for(&sent, "5e7e0000-0000-4000-8000-000000000001"));
    let thinking = ElizaEvent::Thinking { channel_id: DM.into(), agent_id: Some(AGENT.into()), active: true };
    assert!(h.events().contains(&thinking));
    assert!(h.session.is_thinking(DM));
    h.event("messageBroadcast", agent_reply("a0000000-0000-4000-8000-000000000001", DM, "echo: hi", 2_000));
    let events = h.events();
    assert!(matches!(events[0], ElizaEvent::Thinking { active: false, .. }), "{events:?}");
    assert!(matches!(events[1], ElizaEvent::Message { .. }), "{events:?}");
}

#[test]
fn thinking_gives_up_after_its_timeout() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    h.send(DM, "anyone?");
    let sent = h.emits().remove(0);
    h.event("messageAck", Harness::ack_for(&sent, "5e7e0000-0000-4000-8000-000000000001"));
    h.events();
    assert_eq!(h.session.poll_timeout(), Some(Instant::from_millis(h.now.as_millis() + 60_000)));
    h.advance(60_000);
    assert_eq!(
        h.events(),
        [ElizaEvent::Thinking { channel_id: DM.into(), agent_id: Some(AGENT.into()), active: false }]
    );
    assert_eq!(h.session.poll_timeout(), None);
}

#[test]
fn channels_without_an_agent_never_think() {
    let mut h = Harness::new();
    h.join_group(GROUP);
    h.connect_and_sync(vec![]);
    h.send(GROUP, "hi all");
    let sent = h.emits().remove(0);
    h.event("messageAck", Harness::ack_for(&sent, "5e7e0000-0000-4000-8000-000000000001"));
    assert!(!h.events().iter().any(|e| matches!(e, ElizaEvent::Thinking { .. })));
}

#[test]
fn stream_chunks_preview_until_the_final_message() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    h.send(DM, "[stream]");
    let sent = h.emits().remove(0);
    h.event("messageAck", Harness::ack_for(&sent, "5e7e0000-0000-4000-8000-000000000001"));
    h.events();
    let id = "3561fa45-0000-4000-8000-000000000001";
    for (i, chunk) in ["ec", "ho: stre", "amed &lt", ";b&gt;bo"].iter().enumerate() {
        h.event(
            "messageStreamChunk",
            json!({"messageId": id, "chunk": chunk, "index": i,
            "agentId": AGENT, "channelId": DM}),
        );
    }
    let events = h.events();
    assert!(matches!(events[0], ElizaEvent::Thinking { active: false, .. }), "{events:?}");
    let previews: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            ElizaEvent::StreamChunk { text, message_id, .. } if message_id == id => Some(text.as_str()),
            _ => None,
        })
        .collect();
    // Entities are decoded; one split across chunks waits for its end.
    assert_eq!(previews, ["ec", "echo: stre", "echo: streamed ", "echo: streamed <b>bo"]);
    let final_text = "echo: streamed <b>bold</b> & \"q\" [stream]";
    h.event("messageBroadcast", agent_reply(id, DM, final_text, 3_000));
    // A chunk that arrives after the final message is stale.
    h.event("messageStreamChunk", json!({"messageId": id, "chunk": "x", "index": 9, "channelId": DM}));
    let events = h.events();
    assert_eq!(events.len(), 1, "{events:?}");
    let messages = Harness::messages(&events);
    assert_eq!((messages[0].0.id.as_str(), messages[0].0.text.as_str()), (id, final_text));
}

#[test]
fn stream_error_ends_the_preview() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    h.events();
    h.event(
        "messageStreamError",
        json!({"messageId": "m", "channelId": DM, "agentId": AGENT,
        "error": "model failed", "partialText": "ec"}),
    );
    assert_eq!(
        h.events(),
        [ElizaEvent::StreamError {
            channel_id: DM.into(),
            message_id: "m".into(),
            agent_id: Some(AGENT.into()),
            error: "model failed".into(),
            partial_text: Some("ec".into()),
        }]
    );
}

#[test]
fn message_error_fails_the_message_in_flight_and_retry_checks_history_first() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    let id = h.send(DM, "hello");
    h.emits();
    h.events();
    let error = "Error processing your message: db down";
    h.event("messageError", json!({"error": error}));
    let events = h.events();
    assert!(
        matches!(&events[0], ElizaEvent::SendFailed { client_message_id, error: ElizaError::Server { message, .. }, .. }
        if *client_message_id == id && message == error),
        "{events:?}"
    );
    assert!(
        matches!(&h.session.outbox()[0].state, OutboxState::Failed { code, .. } if code == "SERVER_ERROR")
    );
    // The server may have stored it before failing: retry looks in history first.
    h.session.retry(h.now, &id).unwrap();
    assert!(h.emits().is_empty());
    let request = h.requests().remove(0);
    h.answer(&request, vec![]);
    let emits = h.emits();
    assert_eq!(sends(&emits).len(), 1);
    assert_eq!(emits[0]["payload"]["messageId"], json!(id));
    assert_eq!(h.session.retry(h.now, &id).unwrap_err().code(), "INVALID_ARGUMENT", "not failed any more");
}

#[test]
fn message_error_with_nothing_in_flight_is_a_session_error() {
    let mut h = Harness::new();
    h.event(
        "messageError",
        json!({"error": "Access denied: You don't have permission to join this channel"}),
    );
    assert!(matches!(&h.events()[..], [ElizaEvent::Error { channel_id: None, error }]
        if error.to_string().contains("Access denied")));
}

#[test]
fn unconfirmed_message_fails_after_the_ack_timeout_and_a_late_ack_still_wins() {
    let mut h = Harness::new();
    h.join_group(GROUP);
    h.connect_and_sync(vec![]);
    let id = h.send(GROUP, "hello?");
    let sent = h.emits().remove(0);
    h.advance(30_000);
    assert!(h.events().iter().any(|e| matches!(e,
        ElizaEvent::SendFailed { error: ElizaError::Timeout(_), client_message_id, .. } if *client_message_id == id)));
    h.event("messageAck", Harness::ack_for(&sent, "5e7e0000-0000-4000-8000-000000000001"));
    assert!(h.session.outbox().is_empty());
    assert!(h.events().iter().any(|e| matches!(e, ElizaEvent::Ack { .. })));
}

#[test]
fn timed_out_message_is_checked_and_resent_after_the_next_connect() {
    let mut h = Harness::new();
    h.join_group(GROUP);
    h.connect_and_sync(vec![]);
    let id = h.send(GROUP, "hello?");
    h.emits();
    h.advance(30_000);
    assert!(matches!(&h.session.outbox()[0].state, OutboxState::Failed { code, .. } if code == "TIMEOUT"));
    // The connection was dead; it is noticed later.
    h.session.handle_disconnected();
    assert_eq!(h.session.outbox()[0].state, OutboxState::Queued);
    h.connect_and_sync(vec![]);
    let emits = h.emits();
    assert_eq!(sends(&emits).len(), 1);
    assert_eq!(emits[0]["payload"]["messageId"], json!(id));
}

#[test]
fn refused_message_stays_failed_across_reconnects() {
    let mut h = Harness::new();
    h.join_group(GROUP);
    h.connect_and_sync(vec![]);
    h.send(GROUP, "hello");
    h.emits();
    h.event("messageError", json!({"error": "Server 0000 does not exist"}));
    h.session.handle_disconnected();
    h.connect_and_sync(vec![]);
    assert!(sends(&h.emits()).is_empty());
    assert!(
        matches!(&h.session.outbox()[0].state, OutboxState::Failed { code, .. } if code == "SERVER_ERROR")
    );
}

#[test]
fn discard_forgets_a_message() {
    let mut h = Harness::new();
    h.join_dm();
    let id = h.send(DM, "never mind");
    assert_eq!(h.session.discard(&id).map(|e| e.text), Some("never mind".into()));
    assert!(h.session.outbox().is_empty());
    h.connect_and_sync(vec![]);
    assert!(sends(&h.emits()).is_empty());
}

#[test]
fn invalid_arguments_are_refused() {
    let mut h = Harness::new();
    h.join_dm();
    let mut send = |channel: &str, text: &str, options: SendOptions| {
        h.session.send(h.now, channel, text, options).unwrap_err()
    };
    assert_eq!(send(DM, "", SendOptions::default()).code(), "INVALID_ARGUMENT");
    assert_eq!(send(DM, " \n\t ", SendOptions::default()).to_string(), "message text is empty");
    // The limit counts UTF-8 bytes: 50,001 "é" are 100,002 bytes but only 50,001 UTF-16 units.
    let limit = crate::eliza::outbox::MAX_TEXT_BYTES;
    let huge = "é".repeat(limit / 2 + 1);
    let error = send(DM, &huge, SendOptions::default());
    assert_eq!(error.code(), "MESSAGE_TOO_LONG");
    assert_eq!(error, ElizaError::MessageTooLong { bytes: limit + 2, limit });
    assert!(error.to_string().contains("too long"));
    assert!(send(GROUP, "hi", SendOptions::default()).to_string().contains("not joined"));
    assert!(send("general", "hi", SendOptions::default()).to_string().contains("UUID"));
    let bad = SendOptions { attachments: json!("a.png"), metadata: Value::Null };
    assert_eq!(send(DM, "hi", bad).code(), "INVALID_ARGUMENT");
    let bad = SendOptions { attachments: Value::Null, metadata: json!([1]) };
    assert_eq!(send(DM, "hi", bad).code(), "INVALID_ARGUMENT");

    let join = |channel: &str, agent: Option<&str>, dm: bool| JoinOptions {
        channel_id: channel.into(),
        agent_id: agent.map(str::to_owned),
        dm,
        since: None,
        history: true,
    };
    assert!(h.session.join(h.now, join("x", None, false)).is_err());
    assert!(h.session.join(h.now, join(GROUP, Some("agent"), false)).is_err());
    assert!(h.session.join(h.now, join(GROUP, None, true)).is_err());
    assert!(h.session.set_message_server_id("default").is_err());
    assert!(Session::new(SessionConfig::new("me", "Me"), 0).is_err());
    assert!(h.session.outbox().is_empty());
    assert!(
        h.session.send(h.now, DM, &"x".repeat(limit), SendOptions::default()).is_ok(),
        "exactly the limit is accepted"
    );
}

#[test]
fn ids_are_compared_in_canonical_form() {
    let mut h = Harness::new();
    let upper = DM.to_uppercase();
    let options = JoinOptions {
        channel_id: upper.clone(),
        agent_id: Some(AGENT.to_uppercase()),
        dm: true,
        since: None,
        history: true,
    };
    h.session.join(h.now, options).unwrap();
    assert!(h.session.is_joined(DM));
    h.connect_and_sync(vec![]);
    h.events();
    h.event("messageBroadcast", agent_reply("a0000000-0000-4000-8000-000000000001", &upper, "hi", 5));
    assert_eq!(Harness::messages(&h.events())[0].0.channel_id, DM);
}

#[test]
fn hostile_text_passes_through_unchanged() {
    let hostile = "<img src=x onerror=alert(1)> &amp; {{x}} \"q\" 'q'\n🙂  ";
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    h.send(DM, hostile);
    let sent = h.emits().remove(0);
    assert_eq!(sent["payload"]["message"], hostile);
    let (echo, _) = h.echo(&sent, 10);
    h.event("messageBroadcast", echo);
    h.event("messageBroadcast", agent_reply("a0000000-0000-4000-8000-000000000001", DM, hostile, 20));
    let events = h.events();
    for (message, _) in Harness::messages(&events) {
        assert_eq!(message.text, hostile);
        let json = serde_json::to_value(&message).unwrap();
        assert_eq!(json["text"], hostile);
    }
}

#[test]
fn other_channel_events_are_reported() {
    let mut h = Harness::new();
    h.join_dm();
    h.connect_and_sync(vec![]);
    h.events();
    h.event("messageDeleted", json!({"messageId": "m1", "channelId": DM}));
    h.event("channelCleared", json!({"channelId": DM}));
    h.event("channelDeleted", json!({"channelId": DM}));
    h.event("messageComplete", json!({"channelId": DM}));
    h.event("controlMessage", json!({"action": "disable_input", "roomId": DM}));
    h.event("authenticated", json!({"entityId": USER}));
    // What these events teach about the release is tested in compat.rs.
    let events: Vec<ElizaEvent> =
        h.events().into_iter().filter(|e| !matches!(e, ElizaEvent::ServerInfo { .. })).collect();
    assert_eq!(
        events,
        [
            ElizaEvent::MessageDeleted { channel_id: DM.into(), message_id: "m1".into() },
            ElizaEvent::ChannelCleared { channel_id: DM.into() },
            ElizaEvent::ChannelDeleted { channel_id: DM.into() },
            ElizaEvent::Complete { channel_id: DM.into() },
            ElizaEvent::Control {
                channel_id: DM.into(),
                action: Some("disable_input".into()),
                payload: json!({"action": "disable_input", "roomId": DM}),
            },
        ]
    );
}

#[test]
fn events_serialize_for_javascript() {
    let event = ElizaEvent::Ack {
        channel_id: DM.into(),
        client_message_id: "c".into(),
        message_id: "m".into(),
        via: AckVia::History,
        status: None,
    };
    assert_eq!(
        serde_json::to_value(&event).unwrap(),
        json!({"type": "ack", "channelId": DM, "clientMessageId": "c", "messageId": "m", "via": "history",
            "status": null})
    );
    assert_eq!(serde_json::to_value(ElizaEvent::OutboxChanged).unwrap(), json!({"type": "outboxChanged"}));
}
