// The seed document's server (fixtures/seed-server.mjs) against socket.io-client 4.8 in Node:
// what the end-to-end tests rely on it to do.
import assert from "node:assert/strict";
import { once } from "node:events";
import { after, before, test } from "node:test";

import { io } from "socket.io-client";

import { startSeedServer } from "../fixtures/seed-server.mjs";

const ROOM = "5eed0000-0000-4000-8000-000000000001";
const ALICE = "a11ce000-0000-4000-8000-000000000001";
const BOB = "b0b00000-0000-4000-8000-000000000002";

let seed;
const sockets = [];

before(async () => {
  seed = await startSeedServer();
});

after(async () => {
  for (const s of sockets) s.close();
  await seed.close();
});

async function connect(entityId) {
  const socket = io(seed.url, { transports: ["websocket"], auth: { entityId }, forceNew: true });
  sockets.push(socket);
  await once(socket, "connect");
  return socket;
}

/** Joins ROOM and waits for the server's acknowledgement (so the join is in effect). */
async function join(socket, entityId) {
  await socket.emitWithAck("message", { type: 1, payload: { roomId: ROOM, entityId } });
}

test("joins announce presence, typing is relayed, messages are acknowledged and answered, leaving is announced", { timeout: 20_000 }, async () => {
  const alice = await connect(ALICE);
  await join(alice, ALICE);
  const joined = once(alice, "userJoined");
  const bob = await connect(BOB);
  await join(bob, BOB);
  assert.deepEqual((await joined)[0], { userId: BOB, roomId: ROOM });

  const typing = once(alice, "userTyping");
  bob.emit("typing", { channelId: ROOM, roomId: ROOM, userId: BOB, isTyping: true });
  assert.deepEqual((await typing)[0], { userId: BOB, roomId: ROOM, isTyping: true });

  const replies = [once(alice, "messageBroadcast"), once(bob, "messageBroadcast")];
  const ack = await bob.emitWithAck("message", { type: 2, payload: { roomId: ROOM, senderId: BOB, message: "hi" } });
  assert.equal(ack.status, "received");
  for (const reply of replies) {
    assert.deepEqual((await reply)[0], { roomId: ROOM, channelId: ROOM, senderName: "Seed", text: "echo: hi", metadata: {} });
  }

  const left = once(alice, "userLeft");
  bob.close();
  assert.deepEqual((await left)[0], { userId: BOB, roomId: ROOM });

  const res = await fetch(`${seed.url}/api/agents`);
  assert.equal(res.status, 404, "no REST API");
  assert.deepEqual(seed.httpRequests, ["GET /api/agents"]);
  assert.ok(seed.received.some((r) => r.event === "typing" && r.payload.userId === BOB));
});

test("malformed emits are ignored, the connection stays", { timeout: 20_000 }, async () => {
  const socket = await connect(ALICE);
  socket.emit("message", null);
  socket.emit("message", { type: 2, payload: "x" });
  socket.emit("typing", 42);
  const ack = await socket.emitWithAck("message", { type: 7 });
  assert.deepEqual(ack, { status: "received", type: 7 });
  assert.ok(socket.connected);
});
