// The extension's one table of limits, in the client library's unit (UTF-8 bytes).
//
// A message the user can send is one the client library accepts: its own limit, read from the
// library, so that the extension and the library can never disagree (error code
// MESSAGE_TOO_LONG in both). The storage limits keep storage.local (10 MB in Chrome without
// `unlimitedStorage`) from filling up with history.
import { ElizaClient } from "../pkg/eliza_socketio.js";

export const LIMITS = Object.freeze({
  /** Longest message text the user can send (read once the wasm is loaded). */
  get messageBytes() {
    return ElizaClient.maxMessageBytes;
  },
  /**
   * Longest text kept per stored message; a longer reply is stored shortened. As large as a
   * message the user can send, so that the user's own messages are always kept whole.
   */
  get storedMessageBytes() {
    return ElizaClient.maxMessageBytes;
  },
  /** Stored history per chat (its JSON, UTF-8); the oldest messages go first. */
  chatBytes: 1_000_000,
  /** Messages kept per chat, whatever their size (the popup renders them all). */
  chatMessages: 200,
  /** While a reply streams in, its chat is written at most this often. */
  streamingWriteMs: 1000,
  /** Share of the stored history dropped (oldest first) per retry when storage is full. */
  quotaTrimShare: 0.1,
});

const encoder = new TextEncoder();

/** UTF-8 length of a string, without allocating for ASCII-only text. */
export function utf8Bytes(text) {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(text) ? text.length : encoder.encode(text).length;
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8 (never splits a character). */
export function clipUtf8(text, maxBytes) {
  if (text.length * 3 <= maxBytes) return text;
  const { read } = encoder.encodeInto(text, new Uint8Array(maxBytes));
  return text.slice(0, read);
}
