//! A chat page written only in Rust: plain wasm-bindgen and web-sys DOM over the crate's Rust
//! API (`eliza_socketio::rust_api`). Built by `./build.sh` into `dist/example-rust/`; serve it
//! with `node crate/demo/serve.mjs --pkg dist/example-rust` and open `/pkg/index.html`
//! (`?server=URL` fills in the server).
//!
//! Every message is shown with `set_text_content`: agent text is never parsed as HTML.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use eliza_socketio::rust_api::{ElizaClient, ElizaEvent};
use futures_util::StreamExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlInputElement, HtmlSelectElement};

/// What the page holds between clicks.
#[derive(Default)]
struct Chat {
    client: Option<ElizaClient>,
    channel_id: Option<String>,
}

type State = Rc<RefCell<Chat>>;

fn document() -> Document {
    web_sys::window().and_then(|w| w.document()).expect("a page")
}

fn by_id<T: JsCast>(id: &str) -> T {
    document().get_element_by_id(id).and_then(|e| e.dyn_into().ok()).expect("the element is in index.html")
}

fn status(text: &str) {
    by_id::<Element>("status").set_text_content(Some(text));
}

/// Runs `f` for every `event` on the element `id` (listeners live as long as the page).
fn listen(id: &str, event: &str, f: impl FnMut(web_sys::Event) + 'static) {
    let closure = Closure::<dyn FnMut(web_sys::Event)>::new(f);
    let _ = by_id::<Element>(id).add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    closure.forget();
}

/// Called by index.html once the module is loaded.
#[wasm_bindgen]
pub fn run() {
    let state = State::default();
    let server: HtmlInputElement = by_id("server");
    if let Some(url) = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| web_sys::UrlSearchParams::new_with_str(&q).ok())
        .and_then(|p| p.get("server"))
    {
        server.set_value(&url);
    }
    let s = state.clone();
    listen("connect", "click", move |_| connect(&s));
    let s = state.clone();
    listen("agent", "change", move |_| {
        let agent_id = by_id::<HtmlSelectElement>("agent").value();
        open_chat(&s, agent_id);
    });
    listen("compose", "submit", move |event| {
        event.prevent_default();
        send(&state);
    });
}

fn connect(state: &State) {
    let url = by_id::<HtmlInputElement>("server").value();
    let client = match ElizaClient::builder(&url).user_name("Rust page").build() {
        Ok(client) => client,
        Err(e) => return status(&e.to_string()),
    };
    // A new client replaces the old one: dropping it closes its connection.
    *state.borrow_mut() = Chat { client: Some(client.clone()), channel_id: None };
    by_id::<Element>("log").set_inner_html("");
    status("Connecting…");
    wasm_bindgen_futures::spawn_local(show_events(client.clone()));
    let state = state.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let agents = match client.agents().await {
            Ok(agents) if !agents.is_empty() => agents,
            Ok(_) => return status("The server has no agents."),
            Err(e) => return status(&e.to_string()),
        };
        let select: HtmlSelectElement = by_id("agent");
        select.set_inner_html("");
        for agent in &agents {
            if let Ok(option) = document().create_element("option") {
                let _ = option.set_attribute("value", &agent.id);
                option.set_text_content(Some(&agent.name));
                let _ = select.append_child(&option);
            }
        }
        select.set_disabled(false);
        open_chat(&state, agents[0].id.clone());
    });
}

fn open_chat(state: &State, agent_id: String) {
    let Some(client) = state.borrow().client.clone() else { return };
    if let Some(previous) = state.borrow_mut().channel_id.take() {
        client.leave(&previous);
        by_id::<Element>("log").set_inner_html("");
    }
    let state = state.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match client.join_dm(&agent_id).await {
            Ok(channel) => {
                state.borrow_mut().channel_id = Some(channel.id);
                for id in ["text", "send"] {
                    by_id::<Element>(id).remove_attribute("disabled").ok();
                }
                status("Connected.");
            }
            Err(e) => status(&e.to_string()),
        }
    });
}

fn send(state: &State) {
    let input: HtmlInputElement = by_id("text");
    let text = input.value();
    let (client, channel_id) = {
        let chat = state.borrow();
        (chat.client.clone(), chat.channel_id.clone())
    };
    let (Some(client), Some(channel_id)) = (client, channel_id) else { return };
    match client.send(&channel_id, &text) {
        Ok(client_id) => {
            input.set_value("");
            add_line(&client_id, "own pending", &text);
        }
        Err(e) => status(&e.to_string()),
    }
}

/// Appends (or replaces, for the same `key`) one line of the log.
fn add_line(key: &str, class: &str, text: &str) {
    let log: Element = by_id("log");
    let existing =
        document().query_selector(&format!("#log li[data-key=\"{}\"]", css_escape(key))).ok().flatten();
    let line = match existing {
        Some(line) => line,
        None => {
            let Ok(line) = document().create_element("li") else { return };
            let _ = line.set_attribute("data-key", key);
            let _ = log.append_child(&line);
            line
        }
    };
    let _ = line.set_attribute("class", class);
    line.set_text_content(Some(text));
    line.scroll_into_view();
}

/// Ids are UUIDs; anything else is dropped from the selector rather than trusted.
fn css_escape(key: &str) -> String {
    key.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect()
}

/// Shows the client's events until it is dropped (the stream then ends).
async fn show_events(client: ElizaClient) {
    let mut events = client.events();
    // The stream must not keep the client alive: only the page state does.
    drop(client);
    while let Some(event) = events.next().await {
        match event {
            ElizaEvent::Message { message, .. } => {
                let key = message.client_message_id.clone().unwrap_or_else(|| message.id.clone());
                let class = if message.own {
                    "own"
                } else if message.from_agent {
                    "agent"
                } else {
                    "other"
                };
                add_line(&key, class, &message.text);
            }
            ElizaEvent::Ack { client_message_id, .. } => {
                if let Ok(Some(line)) = document()
                    .query_selector(&format!("#log li[data-key=\"{}\"]", css_escape(&client_message_id)))
                {
                    let _ = line.set_attribute("class", "own");
                }
            }
            ElizaEvent::StreamChunk { message_id, text, .. } => add_line(&message_id, "agent", &text),
            ElizaEvent::Thinking { active, .. } => status(if active { "The agent is typing…" } else { "" }),
            ElizaEvent::SendFailed { error, .. } => status(&format!("Not sent: {error}")),
            ElizaEvent::Error { error, .. } => status(&error.to_string()),
            _ => {}
        }
    }
}
