//! Lifetimes and time in a real browser page against real socket.io 4.8 servers: freed or
//! disposed handles leave no timer, socket or request behind, and a wall clock set back does
//! not move heartbeat or reconnection deadlines.
//!
//! Run by `./build.sh test` (suite "browsers") in headless Chromium and Firefox; the scenarios
//! are in browser/lifetimes.js.
#![cfg(target_arch = "wasm32")]

#[path = "browser/ctx.rs"]
mod ctx;
#[path = "browser/scenarios.rs"]
#[macro_use]
mod scenarios;

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

scenarios! {
    "/tests/browser/lifetimes.js";
    freed_socket_leaves_and_last_handle_closes => "freedSocketLeavesAndLastHandleCloses",
    freed_reconnecting_socket_stops => "freedReconnectingSocketStops",
    disposed_polling_manager_leaves_no_request => "disposedPollingManagerLeavesNoRequest",
    disposed_eliza_client_leaves_nothing_behind => "disposedElizaClientLeavesNothingBehind",
    eliza_client_runs_on_one_timer => "elizaClientRunsOnOneTimer",
    clock_set_back_keeps_heartbeats_and_reconnection => "clockSetBackKeepsHeartbeatsAndReconnection",
    clock_set_back_keeps_retry_at_on_the_wall_clock => "clockSetBackKeepsRetryAtOnTheWallClock",
}
