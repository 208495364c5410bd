//! Links the wasm with a stack sized by measurement instead of the 1 MiB default, which would be
//! most of a connected client's memory.
//!
//! The Socket.IO-only build's deepest stack, measured by tests/size/memory.test.mjs in the shipped
//! package (payloads at the JSON depth limit and past it, attachments, acks both ways, upgrade,
//! reconnection), is under 3 KiB: 32 KiB leaves a wide margin and keeps a connected client within
//! 128 KiB of wasm memory. The ElizaOS and Rust API builds also run serde_json, which recurses up
//! to 128 levels on a server's JSON: they keep 128 KiB.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() != Ok("wasm32") {
        return;
    }
    let serde_json =
        ["CARGO_FEATURE_ELIZA", "CARGO_FEATURE_RUST_API"].iter().any(|f| std::env::var_os(f).is_some());
    let stack_bytes = if serde_json { 128 * 1024 } else { 32 * 1024 };
    println!("cargo:rustc-link-arg=-zstack-size={stack_bytes}");
}
