//! Sub-strings at byte positions the caller has found on char boundaries (next to an ASCII byte
//! it has matched, or at the end).
//!
//! `&s[a..b]` would do, but its failure path formats a message with the char and byte range in
//! `{:?}` form, which alone links char escaping, Unicode tables and range formatting (~5 KB) into
//! the wasm. These panic with a fixed message instead. They cannot fail on any input: a failure
//! is a bug in the caller's position arithmetic.

const OFF_BOUNDARY: &str = "sub-string position off a char boundary";

/// `&s[from..to]`.
#[inline]
pub(crate) fn between(s: &str, from: usize, to: usize) -> &str {
    s.get(from..to).expect(OFF_BOUNDARY)
}

/// `&s[from..]`.
#[inline]
pub(crate) fn after(s: &str, from: usize) -> &str {
    s.get(from..).expect(OFF_BOUNDARY)
}

/// `&s[..to]`.
#[inline]
pub(crate) fn before(s: &str, to: usize) -> &str {
    s.get(..to).expect(OFF_BOUNDARY)
}
