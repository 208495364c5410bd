// A real ElizaOS 1.7.2 server and the seed document's extras: it has no `typing` handler and
// does not answer acknowledgement callbacks. Typing must be ignored there (no error, no
// disconnect) and messages must still be confirmed the ElizaOS way.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startDemoSetup } from "./lib/demo.mjs";

let setup;

before(async () => {
  setup = await startDemoSetup();
});

after(() => setup?.dispose());

test("ElizaOS ignores typing emits and still confirms and answers messages", { timeout: 90_000 }, async () => {
  const page = await setup.browser.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(new URL("/pkg/package.json", setup.url).href);
  const result = await page.evaluate(async (serverUrl) => {
    const pkg = await import("/pkg/eliza_socketio.js");
    await pkg.default();
    const client = new pkg.ElizaClient({ serverUrl, socket: { transports: ["websocket"] } });
    const events = [];
    client.on("error", (e) => events.push(e));
    client.on("sendFailed", (e) => events.push(e));
    client.on("state", (s) => events.push({ type: "state", state: s.state }));
    const [agent] = await client.agents();
    const dm = await client.joinDm(agent.id);
    await new Promise((resolve) => {
      if (client.connected) return resolve();
      const off = client.on("state", (s) => s.state === "connected" && (off(), resolve()));
    });
    const acks = [];
    client.on("ack", (e) => acks.push(e.via));
    const reply = new Promise((resolve) =>
      client.onChannel(dm.id, "message", ({ message }) => message.fromAgent && resolve(message.text)),
    );
    client.typing(dm.id, true);
    client.typing(dm.id, false);
    client.typing(dm.id, true);
    const id = client.send(dm.id, "typed first");
    const text = await reply;
    const connected = client.connected;
    client.disconnect();
    return { id, text, connected, acks, events, outbox: client.outbox() };
  }, setup.eliza.url);
  assert.equal(result.text, "echo: typed first");
  assert.equal(result.connected, true, "still connected");
  assert.ok(result.acks.length === 1 && ["ack", "echo"].includes(result.acks[0]), `confirmed the ElizaOS way: ${result.acks}`);
  assert.deepEqual(result.outbox, []);
  assert.deepEqual(result.events.filter((e) => e.type !== "state"), [], "no error");
  const states = result.events.filter((e) => e.type === "state").map((e) => e.state);
  assert.ok(!states.slice(0, -1).some((s) => s === "disconnected" || s === "reconnecting"), `never dropped: ${states}`);
  assert.deepEqual(pageErrors, []);
  await page.close();
});
