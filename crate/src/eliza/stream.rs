//! Agent replies being streamed, shown as provisional text until the final message arrives.
//!
//! Chunks are the model's raw output, where the reply sits inside XML: entities are still encoded
//! (`&lt;`) and may be split across chunks. [`preview`] turns the joined chunks into the plain text
//! the final message will have, as far as it can be known yet. The final `messageBroadcast` with
//! the same id replaces it.

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

/// The plain text of a stream so far: XML entities decoded, and an entity cut off at the end
/// (its chunk not here yet) left out until it is complete.
pub(crate) fn preview(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        // The longest entity decoded here is `&#x10FFFF;` (10 bytes).
        let window = &tail[..tail.len().min(12)];
        match window.find(';') {
            Some(end) => match decode_entity(&tail[1..end]) {
                Some(c) => {
                    out.push(c);
                    rest = &tail[end + 1..];
                }
                None => {
                    out.push('&');
                    rest = &tail[1..];
                }
            },
            // No `;` yet and the text ends within an entity's length: wait for the next chunk.
            None if tail.len() < 12 && tail[1..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'#') => {
                return out;
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_entity(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            return char::from_u32(code);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_decodes_entities_and_waits_for_split_ones() {
        assert_eq!(preview("echo: &lt;b&gt;bold&lt;/b&gt; &amp; &quot;q&quot;"), "echo: <b>bold</b> & \"q\"");
        assert_eq!(preview("a &am"), "a ");
        assert_eq!(preview("a &"), "a ");
        assert_eq!(preview("a &#x4"), "a ");
        assert_eq!(preview("&#65;&#x42;&apos;"), "AB'");
        // Not entities: kept as written.
        assert_eq!(preview("fish & chips"), "fish & chips");
        assert_eq!(preview("&nosuch; &#xZZ; &#99999999;"), "&nosuch; &#xZZ; &#99999999;");
        assert_eq!(preview("R&D and more"), "R&D and more");
    }

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
