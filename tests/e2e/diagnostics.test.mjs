// client.diagnostics() from a page (dist/pkg): each of the seed's five common mistakes provoked
// for real and shown as its named finding — against a real ElizaOS server where it can produce
// the situation, against a real socket.io server where only a non-ElizaOS server would (traffic
// on "message") — and a healthy chat with none. The API key never appears in a report.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startDemoSetup } from "./lib/demo.mjs";
import { startLossyProxy } from "./lib/lossy-proxy.mjs";
import { startEliza } from "../fixtures/eliza.mjs";
import { startControl } from "../fixtures/sio-control.mjs";

let setup, eliza, control;

before(async () => {
  [setup, control] = await Promise.all([startDemoSetup({ agents: ["Echo", "Parrot"] }), startControl()]);
  eliza = setup.eliza;
});

after(() => Promise.all([setup?.dispose(), control?.close()]));

const agentId = (name) => eliza.agents.find((a) => a.name === name).id;

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
    /** Resolves once `client` is connected. */
    window.connected = (client) =>
      new Promise((resolve) => {
        if (client.connected) return resolve();
        const off = client.on("state", (s) => s.state === "connected" && (off(), resolve()));
      });
    /** Polls client.diagnostics() until `check(report)` holds; resolves with the report. */
    window.diagnosed = (client, check, timeout = 20_000) =>
      new Promise((resolve, reject) => {
        const deadline = Date.now() + timeout;
        const poll = () => {
          const report = client.diagnostics();
          if (check(report)) return resolve(report);
          if (Date.now() > deadline) return reject(new Error(`not diagnosed in time: ${JSON.stringify(report)}`));
          setTimeout(poll, 100);
        };
        poll();
      });
  });
  return { page, errors };
}

/** A socket.io 4.8 server from the control server: {id, url}. */
async function sioServer() {
  const res = await fetch(`${control.url}/servers`, { method: "POST", body: JSON.stringify({ transports: ["websocket"] }) });
  return res.json();
}

async function sioEmit(server, event, ...args) {
  const res = await fetch(`${control.url}/servers/${server.id}/emit`, { method: "POST", body: JSON.stringify({ event, args }) });
  assert.equal(res.status, 200, await res.text());
}

const kinds = (report) => report.findings.map((f) => f.kind);

test("a healthy chat: connection facts, a confirmed join, the events seen, and no finding", { timeout: 60_000 }, async () => {
  const { page, errors } = await pageWithPackage();
  const report = await page.evaluate(async ({ serverUrl, echo }) => {
    const client = new pkg.ElizaClient({ serverUrl, socket: { transports: ["websocket"] } });
    const before = client.diagnostics();
    const dm = await client.joinDm(echo);
    const reply = new Promise((resolve) => client.onChannel(dm.id, "message", ({ message }) => message.fromAgent && resolve()));
    client.send(dm.id, "are you there?");
    await reply;
    const report = client.diagnostics();
    client.disconnect();
    return { ...report, dmId: dm.id, revisionBefore: before.revision, handshakeBefore: before.handshake.result };
  }, { serverUrl: eliza.url, echo: agentId("Echo") });

  assert.equal(report.serverUrl, eliza.url);
  assert.equal(report.serverEra, "1.6.5+", "a 1.7.2 server, detected");
  assert.equal(report.state, "connected");
  assert.equal(report.transport, "websocket");
  assert.deepEqual(report.handshake, { result: "ok" });
  assert.match(report.socketId, /^[\w-]{10,}$/);
  assert.equal(report.messageServerId, "00000000-0000-0000-0000-000000000000");
  assert.equal(report.channels.length, 1);
  const [channel] = report.channels;
  assert.equal(channel.channelId, report.dmId);
  assert.equal(channel.agentId, agentId("Echo"));
  assert.equal(channel.join, "confirmed");
  assert.equal(typeof channel.joinConfirmedAt, "number");
  assert.ok(channel.joinConfirmedAt >= channel.joinSentAt);
  assert.equal(channel.live, true);
  const names = report.recentEvents.map((e) => e.name);
  for (const name of ["channel_joined", "messageBroadcast", "messageAck"]) assert.ok(names.includes(name), `${name} in ${names}`);
  assert.ok(report.recentEvents.filter((e) => e.name === "messageBroadcast").every((e) => e.channelId === report.dmId));
  assert.ok(report.counts.broadcasts >= 2, "own echo and the reply");
  assert.deepEqual(report.findings, []);
  assert.deepEqual(Object.values(report.lastErrors).filter(Boolean), []);
  assert.ok(report.revision > report.revisionBefore);
  assert.equal(report.handshakeBefore, "pending");
  assert.ok(!JSON.stringify(report).includes("are you there?"), "no message text is kept");
  assert.deepEqual(errors, []);
  await page.close();
});

