//! Agent replies being streamed, shown as provisional text until the final message arrives.
//!
//! Chunks are the model's raw output: entities may still be encoded (`&lt;`) and split across
//! chunks, so the joined text is a preview only. The final `messageBroadcast` with the same id
//! replaces it.

/// Streams followed at once per channel (the oldest is forgotten beyond this).
const MAX_STREAMS: usize = 4;

/// Preview text kept per stream; later chunks are still reported but not accumulated.
const MAX_PREVIEW_BYTES: usize = 1 << 20;

#[derive(Debug)]
struct Stream {
    message_id: String,
    text: String,
    next_index: u64,
}

/// The streams of one channel.
#[derive(Debug, Default)]
pub(crate) struct Streams {
    active: Vec<Stream>,
}

impl Streams {
    /// Adds a chunk and returns the preview so far; `None` for a chunk already seen.
    ///
    /// Chunks come in order over one socket; a gap (joined mid-stream) is accepted as is.
    pub(crate) fn push(&mut self, message_id: &str, index: Option<u64>, chunk: &str) -> Option<&str> {
        let i = match self.active.iter().position(|s| s.message_id == message_id) {
            Some(i) => i,
            None => {
                if self.active.len() == MAX_STREAMS {
                    self.active.remove(0);
                }
                self.active.push(Stream {
                    message_id: message_id.to_owned(),
                    text: String::new(),
                    next_index: 0,
                });
                self.active.len() - 1
            }
        };
        let stream = &mut self.active[i];
        let index = index.unwrap_or(stream.next_index);
        if index < stream.next_index {
            return None;
        }
        stream.next_index = index.saturating_add(1);
        if stream.text.len() + chunk.len() <= MAX_PREVIEW_BYTES {
            stream.text.push_str(chunk);
        }
        Some(&stream.text)
    }

    /// Forgets the stream of `message_id`; returns whether there was one.
    pub(crate) fn end(&mut self, message_id: &str) -> bool {
        let before = self.active.len();
        self.active.retain(|s| s.message_id != message_id);
        self.active.len() != before
    }

    /// Forgets every stream (the channel was cleared).
    pub(crate) fn clear(&mut self) {
        self.active.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accumulates_and_skips_repeats() {
        let mut s = Streams::default();
        assert_eq!(s.push("m", Some(0), "ec"), Some("ec"));
        assert_eq!(s.push("m", Some(1), "ho"), Some("echo"));
        assert_eq!(s.push("m", Some(1), "ho"), None);
        assert_eq!(s.push("m", None, "!"), Some("echo!"));
        assert!(s.end("m"));
        assert!(!s.end("m"));
    }

    #[test]
    fn forgets_the_oldest_beyond_the_limit() {
        let mut s = Streams::default();
        for i in 0..=MAX_STREAMS {
            s.push(&i.to_string(), Some(0), "x");
        }
        assert!(!s.end("0"));
        assert!(s.end(&MAX_STREAMS.to_string()));
    }
}
