// ElizaClient from a page (the built web package, dist/pkg) against the seed document's own
// server shape (fixtures/seed-server.mjs): no REST API, joins by roomId, bare broadcasts,
// presence and typing both ways. A plain socket.io-client in Node plays the other user.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { io } from "socket.io-client";
import { startSeedServer } from "../fixtures/seed-server.mjs";
import { launchPlain } from "./lib/chromium.mjs";
import { spawnUntil } from "./lib/child.mjs";
import { ROOT } from "./lib/paths.mjs";
import { waitFor } from "./lib/wait.mjs";

const ROOM = "5eed0000-0000-4000-8000-00000000000a";
const PEER = "9e1e0000-0000-4000-8000-00000000000b";

let seed, demo, browser;

before(async () => {
  [seed, demo, browser] = await Promise.all([
    startSeedServer(),
    spawnUntil(process.execPath, [path.join(ROOT, "crate/demo/serve.mjs"), "--port", "0"], /^(http:\/\/127\.0\.0\.1:\d+\/)$/),
    launchPlain(),
  ]);
});

after(() => Promise.all([browser?.close(), demo?.stop(), seed?.close()]));

/** A page of the demo's origin with the package loaded as `window.pkg`. */
async function pageWithPackage() {
  const page = await browser.browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(new URL("/pkg/package.json", demo.match[1]).href);
  await page.evaluate(async () => {
    const pkg = await import("/pkg/eliza_socketio.js");
    await pkg.default();
    window.pkg = pkg;
  });
  return { page, errors };
}

/** The other user: joins ROOM as the seed document's client does, and records what it gets. */
async function peer() {
  const socket = io(seed.url, { transports: ["websocket"], auth: { entityId: PEER }, forceNew: true });
  const got = [];
  for (const name of ["userJoined", "userLeft", "userTyping", "messageBroadcast"]) {
    socket.on(name, (payload) => got.push({ name, payload }));
  }
  await new Promise((resolve) => socket.once("connect", resolve));
  await socket.emitWithAck("message", { type: 1, payload: { roomId: ROOM, entityId: PEER } });
  return { socket, got };
}