test("not joined: a send to a channel never joined is named, with the channel", { timeout: 60_000 }, async () => {
  const { page } = await pageWithPackage();
  const result = await page.evaluate(async ({ serverUrl, echo }) => {
    const client = new pkg.ElizaClient({ serverUrl, socket: { transports: ["websocket"] } });
    const dm = await client.dmChannel(echo); // the channel exists on the server, but is not joined
    await window.connected(client);
    let code;
    try {
      client.send(dm.id, "hello?");
    } catch (e) {
      code = e.code;
    }
    const report = client.diagnostics();
    client.disconnect();
    return { code, report, dmId: dm.id };
  }, { serverUrl: eliza.url, echo: agentId("Echo") });
  assert.equal(result.code, "INVALID_ARGUMENT");
  const finding = result.report.findings.find((f) => f.kind === "notJoined");
  assert.ok(finding, JSON.stringify(result.report.findings));
  assert.equal(finding.title, "Not joined");
  assert.equal(finding.channelId, result.dmId);
  await page.close();
});

test("ID mismatch: a reply for a channel no longer joined names both channel ids", { timeout: 60_000 }, async () => {
  const { page } = await pageWithPackage();
  const result = await page.evaluate(async ({ serverUrl, echo, parrot }) => {
    const client = new pkg.ElizaClient({ serverUrl, socket: { transports: ["websocket"] } });
    const parrotDm = await client.joinDm(parrot);
    const echoDm = await client.joinDm(echo);
    await window.diagnosed(client, (r) => r.channels.every((c) => c.live));
    // Echo answers after 1.5 s; by then the client follows only Parrot's channel, while the
    // server still has the socket in Echo's room (it has no leave message).
    client.send(echoDm.id, "[slow:1500] late answer");
    client.leave(echoDm.id);
    const report = await window.diagnosed(client, (r) => r.findings.some((f) => f.kind === "idMismatch" && r.unjoinedBroadcasts.some((u) => u.count >= 2)));
    client.disconnect();
    return { report, echoDm: echoDm.id, parrotDm: parrotDm.id };
  }, { serverUrl: eliza.url, echo: agentId("Echo"), parrot: agentId("Parrot") });
  const finding = result.report.findings.find((f) => f.kind === "idMismatch");
  assert.equal(finding.title, "ID mismatch");
  assert.equal(finding.channelId, result.echoDm);
  assert.deepEqual(finding.joinedChannelIds, [result.parrotDm]);
  assert.ok(finding.detail.includes(result.echoDm) && finding.detail.includes(result.parrotDm), finding.detail);
  const [unjoined] = result.report.unjoinedBroadcasts;
  assert.equal(unjoined.channelId, result.echoDm);
  assert.equal(unjoined.event, "messageBroadcast");
  await page.close();
});

test("missing fields: the real server's messageError for a join without channelId", { timeout: 60_000 }, async () => {
  const proxy = await startLossyProxy(eliza.port);
  try {
    proxy.stripJoinIds = true;
    const { page } = await pageWithPackage();
    const report = await page.evaluate(async ({ serverUrl, echo }) => {
      const client = new pkg.ElizaClient({ serverUrl, socket: { transports: ["websocket"] } });
      await client.joinDm(echo);
      const report = await window.diagnosed(client, (r) => r.findings.some((f) => f.kind === "missingFields"));
      client.disconnect();
      return report;
    }, { serverUrl: proxy.url, echo: agentId("Echo") });
    assert.ok(proxy.stripped >= 1);
    const finding = report.findings.find((f) => f.kind === "missingFields");
    assert.equal(finding.title, "Missing fields");
    assert.match(finding.detail, /channelId is required/);
    assert.match(report.lastErrors.join.message, /channelId is required/);
    assert.ok(report.recentEvents.some((e) => e.name === "messageError"));
    assert.notEqual(report.channels[0].join, "confirmed", "the server refused the join");
    await page.close();
  } finally {
    await proxy.close();
  }
});

