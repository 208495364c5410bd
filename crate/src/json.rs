//! Just enough JSON for the protocol's control packets.
//!
//! The core reads JSON in three places only: the Engine.IO handshake, the Socket.IO CONNECT
//! answer (`{"sid":…,"pid":…}`) and CONNECT_ERROR (`{"message":…,"data":…}`). Event payloads are
//! never parsed here: they travel as opaque text to wherever they are consumed (in a browser,
//! `JSON.parse`). A full JSON library would dominate the size of the wasm for those three uses,
//! so this module is a small strict reader: it validates what it reads (RFC 8259 grammar, nesting
//! limited to [`MAX_DEPTH`]), returns field values as raw text, and decodes strings and numbers
//! on request. It never panics and never recurses deeper than the limit.

use crate::text;
use std::borrow::Cow;

/// Deepest nesting accepted; deeper input is rejected rather than risking the stack.
pub const MAX_DEPTH: usize = 64;

/// Why a text is not the JSON we expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonError {
    /// Not valid JSON (or nested deeper than [`MAX_DEPTH`]).
    Syntax,
    /// Valid JSON, but not an object where an object was required.
    NotAnObject,
}

/// One validated JSON value, kept as the exact text it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawValue<'a>(&'a str);

impl<'a> RawValue<'a> {
    /// The value's JSON text, unchanged.
    pub fn text(self) -> &'a str {
        self.0
    }

    /// The decoded string, if the value is a string.
    pub fn as_str(self) -> Option<Cow<'a, str>> {
        let mut r = Reader::new(self.0);
        r.string().ok()
    }

    /// The value as a non-negative integer, if it is one that fits.
    pub fn as_u64(self) -> Option<u64> {
        // Integers only; also "25000.0", which JavaScript servers may produce. Parsed without
        // floating point, which would pull float parsing into the wasm.
        let t = self.0.strip_suffix(".0").unwrap_or(self.0);
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    }

    /// Whether the value is `null`.
    pub fn is_null(self) -> bool {
        self.0 == "null"
    }

    /// Whether the value is an object.
    pub fn is_object(self) -> bool {
        self.0.starts_with('{')
    }

    /// The decoded elements of an array of strings; `None` if it is not exactly that.
    pub fn as_str_array(self) -> Option<Vec<Cow<'a, str>>> {
        let mut r = Reader::new(self.0);
        r.expect(b'[').ok()?;
        let mut out = Vec::new();
        r.ws();
        if r.eat(b']') {
            return Some(out);
        }
        loop {
            r.ws();
            out.push(r.string().ok()?);
            r.ws();
            if r.eat(b']') {
                return Some(out);
            }
            r.expect(b',').ok()?;
        }
    }
}

/// Parses `text` as one JSON object and returns its fields in order (duplicates kept).
pub fn parse_object(text: &str) -> Result<Vec<(Cow<'_, str>, RawValue<'_>)>, JsonError> {
    let mut r = Reader::new(text);
    r.ws();
    if r.peek() != Some(b'{') {
        // Still tell "valid but not an object" apart from garbage.
        r.value(0)?;
        r.ws();
        return Err(if r.at_end() { JsonError::NotAnObject } else { JsonError::Syntax });
    }
    r.pos += 1;
    let mut fields = Vec::new();
    r.ws();
    if !r.eat(b'}') {
        loop {
            r.ws();
            let key = r.string()?;
            r.ws();
            r.expect(b':')?;
            r.ws();
            let start = r.pos;
            r.value(1)?;
            fields.push((key, RawValue(text::between(text, start, r.pos))));
            r.ws();
            if r.eat(b'}') {
                break;
            }
            r.expect(b',')?;
        }
    }
    r.ws();
    if r.at_end() {
        Ok(fields)
    } else {
        Err(JsonError::Syntax)
    }
}

/// Checks that `text` is exactly one valid JSON value.
pub fn validate(text: &str) -> Result<(), JsonError> {
    let mut r = Reader::new(text);
    r.ws();
    r.value(0)?;
    r.ws();
    if r.at_end() {
        Ok(())
    } else {
        Err(JsonError::Syntax)
    }
}

/// Looks up a field by name in the output of [`parse_object`] (the last one wins, as in JS).
pub fn field<'a>(fields: &[(Cow<'a, str>, RawValue<'a>)], name: &str) -> Option<RawValue<'a>> {
    fields.iter().rev().find(|(k, _)| k == name).map(|(_, v)| *v)
}

