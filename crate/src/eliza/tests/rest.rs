//! REST URLs and parsers, on the bodies a real 1.7.2 server answered.

use super::*;
use crate::eliza::{ElizaError, HistoryPath, MessageContext};

#[test]
fn urls_are_joined_and_encoded() {
    assert_eq!(api::agents_url("http://127.0.0.1:3000/"), "http://127.0.0.1:3000/api/agents");
    assert_eq!(
        api::message_server_url("https://eliza.example/base"),
        "https://eliza.example/base/api/messaging/message-server/current"
    );
    assert_eq!(
        api::dm_channel_url("http://h:1", USER, &AGENT.to_uppercase()).unwrap(),
        format!("http://h:1/api/messaging/dm-channel?currentUserId={USER}&targetUserId={AGENT}")
    );
    assert_eq!(
        api::channel_messages_url("http://h:1", HistoryPath::Channels, DM, 50, Some(1_795_639_773_075))
            .unwrap(),
        format!("http://h:1/api/messaging/channels/{DM}/messages?limit=50&before=1795639773075")
    );
    assert_eq!(
        api::channel_messages_url("http://h:1", HistoryPath::CentralChannels, DM, 20, None).unwrap(),
        format!("http://h:1/api/messaging/central-channels/{DM}/messages?limit=20")
    );
    // Ids are checked, so nothing else can reach the path or the query.
    assert_eq!(
        api::channel_messages_url("http://h", HistoryPath::Channels, "../agents?x=", 1, None)
            .unwrap_err()
            .code(),
        "INVALID_ARGUMENT"
    );
    assert!(api::dm_channel_url("http://h", USER, "a&b=c").is_err());
}

#[test]
fn unauthorized_says_the_api_key_is_missing_or_wrong() {
    let body = r#"{"error":"API key required","message":"Missing or invalid X-API-KEY header"}"#;
    let error = api::parse_agents(401, body).unwrap_err();
    assert_eq!(error.code(), "UNAUTHORIZED");
    let text = error.to_string();
    assert!(text.contains("API key is missing or wrong"), "{text}");
    assert!(text.contains("API key required: Missing or invalid X-API-KEY header"), "{text}");
    assert_eq!(api::parse_agents(403, "Forbidden").unwrap_err().code(), "UNAUTHORIZED");
}

#[test]
fn agents_list() {
    let body = r#"{"success":true,"data":{"agents":[
        {"id":"e738c7d8-9afb-0a9a-8b54-8496f7ce7ca8","name":"Echo","characterName":"Echo","bio":"Repeats you.","status":"active"},
        {"id":"0fcb11d8-c3d4-0126-b6cc-39b23c2f21a9","name":"Parrot","characterName":"Parrot","bio":"","status":"inactive"},
        {"name":"ghost"}]}}"#;
    let agents = api::parse_agents(200, body).unwrap();
    assert_eq!(
        agents,
        [
            api::Agent {
                id: AGENT.into(),
                name: "Echo".into(),
                character_name: Some("Echo".into()),
                bio: Some("Repeats you.".into()),
                status: "active".into(),
            },
            api::Agent {
                id: "0fcb11d8-c3d4-0126-b6cc-39b23c2f21a9".into(),
                name: "Parrot".into(),
                character_name: Some("Parrot".into()),
                bio: None,
                status: "inactive".into(),
            },
        ]
    );
    assert!(agents[0].is_active() && !agents[1].is_active());
    let json = serde_json::to_value(&agents[0]).unwrap();
    assert_eq!(json["characterName"], "Echo");
}

#[test]
fn message_server_and_dm_channel() {
    let body = r#"{"success":true,"data":{"messageServerId":"00000000-0000-0000-0000-000000000000"}}"#;
    assert_eq!(api::parse_message_server_id(200, body).unwrap(), SERVER);
    let body = format!(
        r#"{{"success":true,"data":{{"id":"{DM}","messageServerId":"{SERVER}","name":"DM-{USER}-{AGENT}",
        "type":"DM","metadata":{{"user1":"{USER}","user2":"{AGENT}"}},"createdAt":"2026-11-25T20:49:33.075Z",
        "updatedAt":"2026-11-25T20:49:33.075Z"}}}}"#
    );
    let channel = api::parse_dm_channel(200, &body).unwrap();
    assert_eq!(
        channel,
        api::DmChannel {
            id: DM.into(),
            message_server_id: SERVER.into(),
            name: format!("DM-{USER}-{AGENT}"),
            channel_type: "DM".into(),
        }
    );
    assert_eq!(serde_json::to_value(&channel).unwrap()["type"], "DM");
}

