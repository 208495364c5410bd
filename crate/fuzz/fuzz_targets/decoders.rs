//! Every decoder, on arbitrary input: must return a value or an error, never panic.
#![no_main]

use eliza_socketio::engine::{packet, payload, Handshake};
use eliza_socketio::{json, sio};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = packet::decode_text(&text);
    for item in payload::decode(&text) {
        let _ = item;
    }
    let _ = Handshake::parse(&text);
    let _ = json::parse_object(&text);
    let _ = json::validate(&text);
    let _ = json::string_prefix(&text);
    // A header decided from a prefix must agree with the one decided from the whole text.
    if let Ok(Some(whole)) = sio::decode_header(&text, true) {
        for cut in (1..text.len()).filter(|c| text.is_char_boundary(*c)) {
            if let Ok(Some(part)) = sio::decode_header(&text[..cut], false) {
                assert_eq!(part, whole, "prefix decision differs at {cut}");
            }
        }
    }
});