test("CORS: REST blocked by a server that allows another origin, while the socket connects", { timeout: 90_000 }, async () => {
  const strict = await startEliza({ agents: ["Echo"], corsOrigin: "http://allowed.invalid" });
  try {
    const { page } = await pageWithPackage();
    const result = await page.evaluate(async (serverUrl) => {
      const client = new pkg.ElizaClient({ serverUrl, socket: { transports: ["websocket"] } });
      const code = await client.agents().then(() => "no error", (e) => e.code);
      await window.connected(client);
      const report = await window.diagnosed(client, (r) => r.findings.some((f) => f.kind === "corsPermission"));
      client.disconnect();
      return { code, report };
    }, strict.url);
    assert.equal(result.code, "NETWORK");
    const finding = result.report.findings.find((f) => f.kind === "corsPermission");
    assert.equal(finding.title, "CORS / permission");
    assert.deepEqual(result.report.handshake, { result: "ok" }, "the socket itself was accepted");
    assert.equal(result.report.lastErrors.permission.code, "NETWORK");
    assert.match(result.report.lastErrors.permission.message, /\/api\//);
    assert.equal(result.report.lastErrors.rest.code, "NETWORK");
    await page.close();
  } finally {
    await strict.dispose();
  }
});

test("wrong event: a server that sends \"message\" instead of messageBroadcast; the API key is never shown", { timeout: 60_000 }, async () => {
  const server = await sioServer();
  const KEY = "key-8c1f0d5e-diagnostics";
  const channel = "a8c0c5f2-1b7e-4c39-9d3e-5f0e7c2b9a11";
  const { page } = await pageWithPackage();
  await page.evaluate(async ({ serverUrl, channel, KEY }) => {
    const client = new pkg.ElizaClient({ serverUrl, apiKey: KEY, socket: { transports: ["websocket"] } });
    window.client = client;
    client.join(channel);
    await window.connected(client);
  }, { serverUrl: server.url, channel, KEY });
  // The seed's server shape answering on "message", and an event whose name and room carry the key.
  await sioEmit(server, "message", { channelId: channel, senderName: "Agent", text: "hello" });
  await sioEmit(server, `leak-${KEY}`, { roomId: `room-${KEY}` });
  // An acknowledgement with no broadcast ever: messages travel on some other event.
  await sioEmit(server, "messageAck", { clientMessageId: "0d9e2c1a-7b7f-4d0e-9a51-2f3c4b5a6d7e", status: "ok", channelId: channel });
  const report = await page.evaluate(() =>
    window.diagnosed(window.client, (r) => r.recentEvents.some((e) => e.name === "messageAck")),
  );
  await page.evaluate(() => window.client.disconnect());

  const wrong = report.findings.filter((f) => f.kind === "wrongEvent");
  assert.equal(wrong.length, 2, JSON.stringify(report.findings));
  assert.ok(wrong.every((f) => f.title === "Wrong event"));
  assert.match(wrong[0].detail, /named "message".*messageBroadcast/);
  assert.match(wrong[1].detail, /messageAck.*never sent a "messageBroadcast"/);
  assert.equal(report.counts.messageEvents, 1);
  assert.equal(report.counts.broadcasts, 0);
  assert.deepEqual(report.channels.map((c) => c.channelId), [channel]);
  assert.notEqual(report.channels[0].join, "confirmed", "a plain socket.io server never confirms joins");
  const text = JSON.stringify(report);
  assert.ok(!text.includes(KEY), "the key's value is nowhere in the report");
  assert.ok(report.recentEvents.some((e) => e.name === "leak-[redacted]" && e.channelId === "room-[redacted]"), text);
  await page.close();
});
