//! The Rust API (feature `rust-api`, wasm32 only): the Socket.IO client and the ElizaOS client
//! for Rust web apps — Leptos, Yew, Dioxus or plain `wasm-bindgen`.
//!
//! It runs on the same browser driver as the JavaScript face (one pump, one clock, one timer
//! per connection); only the way events reach the user differs: Rust closures, futures and
//! [`futures_core::Stream`]s instead of JS listeners and promises. Payloads go through serde.
//!
//! ```toml
//! [dependencies]
//! eliza-socketio = { version = "0.1", features = ["rust-api"] }
//! ```
//!
//! # Socket.IO
//!
//! ```no_run
//! use eliza_socketio::rust_api::{self, Args, SocketEvent};
//! use futures_util::StreamExt;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let socket = rust_api::connect("http://127.0.0.1:3000/")?;
//!
//! // Callbacks: the guard unsubscribes when dropped (or .forget() it).
//! let _chat = socket.on("chat", |message| {
//!     let text: String = message.arg(0).unwrap_or_default();
//!     let _ = message.ack(&"thanks"); // when the server asked for an acknowledgement
//! });
//!
//! socket.emit("chat", &"hello")?;
//! let sum: i64 = socket.emit_with_ack("add", Args::new().arg(&1)?.arg(&2)?).await?;
//!
//! // Or a stream of every event.
//! let mut events = socket.events();
//! while let Some(event) = events.next().await {
//!     match event {
//!         SocketEvent::Connect => {}
//!         SocketEvent::Disconnect { reason, .. } => { let _ = reason.as_str(); }
//!         SocketEvent::ConnectError(e) => { let _ = e.code(); }
//!         SocketEvent::Message(m) => { let _ = m.event(); }
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # ElizaOS
//!
//! See [`ElizaClient`] (also needs the `eliza` feature, on by default).
//!
//! # Lifetimes
//!
//! Handles are cheap clones of shared state. Dropping the last handle of a [`Socket`] leaves
//! its namespace; dropping the last [`Manager`] and [`Socket`] of a connection closes it.
//! Streams end when their socket or client is gone. A handler that captures its own socket
//! keeps it alive: capture a [`WeakSocket`] instead.

#[cfg(feature = "eliza")]
mod eliza;
mod events;
pub(crate) mod listen;
mod manager;
mod socket;

pub use crate::args::{Args, IntoArgs, PayloadError};
#[cfg(feature = "eliza")]
pub use eliza::{ElizaClient, ElizaClientBuilder};
pub use events::{AckError, ConnectError, DisconnectReason, ManagerEvent, Message, SocketEvent};
pub use listen::{EventStream, Subscription};
pub use manager::{connect, Manager, ManagerBuilder};
pub use socket::{AckFuture, Socket, WeakSocket, DEFAULT_ACK_TIMEOUT, DEFAULT_STREAM_CAPACITY};

#[cfg(feature = "eliza")]
pub use crate::eliza::{
    rest::Agent, rest::DmChannel, AckVia, ChatMessage, ElizaError, ElizaEvent, OutboxEntry, OutboxState,
};
