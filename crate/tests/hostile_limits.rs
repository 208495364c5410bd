//! A hostile or broken server against the limits of the state machine, on a virtual clock:
//! handshake ping settings, the CONNECT timeout, the caps on received messages and early
//! events, the optional caps on the offline buffer and the retry queue, and bounded reads of
//! frames the header prefix does not cover.

mod support;

use core::time::Duration;

use eliza_socketio::client::{BadFrame, Config, ConnectError, Event, MAX_CONTROL_PACKET};
use eliza_socketio::TransportKind;
use support::{names, Harness, Net, HANDSHAKE_POLLING, HANDSHAKE_WS};

fn ws_config(config: Config) -> Config {
    Config { transports: vec![TransportKind::WebSocket], ..config }
}

/// A websocket-only client with `config`, connected to `/`.
fn connected(
    config: Config,
) -> (Harness, eliza_socketio::client::SocketId, eliza_socketio::client::TransportId) {
    let mut h = Harness::new(ws_config(config));
    let s = h.client.socket("/", None);
    h.client.connect(h.now, s);
    h.pump();
    let ws = h.accept_ws("sock1");
    assert!(h.client.socket_connected(s));
    h.net.clear();
    h.events.clear();
    (h, s, ws)
}

fn error_codes(events: &[Event<eliza_socketio::client::Native>]) -> Vec<&'static str> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Error(e) => Some(e.code()),
            Event::ConnectError { error: ConnectError::Connection(e), .. } => Some(e.code()),
            _ => None,
        })
        .collect()
}

#[test]
fn handshake_ping_settings_of_zero_or_absurd_size_are_refused() {
    for (interval, timeout) in
        [("0", "20000"), ("25000", "0"), ("1000000000000000", "20000"), ("25000", "1e15")]
    {
        let mut h = Harness::websocket_only();
        let s = h.client.socket("/", None);
        h.client.connect(h.now, s);
        h.pump();
        let ws = h.last_ws();
        h.ws_open(ws);
        let handshake = format!(
            r#"0{{"sid":"S1","upgrades":[],"pingInterval":{interval},"pingTimeout":{timeout},"maxPayload":1000000}}"#
        );
        h.text(ws, &handshake);
        let events = h.take_events();
        assert_eq!(
            error_codes(&events)[..1],
            ["PROTOCOL_ERROR"],
            "{interval}/{timeout}: {:?}",
            names(&events)
        );
        assert!(!names(&events).contains(&"open".to_string()), "no session opened");
        assert!(h.take_net().contains(&Net::Close(ws)));
        assert!(h.client.reconnect_at().is_some(), "reconnection follows as after any failed open");
    }
}

