// The socket.io control server (fixtures/sio-control.mjs), driven over HTTP the
// way the browser tests drive it, against socket.io-client 4.8 in Node.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, test } from 'node:test';

import { io } from 'socket.io-client';

import { startControl } from '../fixtures/sio-control.mjs';

const CONTROL_SCRIPT = fileURLToPath(new URL('../fixtures/sio-control.mjs', import.meta.url));
const URL_PATTERN = /^http:\/\/127\.0\.0\.1:\d+$/;

let control;
const clients = new Set();
const spawned = new Set();

before(async () => {
  control = await startControl();
});

afterEach(async () => {
  for (const socket of clients) socket.close();
  clients.clear();
  for (const id of spawned) await call('DELETE', `/servers/${id}`);
  spawned.clear();
});

after(() => control.close());

async function call(method, path, body) {
  const res = await fetch(control.url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

/** Calls the API and expects 200. */
async function ok(method, path, body) {
  const res = await call(method, path, body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

async function spawnServer(config) {
  const server = await ok('POST', '/servers', config);
  spawned.add(server.id);
  return server;
}

function connect(server, { nsp = '/', transport, ...options } = {}) {
  const socket = io(server.url + nsp, {
    forceNew: true,
    reconnectionDelay: 50,
    reconnectionDelayMax: 200,
    ...(transport && { transports: [transport] }),
    ...options,
  });
  clients.add(socket);
  return socket;
}

/** Resolves with the arguments of the next `event` on `emitter`. */
function next(emitter, event, timeoutMs = 3000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (...args) => {
      clearTimeout(timer);
      resolve(args);
    };
    emitter.once(event, listener);
  });
}

/** Retries `check` until it stops throwing. */
async function eventually(check, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

function emitWithCallback(socket, event, ...args) {
  return new Promise((resolve) => socket.emit(event, ...args, (...acked) => resolve(acked)));
}

function portIsClosed(port) {
  return new Promise((resolve) => {
    const probe = net.connect(port, '127.0.0.1');
    probe.once('connect', () => {
      probe.destroy();
      resolve(false);
    });
    probe.once('error', (error) => resolve(error.code === 'ECONNREFUSED'));
  });
}

const b64 = (bytes) => Buffer.from(bytes).toString('base64');

describe('control API', () => {
  test('POST /servers answers {id, url, port} and GET describes the server', async () => {
    const server = await spawnServer({ pingInterval: 1000, transports: ['websocket'] });
    assert.deepEqual(Object.keys(server).sort(), ['id', 'port', 'url']);
    assert.match(server.url, URL_PATTERN);
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
    assert.deepEqual(await ok('GET', `/servers/${server.id}`), {
      ...server,
      running: true,
      frozen: false,
      config: { pingInterval: 1000, transports: ['websocket'] },
    });
    assert.ok((await ok('GET', '/servers')).some((s) => s.id === server.id));
  });

  test('every answer allows any origin and JSON preflights succeed', async () => {
    const preflight = await fetch(`${control.url}/servers`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:1',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.match(preflight.headers.get('access-control-allow-methods'), /POST/);
    assert.match(preflight.headers.get('access-control-allow-headers'), /content-type/);

    const missing = await call('GET', '/servers/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('access-control-allow-origin'), '*');
    assert.match(missing.body.error, /nope/);
  });

  test('bad requests are 4xx with {error}', async () => {
    assert.equal((await call('POST', '/servers', { pingIntervall: 5 })).status, 400);
    assert.equal((await call('POST', '/servers', { transports: ['carrier-pigeon'] })).status, 400);
    assert.equal((await call('GET', '/elsewhere')).status, 404);
    const server = await spawnServer();
    assert.equal((await call('POST', `/servers/${server.id}/raw`, {})).status, 400);
    assert.equal((await call('POST', `/servers/${server.id}/emit`, { nsp: '/nope', event: 'x' })).status, 400);
    assert.equal((await call('POST', `/servers/${server.id}/start`)).status, 409);
    await ok('POST', `/servers/${server.id}/stop`);
    const stopped = await call('POST', `/servers/${server.id}/emit`, { event: 'x' });
    assert.equal(stopped.status, 409);
    assert.match(stopped.body.error, /stopped/);
  });

  test('a restarted server is no longer frozen', async () => {
    const server = await spawnServer();
    const socket = connect(server, { transport: 'websocket' });
    await next(socket, 'welcome');
    await ok('POST', `/servers/${server.id}/freeze`);
    await ok('POST', `/servers/${server.id}/stop`);
    assert.equal((await next(socket, 'disconnect'))[0], 'transport close');
    assert.equal((await ok('POST', `/servers/${server.id}/start`)).frozen, false);
    await next(socket, 'welcome');
  });

  test('DELETE stops the server, frees its port and forgets it', async () => {
    const server = await spawnServer();
    assert.equal(await portIsClosed(server.port), false);
    assert.deepEqual(await ok('DELETE', `/servers/${server.id}`), { ok: true });
    spawned.delete(server.id);
    assert.equal(await portIsClosed(server.port), true);
    assert.equal((await call('GET', `/servers/${server.id}`)).status, 404);
  });
});

for (const transport of ['websocket', 'polling']) {
  describe(`over ${transport}`, () => {
    test('welcome, echo (binary stays binary) and ack', async () => {
      const server = await spawnServer();
      const socket = connect(server, { transport, auth: { user: 'u1' } });
      const [welcome] = await next(socket, 'welcome');
      assert.deepEqual(welcome, { id: socket.id, nsp: '/', auth: { user: 'u1' }, recovered: false, transport });

      socket.emit('echo', 'text', 7, { nested: Buffer.from([1, 2, 3]) });
      const echoed = await next(socket, 'echo');
      assert.deepEqual(echoed, ['text', 7, { nested: Buffer.from([1, 2, 3]) }]);
      assert.ok(Buffer.isBuffer(echoed[2].nested));

      socket.emit('ack', 'no callback: ignored');
      assert.deepEqual(await emitWithCallback(socket, 'ack', 'a', 1, Buffer.from('z')), ['a', 1, Buffer.from('z')]);
    });

    test('ask → question → answer carries the client ack', async () => {
      const server = await spawnServer();
      const socket = connect(server, { transport });
      socket.on('question', (payload, callback) => callback({ got: payload }));
      await next(socket, 'connect');
      socket.emit('ask', { q: 1 });
      assert.deepEqual(await next(socket, 'answer'), [{ got: { q: 1 } }]);
    });

    test('join and to-room reach room members', async () => {
      const server = await spawnServer();
      const member = connect(server, { transport });
      const outsider = connect(server, { transport });
      await Promise.all([next(member, 'connect'), next(outsider, 'connect')]);
      const seenByOutsider = [];
      outsider.on('room-event', (...args) => seenByOutsider.push(args));

      await emitWithCallback(member, 'join', 'r1');
      outsider.emit('to-room', 'r1', 'hello', { n: 1 });
      assert.deepEqual(await next(member, 'room-event'), ['r1', 'hello', { n: 1 }]);
      await emitWithCallback(outsider, 'join', 'r2'); // a round trip after the broadcast
      assert.deepEqual(seenByOutsider, []);
    });

    test('/admin serves the same handlers, /private needs auth.token "secret"', async () => {
      const server = await spawnServer();
      const admin = connect(server, { nsp: '/admin', transport });
      assert.equal((await next(admin, 'welcome'))[0].nsp, '/admin');
      assert.deepEqual(await emitWithCallback(admin, 'ack', 'x'), ['x']);

      const rejected = connect(server, { nsp: '/private', transport, auth: { token: 'wrong' } });
      const [error] = await next(rejected, 'connect_error');
      assert.equal(error.message, 'not authorized');
      assert.deepEqual(error.data, { reason: 'bad token' });
      rejected.close();

      const accepted = connect(server, { nsp: '/private', transport, auth: { token: 'secret' } });
      const [welcome] = await next(accepted, 'welcome');
      assert.equal(welcome.nsp, '/private');
      assert.deepEqual(welcome.auth, { token: 'secret' });
    });

    test('disconnect-me ends the session from the server side', async () => {
      const server = await spawnServer();
      const socket = connect(server, { transport });
      await next(socket, 'connect');
      socket.emit('disconnect-me');
      assert.deepEqual((await next(socket, 'disconnect'))[0], 'io server disconnect');
    });

    test('burst sends n ticks in order', async () => {
      const server = await spawnServer();
      const socket = connect(server, { transport });
      const ticks = [];
      socket.on('tick', (tick) => ticks.push(tick));
      await next(socket, 'connect');
      socket.emit('burst', 200, 16);
      while (ticks.length < 200) await next(socket, 'tick');
      assert.deepEqual(ticks.map((t) => t.i), [...Array(200).keys()]);
      assert.equal(ticks[0].pad, 'x'.repeat(16));
    });

    test('emit sends to a namespace, binaryArgs and {$binary} become Buffers', async () => {
      const server = await spawnServer();
      const root = connect(server, { transport });
      const admin = connect(server, { nsp: '/admin', transport });
      await Promise.all([next(root, 'connect'), next(admin, 'connect')]);
      await ok('POST', `/servers/${server.id}/emit`, {
        event: 'news',
        args: ['a', b64([1, 2, 3]), { deep: { $binary: b64([4, 5]) } }],
        binaryArgs: [1],
      });
      assert.deepEqual(await next(root, 'news'), ['a', Buffer.from([1, 2, 3]), { deep: Buffer.from([4, 5]) }]);
      await ok('POST', `/servers/${server.id}/emit`, { nsp: '/admin', event: 'admin-news' });
      assert.deepEqual(await next(admin, 'admin-news'), []);
    });

    test('received logs every event in order; clients lists sockets', async () => {
      const server = await spawnServer();
      const socket = connect(server, { transport, auth: { user: 'u2' } });
      const admin = connect(server, { nsp: '/admin', transport });
      await Promise.all([next(socket, 'connect'), next(admin, 'connect')]);
      socket.emit('first', 1);
      await emitWithCallback(socket, 'ack', { bin: Buffer.from([9]) });
      await emitWithCallback(admin, 'ack');

      assert.deepEqual(await ok('GET', `/servers/${server.id}/received`), [
        { nsp: '/', socketId: socket.id, event: 'first', args: [1] },
        { nsp: '/', socketId: socket.id, event: 'ack', args: [{ bin: { $binary: b64([9]) } }] },
        { nsp: '/admin', socketId: admin.id, event: 'ack', args: [] },
      ]);
      assert.deepEqual(await ok('POST', `/servers/${server.id}/received/clear`), { ok: true });
      assert.deepEqual(await ok('GET', `/servers/${server.id}/received`), []);

      const listed = await ok('GET', `/servers/${server.id}/clients`);
      assert.deepEqual(
        listed.sort((a, b) => a.nsp.localeCompare(b.nsp)),
        [
          { socketId: socket.id, nsp: '/', transport, auth: { user: 'u2' }, recovered: false },
          { socketId: admin.id, nsp: '/admin', transport, auth: {}, recovered: false },
        ],
      );
    });

    test('stop drops clients and frees the port; start reopens the same port', async () => {
      const server = await spawnServer();
      const socket = connect(server, { transport });
      await next(socket, 'welcome');

      const stopped = await ok('POST', `/servers/${server.id}/stop`);
      assert.equal(stopped.running, false);
      // A dead server cannot say goodbye: a WebSocket just closes, a pending poll fails.
      const expected = transport === 'websocket' ? 'transport close' : 'transport error';
      assert.equal((await next(socket, 'disconnect'))[0], expected);
      assert.equal(await portIsClosed(server.port), true);
      assert.deepEqual(await ok('GET', `/servers/${server.id}/clients`), []);

      const restarted = await ok('POST', `/servers/${server.id}/start`);
      assert.equal(restarted.port, server.port);
      assert.equal(restarted.running, true);
      const [welcome] = await next(socket, 'welcome');
      assert.equal(welcome.recovered, false);
      assert.equal(socket.connected, true);
    });

    test('freeze makes the client time out; thaw lets it reconnect', async () => {
      const server = await spawnServer({ pingInterval: 300, pingTimeout: 200 });
      const socket = connect(server, { transport });
      await next(socket, 'welcome');

      await ok('POST', `/servers/${server.id}/freeze`);
      const frozenAt = Date.now();
      assert.equal((await next(socket, 'disconnect'))[0], 'ping timeout');
      assert.ok(Date.now() - frozenAt <= 300 + 200 + 200, 'timed out within pingInterval + pingTimeout');
      assert.equal((await ok('GET', `/servers/${server.id}`)).frozen, true);

      await ok('POST', `/servers/${server.id}/thaw`);
      const [welcome] = await next(socket, 'welcome');
      assert.equal(welcome.transport, transport);
    });

    test('raw frames bypass the encoder; a malformed one is a parse error', async () => {
      const server = await spawnServer();
      const socket = connect(server, { transport });
      await next(socket, 'connect');
      const raw = (body) => ok('POST', `/servers/${server.id}/raw`, body);

      assert.deepEqual(await raw({ frame: '42["raw-event","x"]' }), { sent: 1 });
      assert.deepEqual(await next(socket, 'raw-event'), ['x']);

      // A binary event: header frame, then its attachment as a binary frame.
      await raw({ frame: '451-["bin",{"_placeholder":true,"num":0}]' });
      await raw({ binary: b64([1, 2, 3]) });
      assert.deepEqual(await next(socket, 'bin'), [Buffer.from([1, 2, 3])]);

      await raw({ frame: '42{}' });
      assert.equal((await next(socket, 'disconnect'))[0], 'parse error');
    });

    test('malformed frames: how socket.io-client 4.8 reacts', async () => {
      const server = await spawnServer();
      for (const [frames, reason] of [
        [['4x'], 'parse error'], // unknown socket.io packet type
        [['42{}'], 'parse error'], // event payload is not an array
        [['451-["a"]', '42["b"]'], 'parse error'], // text where an attachment belongs
        [['9'], 'transport error'], // unknown engine.io packet type
      ]) {
        const socket = connect(server, { transport, reconnection: false });
        await next(socket, 'connect');
        for (const frame of frames) await ok('POST', `/servers/${server.id}/raw`, { frame });
        assert.equal((await next(socket, 'disconnect'))[0], reason, JSON.stringify(frames));
      }
    });

    test('drop cuts the transport; with recovery the client comes back recovered', async () => {
      const server = await spawnServer({ recovery: true });
      // Slow enough to reconnect that an emit lands while the client is away.
      const socket = connect(server, { transport, reconnectionDelay: 400, randomizationFactor: 0 });
      const [first] = await next(socket, 'welcome');
      assert.equal(first.recovered, false);

      await ok('POST', `/servers/${server.id}/drop`);
      assert.match((await next(socket, 'disconnect'))[0], /^transport (close|error)$/);
      await ok('POST', `/servers/${server.id}/emit`, { event: 'tick-recoverable', args: [1] });

      const [missed] = await next(socket, 'tick-recoverable');
      assert.equal(missed, 1);
      assert.equal(socket.recovered, true);
      assert.equal(socket.id, first.id);
      const [clientInfo] = await ok('GET', `/servers/${server.id}/clients`);
      assert.equal(clientInfo.recovered, true);
    });

    test('drop without recovery gives a fresh session', async () => {
      const server = await spawnServer();
      const socket = connect(server, { transport });
      const [first] = await next(socket, 'welcome');
      await ok('POST', `/servers/${server.id}/drop`);
      const [second] = await next(socket, 'welcome');
      assert.notEqual(second.id, first.id);
      assert.equal(second.recovered, false);
    });
  });
}

describe('raw frames at the HTTP level', () => {
  test('polling: queued raw frames are the next GET body, verbatim', async () => {
    const server = await spawnServer();
    const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
    const handshake = await fetch(base, { headers: { origin: 'http://localhost:1' } });
    assert.equal(handshake.headers.get('access-control-allow-origin'), '*');
    const { sid } = JSON.parse((await handshake.text()).slice(1)); // "0{...}": engine.io open packet

    await ok('POST', `/servers/${server.id}/raw`, { frame: '42["a"' });
    await ok('POST', `/servers/${server.id}/raw`, { binary: b64([1, 2]) });
    const poll = await fetch(`${base}&sid=${sid}`);
    assert.equal(await poll.text(), '42["a"\x1ebAQI=');
  });
});

describe('server options', () => {
  test('transports and path are applied; clients reports the upgraded transport', async () => {
    const pollingOnly = await spawnServer({ transports: ['polling'], path: '/custom/' });
    const refused = connect(pollingOnly, { transport: 'websocket', path: '/custom/', reconnection: false });
    await next(refused, 'connect_error');
    const polling = connect(pollingOnly, { path: '/custom/' });
    assert.equal((await next(polling, 'welcome'))[0].transport, 'polling');

    const both = await spawnServer();
    const upgrading = connect(both); // polling first, then websocket
    await next(upgrading, 'connect');
    // The client switches first; the server once the "upgrade" packet arrives.
    await eventually(async () => {
      const [listed] = await ok('GET', `/servers/${both.id}/clients`);
      assert.equal(listed.transport, 'websocket');
    });
  });

  test('maxHttpBufferSize closes a client that sends more', async () => {
    const server = await spawnServer({ maxHttpBufferSize: 100 });
    const socket = connect(server, { transport: 'websocket', reconnection: false });
    await next(socket, 'connect');
    socket.emit('echo', 'x'.repeat(200));
    assert.equal((await next(socket, 'disconnect'))[0], 'transport close');
  });
});

describe('command line', () => {
  function launch() {
    const child = spawn(process.execPath, [CONTROL_SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const firstLine = new Promise((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', () => reject(new Error('exited before printing its URL')));
    });
    return { child, exited, firstLine };
  }

  async function spawnThrough(controlUrl) {
    const res = await fetch(`${controlUrl}/servers`, { method: 'POST' });
    return res.json();
  }

  for (const [how, end] of [
    ['SIGTERM', (child) => child.kill('SIGTERM')],
    ['SIGINT', (child) => child.kill('SIGINT')],
    ['stdin closing', (child) => child.stdin.end()],
  ]) {
    test(`prints its URL and exits cleanly on ${how}, closing its servers`, async (t) => {
      const { child, exited, firstLine } = launch();
      t.after(() => child.exitCode === null && child.kill('SIGKILL'));
      const line = await firstLine;
      const { control: url } = JSON.parse(line);
      assert.equal(line, JSON.stringify({ control: url }));
      assert.match(url, URL_PATTERN);
      const server = await spawnThrough(url);
      assert.equal(await portIsClosed(server.port), false);

      end(child);
      assert.deepEqual(await exited, { code: 0, signal: null });
      assert.equal(await portIsClosed(server.port), true);
    });
  }
});
