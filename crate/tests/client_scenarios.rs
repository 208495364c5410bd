//! The connection state machine, driven on a virtual clock with the test playing the server.

mod support;

use core::time::Duration;

use eliza_socketio::client::{Config, ConnectError, Emit, Event};
use eliza_socketio::TransportKind;
use support::{names, Harness, Net, HANDSHAKE_POLLING, HANDSHAKE_WS};

#[test]
fn websocket_only_handshake_and_connect_with_auth() {
    let mut h = Harness::websocket_only();
    let s = h.client.socket("/", Some(r#"{"entityId":"e-1"}"#.into()));
    h.client.connect(h.now, s);
    let net = h.take_net();
    let [Net::OpenWs(ws, url)] = &net[..] else { panic!("{net:?}") };
    assert_eq!(url, "ws://localhost:3000/socket.io/?EIO=4&transport=websocket");
    h.ws_open(*ws);
    assert!(h.take_net().is_empty(), "the server speaks first");
    h.text(*ws, HANDSHAKE_WS);
    assert_eq!(h.take_net(), vec![Net::SendText(*ws, r#"40{"entityId":"e-1"}"#.into())]);
    assert_eq!(names(&h.take_events()), ["open"]);
    h.text(*ws, r#"40{"sid":"abc"}"#);
    assert_eq!(names(&h.take_events()), ["connect:0"]);
    assert!(h.client.socket_connected(s));
    assert_eq!(h.client.socket_sid(s), Some("abc"));
    assert_eq!(h.client.engine_sid(), Some("S1"));
    assert_eq!(h.client.transport(), Some(TransportKind::WebSocket));
}

#[test]
fn polling_handshake_then_upgrade_to_websocket() {
    let mut h = Harness::new(Config::default());
    let s = h.client.socket("/", None);
    h.client.connect(h.now, s);
    let net = h.take_net();
    let [Net::Get(poll, url)] = &net[..] else { panic!("{net:?}") };
    assert!(url.starts_with("http://localhost:3000/socket.io/?EIO=4&transport=polling&t="), "{url}");
    let poll = *poll;

    h.poll_reply(poll, HANDSHAKE_POLLING);
    let net = h.take_net();
    // CONNECT goes out by POST, the next long-poll starts, and a WebSocket probe opens with the sid.
    assert!(net.contains(&Net::Post(poll, "40".into())), "{net:?}");
    assert!(
        net.iter().any(|n| matches!(n, Net::Get(id, u) if *id == poll && u.contains("sid=S1"))),
        "{net:?}"
    );
    let probe = net
        .iter()
        .find_map(|n| match n {
            Net::OpenWs(id, u) if u == "ws://localhost:3000/socket.io/?EIO=4&transport=websocket&sid=S1" => {
                Some(*id)
            }
            _ => None,
        })
        .expect("a probe with the session id");
    h.post_done(poll);

    h.ws_open(probe);
    assert_eq!(h.take_net(), vec![Net::SendText(probe, "2probe".into())]);
    h.text(probe, "3probe");
    // A GET is still in flight: the switch waits for it.
    assert!(h.take_net().is_empty());
    h.emit(s, r#"["held"]"#, None); // not connected yet: buffered in the socket anyway
                                    // The server releases the pending GET with a noop; now the client switches.
    h.poll_reply(poll, "6");
    let net = h.take_net();
    assert_eq!(net, vec![Net::Close(poll), Net::SendText(probe, "5".into())]);
    assert!(names(&h.take_events()).contains(&"upgrade:websocket".to_string()));
    assert_eq!(h.client.transport(), Some(TransportKind::WebSocket));

    // Everything now flows on the WebSocket.
    h.text(probe, r#"40{"sid":"x"}"#);
    assert_eq!(h.take_net(), vec![Net::SendText(probe, r#"42["held"]"#.into())]);
    h.text(probe, "2");
    assert_eq!(h.take_net(), vec![Net::SendText(probe, "3".into())]);
    // Late callbacks from the old polling transport are ignored.
    h.poll_reply(poll, "1");
    assert!(h.client.is_open());
}

#[test]
fn writes_wait_while_the_upgrade_pauses_polling() {
    let mut h = Harness::new(Config::default());
    let s = h.client.socket("/", None);
    h.client.connect(h.now, s);
    let Net::Get(poll, _) = h.take_net()[0].clone() else { panic!() };
    h.poll_reply(poll, HANDSHAKE_POLLING);
    h.post_done(poll);
    h.poll_reply(poll, r#"40{"sid":"x"}"#);
    let probe = h.last_ws();
    h.ws_open(probe);
    h.text(probe, "3probe");
    h.take_net();
    h.emit(s, r#"["during"]"#, None);
    assert!(h.take_net().is_empty(), "held during the pause");
    h.poll_reply(poll, "6");
    let net = h.take_net();
    assert_eq!(net.last(), Some(&Net::SendText(probe, r#"42["during"]"#.into())), "{net:?}");
}

#[test]
fn failed_probe_keeps_polling() {
    let mut h = Harness::new(Config::default());
    let s = h.client.socket("/", None);
    h.client.connect(h.now, s);
    let Net::Get(poll, _) = h.take_net()[0].clone() else { panic!() };
    h.poll_reply(poll, HANDSHAKE_POLLING);
    let probe = h.last_ws();
    h.take_net();
    h.ws_close(probe);
    assert_eq!(h.take_net(), vec![Net::Close(probe)]);
    assert!(h.client.is_open());
    assert_eq!(h.client.transport(), Some(TransportKind::Polling));
    assert!(names(&h.take_events()).iter().all(|e| !e.starts_with("close")));
}

#[test]
fn polling_batches_writes_while_a_post_is_in_flight() {
    let mut h = Harness::new(Config { upgrade: false, ..Config::default() });
    let s = h.client.socket("/", None);
    h.client.connect(h.now, s);
    let Net::Get(poll, _) = h.take_net()[0].clone() else { panic!() };
    h.poll_reply(poll, HANDSHAKE_POLLING.replace("1000000", "30").as_str());
    h.poll_reply(poll, r#"40{"sid":"x"}"#);
    h.take_net();
    h.emit(s, r#"["a"]"#, None);
    h.emit(s, r#"["b"]"#, None);
    h.emit(s, r#"["c"]"#, None);
    h.emit(s, r#"["d"]"#, None);
    h.take_net();
    // The CONNECT POST is still in flight; once done, the next body holds as much as maxPayload (30) allows.
    h.post_done(poll);
    let posts: Vec<_> = h.take_net().into_iter().filter(|n| matches!(n, Net::Post(..))).collect();
    assert_eq!(posts, vec![Net::Post(poll, "42[\"a\"]\x1e42[\"b\"]\x1e42[\"c\"]".into())]);
    h.post_done(poll);
    let posts: Vec<_> = h.take_net().into_iter().filter(|n| matches!(n, Net::Post(..))).collect();
    assert_eq!(posts, vec![Net::Post(poll, "42[\"d\"]".into())]);
}

#[test]
fn answers_pings_and_detects_a_silent_server() {
    let (mut h, s, ws) = Harness::connected_ws(None);
    h.advance(20_000);
    h.text(ws, "2");
    assert_eq!(h.take_net(), vec![Net::SendText(ws, "3".into())]);
    assert_eq!(names(&h.take_events()), ["ping"]);
    // pingInterval + pingTimeout = 45 s after the last ping, the session is declared dead.
    h.advance(44_999);
    assert!(h.client.socket_connected(s));
    h.advance(2);
    let ev = names(&h.take_events());
    assert_eq!(ev, ["close:ping timeout", "disconnect:0:ping timeout"]);
    assert!(h.take_net().contains(&Net::Close(ws)));
    assert!(h.client.is_reconnecting());
}

#[test]
fn ping_timeout_is_detected_by_the_clock_when_timers_were_frozen() {
    let (mut h, s, ws) = Harness::connected_ws(None);
    // The platform froze timers (background tab, stopped worker): no handle_timeout ran.
    h.freeze_for(60_000);
    h.emit(s, r#"["after-freeze"]"#, None);
    let ev = names(&h.take_events());
    assert_eq!(ev, ["close:ping timeout", "disconnect:0:ping timeout"]);
    // The emit was not written on the dead transport: it waits for the next connection.
    let net = h.take_net();
    assert!(!net.iter().any(|n| matches!(n, Net::SendText(id, _) if *id == ws)), "{net:?}");
    assert_eq!(h.client.socket_pending(s), 1);
    h.advance(6_000);
    let ws2 = h.last_ws();
    h.ws_open(ws2);
    h.text(ws2, HANDSHAKE_WS);
    h.text(ws2, r#"40{"sid":"again"}"#);
    assert!(h.take_net().contains(&Net::SendText(ws2, r#"42["after-freeze"]"#.into())));
}

#[test]
fn reconnects_with_growing_jittered_delays_and_flushes_the_buffer() {
    let (mut h, s, ws) = Harness::connected_ws(None);
    h.ws_close(ws);
    assert_eq!(names(&h.take_events()), ["close:transport close", "disconnect:0:transport close"]);
    h.emit(s, r#"["while-offline"]"#, None);
    assert!(!h.take_net().iter().any(|n| matches!(n, Net::SendText(..))));

    let mut delays = Vec::new();
    for attempt in 1..=4u32 {
        let before = h.now;
        let at = h.client.poll_timeout().expect("a reconnection is scheduled");
        delays.push(at.saturating_duration_since(before).as_millis() as u64);
        h.advance(at.saturating_duration_since(before).as_millis() as u64);
        assert_eq!(names(&h.take_events()), [format!("reconnect_attempt:{attempt}")]);
        let ws = h.last_ws();
        h.client.handle_transport_error(h.now, ws, "refused".into());
        h.pump();
        assert_eq!(names(&h.take_events()), ["error:TRANSPORT_ERROR", "connect_error:0", "reconnect_error"]);
    }
    // 1000·2^n capped at 5000, each ±50 %.
    for (n, d) in delays.iter().enumerate() {
        let base = (1000u64 << n).min(5000);
        assert!(*d >= base / 2 && *d <= (base * 3 / 2).min(5000), "attempt {n}: {d} ms vs base {base}");
    }
    let at = h.client.poll_timeout().unwrap();
    h.advance(at.saturating_duration_since(h.now).as_millis() as u64);
    let ws = h.accept_ws("back");
    let ev = names(&h.take_events());
    assert_eq!(ev, ["reconnect_attempt:5", "open", "reconnect:5", "connect:0"]);
    let net = h.take_net();
    assert!(net.contains(&Net::SendText(ws, r#"42["while-offline"]"#.into())), "{net:?}");
    assert_eq!(h.client.socket_pending(s), 0);
    // After success the backoff starts over.
    h.ws_close(ws);
    let at = h.client.poll_timeout().unwrap();
    assert!(at.saturating_duration_since(h.now) <= Duration::from_millis(1500));
}

#[test]
fn gives_up_after_reconnection_attempts() {
    let config =
        Config { transports: vec![TransportKind::WebSocket], reconnection_attempts: 2, ..Config::default() };
    let mut h = Harness::new(config);
    let s = h.client.socket("/", None);
    h.client.connect(h.now, s);
    h.pump();
    for _ in 0..3 {
        let ws = h.last_ws();
        h.client.handle_transport_error(h.now, ws, "refused".into());
        h.pump();
        h.advance(10_000);
    }
    let ev = names(&h.take_events());
    assert_eq!(ev.iter().filter(|e| e.starts_with("reconnect_attempt")).count(), 2, "{ev:?}");
    assert_eq!(ev.last().map(String::as_str), Some("reconnect_failed"), "{ev:?}");
    assert_eq!(h.client.poll_timeout(), None, "nothing more scheduled");
}

#[test]
fn connect_timeout_reports_and_retries() {
    let config = Config {
        transports: vec![TransportKind::WebSocket],
        timeout: Some(Duration::from_millis(3000)),
        randomization_factor: 0.0,
        ..Config::default()
    };
    let mut h = Harness::new(config);
    let s = h.client.socket("/", None);
    h.client.connect(h.now, s);
    h.pump();
    let ws = h.last_ws();
    h.advance(3000);
    assert_eq!(names(&h.take_events()), ["error:CONNECT_TIMEOUT", "connect_error:0"]);
    assert!(h.take_net().contains(&Net::Close(ws)));
    h.advance(1000);
    assert_eq!(names(&h.take_events()), ["reconnect_attempt:1"]);
}

#[test]
fn server_disconnect_does_not_reconnect() {
    let (mut h, s, ws) = Harness::connected_ws(None);
    h.text(ws, "41");
    assert_eq!(names(&h.take_events()), ["disconnect:0:io server disconnect", "close:forced close"]);
    assert!(!h.client.socket_active(s));
    h.advance(60_000);
    assert!(h.take_events().is_empty());
    assert!(!h.take_net().iter().any(|n| matches!(n, Net::OpenWs(..))));
    // A manual connect starts over.
    h.client.connect(h.now, s);
    assert!(matches!(h.take_net()[..], [Net::OpenWs(..)]));
}

#[test]
fn client_disconnect_sends_disconnect_and_closes() {
    let (mut h, s, ws) = Harness::connected_ws(None);
    h.client.disconnect(h.now, s);
    let net = h.take_net();
    assert_eq!(net, vec![Net::SendText(ws, "41".into()), Net::Close(ws)]);
    assert_eq!(names(&h.take_events()), ["disconnect:0:io client disconnect", "close:forced close"]);
    assert_eq!(h.client.poll_timeout(), None);
}

#[test]
fn acknowledgements_both_ways() {
    let (mut h, s, ws) = Harness::connected_ws(None);
    h.emit(s, r#"["q",1]"#, Some(7));
    assert_eq!(h.take_net(), vec![Net::SendText(ws, r#"420["q",1]"#.into())]);
    h.text(ws, r#"430["answer"]"#);
    assert_eq!(names(&h.take_events()), [r#"ack:7:["answer"]"#]);
    // Answered twice: ignored.
    h.text(ws, r#"430["again"]"#);
    assert!(h.take_events().is_empty());

    // The server asks for an acknowledgement.
    h.text(ws, r#"4212["ask",{"x":1}]"#);
    assert_eq!(names(&h.take_events()), [r#"message:0:["ask",{"x":1}]:ack12"#]);
    h.client.send_ack(s, 12, r#"["ok"]"#.into(), vec![]);
    assert_eq!(h.take_net(), vec![Net::SendText(ws, r#"4312["ok"]"#.into())]);
}

#[test]
fn ack_timeouts_and_disconnects_settle_every_callback() {
    let (mut h, s, ws) = Harness::connected_ws(None);
    let timed = Emit {
        data: r#"["slow"]"#.into(),
        attachments: vec![],
        ack: Some(1),
        timeout: Some(Duration::from_millis(500)),
        volatile: false,
        session_only: false,
    };
    h.emit_with(s, timed);
    h.emit(s, r#"["other"]"#, Some(2));
    h.advance(499);
    assert!(h.take_events().is_empty());
    h.advance(1);
    assert_eq!(names(&h.take_events()), ["ack:1:ACK_TIMEOUT"]);
    // A late answer for a timed-out ack is ignored.
    h.text(ws, r#"430["late"]"#);
    assert!(h.take_events().is_empty());
    h.ws_close(ws);
    let ev = names(&h.take_events());
    assert_eq!(ev, ["close:transport close", "disconnect:0:transport close", "ack:2:DISCONNECTED"]);
}

#[test]
fn acks_of_buffered_emits_survive_a_disconnect() {
    let (mut h, s, ws) = Harness::connected_ws(None);
    h.ws_close(ws);
    h.take_events();
    h.emit(s, r#"["buffered"]"#, Some(5));
    h.advance(10_000);
    let ws = h.accept_ws("b");
    assert!(h.take_net().contains(&Net::SendText(ws, r#"420["buffered"]"#.into())));
    h.text(ws, r#"430[true]"#);
    assert!(names(&h.take_events()).contains(&"ack:5:[true]".to_string()));
}

#[test]
fn binary_packets_both_ways() {
    let (mut h, s, ws) = Harness::connected_ws(None);
    h.text(ws, r#"452-["files",{"_placeholder":true,"num":0},{"n":[{"_placeholder":true,"num":1}]}]"#);
    assert!(h.take_events().is_empty(), "waits for both attachments");
    h.binary(ws, &[1, 2]);
    h.binary(ws, &[3]);
    let ev = h.take_events();
    let [Event::Message { data, attachments, .. }] = &ev[..] else { panic!("{ev:?}") };
    assert!(data.starts_with(r#"["files""#));
    assert_eq!(attachments, &vec![vec![1, 2], vec![3]]);

    let emit = Emit {
        data: r#"["up",{"_placeholder":true,"num":0}]"#.into(),
        attachments: vec![vec![9, 9]],
        ack: Some(3),
        timeout: None,
        volatile: false,
        session_only: false,
    };
    h.emit_with(s, emit);
    assert_eq!(
        h.take_net(),
        vec![
            Net::SendText(ws, r#"451-0["up",{"_placeholder":true,"num":0}]"#.into()),
            Net::SendBinary(ws, vec![9, 9])
        ]
    );
    h.text(ws, r#"461-0[{"_placeholder":true,"num":0}]"#);
    h.binary(ws, &[7]);
    let ev = h.take_events();
    assert!(
        matches!(&ev[..], [Event::AckResponse { ack: 3, result: Ok((_, att)), .. }] if att == &vec![vec![7]]),
        "{ev:?}"
    );
}

#[test]
fn binary_over_polling_uses_base64() {
    let mut h = Harness::new(Config { upgrade: false, ..Config::default() });
    let s = h.client.socket("/", None);
    h.client.connect(h.now, s);
    let Net::Get(poll, _) = h.take_net()[0].clone() else { panic!() };
    h.poll_reply(poll, HANDSHAKE_POLLING);
    h.post_done(poll);
    h.take_events();
    h.poll_reply(poll, "40{\"sid\":\"x\"}\x1e451-[\"b\",{\"_placeholder\":true,\"num\":0}]\x1ebAQID");
    let ev = h.take_events();
    assert!(
        matches!(&ev[..], [Event::Connect { .. }, Event::Message { attachments, .. }] if attachments == &vec![vec![1, 2, 3]]),
        "{ev:?}"
    );
    h.take_net();
    let emit = Emit {
        data: r#"["b",{"_placeholder":true,"num":0}]"#.into(),
        attachments: vec![vec![255]],
        ack: None,
        timeout: None,
        volatile: false,
        session_only: false,
    };
    h.emit_with(s, emit);
    assert_eq!(
        h.take_net(),
        vec![Net::Post(poll, "451-[\"b\",{\"_placeholder\":true,\"num\":0}]\x1eb/w==".into())]
    );
}

#[test]
fn two_namespaces_share_one_session() {
    let (mut h, root, ws) = Harness::connected_ws(None);
    let admin = h.client.socket("/admin", Some(r#"{"token":"t"}"#.into()));
    h.client.connect(h.now, admin);
    assert_eq!(h.take_net(), vec![Net::SendText(ws, r#"40/admin,{"token":"t"}"#.into())]);
    h.text(ws, r#"40/admin,{"sid":"a1"}"#);
    assert_eq!(names(&h.take_events()), ["connect:1"]);
    h.text(ws, r#"42/admin,["only-admin"]"#);
    h.text(ws, r#"42["only-root"]"#);
    h.text(ws, r#"42/unknown,["nobody"]"#);
    assert_eq!(names(&h.take_events()), [r#"message:1:["only-admin"]"#, r#"message:0:["only-root"]"#]);
    h.emit(admin, r#"["x"]"#, Some(1));
    assert_eq!(h.take_net(), vec![Net::SendText(ws, r#"42/admin,0["x"]"#.into())]);
    // Leaving one namespace keeps the session for the other.
    h.client.disconnect(h.now, admin);
    assert_eq!(h.take_net(), vec![Net::SendText(ws, "41/admin,".into())]);
    assert!(h.client.is_open() && h.client.socket_connected(root));
}

#[test]
fn connect_error_carries_the_server_data() {
    let mut h = Harness::websocket_only();
    let s = h.client.socket("/private", None);
    h.client.connect(h.now, s);
    h.pump();
    let ws = h.open_ws();
    h.take_events();
    h.text(ws, r#"44/private,{"message":"not authorized","data":{"reason":"bad token"}}"#);
    let ev = h.take_events();
    match &ev[0] {
        Event::ConnectError { error: ConnectError::Refused { message, data }, .. } => {
            assert_eq!(message, "not authorized");
            assert_eq!(data.as_deref(), Some(r#"{"reason":"bad token"}"#));
        }
        other => panic!("{other:?}"),
    }
    assert!(!h.client.socket_active(s));
    assert_eq!(names(&ev[1..]), ["close:forced close"], "no socket left: the session closes");
    h.advance(30_000);
    assert!(h.take_events().is_empty(), "a refused socket does not retry by itself");
}

#[test]
fn malformed_frames_become_errors_then_reconnect() {
    for (frame, code) in [
        ("4x", "error:PROTOCOL_ERROR"),
        ("42{}", "error:PROTOCOL_ERROR"),
        ("42[\"connect\"]", "error:PROTOCOL_ERROR"),
        ("9garbage", "error:PROTOCOL_ERROR"),
        ("", "error:PROTOCOL_ERROR"),
        ("451-[\"x\"]\u{0}", "error:PROTOCOL_ERROR"),
    ] {
        let (mut h, s, ws) = Harness::connected_ws(None);
        h.text(ws, frame);
        if frame.starts_with("451-") {
            // A text frame where an attachment was expected.
            h.text(ws, "42[\"x\"]");
        }
        let ev = names(&h.take_events());
        assert_eq!(ev.first().map(String::as_str), Some(code), "{frame:?}: {ev:?}");
        assert!(ev.iter().any(|e| e.starts_with("disconnect:0:")), "{frame:?}: {ev:?}");
        assert!(h.client.is_reconnecting(), "{frame:?}");
        assert!(!h.client.socket_connected(s));
    }
    let (mut h, _, ws) = Harness::connected_ws(None);
    h.binary(ws, &[1]);
    assert_eq!(names(&h.take_events())[..2], ["error:PROTOCOL_ERROR", "close:parse error"]);
}

#[test]
fn long_headers_fall_back_to_the_whole_frame() {
    let (mut h, s, ws) = Harness::connected_ws(None);
    let nsp = format!("/{}", "n".repeat(100));
    let other = h.client.socket(&nsp, None);
    h.client.connect(h.now, other);
    h.take_net();
    let frame = format!("40{nsp},{{\"sid\":\"q\"}}");
    // The driver passes only the first 20 characters.
    h.client.handle_text(h.now, ws, &frame[..20], false, frame.clone());
    h.pump();
    assert_eq!(names(&h.take_events()), ["connect:1"]);
    let name = "e".repeat(80);
    let frame = format!("42[\"{name}\",1]");
    h.client.handle_text(h.now, ws, &frame[..20], false, frame.clone());
    h.pump();
    assert_eq!(names(&h.take_events()), [format!("message:0:[\"{name}\",1]")]);
    assert!(h.client.socket_connected(s));
}

#[test]
fn connection_state_recovery_sends_pid_and_offset() {
    let (mut h, s, ws) = Harness::connected_ws(Some(r#"{"k":1}"#));
    // Reconnect into a server that enables recovery.
    h.ws_close(ws);
    h.advance(10_000);
    let ws = h.open_ws();
    h.text(ws, r#"40{"sid":"s1","pid":"P"}"#);
    assert!(h.client.socket_tracks_offsets(s));
    assert!(!h.client.socket_recovered(s));
    h.client.record_offset(s, "off-9".into());
    h.ws_close(ws);
    h.advance(10_000);
    let ws = h.open_ws();
    assert!(h.take_net().contains(&Net::SendText(ws, r#"40{"pid":"P","offset":"off-9","k":1}"#.into())));
    // A recovering server replays missed events *before* its CONNECT answer.
    h.take_events();
    h.text(ws, r#"42["missed",1,"off-10"]"#);
    assert!(h.take_events().is_empty(), "held until connected");
    h.text(ws, r#"40{"sid":"s1","pid":"P"}"#);
    assert!(h.client.socket_recovered(s));
    assert_eq!(names(&h.take_events()), [r#"message:0:["missed",1,"off-10"]"#, "connect:0"]);
}

#[test]
fn retry_queue_resends_until_acknowledged_in_order() {
    let config = Config {
        transports: vec![TransportKind::WebSocket],
        retries: 2,
        ack_timeout: Some(Duration::from_millis(1000)),
        ..Config::default()
    };
    let mut h = Harness::new(config);
    let s = h.client.socket("/", None);
    h.client.connect(h.now, s);
    h.pump();
    let ws = h.accept_ws("x");
    h.take_net();
    h.take_events();
    h.emit(s, r#"["first"]"#, Some(1));
    h.emit(s, r#"["second"]"#, Some(2));
    // One at a time.
    assert_eq!(h.take_net(), vec![Net::SendText(ws, r#"420["first"]"#.into())]);
    h.advance(1000);
    assert_eq!(h.take_net(), vec![Net::SendText(ws, r#"421["first"]"#.into())], "retried");
    h.text(ws, "431[\"ok\"]");
    assert_eq!(names(&h.take_events()), [r#"ack:1:["ok"]"#]);
    assert_eq!(h.take_net(), vec![Net::SendText(ws, r#"422["second"]"#.into())]);
    h.advance(1000);
    h.advance(1000);
    h.advance(1000);
    assert_eq!(names(&h.take_events()), ["ack:2:ACK_TIMEOUT"], "gave up after 2 retries");
    assert_eq!(h.take_net().len(), 2, "two retries were sent");
    assert_eq!(h.client.socket_pending(s), 0);
}

#[test]
fn retry_queue_survives_reconnection() {
    let config = Config { transports: vec![TransportKind::WebSocket], retries: 1, ..Config::default() };
    let mut h = Harness::new(config);
    let s = h.client.socket("/", None);
    h.client.connect(h.now, s);
    h.pump();
    let ws = h.accept_ws("x");
    h.emit(s, r#"["important"]"#, None);
    h.ws_close(ws);
    h.advance(10_000);
    let ws = h.accept_ws("y");
    let sent: Vec<_> = h
        .take_net()
        .into_iter()
        .filter(|n| matches!(n, Net::SendText(id, t) if *id == ws && t.contains("important")))
        .collect();
    assert_eq!(sent.len(), 1, "re-sent exactly once after reconnecting: {sent:?}");
}

#[test]
fn volatile_emits_are_dropped_when_not_writable() {
    let (mut h, s, ws) = Harness::connected_ws(None);
    h.ws_close(ws);
    h.emit_with(
        s,
        Emit {
            data: r#"["v"]"#.into(),
            attachments: vec![],
            ack: None,
            timeout: None,
            volatile: true,
            session_only: false,
        },
    );
    assert_eq!(h.client.socket_pending(s), 0);
    h.advance(10_000);
    h.accept_ws("y");
    assert!(!h.take_net().iter().any(|n| matches!(n, Net::SendText(_, t) if t.contains("\"v\""))));
}

#[test]
fn closing_stops_everything() {
    let (mut h, s, ws) = Harness::connected_ws(None);
    h.client.close(h.now);
    assert_eq!(h.take_net(), vec![Net::Close(ws)]);
    assert_eq!(names(&h.take_events()), ["close:forced close", "disconnect:0:forced close"]);
    h.advance(100_000);
    assert!(h.take_events().is_empty());
    assert!(h.client.poll_timeout().is_none());
    // The socket still wants to be connected: connect() reopens.
    assert!(h.client.socket_active(s));
    h.client.connect(h.now, s);
    assert!(matches!(h.take_net()[..], [Net::OpenWs(..)]));
}

#[test]
fn outgoing_notifications_when_enabled() {
    let (mut h, s, _) = Harness::connected_ws(None);
    h.emit(s, r#"["quiet"]"#, None);
    assert!(h.take_events().is_empty());
    h.client.set_notify_outgoing(s, true);
    h.emit(s, r#"["loud"]"#, None);
    assert_eq!(names(&h.take_events()), [r#"sent:["loud"]"#]);
}

#[test]
fn stale_transport_callbacks_are_ignored() {
    let (mut h, s, ws) = Harness::connected_ws(None);
    h.ws_close(ws);
    h.take_events();
    h.text(ws, r#"42["ghost"]"#);
    h.ws_close(ws);
    h.client.handle_transport_error(h.now, ws, "late".into());
    h.pump();
    assert!(h.take_events().is_empty());
    assert!(!h.client.socket_connected(s));
}

#[test]
fn session_only_emits_are_never_kept_for_the_next_connection() {
    let (mut h, s, ws) = Harness::connected_ws(None);
    let once = |data: &str| Emit {
        data: data.into(),
        attachments: vec![],
        ack: None,
        timeout: None,
        volatile: false,
        session_only: true,
    };
    h.emit_with(s, once(r#"["now"]"#));
    assert_eq!(h.take_net(), vec![Net::SendText(ws, r#"42["now"]"#.into())]);
    h.ws_close(ws);
    h.emit_with(s, once(r#"["later"]"#));
    assert_eq!(h.client.socket_pending(s), 0, "dropped, not buffered");
    // Also when the session turns out to be dead only at the time of the emit.
    let (mut h, s, ws) = Harness::connected_ws(None);
    h.freeze_for(60_000);
    h.emit_with(s, once(r#"["stale"]"#));
    assert_eq!(h.client.socket_pending(s), 0);
    assert!(!h.take_net().iter().any(|n| matches!(n, Net::SendText(id, _) if *id == ws)));
}

#[test]
fn retry_now_skips_the_remaining_delay() {
    let (mut h, _, ws) = Harness::connected_ws(None);
    h.ws_close(ws);
    h.take_events();
    h.take_net();
    assert!(h.client.reconnect_at().is_some());
    h.client.retry_now(h.now);
    h.pump();
    assert_eq!(names(&h.take_events()), ["reconnect_attempt:1"]);
    assert!(matches!(h.take_net()[..], [Net::OpenWs(..)]));
    assert!(h.client.reconnect_at().is_none());
    // Nothing scheduled: a no-op.
    h.client.retry_now(h.now);
    assert!(h.take_events().is_empty());
}
