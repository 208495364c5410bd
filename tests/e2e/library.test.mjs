// ElizaClient used directly from a page (the built web package, dist/pkg) against a real ElizaOS
// server: argument errors, the connection state across a server restart, streamed previews, and
// the message acknowledgement timeout.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startDemoSetup } from "./lib/demo.mjs";
import { startLossyProxy } from "./lib/lossy-proxy.mjs";

let setup, eliza;

before(async () => {
  setup = await startDemoSetup();
  eliza = setup.eliza;
});

after(() => setup?.dispose());

/** A page of the demo's origin with the package loaded as `window.pkg`. */
async function pageWithPackage() {
  const page = await setup.browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(new URL("/pkg/package.json", setup.url).href);
  await page.evaluate(async () => {
    const pkg = await import("/pkg/eliza_socketio.js");
    await pkg.default();
    window.pkg = pkg;
  });
  return { page, errors };
}

test("bad arguments are refused with coded errors, not TypeErrors", { timeout: 60_000 }, async () => {
  const { page, errors } = await pageWithPackage();
  const codes = await page.evaluate(async (serverUrl) => {
    const code = (f) => {
      try {
        f();
        return "no error";
      } catch (e) {
        return e instanceof Error ? e.code || e.name : typeof e;
      }
    };
    const rejection = (p) => p.then(() => "no error", (e) => e.code || e.name);
    const client = new pkg.ElizaClient({ serverUrl, userName: "Tester" });
    const [agent] = await client.agents();
    const dm = await client.joinDm(agent.id);
    const down = new pkg.ElizaClient({ serverUrl: "http://127.0.0.1:9", socket: { autoConnect: false } });
    const result = {
      nullChannel: code(() => client.send(null, "x")),
      numberText: code(() => client.send(dm.id, 42)),
      emptyText: code(() => client.send(dm.id, "   ")),
      tooLong: code(() => client.send(dm.id, "x".repeat(100_001))),
      // The limit counts UTF-8 bytes: 50,001 "é" are 100,002 bytes.
      tooLongUtf8: code(() => client.send(dm.id, "é".repeat(50_001))),
      maxMessageBytes: pkg.ElizaClient.maxMessageBytes,
      notJoined: code(() => client.send("0b5e6a3e-9a3f-4f0a-8f53-6d1a3c0c1b2d", "x")),
      badUrl: code(() => new pkg.ElizaClient({ serverUrl: "ftp://example" })),
      badEntity: code(() => new pkg.ElizaClient({ serverUrl, entityId: "me" })),
      joinDmNumber: await rejection(client.joinDm(42)),
      unknownAgent: await rejection(client.joinDm("not-a-uuid")),
      unreachable: await rejection(down.agents()),
    };
    client.disconnect();
    return result;
  }, eliza.url);
  assert.deepEqual(codes, {
    nullChannel: "INVALID_ARGUMENT",
    numberText: "INVALID_ARGUMENT",
    emptyText: "INVALID_ARGUMENT",
    tooLong: "MESSAGE_TOO_LONG",
    tooLongUtf8: "MESSAGE_TOO_LONG",
    maxMessageBytes: 100_000,
    notJoined: "INVALID_ARGUMENT",
    badUrl: "INVALID_URL",
    badEntity: "INVALID_ARGUMENT",
    joinDmNumber: "INVALID_ARGUMENT",
    unknownAgent: "INVALID_ARGUMENT",
    unreachable: "NETWORK",
  });
  assert.deepEqual(errors, []);
  await page.close();
});

test("a saved outbox or server info of the wrong shape is refused with the field named", { timeout: 60_000 }, async () => {
  const { page, errors } = await pageWithPackage();
  const result = await page.evaluate((serverUrl) => {
    const refusal = (options) => {
      try {
        new pkg.ElizaClient({ serverUrl, socket: { autoConnect: false }, ...options }).free();
        return "no error";
      } catch (e) {
        return `${e.code}: ${e.message}`;
      }
    };
    const entry = {
      clientMessageId: "5e7e0000-0000-4000-8000-000000000001",
      channelId: "ea01db97-1111-4222-8333-444455556666",
      text: "typed offline",
      createdAt: 1_700_000_000_000,
    };
    const id = "00000000-0000-0000-0000-000000000000";
    return {
      minimal: refusal({ outbox: [entry], serverInfo: { messageServerId: id } }),
      textNumber: refusal({ outbox: [entry, { ...entry, text: 5 }] }),
      noCreatedAt: refusal({ outbox: [{ ...entry, createdAt: undefined }] }),
      fractionalTime: refusal({ outbox: [{ ...entry, createdAt: 1.5 }] }),
      badKind: refusal({ outbox: [{ ...entry, state: { kind: "lost" } }] }),
      notArray: refusal({ outbox: entry }),
      badEra: refusal({ serverInfo: { messageServerId: id, era: "2.0" } }),
      noServerId: refusal({ serverInfo: {} }),
    };
  }, eliza.url);
  assert.deepEqual(result, {
    minimal: "no error",
    textNumber: "INVALID_ARGUMENT: outbox[1].text must be a string, got a number",
    noCreatedAt: "INVALID_ARGUMENT: outbox[0].createdAt is missing",
    fractionalTime: "INVALID_ARGUMENT: outbox[0].createdAt must be a whole number ≥ 0, got a fractional number",
    badKind: 'INVALID_ARGUMENT: outbox[0].state.kind must be one of "queued", "sent", "failed", got "lost"',
    notArray: "INVALID_ARGUMENT: outbox must be an array, got an object",
    badEra: 'INVALID_ARGUMENT: serverInfo.era must be one of "unknown", "1.2-1.6.4", "1.2-1.4", "1.5-1.6.4", "1.6.5+", got "2.0"',
    noServerId: "INVALID_ARGUMENT: serverInfo.messageServerId is missing",
  });
  assert.deepEqual(errors, []);
  await page.close();
});

