//! Browser drivers and the exported JavaScript API (wasm32 only).
//!
//! - [`driver`]: runs the core on WebSocket, `fetch` long-polling and one timer;
//! - [`manager`], [`socket`]: the `Manager` and `Socket` classes and `io()`, with
//!   socket.io-client's names;
//! - [`eliza`] (feature `eliza`): the `ElizaClient` class over the ElizaOS session layer;
//! - [`rust_api`] (feature `rust-api`): the same clients for Rust code;
//! - `glue.js` (in `crate/js/`): the few lines of JavaScript on the hot path.

mod driver;
#[cfg(feature = "eliza")]
mod eliza;
#[cfg(feature = "eliza")]
mod eliza_types;
mod error;
mod events;
mod glue;
mod lifetime;
mod manager;
mod options;
#[cfg(feature = "rust-api")]
pub mod rust_api;
mod socket;
mod timer;
mod types;
mod wire;

#[cfg(feature = "eliza")]
pub use eliza::ElizaClient;
pub use manager::{io, Manager};
pub use socket::Socket;

use wasm_bindgen::prelude::*;

/// Runs when the module is instantiated.
#[wasm_bindgen(start, skip_typescript)]
fn start() {
    // A panic is a bug (the core never panics on input): make it readable in the console. The
    // size-first Socket.IO-only build goes without (0.9 KB gzip): a panic there traps with
    // "unreachable" and no message, as it did when that build aborted without formatting.
    #[cfg(feature = "eliza")]
    console_error_panic_hook::set_once();
}
