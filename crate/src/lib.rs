//! A Socket.IO client for the browser, written in Rust and compiled to WebAssembly, with a
//! layer for chatting with ElizaOS agents.
//!
//! The crate has two halves:
//!
//! - a **sans-IO core** — [`engine`] (Engine.IO v4 codec), [`sio`] (Socket.IO v5 codec),
//!   [`backoff`], and the [`client`] state machine. It has no networking code and never reads a
//!   clock or a random source: time and randomness are parameters. It builds and is tested on
//!   any target with `cargo test`, and nothing in it can panic on any input;
//! - **browser drivers and the JavaScript API** (module `web`, wasm32 only): WebSocket and
//!   `fetch` long-polling transports, one timer, and the exported classes; with the `rust-api`
//!   feature, `rust_api`: the same clients for Rust web apps (serde payloads, futures, streams).

#[cfg(feature = "rust-api")]
mod args;
pub mod backoff;
pub mod client;
#[cfg(feature = "eliza")]
pub mod eliza;
pub mod engine;
pub mod error;
pub mod json;
pub mod rng;
pub mod sio;
mod text;
pub mod time;

pub use error::{Error, ProtocolError, TransportKind};

#[cfg(target_arch = "wasm32")]
mod web;
#[cfg(all(target_arch = "wasm32", feature = "rust-api"))]
pub use web::rust_api;
#[cfg(all(target_arch = "wasm32", feature = "eliza"))]
pub use web::ElizaClient;
#[cfg(target_arch = "wasm32")]
pub use web::{io, Manager, Socket};

/// The wasm heap allocator: talc is smaller than the standard library's dlmalloc (and faster).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