test("the state goes connected → reconnecting (with a retry time) → connected across a restart", { timeout: 90_000 }, async () => {
  const { page } = await pageWithPackage();
  await page.evaluate(async (serverUrl) => {
    window.states = [];
    const client = new pkg.ElizaClient({ serverUrl, socket: { reconnectionDelay: 200, reconnectionDelayMax: 400 } });
    client.on("state", (s) => window.states.push({ state: s.state, attempt: s.attempt, retryAt: s.retryAt }));
    window.client = client;
    await new Promise((resolve) => {
      const off = client.on("state", (s) => s.state === "connected" && (off(), resolve()));
      if (client.connected) resolve();
    });
  }, eliza.url);
  await eliza.stop();
  await page.waitForFunction(() => window.states.filter((s) => s.state === "reconnecting").length >= 2, null, { timeout: 20_000 });
  await eliza.start();
  await page.waitForFunction(() => window.states.at(-1).state === "connected", null, { timeout: 30_000 });
  const states = await page.evaluate(() => window.states.slice());
  await page.evaluate(() => window.client.disconnect());
  const first = states.findIndex((s) => s.state === "connected");
  const after = states.slice(first + 1, -1);
  assert.ok(first >= 0, JSON.stringify(states));
  assert.ok(after.length > 0 && after.every((s) => s.state === "reconnecting"), `only reconnecting between: ${JSON.stringify(states)}`);
  assert.ok(after.some((s) => typeof s.retryAt === "number" && s.attempt >= 1), `a countdown target: ${JSON.stringify(states)}`);
  await page.close();
});

test("streamed replies preview as plain text and the final message replaces them", { timeout: 60_000 }, async () => {
  const { page } = await pageWithPackage();
  const result = await page.evaluate(async (serverUrl) => {
    const client = new pkg.ElizaClient({ serverUrl });
    const [agent] = await client.agents();
    const dm = await client.joinDm(agent.id);
    const previews = [];
    client.onChannel(dm.id, "streamChunk", (e) => previews.push(e.text));
    const final = new Promise((resolve) =>
      client.onChannel(dm.id, "message", ({ message }) => message.fromAgent && resolve(message.text)),
    );
    client.send(dm.id, '[stream] <b>bold</b> & "q"');
    const text = await final;
    client.disconnect();
    return { previews, text };
  }, eliza.url);
  assert.equal(result.text, 'echo: [stream] <b>bold</b> & "q"');
  assert.ok(result.previews.length > 1, "several chunks");
  for (const preview of result.previews) {
    assert.ok(!/&(lt|gt|amp|quot);/.test(preview), `decoded preview: ${preview}`);
    assert.ok(result.text.startsWith(preview), `a preview is a prefix of the reply: ${preview}`);
  }
  await page.close();
});

test("a message the server never confirms fails after messageAckTimeout", { timeout: 60_000 }, async () => {
  const proxy = await startLossyProxy(eliza.port);
  try {
    const { page } = await pageWithPackage();
    proxy.dropSends = true;
    const failed = await page.evaluate(async (serverUrl) => {
      const client = new pkg.ElizaClient({ serverUrl, messageAckTimeout: 1500, socket: { transports: ["websocket"] } });
      const [agent] = await client.agents();
      const dm = await client.joinDm(agent.id);
      const started = Date.now();
      const failure = new Promise((resolve) => client.on("sendFailed", (e) => resolve({ ...e, after: Date.now() - started })));
      const id = client.send(dm.id, "into the void");
      const result = await failure;
      const [entry] = client.outbox();
      client.disconnect();
      return { id, result, entry };
    }, proxy.url);
    assert.equal(failed.result.clientMessageId, failed.id);
    assert.equal(failed.result.error.code, "TIMEOUT");
    assert.ok(failed.result.after < 10_000, `failed after ${failed.result.after} ms`);
    assert.equal(failed.entry.state.kind, "failed", "kept in the outbox for retry or discard");
    assert.ok(proxy.dropped >= 1);
    await page.close();
  } finally {
    await proxy.close();
  }
});