/// Decodes the JSON string that starts at the beginning of `text`.
///
/// Returns the decoded string and the byte length of its JSON form, `Ok(None)` if `text` ends
/// before the closing quote (the caller may have only a prefix), or an error if it is not a
/// valid JSON string.
pub fn string_prefix(text: &str) -> Result<Option<(Cow<'_, str>, usize)>, JsonError> {
    let mut r = Reader::new(text);
    match r.string() {
        Ok(s) => Ok(Some((s, r.pos))),
        Err(_) if r.hit_end => Ok(None),
        Err(e) => Err(e),
    }
}

/// Appends `s` to `out` as a JSON string literal.
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Reader<'a> {
    text: &'a str,
    pos: usize,
    /// Set when a string ran into the end of the input (used by [`string_prefix`]).
    hit_end: bool,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Self {
        Reader { text, pos: 0, hit_end: false }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes().len()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn expect(&mut self, b: u8) -> Result<(), JsonError> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(JsonError::Syntax)
        }
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &str) -> Result<(), JsonError> {
        if self.bytes()[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(JsonError::Syntax)
        }
    }

    /// Skips one value, validating it. `depth` counts enclosing containers.
    fn value(&mut self, depth: usize) -> Result<(), JsonError> {
        match self.peek().ok_or(JsonError::Syntax)? {
            b'{' | b'[' if depth >= MAX_DEPTH => Err(JsonError::Syntax),
            b'{' => {
                self.pos += 1;
                self.ws();
                if self.eat(b'}') {
                    return Ok(());
                }
                loop {
                    self.ws();
                    self.string()?;
                    self.ws();
                    self.expect(b':')?;
                    self.ws();
                    self.value(depth + 1)?;
                    self.ws();
                    if self.eat(b'}') {
                        return Ok(());
                    }
                    self.expect(b',')?;
                }
            }
            b'[' => {
                self.pos += 1;
                self.ws();
                if self.eat(b']') {
                    return Ok(());
                }
                loop {
                    self.ws();
                    self.value(depth + 1)?;
                    self.ws();
                    if self.eat(b']') {
                        return Ok(());
                    }
                    self.expect(b',')?;
                }
            }
            b'"' => self.string().map(drop),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            _ => self.number(),
        }
    }

    fn number(&mut self) -> Result<(), JsonError> {
        let digits = |r: &mut Self| {
            let start = r.pos;
            while matches!(r.peek(), Some(b'0'..=b'9')) {
                r.pos += 1;
            }
            if r.pos > start {
                Ok(())
            } else {
                Err(JsonError::Syntax)
            }
        };
        self.eat(b'-');
        if !self.eat(b'0') {
            digits(self)?;
        }
        if self.eat(b'.') {
            digits(self)?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            digits(self)?;
        }
        Ok(())
    }

    /// Reads a string, borrowing when it has no escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.expect(b'"')?;
        let start = self.pos;
        // Fast path: no escapes.
        loop {
            match self.peek() {
                None => {
                    self.hit_end = true;
                    return Err(JsonError::Syntax);
                }
                Some(b'"') => {
                    let s = text::between(self.text, start, self.pos);
                    self.pos += 1;
                    return Ok(Cow::Borrowed(s));
                }
                Some(b'\\') => break,
                Some(b) if b < 0x20 => return Err(JsonError::Syntax),
                Some(_) => self.pos += 1,
            }
        }
        let mut out = String::from(text::between(self.text, start, self.pos));
        loop {
            match self.peek() {
                None => {
                    self.hit_end = true;
                    return Err(JsonError::Syntax);
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let esc = self.peek().ok_or_else(|| {
                        self.hit_end = true;
                        JsonError::Syntax
                    })?;
                    self.pos += 1;
                    match esc {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return Err(JsonError::Syntax),
                    }
                }
                Some(b) if b < 0x20 => return Err(JsonError::Syntax),
                Some(_) => {
                    // Copy one whole UTF-8 character.
                    let rest = text::after(self.text, self.pos);
                    let c = rest.chars().next().ok_or(JsonError::Syntax)?;
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        if self.pos + 4 > self.text.len() {
            self.hit_end = true;
            return Err(JsonError::Syntax);
        }
        let digits = self.text.get(self.pos..self.pos + 4).ok_or(JsonError::Syntax)?;
        let v = u32::from_str_radix(digits, 16).map_err(|_| JsonError::Syntax)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(JsonError::Syntax);
        }
        self.pos += 4;
        Ok(v)
    }

    /// Decodes `XXXX` (after `\u`), joining surrogate pairs; lone surrogates become U+FFFD as
    /// JavaScript would display them.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) && text::after(self.text, self.pos).starts_with("\\u") {
            let save = self.pos;
            self.pos += 2;
            let lo = self.hex4()?;
            if (0xDC00..0xE000).contains(&lo) {
                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return Ok(char::from_u32(c).unwrap_or('\u{FFFD}'));
            }
            self.pos = save;
        }
        Ok(char::from_u32(hi).unwrap_or('\u{FFFD}'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_handshake_like_object() {
        let text = r#"{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;
        let f = parse_object(text).unwrap();
        assert_eq!(field(&f, "sid").unwrap().as_str().unwrap(), "lv_VI97HAXpY6yYWAAAC");
        assert_eq!(field(&f, "upgrades").unwrap().as_str_array().unwrap(), ["websocket"]);
        assert_eq!(field(&f, "pingInterval").unwrap().as_u64(), Some(25000));
        assert_eq!(field(&f, "maxPayload").unwrap().as_u64(), Some(1_000_000));
        assert!(field(&f, "nope").is_none());
    }

    #[test]
    fn keeps_nested_values_as_raw_text() {
        let f =
            parse_object(r#" { "message" : "no" , "data" : {"a":[1,{"b":null}],"c":"\"x\""} } "#).unwrap();
        assert_eq!(field(&f, "data").unwrap().text(), r#"{"a":[1,{"b":null}],"c":"\"x\""}"#);
        assert!(field(&f, "data").unwrap().is_object());
    }

    #[test]
    fn decodes_escapes() {
        let f = parse_object(r#"{"s":"a\"b\\c\/d\n\u00e9\ud83d\ude00\ud800x"}"#).unwrap();
        assert_eq!(field(&f, "s").unwrap().as_str().unwrap(), "a\"b\\c/d\né😀\u{FFFD}x");
    }

    #[test]
    fn last_duplicate_wins() {
        let f = parse_object(r#"{"a":1,"a":2}"#).unwrap();
        assert_eq!(field(&f, "a").unwrap().as_u64(), Some(2));
    }

    #[test]
    fn numbers() {
        for ok in ["0", "-1", "1.5", "1e9", "-0.5E-3", "25000.0"] {
            assert_eq!(validate(ok), Ok(()), "{ok}");
        }
        for bad in ["01", "+1", "1.", ".5", "1e", "-", "0x10", "NaN", "Infinity"] {
            assert_eq!(validate(bad), Err(JsonError::Syntax), "{bad}");
        }
        let v = |t: &'static str| RawValue(t).as_u64();
        assert_eq!(v("25000.0"), Some(25000));
        assert_eq!(v("-1"), None);
        assert_eq!(v("1.5"), None);
        assert_eq!(v("99999999999999999999999"), None);
    }

    #[test]
    fn rejects_malformed_input() {
        for bad in [
            "",
            "{",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{a:1}",
            "{\"a\":1}x",
            "[1,]",
            "\"unterminated",
            "\"ctrl\u{1}\"",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\u12G4\"",
            "tru",
            "nul",
            "{\"a\":[}",
        ] {
            assert!(validate(bad).is_err() || parse_object(bad).is_err(), "{bad:?}");
            assert!(parse_object(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse_object("[1]"), Err(JsonError::NotAnObject));
        assert_eq!(parse_object("\"s\""), Err(JsonError::NotAnObject));
    }

    #[test]
    fn depth_is_limited_without_overflowing_the_stack() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert_eq!(validate(&deep), Err(JsonError::Syntax));
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert_eq!(validate(&ok), Ok(()));
    }

    #[test]
    fn string_prefix_tells_incomplete_from_invalid() {
        assert_eq!(string_prefix(r#""tick",{}"#).unwrap(), Some((Cow::Borrowed("tick"), 6)));
        assert_eq!(string_prefix(r#""ti"#).unwrap(), None);
        assert_eq!(string_prefix(r#""a\"#).unwrap(), None);
        assert_eq!(string_prefix(r#""a\u00"#).unwrap(), None);
        assert!(string_prefix(r#""a\q""#).is_err());
        assert!(string_prefix("x").is_err());
    }

    #[test]
    fn writes_strings_that_read_back() {
        let samples = ["plain", "quote\" back\\ slash", "ctl\u{0}\u{1f}\n\r\t", "ünï😀"];
        for s in samples {
            let mut out = String::new();
            write_string(&mut out, s);
            assert_eq!(string_prefix(&out).unwrap().unwrap().0, s);
        }
    }
}
