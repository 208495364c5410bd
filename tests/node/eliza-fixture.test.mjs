// The ElizaOS test server, driven end to end the way the extension drives it:
// REST discovery, Socket.IO 4.8 with {entityId}, ROOM_JOINING, SEND_MESSAGE.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { startEliza } from '../fixtures/eliza.mjs';
import { SEND_MESSAGE, connect, joinDm, openDm, rest, sendPayload } from '../fixtures/eliza-client.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Sends `text` in the DM and returns the server's answers to it. */
async function chat(session, dm, text) {
  const payload = sendPayload(dm, text);
  session.socket.emit('message', { type: SEND_MESSAGE, payload });
  const ownEcho = await session.events.waitFor(
    'messageBroadcast',
    (m) => m.clientMessageId === payload.messageId,
  );
  const ack = await session.events.waitFor('messageAck', (a) => a.clientMessageId === payload.messageId);
  const reply = await session.events.waitFor(
    'messageBroadcast',
    (m) => m.senderId === dm.agentId && m.roomId === dm.channelId && m.text === `echo: ${text}`,
  );
  return { payload, ownEcho, ack, reply };
}

async function history(baseUrl, channelId, apiKey) {
  const { status, body } = await rest(baseUrl, `/api/messaging/channels/${channelId}/messages?limit=100`, {
    apiKey,
  });
  assert.equal(status, 200);
  return body.data.messages;
}

describe('ElizaOS test server without keys', () => {
  let eliza;
  const sessions = [];

  before(async () => {
    eliza = await startEliza();
  });

  after(async () => {
    for (const { socket } of sessions) socket.close();
    await eliza?.dispose();
  });

  async function dmSession(agentName, userId) {
    const agent = eliza.agents.find((a) => a.name === agentName);
    const dm = await openDm(eliza.url, agent.id, { userId });
    const session = await connect(eliza.url, { entityId: dm.userId });
    sessions.push(session);
    await joinDm(session, dm);
    return { dm, session };
  }

  test('GET /api/agents lists the started agents as active', async () => {
    assert.deepEqual(eliza.agents.map((a) => a.name), ['Echo', 'Parrot']);
    const { status, body } = await rest(eliza.url, '/api/agents');
    assert.equal(status, 200);
    for (const agent of eliza.agents) {
      assert.match(agent.id, UUID);
      const listed = body.data.agents.find((a) => a.id === agent.id);
      assert.equal(listed?.name, agent.name);
      assert.equal(listed.status, 'active');
    }
  });

  test('a DM message is echoed to its sender, acknowledged and answered', async () => {
    const { dm, session } = await dmSession('Echo');
    const { payload, ownEcho, ack, reply } = await chat(session, dm, 'hello Echo');

    assert.equal(ownEcho.text, 'hello Echo');
    assert.equal(ownEcho.channelId, dm.channelId);
    assert.equal(ownEcho.senderId, dm.userId);
    assert.match(ownEcho.id, UUID);

    assert.equal(ack.messageId, ownEcho.id);
    assert.equal(ack.channelId, dm.channelId);
    assert.equal(ack.status, 'received_by_server_and_processing');

    assert.equal(reply.text, 'echo: hello Echo');
    assert.equal(reply.senderName, 'Echo');
    assert.equal(reply.source, 'agent_response');
    assert.equal(reply.channelId, undefined, 'agent replies carry roomId only');

    const stored = await history(eliza.url, dm.channelId);
    const mine = stored.find((m) => m.id === ownEcho.id);
    assert.equal(mine.sourceId, payload.messageId);
    assert.equal(mine.rawMessage.messageId, payload.messageId);
    assert.ok(stored.some((m) => m.id === reply.id && m.inReplyToRootMessageId === ownEcho.id));
  });

  test('hostile and unusual text comes back verbatim', async () => {
    const { dm, session } = await dmSession('Parrot');
    const text = `<img src=x onerror=alert(1)> "double" 'single' </text>&amp; {{x}}\nline two ünïcødé 😀`;
    const { reply } = await chat(session, dm, text);
    assert.equal(reply.text, `echo: ${text}`);
    assert.equal(reply.senderName, 'Parrot');
  });

  test('[slow:N] holds the reply back for N ms', async () => {
    const { dm, session } = await dmSession('Echo');
    const { ack } = await chat(session, dm, 'take your time [slow:700]');
    const replied = session.events.received.find(
      (e) => e.name === 'messageBroadcast' && e.payload.text === 'echo: take your time [slow:700]',
    );
    const ackedAt = session.events.received.find((e) => e.payload === ack).at;
    assert.ok(replied.at - ackedAt >= 650, `reply came ${replied.at - ackedAt} ms after the ack`);
  });

  test('[stream] sends messageStreamChunk events under the id of the reply that follows', async () => {
    const { dm, session } = await dmSession('Echo');
    const { reply } = await chat(session, dm, 'a <b>streamed</b> answer [stream]');
    const chunks = session.events.all('messageStreamChunk', (c) => c.messageId === reply.id);
    assert.ok(chunks.length > 1, `${chunks.length} chunks`);
    assert.deepEqual(chunks.map((c) => c.index), [...chunks.keys()]);
    assert.ok(chunks.every((c) => c.channelId === dm.channelId && c.agentId === dm.agentId));
    // Chunks carry the model's raw XML text: entities stay encoded until the final reply.
    assert.equal(chunks.map((c) => c.chunk).join(''), 'echo: a &lt;b&gt;streamed&lt;/b&gt; answer [stream]');
  });

  test('a restart keeps agent ids, the DM channel and its history', async () => {
    const userId = randomUUID();
    const before = await dmSession('Echo', userId);
    await chat(before.session, before.dm, 'remember me');
    const agentsBefore = eliza.agents;

    await eliza.stop();
    await eliza.start();

    assert.deepEqual(eliza.agents, agentsBefore);
    const after = await dmSession('Echo', userId);
    assert.equal(after.dm.channelId, before.dm.channelId);
    const texts = (await history(eliza.url, after.dm.channelId)).map((m) => m.content);
    assert.ok(texts.includes('remember me') && texts.includes('echo: remember me'), texts.join(' | '));
    const { reply } = await chat(after.session, after.dm, 'still there?');
    assert.equal(reply.text, 'echo: still there?');
  });
});

