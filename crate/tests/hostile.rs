//! The Socket.IO client in a real browser page against a hostile server
//! (tests/fixtures/hostile.mjs): malformed handshakes and packets, floods, huge and endless
//! bodies, frames cut in the middle. Scenarios are in browser/hostile.js; each one checks the
//! events, that no error escapes, that the client still answers, and memory.
#![cfg(target_arch = "wasm32")]

#[path = "browser/ctx.rs"]
mod ctx;
#[path = "browser/scenarios.rs"]
#[macro_use]
mod scenarios;

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

scenarios! {
    "/tests/browser/hostile.js";
    ping_zero_polling => "pingZeroPolling",
    ping_zero_websocket => "pingZeroWebsocket",
    ping_huge_polling => "pingHugePolling",
    ping_huge_websocket => "pingHugeWebsocket",
    handshake_garbage_polling => "handshakeGarbagePolling",
    handshake_garbage_websocket => "handshakeGarbageWebsocket",
    handshake_not_json_polling => "handshakeNotJsonPolling",
    handshake_not_json_websocket => "handshakeNotJsonWebsocket",
    no_connect_answer_polling => "noConnectAnswerPolling",
    no_connect_answer_websocket => "noConnectAnswerWebsocket",
    early_flood_polling => "earlyFloodPolling",
    early_flood_websocket => "earlyFloodWebsocket",
    flood_of_events_polling => "floodOfEventsPolling",
    flood_of_events_websocket => "floodOfEventsWebsocket",
    twenty_megabyte_event_polling => "twentyMegabyteEventPolling",
    twenty_megabyte_event_websocket => "twentyMegabyteEventWebsocket",
    two_megabytes_of_tiny_records_polling => "twoMegabytesOfTinyRecordsPolling",
    endless_body_polling => "endlessBodyPolling",
    endless_record_polling => "endlessRecordPolling",
    endless_record_over_limit_polling => "endlessRecordOverLimitPolling",
    endless_message_websocket => "endlessMessageWebsocket",
    mid_frame_close_polling => "midFrameClosePolling",
    mid_frame_close_websocket => "midFrameCloseWebsocket",
    malformed_packets_polling => "malformedPacketsPolling",
    malformed_packets_websocket => "malformedPacketsWebsocket",
    missing_attachments_polling => "missingAttachmentsPolling",
    missing_attachments_websocket => "missingAttachmentsWebsocket",
    too_many_attachments_polling => "tooManyAttachmentsPolling",
    too_many_attachments_websocket => "tooManyAttachmentsWebsocket",
    bad_base64_polling => "badBase64Polling",
    bad_base64_websocket => "badBase64Websocket",
    long_control_packet_polling => "longControlPacketPolling",
    long_control_packet_websocket => "longControlPacketWebsocket",
    message_over_limit_polling => "messageOverLimitPolling",
    message_over_limit_websocket => "messageOverLimitWebsocket",
    message_under_the_default_limit_is_delivered => "messageUnderTheDefaultLimitIsDelivered",
    long_recovery_offset_polling => "longRecoveryOffsetPolling",
    long_recovery_offset_websocket => "longRecoveryOffsetWebsocket",
    eliza_events_and_rest_bodies_are_bounded => "elizaEventsAndRestBodiesAreBounded",
    eliza_ack_reply_is_bounded => "elizaAckReplyIsBounded",
}
