//! Strict readers for the JSON an application hands back (a saved outbox, saved server info).
//!
//! Unlike the tolerant readers for server payloads ([`super::fields`]), a field of the wrong
//! type here is an error naming the field: the data was written by this library, so anything
//! else is a mistake the application should hear about, not something to guess around. A
//! missing optional field takes its default; `null` counts as missing only where it says so.

use serde_json::{Map, Value};

use super::error::ElizaError;

/// Reads one stored object, each error prefixed with where it happened (`outbox[2].text`).
pub(crate) struct Fields<'a> {
    map: &'a Map<String, Value>,
    at: &'a str,
}

impl<'a> Fields<'a> {
    /// `value` as an object, or an error saying what `at` should have been.
    pub(crate) fn of(value: &'a Value, at: &'a str) -> Result<Self, ElizaError> {
        match value {
            Value::Object(map) => Ok(Fields { map, at }),
            other => Err(wrong(at, "an object", other)),
        }
    }

    fn name(&self, key: &str) -> String {
        if self.at.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.at)
        }
    }

    /// The field as given (any JSON type), if present.
    pub(crate) fn any(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    /// A required string.
    pub(crate) fn string(&self, key: &str) -> Result<String, ElizaError> {
        match self.map.get(key) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(wrong(&self.name(key), "a string", other)),
            None => Err(missing(&self.name(key))),
        }
    }

    /// A string, if present.
    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<&'a str>, ElizaError> {
        match self.map.get(key) {
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(wrong(&self.name(key), "a string", other)),
            None => Ok(None),
        }
    }

    /// A string, if present and not `null`.
    pub(crate) fn nullable_str(&self, key: &str) -> Result<Option<&'a str>, ElizaError> {
        match self.map.get(key) {
            Some(Value::Null) | None => Ok(None),
            Some(_) => self.opt_str(key),
        }
    }

    /// A boolean, `false` when absent.
    pub(crate) fn bool_or_false(&self, key: &str) -> Result<bool, ElizaError> {
        match self.map.get(key) {
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(wrong(&self.name(key), "a boolean", other)),
            None => Ok(false),
        }
    }

    /// A required whole number from 0 to `u64::MAX`.
    pub(crate) fn u64(&self, key: &str) -> Result<u64, ElizaError> {
        self.opt_u64(key)?.ok_or_else(|| missing(&self.name(key)))
    }

    /// A whole number from 0 to `u64::MAX`, if present.
    pub(crate) fn opt_u64(&self, key: &str) -> Result<Option<u64>, ElizaError> {
        match self.map.get(key) {
            Some(v) => v.as_u64().map(Some).ok_or_else(|| wrong(&self.name(key), "a whole number ≥ 0", v)),
            None => Ok(None),
        }
    }

    /// A whole number from 0 to `u64::MAX`, if present and not `null`.
    pub(crate) fn nullable_u64(&self, key: &str) -> Result<Option<u64>, ElizaError> {
        match self.map.get(key) {
            Some(Value::Null) | None => Ok(None),
            Some(_) => self.opt_u64(key),
        }
    }

    /// A whole number from 0 to `u32::MAX`, 0 when absent.
    pub(crate) fn u32_or_zero(&self, key: &str) -> Result<u32, ElizaError> {
        match self.opt_u64(key)? {
            None => Ok(0),
            Some(n) => u32::try_from(n).map_err(|_| {
                ElizaError::InvalidArgument(format!(
                    "{} must be at most {}, got {n}",
                    self.name(key),
                    u32::MAX
                ))
            }),
        }
    }

    /// A string that must be one of `names` (its position in `names`), if present.
    pub(crate) fn opt_one_of(&self, key: &str, names: &[&str]) -> Result<Option<usize>, ElizaError> {
        self.opt_str(key)?.map(|s| one_of(&self.name(key), s, names)).transpose()
    }
}

/// The position of `text` in `names`, or an error listing them.
pub(crate) fn one_of(at: &str, text: &str, names: &[&str]) -> Result<usize, ElizaError> {
    names.iter().position(|n| *n == text).ok_or_else(|| {
        let expected: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
        ElizaError::InvalidArgument(format!("{at} must be one of {}, got \"{text}\"", expected.join(", ")))
    })
}

fn missing(at: &str) -> ElizaError {
    ElizaError::InvalidArgument(format!("{at} is missing"))
}

/// `at must be <expected>, got <what it is>`: the JSON type only, never the value (a number
/// would need float formatting; a long text would flood the message).
pub(crate) fn wrong(at: &str, expected: &str, got: &Value) -> ElizaError {
    let got = match got {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a fractional number",
        Value::Number(n) if n.is_u64() => "a number",
        Value::Number(_) => "a negative number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    let at = if at.is_empty() { "value" } else { at };
    ElizaError::InvalidArgument(format!("{at} must be {expected}, got {got}"))
}
