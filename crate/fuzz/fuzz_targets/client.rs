//! The connection state machine under an arbitrary sequence of inputs: frames from a hostile
//! server, transport failures, user calls and clock jumps. It must never panic and must keep
//! its own invariants.
#![no_main]

use core::time::Duration;

use eliza_socketio::client::{BadFrame, Client, Config, Emit, Endpoint, Io, Native, TransportId};
use eliza_socketio::time::Instant;
use eliza_socketio::TransportKind;
use libfuzzer_sys::fuzz_target;

const FRAMES: &[&str] = &[
    r#"0{"sid":"s","upgrades":["websocket"],"pingInterval":100,"pingTimeout":50,"maxPayload":20}"#,
    r#"40{"sid":"a"}"#,
    r#"40/admin,{"sid":"b","pid":"p"}"#,
    r#"42["e",1]"#,
    r#"420["q"]"#,
    "430[1]",
    r#"451-["b",{"_placeholder":true,"num":0}]"#,
    "461-0[]",
    r#"44{"message":"no","data":{"x":1}}"#,
    "41",
    "2",
    "3probe",
    "6",
    "1",
];

fuzz_target!(|data: &[u8]| {
    let transports = match data.first().map(|b| b % 3) {
        Some(0) => vec![TransportKind::WebSocket],
        Some(1) => vec![TransportKind::Polling],
        _ => vec![TransportKind::Polling, TransportKind::WebSocket],
    };
    let config = Config {
        transports,
        retries: u32::from(data.get(1).copied().unwrap_or(0) % 3),
        ack_timeout: Some(Duration::from_millis(30)),
        // Small limits, so that every cap and the CONNECT timeout are reached.
        timeout: Some(Duration::from_millis(60)),
        max_message_size: data.get(1).filter(|b| **b & 4 != 0).map(|b| usize::from(*b) / 2),
        max_early_events: 2,
        max_buffered_emits: Some(3),
        max_retry_queue: Some(2),
        ..Config::default()
    };
    let endpoint = Endpoint::new("http", "localhost", Some(1)).unwrap();
    let mut c: Client<Native> = Client::new(config, endpoint, 7).unwrap();
    let root = c.socket("/", Some("{}".into()));
    let admin = c.socket("/admin", None);
    let mut now = 0u64;
    let mut last: Option<TransportId> = None;
    let mut rest = data.get(2..).unwrap_or_default();
    while let Some((&op, tail)) = rest.split_first() {
        rest = tail;
        let t = Instant::from_millis(now);
        let id = last.unwrap_or(TransportId::from_raw(u64::from(op % 4)));
        match op % 18 {
            0 => c.connect(t, root),
            1 => c.connect(t, admin),
            2 => c.disconnect(t, if op & 16 == 0 { root } else { admin }),
            3 => drop(c.emit(t, root, Emit { data: "[\"x\"]".into(), attachments: vec![], ack: Some(u64::from(op)), timeout: None, volatile: op & 32 != 0, session_only: op & 64 != 0 })),
            4 => drop(c.emit(t, admin, Emit { data: "[\"b\",{\"_placeholder\":true,\"num\":0}]".into(), attachments: vec![vec![op]], ack: None, timeout: Some(Duration::from_millis(5)), volatile: false, session_only: false })),
            5 => c.handle_transport_open(t, id),
            6 => {
                let frame = FRAMES[usize::from(op >> 4) % FRAMES.len()];
                c.handle_text(t, id, frame, true, frame.to_owned());
            }
            7 => {
                // Raw bytes from the input as a frame, whole or as a short prefix.
                let n = usize::from(op >> 4).min(rest.len());
                let frame = String::from_utf8_lossy(&rest[..n]).into_owned();
                rest = &rest[n..];
                let cut = (0..=frame.len().min(8)).rev().find(|i| frame.is_char_boundary(*i)).unwrap_or(0);
                c.handle_text(t, id, &frame[..cut], cut == frame.len(), frame.clone());
            }
            8 => c.handle_binary(t, id, vec![op]),
            9 => {
                let n = usize::from(op >> 4).min(rest.len());
                let body = String::from_utf8_lossy(&rest[..n]).into_owned();
                rest = &rest[n..];
                c.handle_poll_response(t, id, Ok(&body));
            }
            10 => c.handle_post_response(t, id, if op & 16 == 0 { Ok(()) } else { Err("x".into()) }),
            11 => c.handle_transport_close(t, id, "closed".into()),
            12 => c.handle_transport_error(t, id, "error".into()),
            13 => now += u64::from(op) * 37,
            14 => c.close(t),
            15 => {
                let bad = [BadFrame::Empty, BadFrame::InvalidBase64, BadFrame::TooLarge][usize::from(op >> 4) % 3];
                c.handle_bad_frame(t, id, bad);
            }
            16 => c.handle_poll_end(t, id, if op & 16 == 0 { Ok(()) } else { Err("x".into()) }),
            _ => c.send_ack(root, u64::from(op), "[]".into(), vec![]),
        }
        c.handle_timeout(Instant::from_millis(now));
        while let Some(io) = c.poll_io() {
            if let Io::OpenWebSocket { id, .. } | Io::Get { id, .. } = io {
                last = Some(id);
            }
        }
        while c.poll_event().is_some() {}
        if let Some(at) = c.poll_timeout() {
            assert!(at.as_millis() < u64::MAX / 2, "deadline overflow");
        }
    }
});
