// The extension's popup against the seed document's server shape (fixtures/seed-server.mjs),
// which has no REST API: the "Server has no REST API" setting, a chat in the configured room,
// who else is there, "… is typing…", and the popup's own typing reaching the server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { startSeedServer } from "../fixtures/seed-server.mjs";
import { launchWithExtension } from "./lib/chromium.mjs";
import { Popup } from "./lib/popup.mjs";
import { waitFor } from "./lib/wait.mjs";

const ROOM = "5eed0000-0000-4000-8000-0000000000c1";
const PEER = "9e1e0000-0000-4000-8000-0000000000c2";

let seed, ext;

before(async () => {
  [seed, ext] = await Promise.all([startSeedServer({ agentName: "Seed" }), launchWithExtension()]);
});

after(() => Promise.all([ext?.close(), seed?.close()]));

test("the popup chats with a server without REST: reply, presence, typing both ways", { timeout: 90_000 }, async () => {
  const popup = await Popup.open(ext);
  await popup.fillSettings({ serverUrl: seed.url, userName: "Ada" });
  const page = popup.page;
  // The room fields appear only for a server without the REST API.
  assert.equal(await page.getByLabel("Room id").isVisible(), false);
  await page.getByLabel("Server has no REST API").check();
  await page.getByLabel("Room id").fill("not-a-room");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.locator("#test-result[data-tone=error]", { hasText: "room id" }).waitFor();
  await page.getByLabel("Room id").fill(ROOM.toUpperCase());
  await page.getByLabel("Agent name").fill("Seed");
  assert.deepEqual(await popup.testConnection(), { tone: "ok", text: "Connected (Socket.IO only)." });
  await popup.save();
  await popup.openChat("Seed");

  await popup.send("hello seed");
  await popup.waitForReply("echo: hello seed");
  await popup.waitForStatus("hello seed", "delivered");
  await popup.send("second");
  await popup.waitForReply("echo: second");
  assert.deepEqual(await popup.transcript(), ["hello seed", "echo: hello seed", "second", "echo: second"], "each reply once");

  // Another user joins the room: the chat says who else is there.
  const peer = io(seed.url, { transports: ["websocket"], auth: { entityId: PEER }, forceNew: true });
  const peerGot = [];
  peer.on("userTyping", (p) => peerGot.push(p));
  try {
    await new Promise((resolve) => peer.once("connect", resolve));
    await peer.emitWithAck("message", { type: 1, payload: { roomId: ROOM, entityId: PEER } });
    await page.locator("#presence", { hasText: `Also here: ${PEER.slice(0, 8)}` }).waitFor();

    // The other user types: shown, then gone when they stop.
    peer.emit("typing", { roomId: ROOM, userId: PEER, isTyping: true });
    await page.locator("#typing-text", { hasText: `${PEER.slice(0, 8)} is typing…` }).waitFor();
    await popup.screenshot("seed-typing", { readme: true });
    peer.emit("typing", { roomId: ROOM, userId: PEER, isTyping: false });
    await page.locator("#typing").waitFor({ state: "hidden" });

    // The popup's user types: the server hears it and relays it to the other user.
    const before = seed.received.length;
    await popup.input.pressSequentially("typing here");
    await waitFor(() => peerGot.some((p) => p.isTyping === true), { what: "userTyping at the peer" });
    const fromPopup = seed.received.slice(before).filter((r) => r.event === "typing" && r.payload.isTyping === true);
    // One per keystroke would be 11; the client repeats `true` at most every 2 s.
    assert.ok(fromPopup.length >= 1 && fromPopup.length < 11, `throttled: ${fromPopup.length} for 11 keystrokes`);
    assert.equal(fromPopup[0].payload.roomId, ROOM);
    assert.equal(fromPopup[0].payload.channelId, ROOM);
    await popup.input.press("Enter");
    await popup.waitForReply("echo: typing here");
    await waitFor(() => peerGot.at(-1)?.isTyping === false, { what: "typing false after sending" });
  } finally {
    peer.close();
  }
  await page.locator("#presence").waitFor({ state: "hidden" });
  assert.deepEqual(seed.httpRequests, [], "no REST request");
  assert.deepEqual(popup.errors, []);
  await popup.close();
});
