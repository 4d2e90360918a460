// resock/server on a real sockjs-node 0.3.24, and a client made of the resume core over
// sockjs-node's raw WebSocket endpoint (`ws`): cuts, restarts, window, TTL, tokens, plain clients.
import assert from 'node:assert/strict';
import http from 'node:http';
import sockjs from 'sockjs';
import WebSocket from 'ws';
import { ResumeCore } from '../../dist/esm/resume/index.js';
import { decodeWelcome } from '../../dist/esm/resume/wire.js';
import { attachResume, MemoryStore } from '../../dist/esm/server/index.js';
import { withDeadline } from '../support/deadline.mjs';
import { onLoopback } from '../support/loopback.mjs';
import { collectUncaught } from '../support/uncaught.mjs';

const realClock = { now: () => Date.now(), setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (id) => clearTimeout(id) };

/** sockjs-node with the companion on /r; the app records what each session receives and echoes `echo:` messages. */
async function startServer(options = {}, port = 0) {
  const server = http.createServer();
  const sock = sockjs.createServer({ log: () => {} });
  const store = new MemoryStore();
  const companion = attachResume(sock, { store, ...options });
  const app = { sessions: [], received: [], closes: 0, listeners: [] };
  companion.on('connection', (conn) => {
    app.sessions.push(conn);
    conn.on('data', (m) => {
      app.received.push(m);
      if (m.startsWith('echo:')) conn.write(m);
      for (const fn of app.listeners) fn();
    });
    conn.on('close', () => app.closes++);
  });
  sock.installHandlers(server, { prefix: '/r' });
  const lifecycle = onLoopback(server);
  const actualPort = await lifecycle.listen(port);
  return {
    port: actualPort, store, companion, app, sock,
    url: (flag = true) => `ws://127.0.0.1:${actualPort}/r/websocket${flag ? '?resock-resume=1' : ''}`,
    close: () => (companion.close(), lifecycle.close()),
  };
}

/** The resume core over one `ws` WebSocket at a time; `connect()` opens the next link. */
function resumeClient(url) {
  const client = { received: [], events: [], fromServer: [], waiters: new Set(), ws: null };
  const notify = () => client.waiters.forEach((fn) => fn());
  client.core = new ResumeCore({
    clock: realClock,
    send: (batch) => batch.forEach((m) => client.ws?.readyState === WebSocket.OPEN && client.ws.send(m)),
    onEvent: (event) => (client.events.push(event), notify()),
  });
  client.connect = () => {
    const ws = new WebSocket(url());
    client.ws = ws;
    ws.on('open', () => client.ws === ws && client.core.linkUp());
    ws.on('message', (data) => {
      if (client.ws !== ws) return;
      client.fromServer.push(String(data));
      client.received.push(...client.core.receive(String(data)));
      notify();
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      if (client.ws === ws) client.ws = null, client.core.linkLost();
    });
  };
  /** Cuts the link at once, with whatever is in flight: no close handshake. */
  client.cut = () => {
    const ws = client.ws;
    client.ws = null;
    client.core.linkLost();
    ws?.terminate();
  };
  client.until = (what, test) =>
    withDeadline(
      new Promise((resolve) => {
        const check = () => test() && (client.waiters.delete(check), resolve());
        client.waiters.add(check);
        check();
      }),
      { what, explain: async () => `events ${JSON.stringify(client.events)}` },
    );
  client.nextEvent = (kind) => {
    const seen = client.events.length;
    return client.until(`a ${kind} event`, () => client.events.slice(seen).some((e) => e.kind === kind)).then(() => client.events.slice(seen).find((e) => e.kind === kind));
  };
  return client;
}

/** A deterministic pseudo-random sequence, so a failing run can be replayed. */
function random(seed) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
}