describe('ElizaOS test server with SERVER_API_KEY and ELIZA_SERVER_AUTH_TOKEN', () => {
  const serverApiKey = 'socket-key-for-tests';
  const authToken = 'rest-token-for-tests';
  let eliza;

  before(async () => {
    eliza = await startEliza({ agents: ['Echo'], serverApiKey, authToken });
  });

  after(async () => {
    await eliza?.dispose();
  });

  test('a socket without the API key is refused', async () => {
    await assert.rejects(connect(eliza.url, { entityId: randomUUID() }), {
      message: 'Invalid or missing API Key',
    });
    await assert.rejects(connect(eliza.url, { entityId: randomUUID(), apiKey: 'wrong' }), {
      message: 'Invalid or missing API Key',
    });
  });

  test('REST without a valid X-API-KEY gets 401', async () => {
    const missing = await rest(eliza.url, '/api/agents');
    assert.equal(missing.status, 401);
    const wrong = await rest(eliza.url, '/api/agents', { apiKey: 'wrong' });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, { error: 'API key required', message: 'Missing or invalid X-API-KEY header' });
  });

  test('with both keys the DM round trip works', async () => {
    const agent = eliza.agents[0];
    const dm = await openDm(eliza.url, agent.id, { apiKey: authToken });
    const session = await connect(eliza.url, { entityId: dm.userId, apiKey: serverApiKey });
    try {
      await joinDm(session, dm);
      const { reply } = await chat(session, dm, 'keys accepted');
      assert.equal(reply.text, 'echo: keys accepted');
    } finally {
      session.socket.close();
    }
  });
});