#[test]
fn a_connect_answer_that_never_comes_times_out() {
    let config = ws_config(Config { timeout: Some(Duration::from_millis(5_000)), ..Config::default() });
    let mut h = Harness::new(config);
    let root = h.client.socket("/", None);
    let admin = h.client.socket("/admin", None);
    h.client.connect(h.now, root);
    h.client.connect(h.now, admin);
    h.pump();
    let ws = h.accept_ws("r1"); // "/" is answered, "/admin" never is
    h.take_events();
    h.advance(4_999);
    assert!(h.take_events().is_empty(), "still waiting");
    h.advance(1);
    let events = h.take_events();
    assert_eq!(names(&events), ["connect_error:1"]);
    assert_eq!(error_codes(&events), ["CONNECT_TIMEOUT"]);
    assert!(!h.client.socket_active(admin), "the socket gives up, as after a refusal");
    assert!(h.client.socket_connected(root), "the other namespace is untouched");
    // A late answer is ignored.
    h.text(ws, r#"40/admin,{"sid":"late"}"#);
    assert!(!h.client.socket_connected(admin));

    // Alone on its connection, the socket's timeout closes the session.
    let mut h =
        Harness::new(ws_config(Config { timeout: Some(Duration::from_millis(1_000)), ..Config::default() }));
    let s = h.client.socket("/", None);
    h.client.connect(h.now, s);
    h.pump();
    let ws = h.open_ws();
    h.take_events();
    h.advance(1_000);
    assert_eq!(names(&h.take_events()), ["connect_error:0", "close:forced close"]);
    assert!(h.take_net().contains(&Net::Close(ws)));
    assert!(h.client.is_idle());
}

#[test]
fn without_timeout_the_connect_answer_is_awaited() {
    let mut h = Harness::new(ws_config(Config { timeout: None, ..Config::default() }));
    let s = h.client.socket("/", None);
    h.client.connect(h.now, s);
    h.pump();
    let ws = h.open_ws();
    for _ in 0..10 {
        h.advance(20_000);
        h.text(ws, "2");
    }
    assert!(error_codes(&h.take_events()).is_empty());
    h.text(ws, r#"40{"sid":"x"}"#);
    assert!(h.client.socket_connected(s));
}

#[test]
fn events_before_the_connect_answer_are_capped() {
    let config = ws_config(Config { max_early_events: 3, ..Config::default() });
    let mut h = Harness::new(config.clone());
    let s = h.client.socket("/", None);
    h.client.connect(h.now, s);
    h.pump();
    let ws = h.open_ws();
    h.take_events();
    for i in 0..3 {
        h.text(ws, &format!(r#"42["early",{i}]"#));
    }
    h.text(ws, r#"40{"sid":"x"}"#);
    let events = names(&h.take_events());
    assert_eq!(
        events,
        [r#"message:0:["early",0]"#, r#"message:0:["early",1]"#, r#"message:0:["early",2]"#, "connect:0"]
    );

    let mut h = Harness::new(config);
    let s = h.client.socket("/", None);
    h.client.connect(h.now, s);
    h.pump();
    let ws = h.open_ws();
    h.take_events();
    for i in 0..4 {
        h.text(ws, &format!(r#"42["early",{i}]"#));
    }
    let events = h.take_events();
    assert_eq!(error_codes(&events), ["TOO_LARGE", "TOO_LARGE"], "{:?}", names(&events));
    assert!(names(&events).contains(&"close:transport error".to_string()), "{:?}", names(&events));
    assert!(h.take_net().contains(&Net::Close(ws)));
    assert!(h.client.reconnect_at().is_some(), "then the normal reconnection");
    assert!(h.client.socket_active(s));
}

#[test]
fn default_early_event_cap_is_generous() {
    assert_eq!(Config::default().max_early_events, 1_000);
    let mut h = Harness::websocket_only();
    let s = h.client.socket("/", None);
    h.client.connect(h.now, s);
    h.pump();
    let ws = h.open_ws();
    for i in 0..1_000 {
        h.client.handle_text(h.now, ws, "42[\"e\",", false, format!(r#"42["e",{i}]"#));
    }
    h.text(ws, r#"40{"sid":"x"}"#);
    let events = h.take_events();
    assert_eq!(events.iter().filter(|e| matches!(e, Event::Message { .. })).count(), 1_000);
}

#[test]
fn a_message_over_max_message_size_is_a_transport_error() {
    let (mut h, s, ws) = connected(Config { max_message_size: Some(100), ..Config::default() });
    let fits = format!(r#"42["e","{}"]"#, "x".repeat(100 - 10));
    assert_eq!(fits.len(), 100);
    h.text(ws, &fits);
    assert_eq!(names(&h.take_events()).len(), 1, "a message of exactly the limit is delivered");
    let over = format!(r#"42["e","{}"]"#, "x".repeat(100 - 9));
    h.client.handle_text(h.now, ws, &over[..10], false, over.clone());
    h.pump();
    let events = h.take_events();
    assert_eq!(names(&events), ["error:TOO_LARGE", "close:transport error", "disconnect:0:transport error"]);
    assert!(h.client.reconnect_at().is_some(), "then the normal reconnection");
    assert!(h.client.socket_active(s));
}

#[test]
fn max_message_size_counts_utf8_bytes_and_attachments() {
    // The handshake itself counts too: the limits here leave room for it.
    let (mut h, _, ws) = connected(Config { max_message_size: Some(200), ..Config::default() });
    h.text(ws, &format!(r#"42["{}"]"#, "€".repeat(64))); // 70 characters, 198 bytes
    assert_eq!(names(&h.take_events()).len(), 1);
    h.text(ws, &format!(r#"42["{}"]"#, "€".repeat(65))); // 71 characters, 201 bytes
    assert_eq!(error_codes(&h.take_events()), ["TOO_LARGE"]);

    let (mut h, _, ws) = connected(Config { max_message_size: Some(200), ..Config::default() });
    h.text(ws, r#"451-["b",{"_placeholder":true,"num":0}]"#);
    assert!(h.take_events().is_empty(), "waiting for the attachment");
    h.binary(ws, &[7; 201]);
    assert_eq!(error_codes(&h.take_events()), ["TOO_LARGE"]);
}

#[test]
fn max_message_size_applies_to_polling_records_and_growing_ones() {
    let config = Config { max_message_size: Some(150), upgrade: false, ..Config::default() };
    let mut h = Harness::new(config.clone());
    let s = h.client.socket("/", None);
    h.client.connect(h.now, s);
    let Net::Get(poll, _) = h.take_net()[0].clone() else { panic!() };
    h.poll_reply(poll, HANDSHAKE_POLLING);
    h.post_done(poll);
    h.poll_reply(poll, &format!("40{{\"sid\":\"x\"}}\x1e42[\"a\"]\x1e42[\"{}\"]", "y".repeat(160)));
    let events = h.take_events();
    assert_eq!(
        names(&events)[1..4],
        ["connect:0", r#"message:0:["a"]"#, "error:TOO_LARGE"],
        "{:?}",
        names(&events)
    );
    assert!(h.client.reconnect_at().is_some());

    // A driver streaming a body reports a record still growing past the limit.
    let mut h = Harness::new(config);
    let s = h.client.socket("/", None);
    h.client.connect(h.now, s);
    let Net::Get(poll, _) = h.take_net()[0].clone() else { panic!() };
    h.poll_reply(poll, HANDSHAKE_POLLING);
    h.take_events();
    h.client.handle_bad_frame(h.now, poll, BadFrame::TooLarge);
    h.pump();
    assert_eq!(error_codes(&h.take_events())[0], "TOO_LARGE");
    assert!(h.take_net().contains(&Net::Close(poll)));
    assert!(h.client.reconnect_at().is_some());
}

#[test]
fn records_fed_one_by_one_then_poll_end_work_like_a_whole_body() {
    let mut h = Harness::new(Config { upgrade: false, ..Config::default() });
    let s = h.client.socket("/", None);
    h.client.connect(h.now, s);
    let Net::Get(poll, _) = h.take_net()[0].clone() else { panic!() };
    h.text(poll, HANDSHAKE_POLLING);
    assert!(h.take_net().iter().all(|n| !matches!(n, Net::Get(..))), "no new GET before the body ends");
    h.client.handle_poll_end(h.now, poll, Ok(()));
    h.pump();
    assert!(h.take_net().iter().any(|n| matches!(n, Net::Get(..))), "the next long-poll");
    h.post_done(poll);
    h.text(poll, r#"40{"sid":"x"}"#);
    for i in 0..100_000 {
        h.client.handle_text(h.now, poll, "42[\"t\",", false, format!(r#"42["t",{i}]"#));
    }
    h.client.handle_poll_end(h.now, poll, Ok(()));
    h.pump();
    let events = h.take_events();
    assert_eq!(events.iter().filter(|e| matches!(e, Event::Message { .. })).count(), 100_000);
    assert!(h.client.socket_connected(s));

    // Bad records reported by the driver are protocol errors.
    for (bad, code) in [(BadFrame::Empty, "PROTOCOL_ERROR"), (BadFrame::InvalidBase64, "PROTOCOL_ERROR")] {
        let mut h = Harness::new(Config { upgrade: false, ..Config::default() });
        let s = h.client.socket("/", None);
        h.client.connect(h.now, s);
        let Net::Get(poll, _) = h.take_net()[0].clone() else { panic!() };
        h.poll_reply(poll, HANDSHAKE_POLLING);
        h.take_events();
        h.client.handle_bad_frame(h.now, poll, bad);
        h.pump();
        assert_eq!(error_codes(&h.take_events())[0], code);
        assert!(h.client.reconnect_at().is_some());
    }
}

#[test]
fn a_large_event_is_delivered_untouched() {
    let (mut h, _, ws) = connected(Config::default());
    let big = format!(r#"42["big","{}"]"#, "z".repeat(20 * 1024 * 1024));
    h.client.handle_text(h.now, ws, &big[..64], false, big.clone());
    h.pump();
    let events = h.take_events();
    let [Event::Message { data, .. }] = &events[..] else { panic!("{:?}", names(&events)) };
    assert_eq!(data.len(), big.len() - 2);
}

#[test]
fn long_connect_answers_are_read_beyond_the_header_prefix() {
    let mut h = Harness::websocket_only();
    let s = h.client.socket("/admin", None);
    h.client.connect(h.now, s);
    h.pump();
    let ws = h.open_ws();
    let answer = r#"40/admin,{"sid":"0123456789abcdefghij","pid":"klmnopqrstuvwxyz0123"}"#;
    assert!(answer.len() > 64);
    h.client.handle_text(h.now, ws, &answer[..64], false, answer.to_owned());
    h.pump();
    assert!(h.client.socket_connected(s), "{:?}", names(&h.take_events()));
    assert_eq!(h.client.socket_sid(s), Some("0123456789abcdefghij"));
    assert!(h.client.socket_tracks_offsets(s));
}

#[test]
fn control_packets_longer_than_the_bound_are_protocol_errors() {
    let (mut h, _, ws) = connected(Config::default());
    let ping = format!("2{}", "p".repeat(MAX_CONTROL_PACKET));
    h.client.handle_text(h.now, ws, &ping[..64], false, ping.clone());
    h.pump();
    assert_eq!(error_codes(&h.take_events()), ["PROTOCOL_ERROR"]);
    assert!(h.client.reconnect_at().is_some());

    let (mut h, s, ws) = connected(Config::default());
    let long_nsp = format!("42/{},[\"e\"]", "n".repeat(5_000));
    h.client.handle_text(h.now, ws, &long_nsp[..64], false, long_nsp.clone());
    h.pump();
    assert_eq!(error_codes(&h.take_events()), ["PROTOCOL_ERROR"]);
    assert!(h.client.socket_active(s));
}

#[test]
fn the_offline_buffer_and_the_retry_queue_have_optional_caps() {
    assert_eq!(Config::default().max_buffered_emits, None, "unbounded by default, as socket.io-client");
    assert_eq!(Config::default().max_retry_queue, None);

    let mut h = Harness::new(ws_config(Config { max_buffered_emits: Some(2), ..Config::default() }));
    let s = h.client.socket("/", None);
    h.try_emit(s, r#"["a"]"#, None).unwrap();
    h.try_emit(s, r#"["b"]"#, None).unwrap();
    let err = h.try_emit(s, r#"["c"]"#, Some(7)).unwrap_err();
    assert_eq!(err.code(), "BUFFER_FULL");
    assert_eq!(h.client.socket_pending(s), 2, "the refused emit left nothing behind");
    h.client.connect(h.now, s);
    h.pump();
    let ws = h.accept_ws("x");
    let sent: Vec<_> = h.take_net().into_iter().filter(|n| matches!(n, Net::SendText(..))).collect();
    assert_eq!(sent[1..], [Net::SendText(ws, r#"42["a"]"#.into()), Net::SendText(ws, r#"42["b"]"#.into())]);
    for _ in 0..5 {
        h.try_emit(s, r#"["live"]"#, None).expect("connected emits are never buffered");
    }

    let config = ws_config(Config {
        retries: 1,
        ack_timeout: Some(Duration::from_millis(1000)),
        max_retry_queue: Some(2),
        ..Config::default()
    });
    let (mut h, s, _) = connected(config);
    h.try_emit(s, r#"["q1"]"#, None).unwrap();
    h.try_emit(s, r#"["q2"]"#, None).unwrap();
    assert_eq!(h.try_emit(s, r#"["q3"]"#, None).unwrap_err().code(), "BUFFER_FULL");
    assert_eq!(h.client.socket_pending(s), 2);
}

#[test]
fn a_polling_handshake_with_bad_ping_settings_is_refused_too() {
    let mut h = Harness::new(Config::default());
    let s = h.client.socket("/", None);
    h.client.connect(h.now, s);
    let Net::Get(poll, _) = h.take_net()[0].clone() else { panic!() };
    h.poll_reply(poll, r#"0{"sid":"S1","upgrades":[],"pingInterval":0,"pingTimeout":0}"#);
    let events = h.take_events();
    assert_eq!(error_codes(&events)[0], "PROTOCOL_ERROR");
    assert!(h.client.reconnect_at().is_some());
    let _ = HANDSHAKE_WS;
}

#[test]
fn a_ping_flood_over_polling_queues_one_pong() {
    let mut h = Harness::new(Config { upgrade: false, ..Config::default() });
    let s = h.client.socket("/", None);
    h.client.connect(h.now, s);
    let Net::Get(poll, _) = h.take_net()[0].clone() else { panic!() };
    h.poll_reply(poll, HANDSHAKE_POLLING);
    h.take_net(); // the CONNECT POST is in flight: writes wait for it
    let pings = vec!["2"; 10_000].join("\x1e");
    h.poll_reply(poll, &pings);
    assert_eq!(h.take_events().iter().filter(|e| matches!(e, Event::Ping)).count(), 10_000);
    h.post_done(poll);
    let posts: Vec<_> = h.take_net().into_iter().filter(|n| matches!(n, Net::Post(..))).collect();
    assert_eq!(posts, [Net::Post(poll, "3".into())], "one pong answers them all");
}
