//! Event arguments for the Rust API: JSON values through serde, binary arguments as bytes.
//!
//! Pure data (no browser types), so it is tested natively; the Rust API re-exports it.
//!
//! Socket.IO sends binary arguments out of band: in the JSON they are placeholders
//! `{"_placeholder":true,"num":i}`, and attachment `i` follows the packet. [`Args`] keeps both
//! halves, so a binary argument is a `Vec<u8>` on the Rust side and an `ArrayBuffer`/`Buffer` on
//! the peer's.

// Only the browser face (module `rust_api`, wasm32) uses this; native builds compile it for its tests.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

use core::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// Why a payload could not be turned into JSON, or JSON into the type asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadError {
    message: String,
}

impl PayloadError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        PayloadError { message: message.into() }
    }
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PayloadError {}

/// The arguments of an event or of an acknowledgement: JSON values and binary attachments.
///
/// Build outgoing arguments with [`Args::new`], [`Args::arg`] and [`Args::bytes`]; read
/// incoming ones with [`Args::get`], [`Args::bytes_at`] and [`Args::value`].
///
/// ```no_run
/// use eliza_socketio::rust_api::Args;
///
/// # fn demo() -> Result<(), eliza_socketio::rust_api::PayloadError> {
/// let args = Args::new().arg(&"avatar.png")?.bytes(vec![0x89, b'P', b'N', b'G']);
/// assert_eq!(args.len(), 2);
/// assert_eq!(args.get::<String>(0)?, "avatar.png");
/// assert_eq!(args.bytes_at(1), Some(&[0x89, b'P', b'N', b'G'][..]));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Args {
    values: Vec<Value>,
    attachments: Vec<Vec<u8>>,
}

/// The deepest JSON nesting walked when checking placeholders (serde_json stops at 128).
const MAX_DEPTH: usize = 128;

impl Args {
    /// No arguments.
    pub fn new() -> Self {
        Args::default()
    }

    /// Appends an argument, serialized with serde (`serde_json::Value` works as it is).
    ///
    /// ```no_run
    /// # use eliza_socketio::rust_api::Args;
    /// # fn demo() -> Result<(), eliza_socketio::rust_api::PayloadError> {
    /// #[derive(serde::Serialize)]
    /// struct Move { x: i32, y: i32 }
    /// let args = Args::new().arg(&Move { x: 1, y: 2 })?.arg(&serde_json::json!({"fast": true}))?;
    /// # Ok(()) }
    /// ```
    pub fn arg<T: Serialize + ?Sized>(mut self, value: &T) -> Result<Self, PayloadError> {
        self.push(value)?;
        Ok(self)
    }

    /// Appends a binary argument (sent as an attachment, received by the peer as binary).
    ///
    /// ```no_run
    /// # use eliza_socketio::rust_api::Args;
    /// let args = Args::new().bytes(vec![1, 2, 3]);
    /// ```
    pub fn bytes(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.push_bytes(bytes);
        self
    }