describe('resock/server on sockjs-node with a resume client over WebSocket', function () {
  let server;
  let client;
  afterEach(async () => {
    client?.ws?.terminate();
    await server?.close();
  });

  it('loses and repeats nothing across 20 cuts at random points while both sides send, order kept', async () => {
    server = await startServer();
    client = resumeClient(() => server.url());
    const rand = random(13);
    client.connect();
    await client.nextEvent('fresh');
    let up = 0;
    let down = 0;
    for (let cut = 0; cut < 20; cut++) {
      const session = server.app.sessions[0];
      for (let i = Math.floor(rand() * 8); i >= 0; i--) client.core.send([`c${++up}`]);
      for (let i = Math.floor(rand() * 8); i >= 0; i--) session.write(`s${++down}`);
      // Cut at once (all in flight), after part of the traffic arrived, or in the middle of the next handshake.
      const point = rand();
      if (point > 0.6) await client.until('some messages', () => client.received.length >= down - 2);
      client.cut();
      const resumed = client.nextEvent('resumed');
      client.connect();
      if (point < 0.2) {
        await client.until('the link to open', () => client.ws?.readyState === WebSocket.OPEN);
        client.cut();
        client.connect();
      }
      await resumed;
    }
    await client.until('every message both ways', () => client.received.length >= down && server.app.received.length >= up);
    assert.deepEqual(client.received, Array.from({ length: down }, (_, i) => `s${i + 1}`));
    assert.deepEqual(server.app.received, Array.from({ length: up }, (_, i) => `c${i + 1}`));
    assert.equal(server.app.sessions.length, 1, 'one logical connection for the whole run');
    assert.ok(up > 20 && down > 20, `traffic: ${up} up, ${down} down`);
  });

  it('starts fresh with reason "restarted" after a server restart, and the resync works', async () => {
    server = await startServer();
    client = resumeClient(() => server.url());
    client.connect();
    await client.nextEvent('fresh');
    const port = server.port;
    await server.close();
    server = await startServer({}, port);
    const fresh = client.nextEvent('fresh');
    client.connect();
    assert.equal((await fresh).reason, 'restarted');
    client.core.send(['echo:resync']);
    await client.until('the echo', () => client.received.includes('echo:resync'));
  });

  it('ends a session whose window is exceeded while the client is away: fresh with reason "window"', async () => {
    server = await startServer({ maxMessages: 5 });
    client = resumeClient(() => server.url());
    client.connect();
    await client.nextEvent('fresh');
    client.cut();
    const [session] = server.app.sessions;
    for (let i = 0; i < 6; i++) session.write(`m${i}`);
    assert.equal(server.app.closes, 1);
    const fresh = client.nextEvent('fresh');
    client.connect();
    assert.equal((await fresh).reason, 'window');
  });

  it('frees an idle session at its TTL: the store and the sessions are empty', async () => {
    server = await startServer({ ttl: 200 });
    client = resumeClient(() => server.url());
    client.connect();
    await client.nextEvent('fresh');
    const [session] = server.app.sessions;
    const closed = new Promise((resolve) => session.on('close', resolve));
    client.cut();
    await withDeadline(closed, { what: 'the session to expire' });
    assert.equal(server.store.size, 0);
    assert.equal(server.companion.sessions, 0);
    const fresh = client.nextEvent('fresh');
    client.connect();
    assert.equal((await fresh).reason, 'unknown');
  });

  it('a stale or forged token starts fresh and cannot take the session over', async () => {
    server = await startServer();
    client = resumeClient(() => server.url());
    client.connect();
    await client.nextEvent('fresh');
    // The token of the first welcome: the one the next hello presents, replaced when it resumes.
    const stale = client.fromServer.map(decodeWelcome).find(Boolean).token;
    client.cut();
    client.connect();
    await client.nextEvent('resumed');
    // The token a resume was presented with still resumes until the owner speaks on the new link
    // (a welcome lost in a cut): the echo proves the server heard it before the thief tries.
    client.core.send(['echo:owner']);
    await client.until('the owner heard on its new link', () => client.received.includes('echo:owner'));
    for (const token of [stale, `${stale.split('.')[0]}.AAAAAAAAAAAAAAAAAAAAAA`]) {
      const thief = new WebSocket(server.url());
      const answer = new Promise((resolve) => thief.once('message', (data) => resolve(String(data))));
      thief.on('open', () => thief.send(`~resume1 ${token} 0`));
      assert.match(await withDeadline(answer, { what: 'the answer to a stolen hello' }), /^~fresh \S+ unknown$/);
      thief.terminate();
    }
    server.app.sessions[0].write('still mine');
    await client.until('the owner still served', () => client.received.includes('still mine'));
  });

  it("has the properties sockjs-node documents for a connection, those of its latest link: remotePort, address, pathname, prefix, protocol, readable, writable…", async () => {
    server = await startServer();
    const links = [];
    server.sock.on('connection', (link) => links.push(link));
    client = resumeClient(() => server.url());
    client.connect();
    await client.nextEvent('fresh');
    const [session] = server.app.sessions;
    const [link] = links;
    const names = ['url', 'remoteAddress', 'remotePort', 'address', 'headers', 'pathname', 'prefix', 'protocol', 'readyState', 'readable', 'writable'];
    for (const name of names) assert.notEqual(link[name], undefined, `sockjs-node's ${name}`);
    assert.deepEqual(Object.fromEntries(names.map((n) => [n, session[n]])), Object.fromEntries(names.map((n) => [n, link[n]])));
    session.close();
    assert.deepEqual([session.readyState, session.readable, session.writable], [3, false, false]);
  });

  it("is a Node Stream as a sockjs-node connection is: conn.pipe(conn) echoes, and 'end' comes once before 'close'", async () => {
    server = await startServer();
    const events = [];
    server.companion.on('connection', (conn) => {
      conn.pipe(conn);
      for (const name of ['end', 'close']) conn.on(name, () => events.push(name));
    });
    client = resumeClient(() => server.url());
    client.connect();
    await client.nextEvent('fresh');
    client.core.send(['piped']);
    await client.until('the piped echo', () => client.received.includes('piped'));
    server.app.sessions[0].close();
    assert.deepEqual(events, ['end', 'close']);
  });

  it('serves a plain SockJS client unchanged on the same server', async () => {
    server = await startServer();
    const plain = new WebSocket(server.url(false));
    const echo = new Promise((resolve) => plain.once('message', (data) => resolve(String(data))));
    plain.on('open', () => plain.send('echo:plain'));
    assert.equal(await withDeadline(echo, { what: 'the plain echo' }), 'echo:plain');
    plain.terminate();
  });

  it('writes a batch as one SockJS frame: on xhr-polling the marker and the data come in one poll', async () => {
    server = await startServer();
    const post = await freshXhrSession(server.port, 'batch');
    await post('xhr_send', JSON.stringify(['n1', 'decho:x']));
    assert.equal(await post('xhr'), 'a["n1","decho:x"]\n', 'one poll, not one per message');
  });

  it('ends a session whose client sends a JSON value that is not a string (code 3103), without throwing', async () => {
    server = await startServer();
    const post = await freshXhrSession(server.port, 'number');
    await post('xhr_send', '[1]');
    assert.equal(await post('xhr'), 'c[3103,"Resume protocol error"]\n');
    assert.equal(server.app.closes, 1, 'the app is told the session ended');
  });

  it("an app's data listener that throws mid-frame on a WebSocket is the app's error: the rest of the frame is still read and counted (no message lost, none numbered wrong)", async () => {
    server = await startServer();
    const bug = new Error('app bug');
    server.companion.on('connection', (conn) => conn.on('data', (m) => { if (m === 'boom') throw bug; }));
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/r/000/throws/websocket?resock-resume=1`);
    const frames = [];
    const waiters = new Set();
    ws.on('message', (data) => (frames.push(String(data)), waiters.forEach((fn) => fn())));
    const frame = (what, test) =>
      withDeadline(new Promise((resolve) => {
        const check = () => { const found = frames.find(test); if (found) waiters.delete(check), resolve(found); };
        waiters.add(check);
        check();
      }), { what, explain: async () => `frames ${JSON.stringify(frames)}` });
    client = { ws };
    await frame('the open frame', (f) => f === 'o');
    ws.send(JSON.stringify(['~resume1 - 0']));
    await frame('the welcome', (f) => f.startsWith('a["~fresh '));
    const uncaught = await collectUncaught(async () => {
      ws.send(JSON.stringify(['n1', 'dboom', 'dafter']));
      ws.send(JSON.stringify(['p0'])); // answered with the count of what the companion read
      await frame('the answer to the ping', (f) => /^a\["k\d+"\]$/.test(f));
    });
    assert.deepEqual(uncaught, [bug]);
    assert.deepEqual(server.app.received, ['boom', 'after']);
    assert.equal(frames.find((f) => /^a\["k\d+"\]$/.test(f)), 'a["k2"]');
    assert.equal(server.app.sessions[0].readyState, 1);
  });

  it('closes a link that sends more after its hello than a session\'s window before its welcome (3106), without throwing, and starts no session', async () => {
    server = await startServer({ maxMessages: 3 });
    const post = xhrSession(server.port, 'flood');
    assert.equal(await post('xhr'), 'o\n');
    // One POST: sockjs-node hands on all of it before the store has answered the hello.
    await post('xhr_send', JSON.stringify(['~resume1 - 0', 'n1', 'd1', 'd2', 'd3', 'd4']));
    assert.equal(await post('xhr'), 'c[3106,"Too much sent before the welcome"]\n');
    assert.deepEqual(server.app.sessions, []);
    assert.equal(server.store.size, 0);
  });
});

/**
 * A resume session opened by hand over sockjs-node's raw xhr-polling endpoints: `o`, the hello,
 * the `~fresh` answer. Resolves with `post(path, body)`, which POSTs to the session and reads the answer.
 */
async function freshXhrSession(port, sessionId) {
  const post = xhrSession(port, sessionId);
  assert.equal(await post('xhr'), 'o\n');
  await post('xhr_send', JSON.stringify(['~resume1 - 0']));
  assert.match(await post('xhr'), /^a\["~fresh \S+ new"\]\n$/);
  return post;
}

/** `post(path, body)` to a resume session's raw xhr-polling endpoints, which reads the answer. */
function xhrSession(port, sessionId) {
  const base = `http://127.0.0.1:${port}/r/000/${sessionId}`;
  return async (path, body) => (await fetch(`${base}/${path}?resock-resume=1`, { method: 'POST', body })).text();
}
