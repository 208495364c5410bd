//! The Rust API (feature `rust-api`) in real Chromium and Firefox pages, against real
//! socket.io 4.8 servers (spawned through tests/fixtures/sio-control.mjs) and a real ElizaOS
//! server (tests/fixtures/eliza.mjs). Run by `node tests/run.mjs rustapi`, which starts both and
//! compiles their addresses in (`SIO_CONTROL_URL`, `ELIZA_URL`).
#![cfg(target_arch = "wasm32")]

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use eliza_socketio::rust_api::{
    AckError, Args, DisconnectReason, ElizaClient, ElizaEvent, EventStream, Manager, ManagerEvent,
    SocketEvent,
};
use eliza_socketio::TransportKind;
use futures_util::future::{select, Either};
use futures_util::StreamExt;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const CONTROL: Option<&str> = option_env!("SIO_CONTROL_URL");
const ELIZA: Option<&str> = option_env!("ELIZA_URL");

#[wasm_bindgen(module = "/tests/rust_api/control.js")]
extern "C" {
    #[wasm_bindgen(js_name = spawnServer)]
    fn spawn_server(control: &str, options: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = serverAction)]
    fn server_action(control: &str, id: &str, action: &str, body: Option<String>) -> js_sys::Promise;
    #[wasm_bindgen(js_name = serverClients)]
    fn server_clients(control: &str, id: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = disposeServer)]
    fn dispose_server(control: &str, id: &str) -> js_sys::Promise;
    fn sleep(ms: u32) -> js_sys::Promise;
}

fn control() -> &'static str {
    CONTROL.expect("SIO_CONTROL_URL must name the control server (run: node tests/run.mjs rustapi)")
}

async fn text(promise: js_sys::Promise) -> String {
    match JsFuture::from(promise).await {
        Ok(v) => v.as_string().unwrap_or_default(),
        Err(e) => panic!("control server: {e:?}"),
    }
}

/// A socket.io server of the control server, deleted when dropped.
struct Server {
    id: String,
    url: String,
}

impl Server {
    async fn spawn(options: Value) -> Server {
        let v: Value =
            serde_json::from_str(&text(spawn_server(control(), &options.to_string())).await).unwrap();
        Server {
            id: v["id"].to_string().trim_matches('"').to_owned(),
            url: v["url"].as_str().unwrap().to_owned(),
        }
    }

    async fn action(&self, action: &str, body: Option<Value>) {
        text(server_action(control(), &self.id, action, body.map(|b| b.to_string()))).await;
    }

    async fn clients(&self) -> Vec<Value> {
        serde_json::from_str(&text(server_clients(control(), &self.id)).await).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let id = self.id.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = JsFuture::from(dispose_server(control(), &id)).await;
        });
    }
}

async fn pause(ms: u32) {
    let _ = JsFuture::from(sleep(ms)).await;
}

/// The next item of `stream` that `pick` accepts, within `ms` (a test failure otherwise).
async fn wait_for<T, R>(
    stream: &mut EventStream<T>,
    ms: u32,
    what: &str,
    mut pick: impl FnMut(T) -> Option<R>,
) -> R
where
    T: core::fmt::Debug + 'static,
{
    let deadline = js_sys::Date::now() + f64::from(ms);
    loop {
        let left = (deadline - js_sys::Date::now()).max(0.0) as u32;
        let timeout = Box::pin(JsFuture::from(sleep(left)));
        match select(stream.next(), timeout).await {
            Either::Left((Some(item), _)) => {
                if let Some(found) = pick(item) {
                    return found;
                }
            }
            Either::Left((None, _)) => panic!("the stream ended while waiting for {what}"),
            Either::Right(_) => panic!("timed out waiting for {what}"),
        }
    }
}

async fn next_message(
    stream: &mut EventStream<SocketEvent>,
    event: &str,
) -> eliza_socketio::rust_api::Message {
    wait_for(stream, 5000, event, |e| match e {
        SocketEvent::Message(m) if m.event() == event => Some(m),
        _ => None,
    })
    .await
}

async fn connected(stream: &mut EventStream<SocketEvent>) {
    wait_for(stream, 5000, "connect", |e| matches!(e, SocketEvent::Connect).then_some(())).await
}

