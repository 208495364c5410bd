//! Bindings to `js/glue.js`, the small JavaScript side of the drivers.

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/glue.js")]
extern "C" {
    /// Event listeners of one socket or manager (a JS class, so listener calls stay in JS).
    #[derive(Clone, Debug)]
    pub type Listeners;

    #[wasm_bindgen(constructor)]
    pub fn new() -> Listeners;
    #[wasm_bindgen(method, catch)]
    pub fn on(
        this: &Listeners,
        ev: &JsValue,
        f: &JsValue,
        once: bool,
        prepend: bool,
    ) -> Result<Function, JsValue>;
    #[wasm_bindgen(method)]
    pub fn off(this: &Listeners, ev: &JsValue, f: &JsValue);
    #[wasm_bindgen(method)]
    pub fn listeners(this: &Listeners, ev: &JsValue) -> Array;
    #[wasm_bindgen(method, js_name = addAny, catch)]
    pub fn add_any(this: &Listeners, outgoing: bool, f: &JsValue, prepend: bool)
        -> Result<Function, JsValue>;
    #[wasm_bindgen(method, js_name = removeAny)]
    pub fn remove_any(this: &Listeners, outgoing: bool, f: &JsValue);
    #[wasm_bindgen(method, getter)]
    pub fn any(this: &Listeners) -> Array;
    #[wasm_bindgen(method, getter, js_name = anyOut)]
    pub fn any_out(this: &Listeners) -> Array;
    #[wasm_bindgen(method, js_name = emit)]
    pub fn emit0(this: &Listeners, ev: &str);
    #[wasm_bindgen(method, js_name = emit)]
    pub fn emit1(this: &Listeners, ev: &str, a: &JsValue);
    #[wasm_bindgen(method, js_name = emit)]
    pub fn emit2(this: &Listeners, ev: &str, a: &JsValue, b: &JsValue);
    #[wasm_bindgen(method, js_name = emitOutgoing)]
    pub fn emit_outgoing(this: &Listeners, text: &JsValue, start: u32);

    #[wasm_bindgen(js_name = wsOpen, catch)]
    pub fn ws_open(id: f64, url: &str, handlers: &JsValue) -> Result<JsValue, JsValue>;
    /// False when `send` threw: see [`take_thrown`]. (Not a `catch` import: those wrap every
    /// call in a closure over `arguments`, which cost more than the send.)
    #[wasm_bindgen(js_name = wsSendText)]
    pub fn ws_send_text(ws: &JsValue, head: &JsValue, body: &JsValue, start: u32) -> bool;
    /// What the last glue call that reported a failure threw.
    #[wasm_bindgen(js_name = takeThrown)]
    pub fn take_thrown() -> JsValue;
    #[wasm_bindgen(js_name = wsSendBinary, catch)]
    pub fn ws_send_binary(ws: &JsValue, data: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(js_name = wsClose)]
    pub fn ws_close(ws: &JsValue);
    #[wasm_bindgen(js_name = httpRequest, catch)]
    pub fn http_request(
        id: f64,
        url: &str,
        body: Option<String>,
        with_credentials: bool,
        handlers: &JsValue,
    ) -> Result<JsValue, JsValue>;

    /// Milliseconds on a clock that never steps (see glue.js).
    #[wasm_bindgen(js_name = monotonicNow)]
    pub fn monotonic_now() -> f64;

    #[wasm_bindgen(js_name = textSlice)]
    pub fn text_slice(text: &JsValue, start: u32) -> String;
    #[wasm_bindgen(js_name = utf8Length)]
    pub fn utf8_length(text: &JsValue, start: u32) -> u32;
    #[wasm_bindgen(js_name = utf8Exceeds)]
    pub fn utf8_exceeds(text: &JsValue, start: u32, limit: f64) -> bool;
    #[wasm_bindgen(js_name = textPrefix)]
    fn text_prefix_js(text: &JsValue, start: u32, max: u32) -> String;
    #[wasm_bindgen(js_name = textUnits)]
    pub fn text_units(text: &JsValue, start: u32) -> f64;
    #[wasm_bindgen(js_name = binaryLength)]
    pub fn binary_length(data: &JsValue) -> f64;
    #[wasm_bindgen(js_name = binaryBytes)]
    pub fn binary_bytes(data: &JsValue) -> Vec<u8>;
    #[wasm_bindgen(js_name = encodeArgs, catch)]
    pub fn encode_args(args: &Array) -> Result<JsValue, JsValue>;
    /// `undefined` when encoding threw: see [`take_thrown`].
    #[wasm_bindgen(js_name = encodeEmit)]
    pub fn encode_emit(ev: &JsValue, args: &Array) -> JsValue;
    #[wasm_bindgen(js_name = promiseAck)]
    pub fn promise_ack() -> Array;
    #[wasm_bindgen(js_name = deliverEvent)]
    pub fn deliver_event(
        target: &Listeners,
        text: &JsValue,
        start: u32,
        attachments: &JsValue,
        ack_id: f64,
        acker: &JsValue,
    ) -> JsValue;
    #[wasm_bindgen(js_name = settleAck)]
    pub fn settle_ack(
        f: &JsValue,
        with_error: bool,
        error: &JsValue,
        text: &JsValue,
        start: u32,
        attachments: &JsValue,
    ) -> bool;
    #[wasm_bindgen(js_name = parseJson)]
    pub fn parse_json(text: &str) -> JsValue;
    #[wasm_bindgen(js_name = makeError)]
    pub fn make_error(message: &str, code: &str, data: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = reportException)]
    pub fn report_exception(e: &JsValue);

    #[cfg(feature = "eliza")]
    #[wasm_bindgen(js_name = httpJson)]
    pub fn http_json(
        method: &str,
        url: &str,
        api_key: Option<String>,
        body: Option<String>,
        timeout_ms: f64,
        owner: &JsValue,
    ) -> js_sys::Promise;
    /// The AbortController of the REST requests an ElizaClient owns.
    #[cfg(feature = "eliza")]
    #[wasm_bindgen(js_name = abortController)]
    pub fn abort_controller() -> JsValue;
    #[cfg(feature = "eliza")]
    #[wasm_bindgen(js_name = randomUuid)]
    pub fn random_uuid() -> String;

}

/// The first `max` UTF-16 units of a payload (from `start`), and whether that is all of it.
pub fn text_prefix(text: &JsValue, start: u32, max: u32) -> (String, bool) {
    let whole = text_units(text, start) <= f64::from(max);
    (text_prefix_js(text, start, max), whole)
}

#[wasm_bindgen]
extern "C" {
    /// The global `setTimeout` (windows and workers alike).
    #[wasm_bindgen(js_name = setTimeout)]
    pub fn global_set_timeout(f: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    pub fn global_clear_timeout(id: &JsValue);
}
