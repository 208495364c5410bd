// The hostile server fixture speaks enough Engine.IO/Socket.IO for the reference client
// (socket.io-client 4.8): a healthy session works over both transports, and its floods are what
// the browser scenarios count on.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { io } from 'socket.io-client';

import { startHostile } from '../fixtures/hostile.mjs';

describe('hostile server fixture', () => {
  let hostile;
  const sockets = [];
  before(async () => {
    hostile = await startHostile();
  });
  after(async () => {
    for (const s of sockets) s.close();
    await hostile.close();
  });

  const open = (kase, transport, run) => {
    const s = io(hostile.url, { path: `/${kase}/`, query: { run }, transports: [transport], forceNew: true, reconnection: false });
    sockets.push(s);
    return s;
  };

  for (const transport of ['polling', 'websocket']) {
    test(`a healthy session over ${transport} answers CONNECT and echoes`, async () => {
      const s = open('normal', transport, `echo-${transport}`);
      await new Promise((resolve, reject) => {
        s.once('connect', resolve);
        s.once('connect_error', reject);
      });
      const echoed = await new Promise((resolve) => {
        s.once('echo', (...args) => resolve(args));
        s.emit('echo', 'hi', { n: 1 });
      });
      assert.deepEqual(echoed, ['hi', { n: 1 }]);
      s.close();
    });

    test(`the flood case sends 100,000 events in order over ${transport}`, async () => {
      const s = open('flood', transport, `flood-${transport}`);
      const ticks = await new Promise((resolve) => {
        const seen = [];
        s.on('tick', (i) => {
          seen.push(i);
          if (seen.length === 100000) resolve(seen);
        });
      });
      assert.ok(ticks.every((v, i) => v === i));
      s.close();
    });
  }

  test('only the first session of a run misbehaves', async () => {
    const first = open('no-connect-answer', 'websocket', 'twice');
    const firstResult = await Promise.race([
      new Promise((resolve) => first.once('connect', () => resolve('connected'))),
      new Promise((resolve) => setTimeout(() => resolve('no answer'), 500)),
    ]);
    assert.equal(firstResult, 'no answer');
    first.close();
    const second = open('no-connect-answer', 'websocket', 'twice');
    await new Promise((resolve) => second.once('connect', resolve));
    second.close();
  });

  test('the ElizaOS look-alike serves REST bodies over 4 MiB', async () => {
    const res = await fetch(`${hostile.url}/eliza/api/agents`);
    const text = await res.text();
    assert.equal(res.status, 200);
    assert.ok(text.length > 4 * 1024 * 1024);
    assert.deepEqual(JSON.parse(text).data.agents, []);
  });
});
