//! Binds the scenarios of one JS module (browser/*.js) as wasm-bindgen tests: each scenario is an
//! `async function name(ctx)` that throws to fail.

use wasm_bindgen::prelude::*;

/// `scenarios! { "/tests/browser/x.js"; rust_name => "jsName", … }`: one `#[wasm_bindgen_test]`
/// per scenario, which runs it with [`crate::ctx::context`] and fails with its error and stack.
macro_rules! scenarios {
    ($module:literal; $($rust:ident => $js:literal),* $(,)?) => {
        #[wasm_bindgen(module = $module)]
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
                    if let Err(e) = super::$rust(crate::ctx::context()).await {
                        panic!("{}", crate::scenarios::describe(&e));
                    }
                }
            )*
        }
    };
}

/// A scenario's failure as text: an `Error`'s message and stack, anything else as debug output.
pub fn describe(e: &JsValue) -> String {
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