#[test]
fn history_maps_stored_messages() {
    let context =
        MessageContext { channel_id: DM.into(), entity_id: USER.into(), agent_id: Some(AGENT.into()) };
    let client_id = "62580c1a-0000-4000-8000-000000000001";
    let text = "hello <img src=x onerror=alert(1)> …";
    let body = json!({"success": true, "data": {"messages": [
        stored_agent_reply("60365d59-0000-4000-8000-000000000001", DM, &format!("echo: {text}"), 1_795_639_773_175,
            "b72dcf61-0000-4000-8000-000000000001"),
        stored_user_message("b72dcf61-0000-4000-8000-000000000001", DM, client_id, text, 1_795_639_773_075),
        {"content": "no id"},
    ]}})
    .to_string();
    let page = api::parse_history(200, &body, &context).unwrap();
    assert_eq!(page.len(), 2);
    let (reply, user) = (&page[0], &page[1]);
    assert_eq!(user.text, text);
    assert_eq!(user.sender_id, USER);
    assert_eq!(user.sender_name, "Tester");
    assert_eq!(user.created_at, Some(1_795_639_773_075));
    assert_eq!(user.source.as_deref(), Some("eliza-socketio"));
    assert_eq!(user.client_message_id.as_deref(), Some(client_id));
    assert!(user.own && !user.from_agent);
    assert_eq!(reply.sender_name, "Echo");
    assert_eq!(reply.thought.as_deref(), Some("Echo the message back."));
    assert_eq!(reply.actions, ["REPLY"]);
    assert_eq!(reply.client_message_id, None);
    assert!(reply.from_agent && !reply.own);
    assert_eq!(reply.channel_id, DM);
}

#[test]
fn history_without_created_at_millis_reads_the_iso_date() {
    let context = MessageContext { channel_id: DM.into(), entity_id: USER.into(), agent_id: None };
    let mut entry = stored_user_message("b72dcf61-0000-4000-8000-000000000001", DM, "not-a-uuid", "x", 0);
    entry.as_object_mut().unwrap().remove("created_at");
    entry["rawMessage"].as_object_mut().unwrap().remove("messageId");
    let body = json!({"success": true, "data": {"messages": [entry]}}).to_string();
    let page = api::parse_history(200, &body, &context).unwrap();
    assert_eq!(page[0].created_at, Some(1_795_639_773_075));
    assert_eq!(page[0].client_message_id, None, "a server-made sourceId is not a client id");
}

#[test]
fn server_errors_carry_the_servers_message() {
    let cases = [
        (500, r#"{"success":false,"error":"Failed to fetch messages"}"#, "Failed to fetch messages"),
        (
            500,
            r#"{"success":false,"error":{"code":"DB_ERROR","message":"Database not available"}}"#,
            "Database not available",
        ),
        (400, r#"{"success":false,"error":"Invalid channelId"}"#, "Invalid channelId"),
        (200, r#"{"success":false,"error":"Cannot create DM channel with oneself"}"#, "oneself"),
        (502, "<html>Bad Gateway</html>", "Bad Gateway"),
    ];
    for (status, body, expected) in cases {
        let error = api::parse_dm_channel(status, body).unwrap_err();
        assert_eq!(error.code(), "SERVER_ERROR", "{body}");
        assert!(error.to_string().contains(expected), "{error}");
    }
    let error = api::parse_agents(
        404,
        r#"{"success":false,"error":{"code":"NOT_FOUND","message":"Agent not found"}}"#,
    )
    .unwrap_err();
    assert_eq!(error, ElizaError::NotFound { detail: "Agent not found".into() });
}

#[test]
fn unreadable_answers_are_bad_responses() {
    let context = MessageContext { channel_id: DM.into(), entity_id: USER.into(), agent_id: None };
    for body in ["", "<html>", "[]", r#"{"success":true}"#, r#"{"success":true,"data":{"messages":{}}}"#] {
        let error = api::parse_history(200, body, &context).unwrap_err();
        assert_eq!(error.code(), "BAD_RESPONSE", "{body}");
    }
    let error =
        api::parse_message_server_id(200, r#"{"success":true,"data":{"messageServerId":"x"}}"#).unwrap_err();
    assert_eq!(error.code(), "BAD_RESPONSE");
    let long = "x".repeat(10_000);
    assert!(api::parse_agents(200, &long).unwrap_err().to_string().len() < 400, "long bodies are cut");
}
