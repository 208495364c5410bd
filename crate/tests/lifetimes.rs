//! Lifetimes and time in a real browser page against real socket.io 4.8 servers: freed or
//! disposed handles leave no timer, socket or request behind, and a wall clock set back does
//! not move heartbeat or reconnection deadlines.
//!
//! Run by `./build.sh test` (suite "browsers") in headless Chromium and Firefox; the scenarios
//! are in browser/lifetimes.js.
#![cfg(target_arch = "wasm32")]

#[path = "browser/ctx.rs"]
mod ctx;

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

macro_rules! scenarios {
    ($($rust:ident => $js:literal),* $(,)?) => {
        #[wasm_bindgen(module = "/tests/browser/lifetimes.js")]
        extern "C" {
            $(
                #[wasm_bindgen(catch, js_name = $js)]
                async fn $rust(ctx: JsValue) -> Result<JsValue, JsValue>;
            )*
        }
        mod run {
            use super::*;
            $(
                #[wasm_bindgen_test]
                async fn $rust() {
                    if let Err(e) = super::$rust(ctx::context()).await {
                        panic!("{}", describe(&e));
                    }
                }
            )*
        }
    };
}

fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| {
            format!(
                "{}\n{}",
                String::from(e.message()),
                js_sys::Reflect::get(e, &"stack".into()).ok().and_then(|s| s.as_string()).unwrap_or_default()
            )
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

scenarios! {
    freed_socket_leaves_and_last_handle_closes => "freedSocketLeavesAndLastHandleCloses",
    freed_reconnecting_socket_stops => "freedReconnectingSocketStops",
    disposed_polling_manager_leaves_no_request => "disposedPollingManagerLeavesNoRequest",
    disposed_eliza_client_leaves_nothing_behind => "disposedElizaClientLeavesNothingBehind",
    eliza_client_runs_on_one_timer => "elizaClientRunsOnOneTimer",
    clock_set_back_keeps_heartbeats_and_reconnection => "clockSetBackKeepsHeartbeatsAndReconnection",
    clock_set_back_keeps_retry_at_on_the_wall_clock => "clockSetBackKeepsRetryAtOnTheWallClock",
}