    /// Appends an argument in place; see [`Args::arg`].
    pub fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), PayloadError> {
        let value = serde_json::to_value(value)
            .map_err(|e| PayloadError::new(format!("argument {} cannot be serialized: {e}", self.len())))?;
        self.values.push(value);
        Ok(())
    }

    /// Appends a binary argument in place; see [`Args::bytes`].
    pub fn push_bytes(&mut self, bytes: impl Into<Vec<u8>>) {
        let num = self.attachments.len();
        self.attachments.push(bytes.into());
        self.values.push(serde_json::json!({ "_placeholder": true, "num": num }));
    }

    /// How many arguments there are.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are no arguments.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Argument `index` as JSON (a binary argument shows as its placeholder).
    ///
    /// ```no_run
    /// # use eliza_socketio::rust_api::Args;
    /// # fn demo(args: &Args) {
    /// if let Some(serde_json::Value::String(s)) = args.value(0) {
    ///     println!("first argument: {s}");
    /// }
    /// # }
    /// ```
    pub fn value(&self, index: usize) -> Option<&Value> {
        self.values.get(index)
    }

    /// Argument `index` deserialized into `T`. A missing argument reads as JSON `null`, so
    /// `Option<T>` and `()` accept it.
    ///
    /// ```no_run
    /// # use eliza_socketio::rust_api::Args;
    /// # fn demo(args: &Args) -> Result<(), eliza_socketio::rust_api::PayloadError> {
    /// let count: u32 = args.get(0)?;
    /// let note: Option<String> = args.get(1)?;
    /// # Ok(()) }
    /// ```
    pub fn get<T: DeserializeOwned>(&self, index: usize) -> Result<T, PayloadError> {
        let value = self.values.get(index).cloned().unwrap_or(Value::Null);
        serde_json::from_value(value)
            .map_err(|e| PayloadError::new(format!("argument {index} does not have the expected type: {e}")))
    }

    /// The bytes of argument `index`, when it is a binary argument.
    ///
    /// ```no_run
    /// # use eliza_socketio::rust_api::Args;
    /// # fn demo(args: &Args) {
    /// if let Some(png) = args.bytes_at(0) {
    ///     println!("{} bytes", png.len());
    /// }
    /// # }
    /// ```
    pub fn bytes_at(&self, index: usize) -> Option<&[u8]> {
        placeholder_num(self.values.get(index)?).and_then(|n| self.attachments.get(n)).map(Vec::as_slice)
    }

    /// Every argument as JSON (binary ones as placeholders), in order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// Every binary attachment, in placeholder order.
    pub fn attachments(&self) -> &[Vec<u8>] {
        &self.attachments
    }

    /// `[event, ...args]` as JSON text (the event's packet data), or `[...args]` without an event
    /// (an acknowledgement's).
    pub(crate) fn to_json(&self, event: Option<&str>) -> Result<String, PayloadError> {
        let mut out = String::from("[");
        if let Some(event) = event {
            out.push_str(&serde_json::to_string(event).map_err(|e| PayloadError::new(e.to_string()))?);
        }
        for (i, value) in self.values.iter().enumerate() {
            if i > 0 || event.is_some() {
                out.push(',');
            }
            out.push_str(&serde_json::to_string(value).map_err(|e| PayloadError::new(e.to_string()))?);
        }
        out.push(']');
        Ok(out)
    }

    pub(crate) fn into_attachments(self) -> Vec<Vec<u8>> {
        self.attachments
    }

    /// Reads packet data: a JSON array (the event name first when `with_event`) and its
    /// attachments. Every placeholder must name an attachment, as socket.io-client requires.
    pub(crate) fn decode(
        text: &str,
        attachments: Vec<Vec<u8>>,
        with_event: bool,
    ) -> Result<(Option<String>, Args), PayloadError> {
        let Ok(Value::Array(mut values)) = serde_json::from_str::<Value>(text) else {
            return Err(PayloadError::new("packet data is not a JSON array"));
        };
        let event = if with_event {
            if values.is_empty() {
                return Err(PayloadError::new("event packet without an event name"));
            }
            match values.remove(0) {
                Value::String(name) => Some(name),
                Value::Number(n) => Some(n.to_string()),
                _ => return Err(PayloadError::new("event name is not a string")),
            }
        } else {
            None
        };
        if !values.iter().all(|v| placeholders_valid(v, attachments.len(), 0)) {
            return Err(PayloadError::new("illegal attachments"));
        }
        Ok((event, Args { values, attachments }))
    }
}

fn placeholder_num(value: &Value) -> Option<usize> {
    let obj = value.as_object()?;
    if obj.get("_placeholder") != Some(&Value::Bool(true)) {
        return None;
    }
    obj.get("num")?.as_u64().and_then(|n| usize::try_from(n).ok())
}

fn placeholders_valid(value: &Value, count: usize, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match value {
        Value::Object(obj) if obj.get("_placeholder") == Some(&Value::Bool(true)) => {
            placeholder_num(value).is_some_and(|n| n < count)
        }
        Value::Object(obj) => obj.values().all(|v| placeholders_valid(v, count, depth + 1)),
        Value::Array(items) => items.iter().all(|v| placeholders_valid(v, count, depth + 1)),
        _ => true,
    }
}

/// What `emit` accepts as arguments: [`Args`], `()` for none, or a reference to any
/// `Serialize` value for exactly one argument.
///
/// ```no_run
/// # use eliza_socketio::rust_api::{Args, Socket};
/// # fn demo(socket: &Socket) -> Result<(), eliza_socketio::Error> {
/// socket.emit("ping", ())?;                                     // no argument
/// socket.emit("chat", &"hello")?;                               // one argument
/// socket.emit("pair", Args::new().arg(&1).unwrap().arg(&2).unwrap())?; // several
/// # Ok(()) }
/// ```
pub trait IntoArgs {
    /// The arguments, or why they cannot be serialized.
    fn into_args(self) -> Result<Args, PayloadError>;
}

impl IntoArgs for Args {
    fn into_args(self) -> Result<Args, PayloadError> {
        Ok(self)
    }
}

impl IntoArgs for () {
    fn into_args(self) -> Result<Args, PayloadError> {
        Ok(Args::new())
    }
}

