// A TCP proxy in front of the real ElizaOS server that can lose or damage the user's messages on
// the way.
//
// The server always confirms a message it received, so the only way to see the extension's
// "failed" state (no confirmation in time) is a network that eats the message. While
// `dropSends` is on, WebSocket frames from the client carrying a Socket.IO SEND_MESSAGE are not
// forwarded. While `stripJoinIds` is on, ROOM_JOINING frames lose their `channelId` and `roomId`
// (a client with the seed's "missing fields" mistake): the real server answers `messageError`.
// Everything else (handshake, pings, REST) passes untouched.
//
//   const proxy = await startLossyProxy(eliza.port);   // proxy.url: use it as the server URL
//   proxy.dropSends = true; … proxy.dropped            // frames eaten so far
//   proxy.stripJoinIds = true; … proxy.stripped        // joins damaged so far
//   await proxy.close();
import net from "node:net";

const HOST = "127.0.0.1";

export async function startLossyProxy(upstreamPort) {
  const sockets = new Set();
  const proxy = { dropSends: false, dropped: 0, stripJoinIds: false, stripped: 0, url: "" };
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, HOST);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    upstream.pipe(client);
    client.on("data", filter(proxy, (chunk) => upstream.write(chunk)));
  });
  await new Promise((resolve) => server.listen(0, HOST, resolve));
  proxy.url = `http://${HOST}:${server.address().port}`;
  proxy.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return proxy;
}

/**
 * The client → server byte filter of one connection: HTTP passes as is; once the connection is
 * upgraded to WebSocket, each frame is forwarded or, when it is a SEND_MESSAGE and
 * `proxy.dropSends` is on, dropped.
 */
function filter(proxy, forward) {
  let buffer = Buffer.alloc(0);
  let websocket = false;
  return (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    if (!websocket) {
      const end = buffer.indexOf("\r\n\r\n");
      const head = buffer.subarray(0, end < 0 ? buffer.length : end).toString("latin1");
      if (!/^upgrade:\s*websocket/im.test(head)) {
        // Plain HTTP (REST, or polling): never inspected.
        forward(buffer);
        buffer = Buffer.alloc(0);
        return;
      }
      if (end < 0) return;
      forward(buffer.subarray(0, end + 4));
      buffer = buffer.subarray(end + 4);
      websocket = true;
    }
    for (;;) {
      const frame = parseFrame(buffer);
      if (!frame) return;
      const raw = buffer.subarray(0, frame.length);
      buffer = buffer.subarray(frame.length);
      if (proxy.dropSends && isSendMessage(frame.text)) proxy.dropped += 1;
      else if (proxy.stripJoinIds && isRoomJoining(frame.text)) {
        proxy.stripped += 1;
        forward(textFrame(withoutJoinIds(frame.text)));
      } else forward(raw);
    }
  };
}

/** One complete client frame at the start of `buf`: {length, text}, or null if incomplete. */
function parseFrame(buf) {
  if (buf.length < 2) return null;
  const masked = (buf[1] & 0x80) !== 0;
  let len = buf[1] & 0x7f;
  let offset = 2;
  if (len === 126) {
    if (buf.length < 4) return null;
    len = buf.readUInt16BE(2);
    offset = 4;
  } else if (len === 127) {
    if (buf.length < 10) return null;
    len = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  const mask = masked ? buf.subarray(offset, offset + 4) : null;
  if (masked) offset += 4;
  if (buf.length < offset + len) return null;
  const payload = Buffer.from(buf.subarray(offset, offset + len));
  if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
  const opcode = buf[0] & 0x0f;
  return { length: offset + len, text: opcode === 1 ? payload.toString("utf8") : "" };
}

/**
 * The `{type, payload}` of a client's Socket.IO `message` event — Engine.IO message (4) +
 * Socket.IO event (2), with or without an acknowledgement id — or null.
 */
function messageBody(text) {
  const header = /^42\d*\[/.exec(text);
  if (!header) return null;
  try {
    const [name, body] = JSON.parse(text.slice(header[0].length - 1));
    return name === "message" ? body : null;
  } catch {
    return null;
  }
}

/** Engine.IO message (4) + Socket.IO event (2): ["message", {type: 2, …}] is a SEND_MESSAGE. */
const isSendMessage = (text) => messageBody(text)?.type === 2;
/** ["message", {type: 1, …}] is a ROOM_JOINING. */
const isRoomJoining = (text) => messageBody(text)?.type === 1;

function withoutJoinIds(text) {
  const body = messageBody(text);
  const { channelId, roomId, ...payload } = body.payload ?? {};
  return "42" + JSON.stringify(["message", { ...body, payload }]);
}

/** A client → server WebSocket text frame (masked, as RFC 6455 requires; the mask may be zero). */
function textFrame(text) {
  const payload = Buffer.from(text, "utf8");
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x81, 0x80 | len]) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (len >= 126 && len < 65536) {
    head[0] = 0x81;
    head[1] = 0x80 | 126;
    head.writeUInt16BE(len, 2);
  } else if (len >= 65536) {
    head[0] = 0x81;
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([head, Buffer.alloc(4), payload]);
}