fn fast_reconnect(url: &str, transports: &[TransportKind]) -> Manager {
    Manager::builder(url)
        .transports(transports)
        .reconnection_delay(Duration::from_millis(50))
        .reconnection_delay_max(Duration::from_millis(50))
        .build()
        .expect("valid options")
}

#[wasm_bindgen_test]
async fn emit_on_and_stream_over_websocket_and_polling() {
    for transport in [TransportKind::WebSocket, TransportKind::Polling] {
        let server = Server::spawn(json!({})).await;
        let manager = fast_reconnect(&server.url, &[transport]);
        let socket = manager.socket("/");
        let mut events = socket.events();
        let echoes = Rc::new(RefCell::new(Vec::new()));
        let seen = echoes.clone();
        let _echo = socket.on("echo", move |m| seen.borrow_mut().push(m.args().clone()));
        connected(&mut events).await;
        assert!(socket.connected());
        assert_eq!(manager.transport(), Some(transport));
        let welcome = next_message(&mut events, "welcome").await;
        assert_eq!(welcome.arg::<Value>(0).unwrap()["nsp"], "/");
        assert_eq!(welcome.arg::<Value>(0).unwrap()["id"].as_str(), socket.id().as_deref());

        let sent = Args::new().arg(&json!({"text": "héllo", "n": 1})).unwrap().arg(&"two").unwrap();
        socket.emit("echo", sent.clone()).unwrap();
        let echo = next_message(&mut events, "echo").await;
        assert_eq!(echo.args(), &sent, "{transport:?}");
        assert_eq!(echo.arg::<String>(1).unwrap(), "two");
        assert_eq!(*echoes.borrow(), vec![sent], "the handler saw the same event");
    }
}