test("ElizaClient chats with a server without REST: join, send, reply, presence and typing both ways", { timeout: 60_000 }, async () => {
  const { page, errors } = await pageWithPackage();
  const user = await page.evaluate(async ({ serverUrl, room }) => {
    window.events = [];
    const client = new pkg.ElizaClient({ serverUrl, rest: false, userName: "Page user", socket: { transports: ["websocket"] } });
    for (const name of ["message", "ack", "sendFailed", "presence", "typing", "error", "joined"]) {
      client.onChannel(room, name, (e) => window.events.push(e));
    }
    client.on("error", (e) => window.events.push({ ...e, global: true }));
    window.client = client;
    client.join(room);
    await new Promise((resolve) => {
      if (client.connected) return resolve();
      const off = client.on("state", (s) => s.state === "connected" && (off(), resolve()));
    });
    return client.entityId;
  }, { serverUrl: seed.url, room: ROOM });

  // Send, acknowledged by the callback, answered by a bare broadcast.
  await waitFor(() => seed.received.some((r) => r.event === "message" && r.payload?.type === 1), { what: "the join" });
  const first = await page.evaluate((room) => window.client.send(room, "hello seed"), ROOM);
  await page.waitForFunction(() => window.events.some((e) => e.type === "message" && e.message.text === "echo: hello seed"));
  await page.waitForFunction((id) => window.events.some((e) => e.type === "ack" && e.clientMessageId === id), first);
  // A second exchange: whatever came for the first has arrived by the time its reply does.
  const second = await page.evaluate((room) => window.client.send(room, "again"), ROOM);
  await page.waitForFunction(() => window.events.some((e) => e.type === "message" && e.message.text === "echo: again"));
  // The server broadcasts the reply before it answers the callback.
  await page.waitForFunction((id) => window.events.some((e) => e.type === "ack" && e.clientMessageId === id), second);
  const chat = await page.evaluate(() => ({
    events: window.events.slice(),
    outbox: window.client.outbox(),
  }));
  const replies = chat.events.filter((e) => e.type === "message").map((e) => e.message);
  assert.deepEqual(replies.map((m) => m.text), ["echo: hello seed", "echo: again"], "each reply exactly once");
  for (const m of replies) {
    assert.equal(m.senderName, "Seed");
    assert.equal(m.fromAgent, true);
    assert.equal(m.channelId, ROOM);
    assert.match(m.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(typeof m.createdAt, "number");
  }
  assert.notEqual(replies[0].id, replies[1].id);
  assert.equal(chat.events.find((e) => e.type === "ack" && e.clientMessageId === first).via, "callback");
  assert.deepEqual(chat.outbox, [], "both messages confirmed");
  const sent = seed.received.find((r) => r.event === "message" && r.payload?.type === 2);
  assert.equal(sent.acked, true, "the send asked for an acknowledgement");
  assert.equal(sent.payload.payload.roomId, ROOM);
  assert.equal(sent.payload.payload.senderId, user);

  // Presence: the other user joins.
  const other = await peer();
  try {
    await page.waitForFunction((peerId) => window.events.some((e) => e.type === "presence" && e.userId === peerId && e.present), PEER);
    assert.deepEqual(await page.evaluate((room) => window.client.present(room), ROOM), [PEER]);

    // Typing in: the other user types, then stops.
    other.socket.emit("typing", { roomId: ROOM, userId: PEER, isTyping: true });
    await page.waitForFunction((peerId) => window.events.some((e) => e.type === "typing" && e.userId === peerId && e.isTyping), PEER);
    assert.deepEqual(await page.evaluate((room) => window.client.typingUsers(room), ROOM), [PEER]);
    other.socket.emit("typing", { roomId: ROOM, userId: PEER, isTyping: false });
    await page.waitForFunction((peerId) => window.events.some((e) => e.type === "typing" && e.userId === peerId && !e.isTyping), PEER);

    // Typing out: keystrokes reach the other user (throttled), and sending ends them.
    await page.evaluate((room) => {
      window.client.typing(room, true);
      window.client.typing(room, true);
      window.client.typing(room, true);
    }, ROOM);
    await waitFor(() => other.got.some((g) => g.name === "userTyping" && g.payload.isTyping), { what: "userTyping true at the peer" });
    await page.evaluate((room) => window.client.send(room, "done typing"), ROOM);
    await waitFor(() => other.got.some((g) => g.name === "messageBroadcast" && g.payload.text === "echo: done typing"), { what: "the reply at the peer" });
    const typingSeen = other.got.filter((g) => g.name === "userTyping").map((g) => g.payload);
    assert.deepEqual(typingSeen, [
      { userId: user, roomId: ROOM, isTyping: true },
      { userId: user, roomId: ROOM, isTyping: false },
    ], "one true for three keystrokes, then false on send");
    const typingEmits = seed.received.filter((r) => r.event === "typing" && r.payload.userId === user).map((r) => r.payload);
    assert.deepEqual(typingEmits[0], { channelId: ROOM, roomId: ROOM, userId: user, isTyping: true }, "the seed's shape, both ids");
  } finally {
    other.socket.close();
  }

  // Presence: the other user leaves.
  await page.waitForFunction((peerId) => window.events.some((e) => e.type === "presence" && e.userId === peerId && !e.present), PEER);
  assert.deepEqual(await page.evaluate((room) => window.client.present(room), ROOM), []);

  const leftovers = await page.evaluate(() => {
    window.client.disconnect();
    return window.events.filter((e) => e.type === "error" || e.type === "sendFailed");
  });
  assert.deepEqual(leftovers, []);
  assert.deepEqual(seed.httpRequests, [], "not one REST request");
  assert.deepEqual(errors, []);
  await page.close();
});
