// The client core and the server companion together, over fake links on a fake clock: cuts at
// every point of an exchange, TTL, window, stale and forged tokens, restarts, plain clients.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { ResumeCore } from '../../dist/esm/resume/index.js';
import { decodeWelcome } from '../../dist/esm/resume/wire.js';
import { attachResume, MemoryStore, ResumeCloseCode } from '../../dist/esm/server/index.js';
import { collectUncaught } from '../support/uncaught.mjs';
import { fakeClock } from './fakes.mjs';

/** A sockjs-node connection double: what the server writes waits in `toClient` until delivered. */
function fakeLink(url) {
  const link = new EventEmitter();
  Object.assign(link, {
    url, toClient: [], closed: null,
    write(m) { if (!link.closed) link.toClient.push(m); },
    close(code = 1000, reason = '') { if (!link.closed) (link.closed = { code, reason }), link.emit('close'); },
  });
  return link;
}

/** A companion on a fake sockjs server, and a client core whose links the test steps by hand. */
function world({ server: serverOptions = {}, client: clientOptions = {}, clock = fakeClock(), store = new MemoryStore() } = {}) {
  const app = { sessions: [], received: [] };
  const serve = (sockjs, store) => {
    const companion = attachResume(sockjs, { clock, store, ...serverOptions });
    companion.on('connection', (conn) => {
      app.sessions.push(conn);
      conn.on('data', (m) => app.received.push(m));
    });
    return companion;
  };
  const sockjs = new EventEmitter();
  const companion = serve(sockjs, store);
  const client = { received: [], events: [], toServer: [], fromServer: [], link: null };
  client.core = new ResumeCore({
    clock, send: (batch) => client.toServer.push(...batch), onEvent: (e) => client.events.push(e), ...clientOptions,
  });
  const w = {
    clock, store, companion, app, client, sockjs,
    connect(url = '/app/websocket?resock-resume=1', protocol = undefined) {
      client.toServer = [];
      client.link = fakeLink(url);
      client.link.protocol = protocol;
      const link = client.link;
      link.on('close', () => { if (client.link === link) client.link = null, client.core.linkLost(); });
      w.sockjs.emit('connection', link);
      client.core.linkUp();
    },
    /** A new server process: a new companion and store, all state gone. */
    restart() {
      w.companion.close();
      w.sockjs = new EventEmitter();
      w.store = new MemoryStore();
      w.companion = serve(w.sockjs, w.store);
    },
    /** Delivers one message in each direction; false when nothing was left to deliver. */
    step() {
      const link = client.link;
      if (!link) return false;
      const up = client.toServer.shift();
      if (up !== undefined) link.emit('data', up);
      const down = client.link === link ? link.toClient.shift() : undefined;
      if (down !== undefined) client.fromServer.push(down), client.received.push(...client.core.receive(down));
      return up !== undefined || down !== undefined;
    },
    /** Drops the link with whatever is in flight. */
    cut() {
      client.link?.close(1006, 'cut');
    },
    /** Delivers everything in flight, letting the companion's store promises settle in between. */
    async settle() {
      for (let idle = 0, i = 0; idle < 2 && i < 10000; i++) {
        if (w.step()) idle = 0;
        else idle++, await flush();
      }
    },
  };
  return w;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

/** A MemoryStore whose reads of a stored token throw `error` (a fresh session's first link reads nothing). */
function failingGet(error) {
  const store = new MemoryStore();
  store.get = () => { throw error; };
  return store;
}

/** Runs one exchange of `count` messages each way with cuts after the given steps; returns both sides' receipts. */
async function exchange(cutAt, count = 6) {
  const w = world({ server: { ackEvery: 2 }, client: { ackEvery: 2 } });
  w.connect();
  await w.settle();
  let step = 0;
  for (let i = 1; i <= count; i++) {
    w.client.core.send([`c${i}`]);
    w.app.sessions[0]?.write(`s${i}`);
    for (let k = 0; k < 2; k++) {
      if (cutAt.includes(step++)) {
        w.cut();
        w.connect();
        await flush();
      }
      w.step();
    }
  }
  for (let i = 0; i < 100 && (w.client.received.length < count || w.app.received.length < count); i++) {
    await w.settle();
    w.clock.tick(200); // the batched acks
    await flush();
  }
  return w;
}

describe('resume: client core with the server companion', () => {
  it('loses and repeats nothing, in order, both ways, whatever the point of a cut (every single and double cut)', async () => {
    const total = 12;
    const expectedUp = Array.from({ length: 6 }, (_, i) => `c${i + 1}`);
    const expectedDown = Array.from({ length: 6 }, (_, i) => `s${i + 1}`);
    const plans = [];
    for (let a = 0; a < total; a++) {
      plans.push([a]);
      for (let b = a; b < total; b += 3) plans.push([a, b]);
    }
    for (const cutAt of plans) {
      const w = await exchange(cutAt);
      assert.equal(w.app.sessions.length, 1, `one logical connection (cuts ${cutAt})`);
      assert.deepEqual(w.app.received, expectedUp, `client → server, cuts ${cutAt}`);
      assert.deepEqual(w.client.received, expectedDown, `server → client, cuts ${cutAt}`);
      assert.ok(w.client.events.filter((e) => e.kind === 'resumed').length >= 1, `resumed after cuts ${cutAt}`);
      assert.deepEqual(w.client.events.filter((e) => !['resumed', 'fresh', 'acked'].includes(e.kind)), []);
    }
  });

  it('drops a batch the browser sent twice (Chromium repeats a POST whose reused connection was reset), by its marker', async () => {
    const w = world();
    w.connect();
    await w.settle();
    w.client.core.send(['a']);
    await w.settle();
    w.client.core.send(['b']);
    const batch = w.client.toServer.slice();
    await w.settle();
    for (const m of batch) w.client.link.emit('data', m); // the copy
    w.client.core.send(['c']);
    await w.settle();
    assert.deepEqual(w.app.received, ['a', 'b', 'c']);
  });

  it('sees a server batch lost inside a live link (a poll the browser sent again) by its marker, and gets it again by resuming', async () => {
    const w = world();
    w.connect();
    await w.settle();
    const [conn] = w.app.sessions;
    conn.write('s1');
    await w.settle();
    conn.write('s2');
    w.client.link.toClient.splice(0); // lost with a reset response; sockjs-node thinks it delivered
    conn.write('s3');
    await w.settle();
    assert.equal(w.client.events.at(-1).kind, 'error', 'a gap is seen, not taken as s2');
    w.cut();
    w.connect();
    await w.settle();
    assert.deepEqual(w.client.received, ['s1', 's2', 's3']);
    assert.equal(w.app.sessions.length, 1);
  });

  it('ignores a hello the browser sent twice on one link (a repeated POST), instead of ending the session', async () => {
    const w = world();
    w.connect();
    const [hello] = w.client.toServer;
    await w.settle();
    w.client.link.emit('data', hello); // the copy
    w.client.core.send(['a']);
    await w.settle();
    assert.deepEqual(w.app.received, ['a']);
    assert.equal(w.app.sessions[0].readyState, 1);
    assert.equal(w.client.link.closed, null);
  });

  it('marks every write on HTTP links, and only the first on a WebSocket', async () => {
    for (const [protocol, expected] of [['xhr-polling', ['n1', 'ds1', 'n2', 'ds2']], ['websocket', ['n1', 'ds1', 'ds2']]]) {
      const w = world();
      w.connect('/app/x?resock-resume=1', protocol);
      await w.settle();
      w.app.sessions[0].write('s1');
      w.app.sessions[0].write('s2');
      assert.deepEqual(w.client.link.toClient, expected, protocol);
    }
  });

  it('companion: an owed ack rides on a write once half due, else goes alone when due', async () => {
    const w = world({ server: { ackDelay: 200, ackEvery: 32 } });
    w.connect('/app/websocket?resock-resume=1', 'websocket');
    await w.settle();
    const session = w.app.sessions[0];
    w.client.link.toClient.length = 0;
    w.client.link.emit('data', 'n1'), w.client.link.emit('data', 'dc1');
    session.write('s1');
    assert.deepEqual(w.client.link.toClient.splice(0), ['n1', 'ds1'], 'an echo pays no ack');
    w.clock.tick(100);
    session.write('s2');
    assert.deepEqual(w.client.link.toClient.splice(0), ['k1', 'ds2'], 'half due: it rides');
    w.client.link.emit('data', 'dc2');
    w.clock.tick(200);
    assert.deepEqual(w.client.link.toClient.splice(0), ['k2'], 'no write: alone, when due');
  });

  it('companion: reads no clock per message, in or out (a timer says when an ack is half due)', async () => {
    const w = world({ server: { ackDelay: 200, ackEvery: 32 } });
    w.connect('/app/websocket?resock-resume=1', 'websocket');
    await w.settle();
    const session = w.app.sessions[0];
    w.client.link.toClient.length = 0;
    let reads = 0;
    const now = w.clock.now;
    w.clock.now = () => (reads++, now());
    w.client.link.emit('data', 'n1');
    for (let i = 1; i <= 5; i++) w.client.link.emit('data', `dc${i}`), session.write(`s${i}`);
    assert.equal(reads, 0);
    assert.deepEqual(w.client.link.toClient.splice(0), ['n1', 'ds1', 'ds2', 'ds3', 'ds4', 'ds5']);
    w.clock.tick(100);
    session.write('s6');
    assert.deepEqual(w.client.link.toClient.splice(0), ['k5', 'ds6'], 'half due: it rides');
  });

  it('frees an idle session at its TTL: store and live sessions empty, the app told close', async () => {
    const w = world({ server: { ttl: 5000 } });
    w.connect();
    await flush();
    await w.settle();
    const [conn] = w.app.sessions;
    let closed = 0;
    conn.on('close', () => closed++);
    w.cut();
    w.clock.tick(4999);
    assert.equal(w.store.size, 1);
    w.clock.tick(1);
    await flush();
    assert.equal(closed, 1);
    assert.equal(w.store.size, 0);
    assert.equal(w.companion.sessions, 0);
    assert.equal(conn.write('late'), false);
    w.connect();
    await flush();
    await w.settle();
    assert.equal(w.client.events.at(-1).kind, 'fresh');
    assert.equal(w.client.events.at(-1).reason, 'unknown');
  });

  it('ends a session whose window is exceeded and tells the resuming client why', async () => {
    const w = world({ server: { maxMessages: 3 } });
    w.connect();
    await flush();
    await w.settle();
    const [conn] = w.app.sessions;
    w.cut();
    let closed = 0;
    conn.on('close', () => closed++);
    assert.equal(conn.write('1') && conn.write('2') && conn.write('3'), true);
    assert.equal(conn.write('4'), false);
    assert.equal(closed, 1);
    w.connect();
    await flush();
    await w.settle();
    assert.deepEqual(w.client.events.at(-1), { kind: 'fresh', reason: 'window', unconfirmed: [], token: w.client.events.at(-1).token });
    assert.equal(w.app.sessions.length, 2);
    w.clock.tick(120000);
    assert.equal(w.store.size, 1, 'only the new session');
  });

  it('tells every hello with the token of a session whose window overflowed why, until the TTL: a client whose first answer was lost with its link learns "window" too', async () => {
    const w = world({ server: { maxMessages: 2, ttl: 5000 } });
    w.connect();
    await w.settle();
    const [conn] = w.app.sessions;
    w.cut();
    conn.write('1'), conn.write('2'), conn.write('3');
    w.connect();
    const lost = w.client.link;
    lost.emit('data', w.client.toServer.shift());
    await flush();
    assert.match(lost.toClient[0], /^~fresh \S+ window$/);
    w.cut(); // that answer lost with its link, unread
    w.connect();
    await w.settle();
    assert.deepEqual(w.client.events.filter((e) => e.kind === 'fresh').map((e) => e.reason), ['new', 'window']);
    w.clock.tick(5000);
    await flush();
    const late = fakeLink('/app/websocket?resock-resume=1');
    w.sockjs.emit('connection', late);
    late.emit('data', `~resume1 ${conn.token} 0`);
    await flush();
    assert.match(late.toClient[0], /^~fresh \S+ unknown$/, 'after the TTL, the tombstone is gone');
  });

  it('a session whose window overflowed is no longer counted live: only its tombstone stays, in the store, without messages, until the TTL', async () => {
    for (const away of [true, false]) {
      const w = world({ server: { maxMessages: 2, ttl: 5000 } });
      w.connect();
      await w.settle();
      const [conn] = w.app.sessions;
      if (away) w.cut();
      const token = conn.token;
      conn.write('1'), conn.write('2'), conn.write('3');
      assert.equal(conn.readyState, 3);
      assert.equal(w.companion.sessions, 0, `ended, not live (away: ${away})`);
      assert.equal(w.store.size, 1, 'its tombstone');
      assert.deepEqual(w.store.get(token).out.messages, [], 'which keeps no messages');
      w.clock.tick(4999);
      assert.equal(w.store.size, 1);
      w.clock.tick(1);
      await flush();
      assert.equal(w.store.size, 0, 'freed at the TTL');
    }
  });

  it('closes a link that is attached when the window overflows', async () => {
    const w = world({ server: { maxMessages: 2 } });
    w.connect();
    await w.settle();
    const link = w.client.link;
    w.app.sessions[0].write('1'), w.app.sessions[0].write('2'), w.app.sessions[0].write('3');
    assert.equal(link.closed.code, ResumeCloseCode.WindowExceeded);
  });

  it('only the latest token resumes: a stale or forged one starts fresh and leaves the session alone', async () => {
    const w = world();
    w.connect();
    await flush();
    await w.settle();
    const firstToken = w.client.fromServer.map(decodeWelcome).find(Boolean).token;
    w.cut();
    w.connect();
    await flush();
    await w.settle();
    assert.equal(w.client.events.at(-1).kind, 'resumed');
    const [conn] = w.app.sessions;
    for (const token of [firstToken, firstToken.split('.')[0] + '.forgedforgedforgedforg', 'other.AAAAAAAAAAAAAAAAAAAAAA']) {
      const thief = fakeLink('/app/websocket?resock-resume=1');
      w.sockjs.emit('connection', thief);
      thief.emit('data', `~resume1 ${token} 0`);
      await flush();
      assert.match(thief.toClient[0], /^~fresh \S+ (unknown|restarted)$/, token);
      assert.equal(w.client.link.closed, null, 'the owner keeps its link');
    }
    assert.match(w.sockjs.listenerCount('connection') && '' + w.app.sessions.length, /^4$/);
    conn.write('still mine');
    await w.settle();
    assert.deepEqual(w.client.received, ['still mine']);
  });

  it('a welcome lost with its link after it was written (the client never read the rotated token): the client resumes with the previous one, nothing lost or repeated, the link that got the lost welcome replaced', async () => {
    for (const seen of [true, false]) {
      const label = `sockjs-node ${seen ? 'saw' : 'did not see'} that link drop`;
      const w = world({ server: { ackDelay: 1e6 } });
      w.connect();
      await w.settle();
      const [conn] = w.app.sessions;
      w.client.core.send(['c1']);
      conn.write('s1');
      w.step(); // c1 up, s1 down; neither acknowledged yet
      w.cut();
      conn.write('s2');
      w.client.core.send(['c2']);
      w.connect();
      const lost = w.client.link;
      lost.emit('data', w.client.toServer.shift()); // the hello: the welcome and s2 are written…
      await flush();
      assert.match(lost.toClient[0], /^~resumed /, label);
      if (seen) w.cut(); // …and lost with the link, unread
      else w.client.core.linkLost(); // …or the client gave up on it first
      w.connect();
      await w.settle();
      assert.deepEqual(w.client.events.filter((e) => e.kind !== 'acked').map((e) => e.kind), ['fresh', 'resumed'], `resumed, no resumefailed (${label})`);
      if (!seen) assert.equal(lost.closed?.code, ResumeCloseCode.Replaced, label);
      conn.write('s3');
      w.client.core.send(['c3']);
      await w.settle();
      assert.deepEqual(w.client.received, ['s1', 's2', 's3'], label);
      assert.deepEqual(w.app.received, ['c1', 'c2', 'c3'], label);
      assert.equal(w.app.sessions.length, 1, label);
      assert.deepEqual([w.store.size, w.store.get(conn.token)?.id], [1, conn.id], `once the client spoke, only the latest token is kept (${label})`);
    }
  });

  it('a fresh welcome lost with its link (the client never read its token) leaves no session behind until the TTL: it ends when that link drops, and the hello asked again starts the only one', async () => {
    const w = world();
    w.connect();
    const lost = w.client.link;
    lost.emit('data', w.client.toServer.shift());
    await flush();
    assert.match(lost.toClient[0], /^~fresh /);
    w.cut(); // the welcome dies with the link, unread
    const [phantom] = w.app.sessions;
    assert.deepEqual([phantom.readyState, w.companion.sessions, w.store.size], [3, 0, 0], 'ended at once, its record gone');
    w.connect();
    await w.settle();
    assert.deepEqual(w.client.events.map((e) => e.kind), ['fresh']);
    assert.deepEqual([w.app.sessions.length, w.companion.sessions, w.store.size], [2, 1, 1]);
  });

  it('a client that read its fresh welcome says so at once, even with nothing to send: a cut right after it still resumes that session', async () => {
    const w = world();
    w.connect();
    await w.settle();
    w.cut();
    w.connect();
    await w.settle();
    assert.deepEqual(w.client.events.map((e) => e.kind), ['fresh', 'resumed']);
    assert.deepEqual([w.app.sessions.length, w.app.sessions[0].readyState], [1, 1]);
  });

  it('a resume proves the client read its fresh welcome, even if its first word was lost: the session does not end when the resumed link drops before the client speaks', async () => {
    const w = world();
    w.connect();
    const first = w.client.link;
    first.emit('data', w.client.toServer.shift());
    await flush();
    w.client.received.push(...w.client.core.receive(first.toClient.shift())); // the fresh welcome arrives…
    await flush();
    assert.deepEqual(w.client.toServer, ['k0']);
    w.client.core.linkLost(); // …its k0 is lost, and sockjs-node has not seen that link drop yet
    w.connect();
    const second = w.client.link;
    second.emit('data', w.client.toServer.shift()); // the hello with the fresh token
    await flush();
    assert.match(second.toClient[0], /^~resumed /);
    assert.equal(first.closed?.code, ResumeCloseCode.Replaced);
    w.cut(); // before the client read that welcome or spoke
    assert.deepEqual([w.app.sessions[0].readyState, w.companion.sessions], [1, 1], 'the session waits for its client');
    w.connect();
    await w.settle();
    assert.deepEqual(w.client.events.map((e) => e.kind), ['fresh', 'resumed']);
    assert.equal(w.app.sessions.length, 1);
  });

  it('a hello the browser sent twice on a resumed link (a repeated POST) is not the client speaking: the token it resumed with still resumes if that welcome is lost', async () => {
    const w = world();
    w.connect();
    await w.settle();
    w.cut();
    w.connect();
    const lost = w.client.link;
    const [hello] = w.client.toServer;
    lost.emit('data', w.client.toServer.shift()); // the hello: the welcome is written…
    await flush();
    assert.match(lost.toClient[0], /^~resumed /);
    lost.emit('data', hello); // …its copy arrives on the same link…
    w.cut(); // …and the welcome is lost with the link, unread
    w.connect();
    await w.settle();
    assert.deepEqual(w.client.events.filter((e) => e.kind !== 'acked').map((e) => e.kind), ['fresh', 'resumed']);
    assert.equal(w.app.sessions.length, 1);
  });

  /** A session that resumed on a new link whose welcome the client has not read yet: its first token. */
  async function resumedUnread(w) {
    w.connect();
    await w.settle();
    const first = w.client.events.at(-1).token;
    w.cut();
    w.connect();
    w.client.link.emit('data', w.client.toServer.shift()); // the hello, with `first`
    await flush();
    return first;
  }

  it('the token a resume was presented with stays good only until the client speaks on the link that got the welcome; the one that welcome never delivered, and any older one, are stale at once', async () => {
    const w = world();
    const first = await resumedUnread(w);
    const undelivered = decodeWelcome(w.client.link.toClient[0]).token;
    w.cut(); // the welcome with `undelivered` lost
    w.connect();
    w.client.link.emit('data', w.client.toServer.shift()); // the hello with `first` again: resumed, a new token
    await flush();
    const hello = (token) => {
      const thief = fakeLink('/app/websocket?resock-resume=1');
      w.sockjs.emit('connection', thief);
      thief.emit('data', `~resume1 ${token} 0`);
      return thief;
    };
    const never = hello(undelivered);
    await flush();
    assert.match(never.toClient[0], /^~fresh \S+ unknown$/, 'the token of the lost welcome: never held by the client, stale');
    assert.equal(w.client.link.closed, null, 'the owner keeps its link');
    await w.settle(); // the client reads its welcome and speaks
    assert.equal(w.client.events.at(-1).kind, 'resumed');
    const late = hello(first);
    await flush();
    assert.match(late.toClient[0], /^~fresh \S+ unknown$/, 'the presented token, once the client spoke: stale');
    assert.equal(w.client.link.closed, null, 'the owner keeps its link');
    assert.deepEqual([w.store.size - 2, w.store.get(w.app.sessions[0].token)?.id], [1, w.app.sessions[0].id], 'the session under its latest token only (and the two fresh sessions of the hellos above)');
  });

  it('a session that ends while its previous token still resumes leaves it neither in the store nor resuming: freed at close and TTL, a tombstone (reason window) under both after an overflow', async () => {
    const ends = [
      ['close()', (conn) => conn.close(), 'unknown'],
      ['the TTL', (conn, w) => w.clock.tick(120000), 'unknown'],
      ['the window', (conn) => conn.write('1') && conn.write('2') && conn.write('3'), 'window'],
    ];
    for (const [what, end, reason] of ends) {
      const w = world({ server: { maxMessages: 2 } });
      await resumedUnread(w);
      w.cut(); // the welcome lost: the token the client presented still resumes
      const [conn] = w.app.sessions;
      end(conn, w);
      await flush();
      assert.equal(conn.readyState, 3, what);
      assert.equal(w.store.size, reason === 'window' ? 2 : 0, `nothing left, or the tombstones (${what})`);
      w.connect();
      await w.settle();
      assert.deepEqual(w.client.events.at(-1).kind === 'fresh' && w.client.events.at(-1).reason, reason, what);
      if (reason === 'window') {
        w.clock.tick(120000);
        await flush();
        assert.equal(w.store.size, 1, `the tombstones go at the TTL: the new session only (${what})`);
      }
    }
  });

  it('resumes again and again with a store that keeps copies (Redis…), and the stale token stays dead', async () => {
    // A shared store hands back a copy of the record, not the session's own object.
    const records = new Map();
    const store = {
      get: (token) => (records.has(token) ? JSON.parse(records.get(token)) : undefined),
      set: (token, record) => void records.set(token, JSON.stringify(record)),
      delete: (token) => void records.delete(token),
    };
    const w = world({ store });
    w.connect();
    await w.settle();
    const tokens = [];
    for (let i = 1; i <= 3; i++) {
      tokens.push(w.client.events.at(-1).token);
      w.cut();
      w.app.sessions[0].write(`s${i}`);
      w.connect();
      await w.settle();
      assert.equal(w.client.events.at(-1).kind, 'resumed', `resume ${i}`);
    }
    assert.deepEqual(w.client.received, ['s1', 's2', 's3']);
    assert.equal(w.app.sessions.length, 1);
    w.cut();
    for (const token of tokens) {
      const thief = fakeLink('/app/websocket?resock-resume=1');
      w.sockjs.emit('connection', thief);
      thief.emit('data', `~resume1 ${token} 0`);
      await flush();
      assert.match(thief.toClient[0], /^~fresh \S+ unknown$/, token);
    }
  });

  it('a client that reconnects while its resume is still decided (slow store or verify hook) resumes on the new link; the older link, dropped or not yet seen to drop, gets no welcome', async () => {
    for (const slow of ['store', 'verify']) {
      for (const dropped of [true, false]) {
        const label = `slow ${slow}, older link ${dropped ? 'dropped' : 'still open for sockjs-node'}`;
        let gate = null;
        const wait = (what) => (what === slow ? gate : null);
        const memory = new MemoryStore();
        const store = { get: async (t) => (await wait('store'), memory.get(t)), set: (t, r) => memory.set(t, r), delete: (t) => memory.delete(t) };
        const w = world({ store, server: { verify: async () => (await wait('verify'), true) } });
        w.connect();
        await w.settle();
        const token = w.client.events.at(-1).token;
        w.cut();
        let open;
        gate = new Promise((resolve) => (open = resolve));
        w.connect();
        const older = w.client.link;
        w.step(); // the hello: its answer waits for the store or the hook
        await flush();
        if (dropped) w.cut();
        else w.client.core.linkLost(); // the client gave up on it; sockjs-node has not seen it go
        w.connect();
        w.step(); // the same hello, the same token, on the new link
        await flush();
        open();
        await w.settle();
        assert.equal(w.client.events.at(-1).kind, 'resumed', label);
        assert.equal(w.app.sessions.length, 1, label);
        assert.deepEqual(older.toClient, [], `no welcome on the older link (${label})`);
        if (!dropped) assert.equal(older.closed?.code, ResumeCloseCode.Replaced, label);
        w.client.core.send(['after']);
        await w.settle();
        assert.deepEqual(w.app.received, ['after'], label);
        // The token both hellos presented was rotated by the welcome the client got: stale now.
        const thief = fakeLink('/app/websocket?resock-resume=1');
        w.sockjs.emit('connection', thief);
        thief.emit('data', `~resume1 ${token} 0`);
        await flush();
        assert.match(thief.toClient[0], /^~fresh \S+ unknown$/, label);
        assert.equal(w.client.link.closed, null, `the owner keeps its link (${label})`);
      }
    }
  });

  it('a newer hello with the same token takes over from an older one whose decision ends fresh (the store still taking its new session): the older link gets 3102 and no welcome, its session never starts', async () => {
    let open = null;
    const memory = new MemoryStore();
    const store = { get: (t) => memory.get(t), set: async (t, r) => (await open?.gate, memory.set(t, r)), delete: (t) => memory.delete(t) };
    let refuse = false;
    const w = world({ store, server: { verify: () => !refuse } });
    w.connect();
    await w.settle();
    const { token } = w.client.events.at(-1);
    w.cut();
    refuse = true; // the hook refuses: both hellos end fresh
    open = {};
    open.gate = new Promise((resolve) => (open.resolve = resolve));
    const older = fakeLink('/app/websocket?resock-resume=1');
    w.sockjs.emit('connection', older);
    older.emit('data', `~resume1 ${token} 0`);
    await flush(); // decided fresh: the store takes the new session's record
    const newer = fakeLink('/app/websocket?resock-resume=1');
    w.sockjs.emit('connection', newer);
    newer.emit('data', `~resume1 ${token} 0`);
    await flush();
    assert.deepEqual(older.closed, { code: ResumeCloseCode.Replaced, reason: 'Replaced by a newer link' });
    open.resolve();
    await flush();
    await flush();
    assert.deepEqual(older.toClient, [], 'no welcome on the older link');
    assert.match(newer.toClient[0], /^~fresh \S+ refused$/);
    assert.equal(w.app.sessions.length, 2, "the client's session and the newer link's");
    assert.equal(w.companion.sessions, 2);
    assert.equal(memory.size, 2, "the older decision's record is taken back");
  });

  it('a hello with the previous token that waits on the verify hook while the owner speaks on its resumed link (retiring that token) gets a fresh session, not the owner\'s', async () => {
    let gate = null;
    const w = world({ server: { verify: async () => (await gate, true) } });
    w.connect();
    await w.settle();
    const { token } = w.client.events.at(-1);
    w.cut();
    w.connect();
    w.client.link.emit('data', w.client.toServer.shift()); // the owner's hello: resumed, not yet read
    await flush();
    assert.match(w.client.link.toClient[0], /^~resumed /);
    let allow;
    gate = new Promise((resolve) => (allow = resolve));
    const thief = fakeLink('/app/websocket?resock-resume=1');
    w.sockjs.emit('connection', thief);
    thief.emit('data', `~resume1 ${token} 0`); // still good: the hook decides
    await flush();
    await w.settle(); // the owner reads its welcome and speaks: the token it presented resumes no more
    assert.equal(w.client.events.at(-1).kind, 'resumed');
    allow();
    await flush();
    assert.match(thief.toClient[0], /^~fresh \S+ unknown$/);
    assert.equal(w.client.link.closed, null, 'the owner keeps its link');
    assert.equal(w.app.sessions.length, 2);
  });

  it('a session that ends while the verify hook decides is not resumed: the client is told fresh', async () => {
    const ends = [[(conn) => conn.close(), 'unknown'], [(conn) => conn.write('1') && conn.write('2') && conn.write('3'), 'window']];
    for (const [end, reason] of ends) {
      let allow;
      const w = world({ server: { maxMessages: 2, verify: () => new Promise((resolve) => (allow = resolve)) } });
      w.connect();
      await w.settle();
      w.cut();
      w.connect();
      await w.settle();
      end(w.app.sessions[0]); // the app closes it, or the window overflows, meanwhile
      allow(true);
      await w.settle();
      assert.equal(w.client.events.at(-1).kind, 'fresh');
      assert.equal(w.client.events.at(-1).reason, reason);
      assert.equal(w.app.sessions.length, 2, 'a new session for the client');
    }
  });

  it('bounds the decision by welcomeTimeout: a store or verify hook that does not answer gets that link closed (3107) and reported, no session started or harmed, and its late answer writes nothing back nor throws', async () => {
    const cases = [
      ['the store reading a resumed session', 'get', true, 'answers'],
      ['the store reading a resumed session', 'get', true, 'rejects'],
      ['the verify hook', 'verify', true, 'answers'],
      ['the store taking a fresh session', 'set', false, 'answers'],
    ];
    const unhandled = [];
    const onUnhandled = (error) => unhandled.push(error);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (const [what, hung, resuming, late] of cases) {
        const label = `${what}, late: ${late}`;
        let gate = null;
        const memory = new MemoryStore();
        const writes = [];
        const slow = (which, call) => async (...args) => {
          if (which === hung && gate) await gate;
          return call(...args);
        };
        const store = {
          get: slow('get', (t) => memory.get(t)),
          set: slow('set', (t, r) => (writes.push('set'), memory.set(t, r))),
          delete: slow('delete', (t) => (writes.push('delete'), memory.delete(t))),
        };
        const w = world({ store, server: { welcomeTimeout: 5000, verify: slow('verify', () => true) } });
        const errors = [];
        w.companion.on('error', (error) => errors.push(error));
        w.connect();
        await w.settle();
        const { token } = w.client.events.at(-1);
        const [session] = w.app.sessions;
        w.cut();
        let answer;
        gate = new Promise((resolve, reject) => (answer = () => (late === 'answers' ? resolve() : reject(new Error('late failure')))));
        const link = fakeLink('/app/websocket?resock-resume=1');
        w.sockjs.emit('connection', link);
        link.emit('data', resuming ? `~resume1 ${token} 0` : '~resume1 - 0');
        await flush();
        w.clock.tick(4999);
        assert.equal(link.closed, null, label);
        w.clock.tick(1);
        assert.deepEqual(link.closed, { code: ResumeCloseCode.WelcomeTimeout, reason: 'Resume not decided in time' }, label);
        assert.equal(errors.length, 1, `reported (${label})`);
        const written = writes.length;
        const uncaught = await collectUncaught(async () => {
          answer();
          await flush();
        });
        gate = null;
        assert.deepEqual(uncaught, [], label);
        assert.deepEqual(link.toClient, [], `no welcome on the closed link (${label})`);
        assert.equal(errors.length, 1, `reported once (${label})`);
        assert.deepEqual(w.app.sessions, [session], `no session started (${label})`);
        // A fresh session's record, stored late, is taken back; a resume writes nothing.
        assert.deepEqual(writes.slice(written), hung === 'set' ? ['set', 'delete'] : [], label);
        assert.equal(memory.size, 1, `only the session's record (${label})`);
        w.connect();
        await w.settle();
        assert.equal(w.client.events.at(-1).kind, 'resumed', `the session is untouched: its client resumes it (${label})`);
      }
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it("by default the companion gives up on a slow store (3107) before a resock client gives up on the companion: the client stays resumable and resumes on its next link", async () => {
    const memory = new MemoryStore();
    let slow = false;
    let w;
    const store = {
      get: (t) => (slow ? new Promise((resolve) => w.clock.setTimeout(() => resolve(memory.get(t)), 4000)) : memory.get(t)),
      set: (t, r) => memory.set(t, r),
      delete: (t) => memory.delete(t),
    };
    w = world({ store });
    w.companion.on('error', () => {});
    w.connect();
    await w.settle();
    w.cut();
    slow = true;
    w.connect();
    const link = w.client.link;
    await w.settle();
    w.clock.tick(3000); // the client's own wait for the welcome (its helloTimeout)
    await flush();
    assert.equal(link.closed?.code, ResumeCloseCode.WelcomeTimeout);
    assert.equal(w.client.core.plain, false, 'not taken for a server without the companion');
    assert.deepEqual(w.client.events.filter((e) => e.kind === 'unsupported'), []);
    slow = false;
    w.clock.tick(1000); // the slow answer comes, for a closed link
    w.connect();
    await w.settle();
    assert.equal(w.client.events.at(-1).kind, 'resumed');
    assert.equal(w.app.sessions.length, 1);
  });

  it('a verify hook that throws or rejects closes the link as a hook failure (3108), a store that throws as a store failure (3104), each reported as itself, without crashing a server that has no error listener', async () => {
    const cases = [
      ['the verify hook throws', (bug) => ({ verify: () => { throw bug; } }), ResumeCloseCode.VerifyFailed, 'Resume verify hook failed'],
      ['the verify hook rejects', (bug) => ({ verify: async () => { throw bug; } }), ResumeCloseCode.VerifyFailed, 'Resume verify hook failed'],
      ['the store throws', (bug) => ({ store: failingGet(bug) }), ResumeCloseCode.StoreFailed, 'Resume store failed'],
    ];
    const unhandled = [];
    const onUnhandled = (error) => unhandled.push(error);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (const [what, failing, code, reason] of cases) {
        const bug = new Error(what);
        const { store, ...server } = failing(bug);
        const w = world({ server, store });
        w.connect();
        await w.settle();
        w.cut();
        w.connect();
        const link = w.client.link;
        await w.settle();
        await flush();
        assert.deepEqual(link.closed, { code, reason }, what);
        assert.deepEqual(unhandled, [], what);
        // With a listener, the app is told, with what failed.
        const errors = [];
        w.companion.on('error', (error) => errors.push(error));
        w.cut();
        w.connect();
        await w.settle();
        assert.deepEqual(errors, [bug], what);
        assert.equal(w.app.sessions[0].readyState, 1, `nothing decided: the session waits (${what})`);
      }
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it("an app's error listener that throws is the app's error: thrown uncaught, never an unhandled rejection, whether told of a hook failure, a store failure or a welcome timeout", async () => {
    const cases = [
      ['the verify hook throws', { verify: () => { throw new Error('hook down'); } }, null],
      ['the store throws', { store: failingGet(new Error('store down')) }, null],
      ['the store does not answer', { welcomeTimeout: 5000, verify: () => new Promise(() => {}) }, 5000],
    ];
    const unhandled = [];
    const onUnhandled = (error) => unhandled.push(error);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (const [what, options, wait] of cases) {
        const { store, ...server } = options;
        const w = world({ server, store });
        const thrown = new Error(`listener bug (${what})`);
        w.companion.on('error', () => { throw thrown; });
        w.connect();
        await w.settle();
        w.cut();
        const uncaught = await collectUncaught(async () => {
          w.connect();
          await w.settle();
          if (wait) w.clock.tick(wait);
          await flush();
        });
        assert.deepEqual(uncaught, [thrown], what);
        assert.ok(w.client.link === null || w.client.link.closed, `that link closed (${what})`);
      }
      await flush();
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('says restarted for a token of another server instance (state lost), and the unsent still go', async () => {
    const w = world();
    w.connect();
    await w.settle();
    w.client.core.send(['before']);
    w.cut();
    w.restart();
    w.client.core.send(['after restart']);
    w.connect();
    await w.settle();
    assert.deepEqual(w.client.events.at(-1), { kind: 'fresh', reason: 'restarted', unconfirmed: ['before'], token: w.client.events.at(-1).token });
    assert.deepEqual(w.app.received, ['after restart']);
  });

  it('passes plain clients through untouched, whether or not they asked to resume', async () => {
    const w = world({ server: { helloTimeout: 1000 } });
    const plain = fakeLink('/app/websocket');
    w.sockjs.emit('connection', plain);
    assert.equal(w.app.sessions.at(-1), plain, 'no flag: the sockjs connection itself, at once');
    const flagged = fakeLink('/app/websocket?resock-resume=1');
    w.sockjs.emit('connection', flagged);
    flagged.emit('data', 'hi');
    assert.equal(w.app.sessions.at(-1), flagged);
    assert.deepEqual(w.app.received, ['hi'], 'its first message reaches the app');
    const silent = fakeLink('/app/websocket?x=1&resock-resume=1');
    w.sockjs.emit('connection', silent);
    w.clock.tick(1000);
    assert.equal(w.app.sessions.at(-1), silent, 'no hello in time: plain');
  });

  it('a fresh session reaches the app before anything the hello\'s frame carried after it: its data, or the broken message that ends it (close, once)', async () => {
    const w = world();
    const closes = [];
    w.companion.on('connection', (conn) => conn.on('close', () => closes.push(conn)));
    const link = fakeLink('/app/websocket?resock-resume=1');
    w.sockjs.emit('connection', link);
    for (const m of ['~resume1 - 0', 'n1', 'dfirst']) link.emit('data', m); // one frame, read before the store answers
    await flush();
    assert.deepEqual(w.app.received, ['first'], 'the data is the app\'s, not lost before it listened');
    const broken = fakeLink('/app/websocket?resock-resume=1');
    w.sockjs.emit('connection', broken);
    for (const m of ['~resume1 - 0', 'zzz']) broken.emit('data', m);
    await flush();
    assert.equal(broken.closed.code, ResumeCloseCode.ProtocolError);
    assert.deepEqual(closes, [w.app.sessions[1]], 'the app is told the session it got has ended');
    assert.equal(w.companion.sessions, 1);
  });

  it('a session that ends while its resume is still telling the store is not stored again under its new token (kept for ever)', async () => {
    // Ended by a broken message from the client, or by the app, while a slow store deletes the old token.
    let gate = null;
    const memory = new MemoryStore();
    const store = {
      get: (token) => memory.get(token),
      set: (token, record) => memory.set(token, record),
      delete: async (token) => (await gate, memory.delete(token)),
    };
    const ends = [(w) => w.client.link.emit('data', 'zzz'), (w) => w.app.sessions[0].close()];
    for (const end of ends) {
      const w = world({ store });
      w.connect();
      await w.settle();
      w.cut();
      let open;
      gate = new Promise((resolve) => (open = resolve));
      w.connect();
      w.step(); // the hello: the session takes the link and tells the store
      await flush();
      assert.equal(w.client.link.toClient[0].split(' ')[0], '~resumed');
      end(w);
      open();
      await w.settle();
      assert.equal(w.app.sessions[0].readyState, 3);
      assert.equal(memory.size, 0, 'nothing left in the store');
      assert.equal(w.companion.sessions, 0);
      gate = null;
    }
  });

  it('a store that fails after a resume\'s welcome went out (deleting the old token, storing the new one) is reported, and the resumed link stays open; the old token\'s record goes a TTL later', async () => {
    const cases = [
      ['delete throws', 'delete', (bug) => { throw bug; }],
      ['delete rejects', 'delete', (bug) => Promise.reject(bug)],
      ['set throws', 'set', (bug) => { throw bug; }],
      ['set rejects', 'set', (bug) => Promise.reject(bug)],
    ];
    const unhandled = [];
    const onUnhandled = (error) => unhandled.push(error);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (const [what, method, fail] of cases) {
        const bug = new Error(what);
        const memory = new MemoryStore();
        let failing = false;
        const store = {
          get: (t) => memory.get(t),
          set: (t, r) => (failing && method === 'set' ? fail(bug) : memory.set(t, r)),
          delete: (t) => (failing && method === 'delete' ? fail(bug) : memory.delete(t)),
        };
        const w = world({ store, server: { ttl: 5000 } });
        const errors = [];
        w.companion.on('error', (error) => errors.push(error));
        w.connect();
        await w.settle();
        const oldToken = w.client.events.at(-1).token;
        w.cut(); // the session stores itself under its token
        failing = true;
        w.connect();
        const link = w.client.link;
        await w.settle();
        assert.equal(link.closed, null, `the resumed link stays open (${what})`);
        assert.equal(w.client.events.at(-1).kind, 'resumed', what);
        assert.deepEqual(errors, [bug], `reported (${what})`);
        w.client.core.send(['after']);
        await w.settle();
        assert.deepEqual(w.app.received, ['after'], what);
        const [conn] = w.app.sessions;
        if (method === 'delete') {
          assert.ok(memory.get(oldToken), `the old token's record is still there (${what})`);
          w.clock.tick(4999);
          await flush();
          assert.ok(memory.get(oldToken), what);
          failing = false; // the store is back
          w.clock.tick(1);
          await flush();
          assert.equal(memory.get(oldToken), undefined, `deleted a TTL later (${what})`);
          assert.deepEqual([memory.size, memory.get(conn.token)?.id], [1, conn.id], what);
        }
        failing = false;
        if (method === 'set') {
          assert.equal(memory.get(conn.token), undefined, what);
          w.cut(); // the session stores itself again as its link drops
          w.connect();
          await w.settle();
          assert.equal(w.client.events.at(-1).kind, 'resumed', `its client resumes it with the new token (${what})`);
        }
        assert.equal(w.app.sessions.length, 1, what);
        assert.deepEqual(unhandled, [], what);
      }
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it("a store that fails to take a session's record when its link drops is reported ('error'), the session waiting for its client regardless", async () => {
    const memory = new MemoryStore();
    const failure = new Error('redis blip');
    let failing = false;
    const store = { get: (t) => memory.get(t), set: (t, r) => { if (failing) throw failure; memory.set(t, r); }, delete: (t) => memory.delete(t) };
    const w = world({ store });
    const errors = [];
    w.companion.on('error', (error) => errors.push(error));
    w.connect();
    await w.settle();
    failing = true;
    w.cut();
    failing = false;
    await flush();
    assert.deepEqual(errors, [failure]);
    assert.equal(w.app.sessions[0].readyState, 1);
  });

  it("a resume whose new token the store failed to take still resumes with it on this node, before the session's link is seen to drop (which would store it again)", async () => {
    const memory = new MemoryStore();
    let failSet = false;
    const store = {
      get: (t) => memory.get(t),
      set: (t, r) => { if (failSet) { failSet = false; throw new Error('redis blip'); } memory.set(t, r); },
      delete: (t) => memory.delete(t),
    };
    const w = world({ store });
    const errors = [];
    w.companion.on('error', (error) => errors.push(error));
    w.connect();
    await w.settle();
    w.cut();
    failSet = true; // the store misses the token the resume's welcome gives
    w.connect();
    await w.settle();
    assert.equal(w.client.events.at(-1).kind, 'resumed');
    assert.equal(errors.length, 1, 'reported');
    w.client.core.send(['before']);
    await w.settle(); // the client spoke: the token it resumed with is retired
    const old = w.client.link;
    w.client.core.linkLost(); // it gives up on its link; sockjs-node has not seen it drop
    w.client.link = null;
    w.connect();
    await w.settle();
    assert.equal(w.client.events.at(-1).kind, 'resumed');
    assert.equal(old.closed?.code, ResumeCloseCode.Replaced);
    w.client.core.send(['after']);
    await w.settle();
    assert.deepEqual(w.app.received, ['before', 'after']);
    assert.equal(w.app.sessions.length, 1);
  });

  it('a store that throws (a synchronous one, as SQLite) or rejects where nobody waits for it stops no session halfway and ends no process', async () => {
    const unhandled = [];
    const onUnhandled = (error) => unhandled.push(error);
    process.on('unhandledRejection', onUnhandled);
    try {
      let failing = false;
      const memory = new MemoryStore();
      const fail = (call) => (...args) => { if (failing) throw new Error('disk full'); return call(...args); };
      const store = { get: fail((t) => memory.get(t)), set: fail((t, r) => memory.set(t, r)), delete: fail((t) => memory.delete(t)) };
      const closes = [];
      const ends = [
        ['the link drops, then the TTL', (w) => (w.cut(), w.clock.tick(120000))],
        ['close()', (w) => assert.equal(w.app.sessions[0].close(), true)],
        ['the window overflows', (w) => assert.equal(w.app.sessions[0].write('1') && w.app.sessions[0].write('2'), false)],
      ];
      for (const [what, end] of ends) {
        const w = world({ store, server: { maxMessages: 1 } });
        w.connect();
        await w.settle();
        w.app.sessions[0].on('close', () => closes.push(what));
        failing = true;
        end(w);
        failing = false;
        assert.equal(w.app.sessions[0].readyState, 3, what);
      }
      assert.deepEqual(closes, ends.map(([what]) => what), 'each told close, once');
      // A fresh session whose link dropped while the store took its record: its delete rejects.
      let stored;
      const slow = { get: () => undefined, set: () => new Promise((resolve) => (stored = resolve)), delete: () => Promise.reject(new Error('redis down')) };
      const w = world({ store: slow });
      w.connect();
      w.step();
      await flush();
      w.cut();
      stored();
      await flush();
      assert.equal(w.app.sessions.length, 0);
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('close() starts no session afterwards: a hello waiting for the store, or sent later on a link opened before, gets 3105', async () => {
    let open;
    const memory = new MemoryStore();
    const gate = new Promise((resolve) => (open = resolve));
    const store = { get: (t) => memory.get(t), set: async (t, r) => (await gate, memory.set(t, r)), delete: (t) => memory.delete(t) };
    const w = world({ store });
    const waiting = fakeLink('/app/websocket?resock-resume=1');
    w.sockjs.emit('connection', waiting);
    waiting.emit('data', '~resume1 - 0'); // the store takes its time
    const late = fakeLink('/app/websocket?resock-resume=1');
    w.sockjs.emit('connection', late); // its hello comes after close()
    w.companion.close();
    open();
    late.emit('data', '~resume1 - 0');
    await flush();
    assert.deepEqual(w.app.sessions, [], 'no session after close()');
    assert.equal(waiting.closed?.code, ResumeCloseCode.ShuttingDown);
    assert.equal(late.closed?.code, ResumeCloseCode.ShuttingDown);
    assert.equal(w.companion.sessions, 0);
    assert.equal(memory.size, 0);
  });

  it('close() hands on no link afterwards either: one accepted before, whose hello never came or that turned out plain, gets 3105', async () => {
    const w = world({ server: { helloTimeout: 1000 } });
    const silent = fakeLink('/app/websocket?resock-resume=1');
    const other = fakeLink('/app/websocket?resock-resume=1');
    w.sockjs.emit('connection', silent);
    w.sockjs.emit('connection', other);
    w.companion.close();
    other.emit('data', 'not a hello');
    w.clock.tick(1000);
    await flush();
    assert.deepEqual(w.app.sessions, [], "no 'connection' after close()");
    assert.equal(silent.closed?.code, ResumeCloseCode.ShuttingDown);
    assert.equal(other.closed?.code, ResumeCloseCode.ShuttingDown);
  });

  it('close() ends every handshake at once with 3105, its timers with it: a hello whose store never answers, a link whose hello has not come; nothing reported afterwards', async () => {
    const memory = new MemoryStore();
    let hang = false;
    const store = { get: (t) => (hang ? new Promise(() => {}) : memory.get(t)), set: (t, r) => memory.set(t, r), delete: (t) => memory.delete(t) };
    const w = world({ store, server: { welcomeTimeout: 5000, helloTimeout: 10000 } });
    const errors = [];
    w.companion.on('error', (error) => errors.push(error));
    w.connect();
    await w.settle();
    const { token } = w.client.events.at(-1);
    w.cut();
    hang = true;
    const deciding = fakeLink('/app/websocket?resock-resume=1');
    w.sockjs.emit('connection', deciding);
    deciding.emit('data', `~resume1 ${token} 0`);
    const silent = fakeLink('/app/websocket?resock-resume=1');
    w.sockjs.emit('connection', silent);
    await flush();
    w.companion.close();
    const shutDown = { code: ResumeCloseCode.ShuttingDown, reason: 'Server shutting down' };
    assert.deepEqual(deciding.closed, shutDown, 'the hello being decided');
    assert.deepEqual(silent.closed, shutDown, 'the link whose hello has not come');
    w.clock.tick(10000); // past welcomeTimeout and helloTimeout
    await flush();
    assert.deepEqual(errors, [], 'no welcome timeout reported by a closed companion');
    assert.deepEqual(deciding.toClient, []);
    assert.deepEqual(w.app.sessions.length, 1);
  });

  it("close() ends every session and handshake even when an app's close listener throws: that throw is the app's, uncaught, once", async () => {
    const w = world();
    const bug = new Error('app close bug');
    w.companion.on('connection', (conn) => conn.on('close', () => { throw bug; }));
    const links = [fakeLink('/app/websocket?resock-resume=1'), fakeLink('/app/websocket?resock-resume=1')];
    for (const link of links) w.sockjs.emit('connection', link), link.emit('data', '~resume1 - 0');
    await flush();
    const waiting = fakeLink('/app/websocket?resock-resume=1');
    w.sockjs.emit('connection', waiting);
    const uncaught = await collectUncaught(async () => {
      try {
        w.companion.close();
      } catch (error) {
        assert.fail(`close() threw the app's error: ${error.message}`);
      }
      await flush();
    });
    assert.deepEqual(uncaught, [bug, bug]);
    assert.deepEqual(w.app.sessions.map((s) => s.readyState), [3, 3], 'both sessions ended');
    assert.deepEqual(links.map((l) => l.closed?.code), [ResumeCloseCode.ShuttingDown, ResumeCloseCode.ShuttingDown]);
    assert.equal(waiting.closed?.code, ResumeCloseCode.ShuttingDown, 'the handshake too');
    assert.equal(w.companion.sessions, 0);
  });

  it('lets go of a resumed link once the session has it, while a slow store is still told the new token (no copy of every message kept)', async () => {
    let open;
    const memory = new MemoryStore();
    const store = { get: (t) => memory.get(t), set: (t, r) => memory.set(t, r), delete: async (t) => (await gate, memory.delete(t)) };
    let gate = null;
    const w = world({ store });
    w.connect();
    await w.settle();
    w.cut();
    gate = new Promise((resolve) => (open = resolve));
    w.connect();
    await w.settle();
    assert.equal(w.client.events.at(-1).kind, 'resumed');
    // Only the session listens now: the handshake's listener kept every message for the replay.
    assert.equal(w.client.link.listenerCount('data'), 1);
    assert.equal(w.client.link.listenerCount('close'), 2, 'the session and the test client');
    w.client.core.send(['a']);
    await w.settle();
    assert.deepEqual(w.app.received, ['a']);
    open();
    await flush();
    assert.equal(memory.size, 1);
  });

  it('holds what a link sends after its hello, while the store answers, only up to the window (maxMessages): beyond, that link gets 3106 and no session', async () => {
    let open;
    const memory = new MemoryStore();
    const gate = new Promise((resolve) => (open = resolve));
    const store = { get: (t) => memory.get(t), set: async (t, r) => (await gate, memory.set(t, r)), delete: (t) => memory.delete(t) };
    const w = world({ store, server: { maxMessages: 3 } });
    const errors = [];
    w.companion.on('error', (error) => errors.push(error));
    const flood = fakeLink('/app/websocket?resock-resume=1');
    w.sockjs.emit('connection', flood);
    for (const m of ['~resume1 - 0', 'n1', 'd1', 'd2']) flood.emit('data', m); // the store takes its time
    assert.equal(flood.closed, null, 'up to the window: held');
    flood.emit('data', 'd3');
    assert.deepEqual(flood.closed, { code: ResumeCloseCode.HandshakeOverflow, reason: 'Too much sent before the welcome' });
    assert.equal(flood.listenerCount('data'), 0, 'nothing more is read, nor kept');
    open();
    await flush();
    assert.deepEqual(w.app.sessions, [], 'no session for that link');
    assert.equal(memory.size, 0, 'nor a record');
    assert.deepEqual(errors, []);
  });

  it('a JSON value that is not a string in the hello\'s frame still ends the new session as a protocol error (3103) when read', async () => {
    const w = world();
    const link = fakeLink('/app/websocket?resock-resume=1');
    w.sockjs.emit('connection', link);
    for (const m of ['~resume1 - 0', { big: 'x'.repeat(1000) }]) link.emit('data', m);
    await flush();
    assert.equal(link.closed.code, ResumeCloseCode.ProtocolError);
    assert.equal(w.app.sessions[0].readyState, 3);
  });

  it('bounds what a resuming link sends while its verify hook decides by the window\'s bytes too: beyond, 3106, and the session waits for a correct resume', async () => {
    let decide = null;
    const w = world({ server: { maxBytes: 64, verify: () => decide ?? true } });
    w.connect();
    await w.settle();
    const token = w.client.events.at(-1).token;
    w.cut();
    let allow;
    decide = new Promise((resolve) => (allow = resolve));
    const flood = fakeLink('/app/websocket?resock-resume=1');
    w.sockjs.emit('connection', flood);
    flood.emit('data', `~resume1 ${token} 0`);
    await flush(); // the store answered; the hook decides
    flood.emit('data', 'd' + 'é'.repeat(30)); // 61 bytes
    assert.equal(flood.closed, null);
    flood.emit('data', 'dxyz'); // 65
    assert.equal(flood.closed.code, ResumeCloseCode.HandshakeOverflow);
    allow(true);
    await flush();
    assert.deepEqual(flood.toClient, [], 'no welcome on the closed link');
    assert.equal(w.app.sessions[0].readyState, 1, 'the session is untouched');
    assert.deepEqual(w.app.received, []);
    decide = null;
    w.connect();
    await w.settle();
    assert.equal(w.client.events.at(-1).kind, 'resumed', 'its client resumes it');
  });

  it('an app\'s data listener that throws on what came with a hello is the app\'s error, thrown uncaught as by a plain connection: not a store failure (no 3104, no \'error\'), the frame\'s rest read, the store told', async () => {
    const w = world();
    const storeErrors = [];
    w.companion.on('error', (error) => storeErrors.push(error));
    const bug = new Error('app bug');
    w.companion.on('connection', (conn) => conn.on('data', (m) => { if (m.startsWith('boom')) throw bug; }));
    const fresh = fakeLink('/app/websocket?resock-resume=1');
    const resumed = fakeLink('/app/websocket?resock-resume=1');
    const uncaught = await collectUncaught(async () => {
      w.sockjs.emit('connection', fresh);
      for (const m of ['~resume1 - 0', 'n1', 'dboom1', 'dafter1']) fresh.emit('data', m); // one frame, read before the store answers
      await flush();
      const { token } = decodeWelcome(fresh.toClient[0]);
      fresh.emit('data', 'k0'); // it read the welcome: a fresh session whose client never spoke ends with its link
      fresh.close(1006, 'cut');
      w.sockjs.emit('connection', resumed);
      for (const m of [`~resume1 ${token} 0`, 'n3', 'dboom2', 'dafter2']) resumed.emit('data', m);
      await flush();
    });
    assert.deepEqual(uncaught, [bug, bug], 'the app\'s own error, unchanged, once per throw');
    assert.deepEqual(storeErrors, []);
    assert.deepEqual(fresh.closed, { code: 1006, reason: 'cut' }, 'the fresh link was not closed as a store failure');
    assert.equal(resumed.closed, null);
    assert.match(resumed.toClient[0], /^~resumed \S+ 2$/);
    assert.deepEqual(w.app.received, ['boom1', 'after1', 'boom2', 'after2']);
    const [conn] = w.app.sessions;
    assert.equal(w.app.sessions.length, 1);
    assert.equal(conn.readyState, 1);
    const { token } = decodeWelcome(resumed.toClient[0]);
    // And the one it resumed with: all that link carried came with its hello, before the welcome.
    assert.deepEqual([w.store.size, w.store.get(token)?.id], [2, conn.id], 'the store has the new token (and the presented one, until the client speaks after the welcome)');
  });

  it('an app\'s connection listener that throws is the app\'s error too: thrown uncaught, the new session and its link left open', async () => {
    const w = world();
    const storeErrors = [];
    w.companion.on('error', (error) => storeErrors.push(error));
    const bug = new Error('app bug');
    w.companion.on('connection', () => { throw bug; });
    const link = fakeLink('/app/websocket?resock-resume=1');
    const uncaught = await collectUncaught(async () => {
      w.sockjs.emit('connection', link);
      for (const m of ['~resume1 - 0', 'n1', 'dfirst']) link.emit('data', m);
      await flush();
    });
    assert.deepEqual(uncaught, [bug]);
    assert.deepEqual(storeErrors, []);
    assert.equal(link.closed, null);
    assert.deepEqual(w.app.received, ['first'], 'what came with the hello is still read');
    assert.equal(w.companion.sessions, 1);
  });

  it('companion options: an unknown name (a typo) or a wrong value is a TypeError naming the option, and the sockjs server is left untouched', () => {
    const wrong = [
      [{ welcomeTimout: 5000 }, /Unknown option 'welcomeTimout'/],
      [{ ttl: '120000' }, /'ttl'/],
      [{ ttl: 0 }, /'ttl'/],
      [{ ttl: 2 ** 31 }, /'ttl'/], // a Node timer would fire after 1 ms
      [{ ackDelay: Infinity }, /'ackDelay'/],
      [{ helloTimeout: NaN }, /'helloTimeout'/],
      [{ maxMessages: 0 }, /'maxMessages'/],
      [{ maxBytes: -1 }, /'maxBytes'/],
      [{ ackEvery: '32' }, /'ackEvery'/],
      [{ ackEvery: 2.5 }, /'ackEvery'/], // never reached exactly: no ack at once after ackEvery messages
      [{ maxMessages: 1.5 }, /'maxMessages'/],
      [{ verify: true }, /'verify'/],
      [{ store: { get: () => undefined } }, /'store'/],
      [{ store: 'redis' }, /'store'/],
      [{ clock: Date }, /'clock'/],
      [5, /'options'/],
    ];
    for (const [options, message] of wrong) {
      const sockjs = new EventEmitter();
      assert.throws(() => attachResume(sockjs, options), (error) => error instanceof TypeError && message.test(error.message), String(message));
      assert.equal(sockjs.listenerCount('connection'), 0, String(message));
    }
    const all = { ttl: 1, maxMessages: Infinity, maxBytes: 1, ackDelay: 1, ackEvery: 1, helloTimeout: 2 ** 31 - 1, welcomeTimeout: 1, store: new MemoryStore(), verify: () => true, clock: fakeClock(), };
    for (const options of [undefined, {}, all, { ttl: undefined }]) attachResume(new EventEmitter(), options).close();
  });

  it("ends the session with a protocol error on the marker n0 (numbers start at 1), instead of dropping the next message as a duplicate", async () => {
    const w = world();
    w.connect();
    await w.settle();
    const link = w.client.link;
    for (const m of ['n0', 'dfirst']) link.emit('data', m);
    assert.deepEqual(w.app.received, []);
    assert.equal(link.closed?.code, ResumeCloseCode.ProtocolError);
    assert.equal(w.app.sessions[0].readyState, 3);
  });

  it("applies its store writes on one token in the order it made them, each after the last answered: a detach's slow set no longer lands after the token's later delete (a record kept for ever)", async () => {
    const memory = new MemoryStore();
    let slow = false;
    const held = [];
    // As a store over a pool of connections: a later call may be applied before an earlier one.
    const store = {
      get: (t) => memory.get(t),
      delete: (t) => memory.delete(t),
      set: (t, r) => (slow ? new Promise((resolve) => held.push(() => resolve(memory.set(t, r)))) : memory.set(t, r)),
    };
    const w = world({ store });
    const first = fakeLink('/app/websocket?resock-resume=1');
    w.sockjs.emit('connection', first);
    first.emit('data', '~resume1 - 0');
    await flush();
    const { token } = decodeWelcome(first.toClient[0]);
    first.emit('data', 'k0'); // the client read its welcome: the session outlives this link
    await flush();
    slow = true;
    first.close(1006, 'cut'); // the detach's set(token) is in flight
    const second = fakeLink('/app/websocket?resock-resume=1');
    w.sockjs.emit('connection', second);
    second.emit('data', `~resume1 ${token} 0`);
    await flush();
    slow = false;
    second.emit('data', 'k0'); // the client speaks: the token it resumed with is deleted
    await flush();
    for (const land of held) land(); // the detach's set answers only now
    await flush();
    w.app.sessions[0].close();
    await flush();
    assert.equal(memory.get(token), undefined, 'the retired token is not left in the store');
    assert.equal(memory.size, 0);
  });

  it("destroy() and destroySoon() end the session and drop the app's listeners, as sockjs-node's do", async () => {
    for (const name of ['destroy', 'destroySoon']) {
      const w = world();
      w.connect();
      await w.settle();
      const link = w.client.link;
      const [conn] = w.app.sessions;
      conn[name]();
      assert.deepEqual([conn.readyState, link.closed?.code, conn.listenerCount('data')], [3, 1000, 0], name);
    }
  });

  it("end(data) writes data only when sockjs-node's would (a truthy one): end('') sends no empty message before the close", async () => {
    const w = world();
    w.connect();
    await w.settle();
    const link = w.client.link;
    const [conn] = w.app.sessions;
    link.toClient.length = 0;
    conn.end('');
    assert.deepEqual(link.toClient, [], 'no empty message before the close');
    assert.equal(conn.readyState, 3);
  });

  it('ends the session with a protocol error on a broken message', async () => {
    const w = world();
    w.connect();
    await flush();
    await w.settle();
    w.client.link.emit('data', 'zzz');
    assert.equal(w.client.link, null);
    assert.equal(w.app.sessions[0].readyState, 3);
    assert.equal(w.companion.sessions, 0);
  });
});
