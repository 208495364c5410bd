//! Identifiers: ElizaOS names everything (users, agents, channels, messages) with UUIDs.
//!
//! Ids are kept in one canonical spelling (lowercase, hyphenated — what the server generates)
//! so that comparing the ids of incoming events with ours is plain string equality.

use uuid::{Builder, Uuid};

use super::error::ElizaError;
use crate::rng::Rng;

/// The canonical spelling of `text` if it is a UUID in any accepted form.
pub(crate) fn canonical(text: &str) -> Option<String> {
    Uuid::try_parse(text).ok().map(|id| id.hyphenated().to_string())
}

/// The canonical spelling of `text`, or an error naming the argument (`what`).
pub(crate) fn require(what: &str, text: &str) -> Result<String, ElizaError> {
    canonical(text).ok_or_else(|| ElizaError::InvalidArgument(format!("{what} must be a UUID, got {text:?}")))
}

/// A fresh random (version 4) UUID from the seeded generator.
pub(crate) fn new_v4(rng: &mut Rng) -> String {
    Builder::from_random_bytes(rng.next_bytes16()).into_uuid().hyphenated().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form_is_lowercase_hyphenated() {
        assert_eq!(
            canonical("E738C7D8-9AFB-0A9A-8B54-8496F7CE7CA8").as_deref(),
            Some("e738c7d8-9afb-0a9a-8b54-8496f7ce7ca8")
        );
        assert_eq!(canonical("not a uuid"), None);
        assert_eq!(require("agent id", "x").unwrap_err().code(), "INVALID_ARGUMENT");
    }

    #[test]
    fn new_ids_are_version_4_and_vary() {
        let mut rng = Rng::new(9);
        let (a, b) = (new_v4(&mut rng), new_v4(&mut rng));
        assert_ne!(a, b);
        let parsed = Uuid::try_parse(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(canonical(&a).as_deref(), Some(a.as_str()));
    }
}