#[wasm_bindgen_test]
async fn acknowledgements_both_ways_and_timeouts() {
    let server = Server::spawn(json!({})).await;
    let socket = fast_reconnect(&server.url, &[TransportKind::WebSocket]).socket("/");
    let mut events = socket.events();
    connected(&mut events).await;

    let reply: Value = socket.emit_with_ack("ack", &json!({"x": [1, 2]})).await.unwrap();
    assert_eq!(reply, json!({"x": [1, 2]}));
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Point {
        x: i32,
        y: i32,
    }
    let point: Point = socket.emit_with_ack("ack", &json!({"x": 3, "y": 4})).await.unwrap();
    assert_eq!(point, Point { x: 3, y: 4 });
    let wrong = socket.emit_with_ack::<Point>("ack", &"not a point").await;
    assert!(matches!(wrong, Err(AckError::InvalidReply(_))), "{wrong:?}");
    let all = socket
        .emit_with_ack_args("ack", Args::new().arg(&1).unwrap().arg(&"b").unwrap(), Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(all.values(), &[json!(1), json!("b")]);

    // Nobody answers "nothing-here": the core's ack timer fails the wait.
    let late = socket.emit_with_ack_timeout::<Value>("nothing-here", (), Duration::from_millis(200)).await;
    assert_eq!(late, Err(AckError::Timeout));
    assert_eq!(late.unwrap_err().code(), "ACK_TIMEOUT");

    // The server asks (emitWithAck "question"); the handler answers; the server reports it.
    let _answer = socket.on("question", |m| {
        let asked: String = m.arg(0).unwrap();
        assert!(m.wants_ack());
        m.ack(&json!({ "answer": format!("{asked}!") })).unwrap();
        assert!(!m.wants_ack());
        assert!(m.ack(()).is_err(), "a second answer is refused");
    });
    socket.emit("ask", "why").unwrap();
    let answer = next_message(&mut events, "answer").await;
    assert_eq!(answer.arg::<Value>(0).unwrap(), json!({"answer": "why!"}));
}

#[wasm_bindgen_test]
async fn binary_arguments_both_ways() {
    for transport in [TransportKind::WebSocket, TransportKind::Polling] {
        let server = Server::spawn(json!({})).await;
        let socket = fast_reconnect(&server.url, &[transport]).socket("/");
        let mut events = socket.events();
        connected(&mut events).await;
        let bytes: Vec<u8> = (0..=255).collect();
        socket.emit("echo", Args::new().arg(&"file.bin").unwrap().bytes(bytes.clone())).unwrap();
        let echo = next_message(&mut events, "echo").await;
        assert_eq!(echo.arg::<String>(0).unwrap(), "file.bin");
        assert_eq!(echo.args().bytes_at(1), Some(&bytes[..]), "{transport:?}");
        assert_eq!(echo.args().bytes_at(0), None);

        let reply = socket
            .emit_with_ack_args("ack", Args::new().bytes(vec![9, 8, 7]), Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(reply.bytes_at(0), Some(&[9u8, 8, 7][..]));
        // Binary from the server side.
        server.action("emit", Some(json!({"event": "blob", "args": ["AAEC"], "binaryArgs": [0]}))).await;
        let blob = next_message(&mut events, "blob").await;
        assert_eq!(blob.args().bytes_at(0).map(<[u8]>::to_vec), Some(vec![0, 1, 2]));
    }
}

#[wasm_bindgen_test]
async fn namespaces_auth_and_connect_errors() {
    let server = Server::spawn(json!({})).await;
    let manager = fast_reconnect(&server.url, &[TransportKind::WebSocket]);
    let main = manager.socket("/");
    let admin = manager.socket("admin");
    let private = manager.socket("/private");
    let (mut main_events, mut admin_events, mut private_events) =
        (main.events(), admin.events(), private.events());
    let refused = Rc::new(RefCell::new(None));
    let seen = refused.clone();
    let _refusal = private.on_connect_error(move |e| *seen.borrow_mut() = Some(e.clone()));
    connected(&mut main_events).await;
    connected(&mut admin_events).await;
    assert_eq!(admin.nsp(), "/admin");
    let welcome = next_message(&mut admin_events, "welcome").await;
    assert_eq!(welcome.arg::<Value>(0).unwrap()["nsp"], "/admin");

    let error = wait_for(&mut private_events, 5000, "connect_error", |e| match e {
        SocketEvent::ConnectError(e) => Some(e),
        _ => None,
    })
    .await;
    assert_eq!(error.code(), "CONNECT_REFUSED");
    assert_eq!(error.message(), "not authorized");
    assert_eq!(error.data(), Some(&json!({"reason": "bad token"})));
    assert_eq!(refused.borrow().as_ref(), Some(&error), "the typed handler saw it too");
    assert!(!private.connected());

    // One connection carries both namespaces.
    let clients = server.clients().await;
    assert_eq!(clients.iter().filter(|c| c["nsp"] == "/" || c["nsp"] == "/admin").count(), 2, "{clients:?}");

    let other = fast_reconnect(&server.url, &[TransportKind::WebSocket]);
    let allowed = other.socket_with_auth("/private", &json!({"token": "secret"})).unwrap();
    let mut allowed_events = allowed.events();
    connected(&mut allowed_events).await;
    let welcome = next_message(&mut allowed_events, "welcome").await;
    assert_eq!(welcome.arg::<Value>(0).unwrap()["auth"], json!({"token": "secret"}));
}

#[wasm_bindgen_test]
async fn bad_input_gets_clear_errors() {
    let built = Manager::builder("ftp://example.com").build();
    assert_eq!(built.err().map(|e| e.code()), Some("INVALID_URL"));
    let built = Manager::builder("http://127.0.0.1:1").randomization_factor(2.0).build();
    let error = built.expect_err("refused");
    assert_eq!(error.code(), "INVALID_OPTION");
    assert!(error.to_string().contains("randomizationFactor"), "{error}");
    let built = Manager::builder("http://127.0.0.1:1").transports(&[]).build();
    assert_eq!(built.err().map(|e| e.code()), Some("INVALID_OPTION"));

    let manager = Manager::builder("http://127.0.0.1:1").auto_connect(false).build().unwrap();
    assert_eq!(manager.socket_with_auth("/", &"a string").err().map(|e| e.code()), Some("INVALID_OPTION"));
    let socket = manager.socket("/");
    let reserved = socket.emit("disconnect", ());
    assert_eq!(reserved.err().map(|e| e.code()), Some("INVALID_ARGUMENT"));
    let refused = socket.emit_with_ack::<Value>("connect", ()).await;
    assert!(matches!(&refused, Err(AckError::Refused(_))), "{refused:?}");
    let mut map = std::collections::HashMap::new();
    map.insert(vec![1u8], 1);
    let unserializable = socket.emit_with_ack::<Value>("x", &map).await;
    assert!(matches!(&unserializable, Err(AckError::InvalidArguments(_))), "{unserializable:?}");
    assert!(!socket.active(), "nothing connected");
}

#[wasm_bindgen_test]
async fn limits_set_on_the_builder() {
    // The offline buffer: one emit waits, the next is refused.
    let manager = Manager::builder("http://127.0.0.1:1")
        .auto_connect(false)
        .max_buffered_emits(Some(1))
        .build()
        .unwrap();
    let socket = manager.socket("/");
    socket.emit("first", ()).unwrap();
    assert_eq!(socket.emit("second", ()).err().map(|e| e.code()), Some("BUFFER_FULL"));
    let refused = socket.emit_with_ack::<Value>("third", ()).await;
    assert_eq!(refused.as_ref().err().map(AckError::code), Some("BUFFER_FULL"), "{refused:?}");

    // A message larger than max_message_size is a transport error, not memory spent.
    let server = Server::spawn(json!({})).await;
    let manager = Manager::builder(&server.url)
        .transports(&[TransportKind::WebSocket])
        .max_message_size(Some(1000))
        .reconnection(false)
        .build()
        .unwrap();
    let mut connection = manager.events();
    let socket = manager.socket("/");
    let mut events = socket.events();
    connected(&mut events).await;
    socket.emit("burst", Args::new().arg(&1).unwrap().arg(&2000).unwrap()).unwrap();
    let error = wait_for(&mut connection, 5000, "error", |e| match e {
        ManagerEvent::Error(e) => Some(e),
        _ => None,
    })
    .await;
    assert_eq!(error.code(), "TOO_LARGE");
    let reason = wait_for(&mut events, 5000, "disconnect", |e| match e {
        SocketEvent::Disconnect { reason, .. } => Some(reason),
        _ => None,
    })
    .await;
    assert_eq!(reason, DisconnectReason::TransportError);
}

#[wasm_bindgen_test]
async fn malformed_frames_are_errors_not_crashes() {
    let server = Server::spawn(json!({})).await;
    let socket = fast_reconnect(&server.url, &[TransportKind::WebSocket]).socket("/");
    let mut events = socket.events();
    connected(&mut events).await;
    for frame in ["42[\"ok\",", "42[{}]", "451-[\"a\",{\"_placeholder\":true,\"num\":7}]"] {
        server.action("raw", Some(json!({ "frame": frame }))).await;
        if frame.starts_with("451-") {
            server.action("raw", Some(json!({ "binary": "AQID" }))).await;
        }
        let reason = wait_for(&mut events, 5000, "disconnect", |e| match e {
            SocketEvent::Disconnect { reason, .. } => Some(reason),
            _ => None,
        })
        .await;
        assert_eq!(reason, DisconnectReason::ParseError, "after {frame}");
        connected(&mut events).await;
    }
    socket.emit("echo", "survived").unwrap();
    assert_eq!(next_message(&mut events, "echo").await.arg::<String>(0).unwrap(), "survived");
}

#[wasm_bindgen_test]
async fn disconnect_reasons_and_guards() {
    let server = Server::spawn(json!({})).await;
    let socket = fast_reconnect(&server.url, &[TransportKind::WebSocket]).socket("/");
    let mut events = socket.events();
    let count = Rc::new(Cell::new(0));
    let counter = count.clone();
    let guard = socket.on("echo", move |_| counter.set(counter.get() + 1));
    let reasons = Rc::new(RefCell::new(Vec::new()));
    let log = reasons.clone();
    socket.on_disconnect(move |r| log.borrow_mut().push(r)).forget();
    let connects = Rc::new(Cell::new(0));
    let c = connects.clone();
    socket.on_connect(move || c.set(c.get() + 1)).forget();
    connected(&mut events).await;

    socket.emit("echo", &1).unwrap();
    next_message(&mut events, "echo").await;
    drop(guard);
    socket.emit("echo", &2).unwrap();
    next_message(&mut events, "echo").await;
    assert_eq!(count.get(), 1, "the dropped guard removed its handler");

    // The server closes the connection: it comes back by itself.
    server.action("drop", None).await;
    connected(&mut events).await;
    // The server disconnects the socket: no automatic reconnection.
    socket.emit("disconnect-me", ()).unwrap();
    let reason = wait_for(&mut events, 5000, "disconnect", |e| match e {
        SocketEvent::Disconnect { reason, .. } if reason == DisconnectReason::ServerDisconnect => {
            Some(reason)
        }
        _ => None,
    })
    .await;
    assert_eq!(reason.as_str(), "io server disconnect");
    assert_eq!(reasons.borrow().last(), Some(&DisconnectReason::ServerDisconnect));
    assert!(reasons.borrow().len() >= 2, "{:?}", reasons.borrow());
    assert_eq!(connects.get(), 2);
    assert!(!socket.active());

    socket.connect();
    connected(&mut events).await;
    socket.disconnect();
    let reason = wait_for(&mut events, 5000, "disconnect", |e| match e {
        SocketEvent::Disconnect { reason, .. } => Some(reason),
        _ => None,
    })
    .await;
    assert_eq!(reason, DisconnectReason::ClientDisconnect);
}

#[wasm_bindgen_test]
async fn recovery_and_volatile_emits() {
    let server = Server::spawn(json!({ "recovery": true })).await;
    let socket = fast_reconnect(&server.url, &[TransportKind::WebSocket]).socket("/");
    let mut events = socket.events();
    connected(&mut events).await;
    assert!(!socket.recovered());
    server.action("drop", None).await;
    connected(&mut events).await;
    assert!(socket.recovered(), "the server restored the session");

    // While disconnected, a volatile emit is dropped and a plain one waits for the connection.
    socket.disconnect();
    socket.emit_volatile("echo", "dropped").unwrap();
    socket.emit("echo", "buffered").unwrap();
    socket.connect();
    connected(&mut events).await;
    socket.emit_volatile("echo", "sent").unwrap();
    let mut echoes = Vec::new();
    while echoes.len() < 2 {
        echoes.push(next_message(&mut events, "echo").await.arg::<String>(0).unwrap());
    }
    assert_eq!(echoes, ["buffered", "sent"]);
}

#[wasm_bindgen_test]
async fn manager_events_follow_a_server_restart() {
    let server = Server::spawn(json!({})).await;
    let manager = fast_reconnect(&server.url, &[TransportKind::WebSocket]);
    let mut connection = manager.events();
    let socket = manager.socket("/");
    let mut events = socket.events();
    wait_for(&mut connection, 5000, "open", |e| (e == ManagerEvent::Open).then_some(())).await;
    connected(&mut events).await;
    assert!(manager.id().is_some());

    server.action("stop", None).await;
    let reason = wait_for(&mut connection, 5000, "close", |e| match e {
        ManagerEvent::Close { reason, .. } => Some(reason),
        _ => None,
    })
    .await;
    assert_eq!(reason, DisconnectReason::TransportClose);
    wait_for(&mut connection, 5000, "reconnect_attempt 1", |e| {
        (e == ManagerEvent::ReconnectAttempt(1)).then_some(())
    })
    .await;
    let failure = wait_for(&mut connection, 5000, "reconnect_error", |e| match e {
        ManagerEvent::ReconnectError(e) => Some(e),
        _ => None,
    })
    .await;
    assert_eq!(failure.code(), "TRANSPORT_ERROR");
    assert!(manager.reconnecting());

    server.action("start", None).await;
    let attempts = wait_for(&mut connection, 10_000, "reconnect", |e| match e {
        ManagerEvent::Reconnect(n) => Some(n),
        _ => None,
    })
    .await;
    assert!(attempts >= 1);
    connected(&mut events).await;
    socket.emit("echo", "back").unwrap();
    assert_eq!(next_message(&mut events, "echo").await.arg::<String>(0).unwrap(), "back");
}

#[wasm_bindgen_test]
async fn dropping_the_last_handle_closes_the_connection() {
    let server = Server::spawn(json!({})).await;
    let manager = fast_reconnect(&server.url, &[TransportKind::WebSocket]);
    let socket = manager.socket("/");
    let same = manager.socket("/");
    let mut events = socket.events();
    connected(&mut events).await;
    assert_eq!(server.clients().await.len(), 1);
    let waiting = same.emit_with_ack_timeout::<Value>("nothing-here", (), Duration::from_secs(30));
    drop(manager);
    drop(same);
    socket.emit("echo", "still here").unwrap();
    next_message(&mut events, "echo").await;
    assert_eq!(server.clients().await.len(), 1, "a handle is left: still connected");

    let weak = socket.downgrade();
    drop(socket);
    assert!(weak.upgrade().is_none());
    assert_eq!(waiting.await, Err(AckError::Disconnected));
    assert!(events.next().await.is_none(), "the stream ended with its socket");
    for _ in 0..100 {
        if server.clients().await.is_empty() {
            return;
        }
        pause(50).await;
    }
    panic!("the server still has the client after the last handle was dropped");
}

#[wasm_bindgen_test]
async fn streams_keep_a_bounded_backlog() {
    let server = Server::spawn(json!({})).await;
    let socket = fast_reconnect(&server.url, &[TransportKind::WebSocket]).socket("/");
    let mut events = socket.events();
    let mut small = socket.events_with_capacity(4);
    connected(&mut events).await;
    socket.emit("burst", Args::new().arg(&20).unwrap().arg(&0).unwrap()).unwrap();
    let last = wait_for(&mut events, 5000, "tick 19", |e| match e {
        SocketEvent::Message(m) if m.event() == "tick" && m.arg::<Value>(0).unwrap()["i"] == 19 => Some(()),
        _ => None,
    });
    last.await;
    // welcome + 20 ticks went by; the small stream kept the last four.
    assert_eq!(small.missed(), 21 - 4 + 1, "connect, welcome and 20 ticks, 4 kept");
    let mut kept = Vec::new();
    for _ in 0..4 {
        match small.next().await {
            Some(SocketEvent::Message(m)) => kept.push(m.arg::<Value>(0).unwrap()["i"].as_u64().unwrap()),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(kept, vec![16, 17, 18, 19]);
}

#[wasm_bindgen_test]
async fn eliza_agents_dm_send_and_events() {
    let url = ELIZA.expect("ELIZA_URL must name the ElizaOS server (run: node tests/run.mjs rustapi)");
    let client = ElizaClient::builder(url).user_name("Rustacean").build().unwrap();
    let mut all = client.events();
    let agents = client.agents().await.unwrap();
    let echo = agents.iter().find(|a| a.name == "Echo").expect("the fixture's Echo agent");
    let channel = client.join_dm(&echo.id).await.unwrap();
    let mut events = client.channel_events(&channel.id);
    wait_for(&mut events, 10_000, "joined", |e| matches!(e, ElizaEvent::Joined { .. }).then_some(())).await;

    let sent = client.send(&channel.id, "hello from Rust").unwrap();
    let mut acked = false;
    let reply = wait_for(&mut events, 15_000, "the agent's reply", |e| match e {
        ElizaEvent::Ack { client_message_id, .. } if client_message_id == sent => {
            acked = true;
            None
        }
        ElizaEvent::Message { message, .. } if message.from_agent => Some(message),
        _ => None,
    })
    .await;
    assert!(acked, "the server confirmed the message before the reply");
    assert_eq!(reply.text, "echo: hello from Rust");
    assert_eq!(reply.channel_id, channel.id);
    let history = client.history(&channel.id, 10).await.unwrap();
    assert!(history.iter().any(|m| m.own && m.text == "hello from Rust"), "{history:?}");
    assert!(history.iter().any(|m| m.text == "echo: hello from Rust"));
    assert!(client.connected());
    // The unfiltered stream saw the same reply.
    wait_for(&mut all, 1000, "the reply on the unfiltered stream", |e| match e {
        ElizaEvent::Message { message, .. } if message.id == reply.id => Some(()),
        _ => None,
    })
    .await;

    assert!(client.outbox().is_empty(), "confirmed messages leave the outbox");
    assert!(!client.discard("not-in-the-outbox"));
    assert_eq!(client.retry("not-in-the-outbox").err().map(|e| e.code()), Some("INVALID_ARGUMENT"));
    let bad = client.send(&channel.id, "");
    assert_eq!(bad.err().map(|e| e.code()), Some("INVALID_ARGUMENT"));
    let unknown = client.join_dm("not-a-uuid").await;
    assert_eq!(unknown.err().map(|e| e.code()), Some("INVALID_ARGUMENT"));
    assert_eq!(
        ElizaClient::builder("ftp://127.0.0.1").build().err().map(|e| e.code()),
        Some("INVALID_ARGUMENT")
    );

    drop(client);
    assert!(events.next().await.is_none(), "the stream ended with the client");
}
