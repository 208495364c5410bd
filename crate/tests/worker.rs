//! The Socket.IO client inside a module service worker, where there is no DOM and no
//! XMLHttpRequest: long-polling must work over `fetch` (as in the extension's background).
#![cfg(target_arch = "wasm32")]

#[path = "browser/ctx.rs"]
mod ctx;

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_service_worker);

#[wasm_bindgen(module = "/tests/browser/scenarios.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = pollingInAWorker)]
    async fn polling_in_a_worker(ctx: JsValue) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen_test]
async fn polling_over_fetch_in_a_service_worker() {
    if let Err(e) = polling_in_a_worker(ctx::context()).await {
        let message = e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message()));
        panic!("{}", message.unwrap_or_else(|| format!("{e:?}")));
    }
}
