//! One `setTimeout` timer that follows a sans-IO core's next deadline.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::time::Instant;

use super::glue;

/// The armed deadline and its `setTimeout` id, if any. Dropping the timer clears it: the
/// callback it would call is dropped with its owner.
#[derive(Default)]
#[must_use = "dropping the timer clears it"]
pub(crate) struct Timer {
    armed: Option<(Instant, JsValue)>,
}

impl Timer {
    /// Makes the timer fire at `next` (or never), re-arming only when the deadline changed.
    /// `now` is read only then: most calls find the deadline unchanged, and reading the clock
    /// is a call into JavaScript.
    pub fn follow(
        &mut self,
        next: Option<Instant>,
        now: impl FnOnce() -> Instant,
        callback: &Closure<dyn FnMut()>,
    ) {
        if self.armed.as_ref().map(|(at, _)| *at) == next {
            return;
        }
        if let Some((_, id)) = self.armed.take() {
            glue::global_clear_timeout(&id);
        }
        if let Some(at) = next {
            // setTimeout takes at most 2^31-1 ms; a later deadline is re-armed when this fires.
            let ms = at.saturating_duration_since(now()).as_millis().min(i32::MAX as u128) as f64;
            let id = glue::global_set_timeout(callback.as_ref().unchecked_ref(), ms);
            self.armed = Some((at, id));
        }
    }

    /// The timer fired: it is no longer armed.
    pub fn fired(&mut self) {
        self.armed = None;
    }

    pub fn is_armed(&self) -> bool {
        self.armed.is_some()
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Some((_, id)) = self.armed.take() {
            glue::global_clear_timeout(&id);
        }
    }
}
