//! The Socket.IO client in a real browser page against real socket.io 4.8 servers.
//!
//! Run by `./build.sh test` in headless Chromium and headless Firefox (wasm-bindgen-test-runner
//! with chromedriver / geckodriver). Scenarios are in browser/scenarios.js: they exercise the
//! exported JavaScript API exactly as a page would.
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
    "/tests/browser/scenarios.js";
    websocket_only => "websocketOnly",
    polling_only => "pollingOnly",
    upgrades_to_websocket => "upgradesToWebSocket",
    acknowledgements_both_ways => "acknowledgementsBothWays",
    binary_both_ways => "binaryBothWays",
    two_namespaces_share_one_connection => "twoNamespacesShareOneConnection",
    auth_accepted_and_rejected => "authAcceptedAndRejected",
    server_disconnect_does_not_reconnect => "serverDisconnectDoesNotReconnect",
    server_restart_reconnects_and_flushes_the_buffer => "serverRestartReconnectsAndFlushesTheBuffer",
    frozen_server_times_out_then_reconnects => "frozenServerTimesOutThenReconnects",
    malformed_frames_are_errors_not_crashes => "malformedFramesAreErrorsNotCrashes",
    connection_state_recovery => "connectionStateRecovery",
    catch_all_listeners_and_volatile => "catchAllListenersAndVolatile",
    bad_input_gets_clear_errors => "badInputGetsClearErrors",
    retries_deliver_at_least_once => "retriesDeliverAtLeastOnce",
    manager_api => "managerApi",
}
