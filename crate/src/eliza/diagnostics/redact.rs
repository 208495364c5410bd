//! Removing a secret from a report before anyone sees it.

use serde_json::Value;

/// What a removed secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Replaces every occurrence of `secret` in the strings of `value` (keys included).
/// An empty secret changes nothing.
pub fn redact(value: &mut Value, secret: &str) {
    if secret.is_empty() {
        return;
    }
    // The replacement must not bring the secret back (a key like "red").
    let mask = [REDACTED, "***", ""].into_iter().find(|m| !m.contains(secret)).unwrap_or("");
    redact_with(value, secret, mask);
}

fn redact_with(value: &mut Value, secret: &str, mask: &str) {
    match value {
        Value::String(s) if s.contains(secret) => *s = s.replace(secret, mask),
        Value::Array(items) => items.iter_mut().for_each(|v| redact_with(v, secret, mask)),
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().filter(|k| k.contains(secret)).cloned().collect();
            for key in keys {
                if let Some(v) = map.remove(&key) {
                    map.insert(key.replace(secret, mask), v);
                }
            }
            map.values_mut().for_each(|v| redact_with(v, secret, mask));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_string_and_key_loses_the_secret() {
        let mut v = json!({"a": "x-KEY-y", "KEY": ["KEY", 1, {"b": "KEYKEY"}], "n": null});
        redact(&mut v, "KEY");
        assert_eq!(v, json!({"a": "x-[redacted]-y", "[redacted]": ["[redacted]", 1, {"b": "[redacted][redacted]"}], "n": null}));
        assert!(!v.to_string().contains("KEY"));
    }

    #[test]
    fn a_secret_inside_the_mask_is_still_removed() {
        let mut v = json!(["red alert"]);
        redact(&mut v, "red");
        assert_eq!(v, json!(["*** alert"]));
    }

    #[test]
    fn an_empty_secret_changes_nothing() {
        let mut v = json!({"a": "text"});
        redact(&mut v, "");
        assert_eq!(v, json!({"a": "text"}));
    }
}