impl<T: Serialize + ?Sized> IntoArgs for &T {
    fn into_args(self) -> Result<Args, PayloadError> {
        Args::new().arg(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn encodes_event_and_ack_data_with_placeholders() {
        let args =
            Args::new().arg(&json!({"a": 1})).unwrap().bytes(vec![1, 2]).arg(&"x\"y").unwrap().bytes(vec![3]);
        assert_eq!(
            args.to_json(Some("up")).unwrap(),
            r#"["up",{"a":1},{"_placeholder":true,"num":0},"x\"y",{"_placeholder":true,"num":1}]"#
        );
        assert_eq!(
            args.to_json(None).unwrap(),
            r#"[{"a":1},{"_placeholder":true,"num":0},"x\"y",{"_placeholder":true,"num":1}]"#
        );
        assert_eq!(Args::new().to_json(Some("e")).unwrap(), r#"["e"]"#);
        assert_eq!(Args::new().to_json(None).unwrap(), "[]");
        assert_eq!(args.bytes_at(1), Some(&[1u8, 2][..]));
        assert_eq!(args.bytes_at(3), Some(&[3u8][..]));
        assert_eq!(args.bytes_at(0), None);
        assert_eq!(args.into_attachments(), vec![vec![1, 2], vec![3]]);
    }

    #[test]
    fn decodes_what_it_encodes() {
        let sent = Args::new().arg(&[1, 2]).unwrap().bytes(vec![9]);
        let text = sent.to_json(Some("e")).unwrap();
        let (event, got) = Args::decode(&text, sent.attachments().to_vec(), true).unwrap();
        assert_eq!(event.as_deref(), Some("e"));
        assert_eq!(got, sent);
        assert_eq!(got.get::<Vec<u8>>(0).unwrap(), vec![1, 2]);
    }

    #[test]
    fn typed_reads_say_what_is_wrong() {
        let (_, args) = Args::decode(r#"["e", 5, "s"]"#, Vec::new(), true).unwrap();
        assert_eq!(args.get::<u32>(0).unwrap(), 5);
        assert_eq!(args.get::<Option<u32>>(7).unwrap(), None, "a missing argument reads as null");
        let e = args.get::<u32>(1).unwrap_err();
        assert!(e.to_string().starts_with("argument 1 does not have the expected type"), "{e}");
        let mut map = std::collections::HashMap::new();
        map.insert(vec![1u8], 1);
        let e = Args::new().arg(&map).unwrap_err();
        assert!(e.to_string().starts_with("argument 0 cannot be serialized"), "{e}");
    }

    #[test]
    fn refuses_bad_packet_data() {
        for (text, with_event) in [
            ("{}", true),
            ("[]", true),
            ("[null]", true),
            ("[{\"x\":1}]", true),
            ("[\"e\",", true),
            ("", false),
            ("\"s\"", false),
        ] {
            assert!(Args::decode(text, Vec::new(), with_event).is_err(), "{text}");
        }
        // Event names may be numbers, as socket.io-client accepts them.
        assert_eq!(Args::decode("[7]", Vec::new(), true).unwrap().0.as_deref(), Some("7"));
        assert_eq!(Args::decode("[]", Vec::new(), false).unwrap().1.len(), 0);
    }

    #[test]
    fn every_placeholder_must_name_an_attachment() {
        let one = || vec![vec![1u8]];
        assert!(Args::decode(r#"["e",{"_placeholder":true,"num":0}]"#, one(), true).is_ok());
        assert!(Args::decode(r#"["e",{"deep":[{"_placeholder":true,"num":0}]}]"#, one(), true).is_ok());
        for bad in [
            r#"["e",{"_placeholder":true,"num":1}]"#,
            r#"["e",{"_placeholder":true}]"#,
            r#"["e",{"_placeholder":true,"num":-1}]"#,
            r#"["e",{"_placeholder":true,"num":"0"}]"#,
            r#"["e",[[{"x":{"_placeholder":true,"num":5}}]]]"#,
        ] {
            assert_eq!(
                Args::decode(bad, one(), true).unwrap_err().to_string(),
                "illegal attachments",
                "{bad}"
            );
        }
        // Deeper than the walk goes: refused, not a stack overflow.
        let deep = format!("[\"e\",{}1{}]", "[".repeat(126), "]".repeat(126));
        assert!(Args::decode(&deep, Vec::new(), true).is_ok());
        let too_deep = format!("[\"e\",{}1{}]", "[".repeat(400), "]".repeat(400));
        assert!(Args::decode(&too_deep, Vec::new(), true).is_err());
    }
}
