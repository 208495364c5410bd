//! Random and malformed input must never panic the session.

use serde_json::{json, Map, Value};

use super::*;
use crate::rng::Rng;

const EVENTS: [&str; 19] = [
    "userJoined",
    "userLeft",
    "userTyping",
    "messageBroadcast",
    "message",
    "message_broadcast",
    "messageAck",
    "messageError",
    "messageStreamChunk",
    "messageStreamError",
    "messageComplete",
    "controlMessage",
    "messageDeleted",
    "channelCleared",
    "channelDeleted",
    "channel_joined",
    "room_joined",
    "authenticated",
    "unknown",
];

const KEYS: [&str; 18] = [
    "userId",
    "isTyping",
    "id",
    "channelId",
    "roomId",
    "senderId",
    "text",
    "createdAt",
    "clientMessageId",
    "messageId",
    "chunk",
    "index",
    "error",
    "updatedAt",
    "attachments",
    "actions",
    "source",
    "status",
];

fn random_string(rng: &mut Rng) -> Value {
    let choices =
        [DM, GROUP, USER, AGENT, "", "x", "2026-11-25T20:49:33.075Z", "\u{0}\u{ffff}", "9999999999999999999"];
    json!(choices[(rng.next_u64() % choices.len() as u64) as usize])
}

fn random_value(rng: &mut Rng, depth: u32) -> Value {
    match rng.next_u64() % if depth > 3 { 6 } else { 8 } {
        0 => Value::Null,
        1 => json!(rng.next_u64() & 1 == 0),
        2 => json!(rng.next_u64() as i64),
        3 => json!(rng.next_f64() * 1e300 - 5e299),
        4 | 5 => random_string(rng),
        6 => Value::Array((0..rng.next_u64() % 4).map(|_| random_value(rng, depth + 1)).collect()),
        _ => {
            let mut object = Map::new();
            for _ in 0..rng.next_u64() % 8 {
                let key = KEYS[(rng.next_u64() % KEYS.len() as u64) as usize];
                object.insert(key.into(), random_value(rng, depth + 1));
            }
            Value::Object(object)
        }
    }
}

#[test]
fn random_payloads_never_panic() {
    let mut rng = Rng::new(7);
    let mut h = Harness::new();
    h.join_dm();
    h.join_group(GROUP);
    h.connect_and_sync(vec![]);
    for round in 0..20_000u64 {
        let name = EVENTS[(rng.next_u64() % EVENTS.len() as u64) as usize];
        let payload = random_value(&mut rng, 0);
        h.event(name, payload);
        match round % 97 {
            0 => {
                let _ = h.session.send(h.now, DM, "x", SendOptions::default());
            }
            1 => h.session.handle_disconnected(),
            2 => h.connect_and_sync(vec![random_value(&mut rng, 0), random_value(&mut rng, 0)]),
            3 => h.advance(rng.next_u64() % 100_000),
            4 | 5 => {
                let _ = h.session.typing(h.now, GROUP, round % 2 == 0);
            }
            6 => {
                let reply = random_value(&mut rng, 0);
                h.session.handle_emit_ack(h.now, USER, &reply);
            }
            7 => {
                let facts = crate::eliza::ConnectionFacts {
                    server_url: "http://127.0.0.1:3000".into(),
                    server_era: "unknown".into(),
                    state: "connected".into(),
                    transport: None,
                    socket_id: None,
                    handshake: crate::eliza::Handshake::Pending,
                };
                let report = h.session.diagnostics_report(h.now, facts);
                assert!(report.recent_events.len() <= crate::eliza::diagnostics::RECENT_EVENTS);
            }
            _ => {}
        }
        h.emits();
        h.requests();
        h.events();
    }
}

#[test]
fn random_history_bodies_never_panic() {
    let mut rng = Rng::new(11);
    let context = h_context();
    for _ in 0..5_000 {
        let body = json!({"success": true, "data": {"messages": [random_value(&mut rng, 0), random_value(&mut rng, 0)]}});
        let _ = api::parse_history(200, &body.to_string(), &context);
        let data = random_value(&mut rng, 0);
        let body = json!({"success": true, "data": data}).to_string();
        let _ = api::parse_agents(200, &body);
        let _ = api::parse_dm_channel(200, &body);
        let _ = api::parse_message_server_id(200, &body);
        let status = (rng.next_u64() % 600) as u16;
        let _ = api::check_response(status, &random_value(&mut rng, 0).to_string());
    }
}

fn h_context() -> crate::eliza::MessageContext {
    crate::eliza::MessageContext {
        channel_id: DM.into(),
        entity_id: USER.into(),
        agent_id: Some(AGENT.into()),
    }
}
