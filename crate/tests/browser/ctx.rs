//! What every browser scenario receives: the exported API and the control server's address.

use wasm_bindgen::prelude::*;

/// The control server (tests/fixtures/sio-control.mjs) started by the test harness.
/// Its address is compiled in: a browser test has no environment to read it from.
const CONTROL: Option<&str> = option_env!("SIO_CONTROL_URL");

/// `{io, manager, eliza, control, memory}` for a scenario in scenarios.js or hostile.js.
pub fn context() -> JsValue {
    let control =
        CONTROL.expect("SIO_CONTROL_URL must name the control server (run the tests with ./build.sh test)");
    let io = Closure::<dyn Fn(Option<String>, JsValue) -> Result<JsValue, JsValue>>::new(
        |url: Option<String>, opts: JsValue| eliza_socketio::io(url, Some(opts)).map(JsValue::from),
    );
    let manager = Closure::<dyn Fn(Option<String>, JsValue) -> Result<JsValue, JsValue>>::new(
        |url: Option<String>, opts: JsValue| {
            eliza_socketio::Manager::new(url, Some(opts.unchecked_into())).map(JsValue::from)
        },
    );
    let eliza = Closure::<dyn Fn(JsValue) -> Result<JsValue, JsValue>>::new(|opts: JsValue| {
        eliza_socketio::ElizaClient::new(Some(opts.unchecked_into())).map(JsValue::from)
    });
    let ctx = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&ctx, &k.into(), v).expect("plain object");
    set("io", &io.into_js_value());
    set("manager", &manager.into_js_value());
    set("eliza", &eliza.into_js_value());
    set("control", &control.into());
    // The module's memory, for tests that check it does not grow (costs nothing in the library).
    set("memory", &wasm_bindgen::memory());
    ctx.into()
}
