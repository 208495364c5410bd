//! Keeping a secret (the API key) out of everything recorded.

/// What a removed secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// `text` with every occurrence of `secret` replaced. An empty secret changes nothing.
pub fn redact(text: &str, secret: &str) -> String {
    if secret.is_empty() || !text.contains(secret) {
        return text.to_owned();
    }
    // The replacement must not bring the secret back (a key like "red").
    let mask = if REDACTED.contains(secret) { "***" } else { REDACTED };
    text.replace(secret, mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_occurrence_is_replaced() {
        assert_eq!(redact("x-KEY-yKEYKEY", "KEY"), "x-[redacted]-y[redacted][redacted]");
    }

    #[test]
    fn a_secret_inside_the_mask_is_still_removed() {
        assert_eq!(redact("red alert", "red"), "*** alert");
        assert_eq!(redact("a*b", "*"), "a[redacted]b");
    }

    #[test]
    fn an_empty_secret_changes_nothing() {
        assert_eq!(redact("text", ""), "text");
    }
}
