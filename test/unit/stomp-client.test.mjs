// StompClient against a fake WebSocket-like socket and a fake clock: what goes on the wire, in
// which order, across reconnects, and what the application is told.
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { StompClient, QueueOverflowError, StompClosedError } from '../../dist/esm/stomp/index.js';
import { Resock } from '../../dist/esm/client/resock.js';
import { resume } from '../../dist/esm/resume.js';
import { encodeWelcome } from '../../dist/esm/resume/wire.js';
import { fakeClock as manualClock, fakeDescriptors, fakeEnv, flush } from './fakes.mjs';

/** A frame as text, split into command, headers and body (no unescaping: the tests read the wire). */
function decode(text) {
  const blank = text.indexOf('\n\n');
  const [command, ...lines] = text.slice(0, blank).split('\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]));
  return { command, headers, body: text.slice(blank + 2, -1) };
}

/**
 * A WebSocket-shaped double the test steers: `open()`, `receive(text)`, `lose()` (a Resock losing
 * its link: `reconnecting`, then maybe `open()` again), `closed(code)`. `send` throws unless open,
 * so a frame written at the wrong time fails the test.
 */
class FakeSocket extends EventTarget {
  readyState = 0;
  sent = [];
  closeCalls = 0;

  send(data) {
    if (this.readyState !== 1) throw new Error(`send while readyState is ${this.readyState}: ${JSON.stringify(data)}`);
    this.sent.push(data);
  }

  close() {
    this.closeCalls++;
    if (this.readyState < 2) this.readyState = 2;
  }

  open() {
    this.readyState = 1;
    this.dispatchEvent(new Event('open'));
  }

  receive(data) {
    this.dispatchEvent(new MessageEvent('message', { data }));
  }

  lose() {
    this.readyState = 0;
    this.dispatchEvent(new Event('reconnecting'));
  }

  closed(code = 1006) {
    this.readyState = 3;
    this.dispatchEvent(Object.assign(new Event('close'), { code }));
  }

  /** The frames sent, decoded; heart-beat EOLs left out. */
  frames() {
    return this.sent.filter((data) => data !== '\n').map(decode);
  }

  commands() {
    return this.frames().map((f) => f.command);
  }

  /** Frames sent since the last call. */
  take() {
    const frames = this.frames().slice(this._taken ?? 0);
    this._taken = this.frames().length;
    return frames;
  }
}

/** A client whose webSocketFactory hands out FakeSockets (kept in `sockets`), with events recorded. */
function setup(options = {}) {
  const clock = manualClock();
  const sockets = [];
  const events = [];
  const client = new StompClient(
    {
      webSocketFactory: () => {
        const socket = new FakeSocket();
        sockets.push(socket);
        return socket;
      },
      heartbeat: { outgoing: 0, incoming: 0 },
      reconnectDelay: 100,
      ...options,
    },
    { clock },
  );
  for (const type of ['connect', 'disconnect', 'error', 'unhandledReceipt']) client.on(type, (detail) => events.push([type, detail]));
  const last = () => sockets.at(-1);
  /** Opens the socket and answers its CONNECT with CONNECTED. */
  const connect = async (socket = last(), connected = 'CONNECTED\nversion:1.2\n\n\0') => {
    if (socket.readyState !== 1) socket.open();
    await flush();
    assert.equal(socket.frames().at(-1).command, 'CONNECT');
    socket.receive(connected);
    return socket;
  };
  const types = () => events.map(([type]) => type);
  return { client, clock, sockets, events, last, connect, types };
}

/** A Resock-shaped FakeSocket: `reconnect()` is recorded; the test then plays `lose()` and `open()`. */
class FakeResock extends FakeSocket {
  reconnectCalls = 0;

  reconnect() {
    this.reconnectCalls++;
  }
}

/** 'pending', 'resolved' or 'rejected: <name>: <message>', once queued callbacks have run. */
async function settlement(promise) {
  let state = 'pending';
  promise.then(
    () => (state = 'resolved'),
    (error) => (state = `rejected: ${error.name}: ${error.message}`),
  );
  await flush();
  return state;
}

/**
 * Runs `fn` with mocha's uncaughtException handlers set aside; resolves with what was reported
 * as uncaught meanwhile (an application callback's error, reported without stopping the client).
 */
async function uncaughtDuring(fn) {
  const mochaHandlers = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  const errors = [];
  const collect = (error) => errors.push(error.message);
  process.on('uncaughtException', collect);
  try {
    await fn();
    await flush();
  } finally {
    process.off('uncaughtException', collect);
    for (const handler of mochaHandlers) process.on('uncaughtException', handler);
  }
  return errors;
}

/**
 * Whether the object that `make` resolves with is garbage once the test lets go of it: Node's gc()
 * (exposed at run time), after the job that made the WeakRef (which keeps its target until then).
 */
async function collected(make) {
  setFlagsFromString('--expose-gc');
  const ref = new WeakRef(await make());
  await new Promise(setImmediate);
  runInNewContext('gc')();
  return ref.deref() === undefined;
}

/** A client on a given FakeResock, open already, with events recorded. */
function setupGiven(options = {}) {
  const clock = manualClock();
  const socket = new FakeResock();
  socket.open();
  const events = [];
  const client = new StompClient({ socket, heartbeat: { outgoing: 0, incoming: 0 }, ...options }, { clock });
  for (const type of ['connect', 'disconnect', 'error']) client.on(type, (detail) => events.push([type, detail.reason ?? detail.message ?? detail.version]));
  return { client, clock, socket, events };
}

describe('StompClient', () => {
  describe('connecting', () => {
    it('sends CONNECT on open, unescaped, with the versions, the heart-beats and the connect headers', async () => {
      const { client, last, types } = setup({ connectHeaders: { login: 'guest', passcode: 'a:b\\c', host: '/' }, heartbeat: { outgoing: 4000, incoming: 5000 } });
      client.activate();
      assert.deepEqual(last().sent, []);
      last().open();
      await flush();
      assert.equal(last().sent[0], 'CONNECT\nlogin:guest\npasscode:a:b\\c\nhost:/\naccept-version:1.0,1.1,1.2\nheart-beat:4000,5000\n\n\0');
      assert.equal(client.connected, false);
      last().receive('CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\0');
      assert.equal(client.connected, true);
      assert.deepEqual(types(), ['connect']);
    });

    it('tells the negotiated version and the CONNECTED frame; a broker naming none speaks 1.0', async () => {
      const { client, connect, events } = setup();
      client.activate();
      await connect(undefined, 'CONNECTED\nsession:s1\n\n\0');
      const [[, detail]] = events;
      assert.equal(detail.version, '1.0');
      assert.equal(detail.frame.headers.session, 's1');
    });

    it('calls an async connectHeaders before every CONNECT, for fresh tokens', async () => {
      let calls = 0;
      const { client, last, connect } = setup({ connectHeaders: async () => ({ passcode: `token-${++calls}` }) });
      client.activate();
      await connect();
      assert.equal(last().frames()[0].headers.passcode, 'token-1');
      last().lose();
      await connect();
      assert.equal(last().frames().at(-1).headers.passcode, 'token-2');
    });

    it('reports a failing connectHeaders as an error, closes the socket and tries again later', async () => {
      let fail = true;
      const { client, clock, sockets, events, connect } = setup({
        connectHeaders: () => {
          if (fail) throw new Error('no token');
          return { passcode: 'ok' };
        },
      });
      client.activate();
      sockets[0].open();
      await flush();
      assert.deepEqual(events, [['error', { message: 'connectHeaders: Error: no token', frame: undefined }]]);
      assert.equal(sockets[0].closeCalls, 1);
      assert.deepEqual(sockets[0].sent, []);
      fail = false;
      clock.tick(100);
      assert.equal(sockets.length, 2);
      await connect(sockets[1]);
      assert.equal(client.connected, true);
    });

    it('uses a given socket that is open already, and stops when it closes for good', async () => {
      const socket = new FakeSocket();
      socket.open();
      const events = [];
      const client = new StompClient({ socket, heartbeat: { outgoing: 0, incoming: 0 } }, { clock: manualClock() });
      client.on('disconnect', (detail) => events.push(detail.reason));
      client.activate();
      await flush();
      assert.equal(socket.commands()[0], 'CONNECT');
      socket.receive('CONNECTED\nversion:1.2\n\n\0');
      const pending = client.publish({ destination: '/q', body: 'x', receipt: true });
      socket.closed(1000);
      await assert.rejects(pending, /Socket closed 1000/);
      assert.deepEqual(events, ['Socket closed 1000']);
      assert.equal(client.connected, false);
    });
  });

  describe('across reconnects', () => {
    it('restores every subscription with the same id before any queued SEND, over a Resock', async () => {
      const { client, last, connect, types } = setup();
      client.activate();
      const socket = await connect();
      const a = client.subscribe('/queue/a', () => {});
      const b = client.subscribe('/topic/b', () => {}, { id: 'mine', ack: 'client' });
      socket.take();
      socket.lose();
      assert.deepEqual(types(), ['connect', 'disconnect']);
      client.publish({ destination: '/queue/a', body: 'queued 1' });
      client.publish({ destination: '/queue/a', body: 'queued 2' });
      const c = client.subscribe('/queue/c', () => {}); // made while away: restored like the others
      assert.deepEqual(socket.take(), []);
      await connect(last());
      assert.equal(last(), socket, 'a Resock is one socket across reconnects');
      const after = socket.take();
      assert.deepEqual(
        after.map((f) => [f.command, f.headers.id ?? f.body]),
        [['CONNECT', ''], ['SUBSCRIBE', a.id], ['SUBSCRIBE', 'mine'], ['SUBSCRIBE', c.id], ['SEND', 'queued 1'], ['SEND', 'queued 2']],
      );
      assert.equal(after[2].headers.ack, 'client');
      assert.equal(after[2].headers.destination, '/topic/b');
      assert.equal(b.id, 'mine');
    });

    it('makes a new socket after a one-shot socket closes, with backoff, and restores subscriptions', async () => {
      const { client, clock, sockets, connect } = setup();
      client.activate();
      await connect();
      const sub = client.subscribe('/queue/a', () => {});
      sockets[0].closed();
      assert.equal(sockets.length, 1);
      clock.tick(99);
      assert.equal(sockets.length, 1);
      clock.tick(1);
      assert.equal(sockets.length, 2);
      await connect(sockets[1]);
      assert.deepEqual(sockets[1].frames()[1], { command: 'SUBSCRIBE', headers: { id: sub.id, destination: '/queue/a' }, body: '' });
    });

    it('backs off further after each failed socket, and starts over after one that stayed connected 5 s', async () => {
      const { client, clock, sockets, connect } = setup({ reconnectDelay: 100 });
      const random = Math.random;
      Math.random = () => 1; // the longest delay of each step
      try {
        client.activate();
        const delays = [];
        for (let i = 0; i < 4; i++) {
          const before = clock.now();
          sockets.at(-1).closed();
          for (let ms = 0; sockets.length === i + 1 && ms < 60000; ms++) clock.tick(1);
          delays.push(clock.now() - before);
        }
        assert.deepEqual(delays, [100, 200, 400, 800]);
        await connect();
        clock.tick(5000);
        const before = clock.now();
        sockets.at(-1).closed();
        for (let ms = 0; sockets.length === 5 && ms < 60000; ms++) clock.tick(1);
        assert.equal(clock.now() - before, 100);
      } finally {
        Math.random = random;
      }
    });

    it('backs off further when each broker session ends right after its CONNECTED (an ERROR about a restored SUBSCRIBE)', async () => {
      const { client, clock, sockets, connect } = setup({ reconnectDelay: 100 });
      const random = Math.random;
      Math.random = () => 1; // the longest delay of each step
      try {
        client.activate();
        client.subscribe('/amq/queue/missing', () => {});
        const delays = [];
        for (let i = 0; i < 4; i++) {
          const socket = await connect();
          socket.receive("ERROR\nmessage:not_found\n\nno queue 'missing'\0");
          const before = clock.now();
          socket.closed(1000);
          for (let ms = 0; sockets.length === i + 1 && ms < 60000; ms++) clock.tick(1);
          delays.push(clock.now() - before);
        }
        assert.deepEqual(delays, [100, 200, 400, 800]);
      } finally {
        Math.random = random;
      }
    });

    it('re-sends a SEND that asked for a receipt until the RECEIPT comes (at-least-once), and not the others', async () => {
      const { client, last, connect } = setup();
      client.activate();
      const socket = await connect();
      client.subscribe('/queue/a', () => {});
      let settled = false;
      const confirmed = client.publish({ destination: '/queue/a', body: 'must arrive', receipt: true }).then(() => (settled = true));
      client.publish({ destination: '/queue/a', body: 'may be lost' });
      socket.take();
      socket.lose(); // no RECEIPT came
      client.publish({ destination: '/queue/a', body: 'later' });
      await connect(last());
      const resent = socket.take();
      assert.deepEqual(resent.map((f) => f.command + ' ' + f.body), ['CONNECT ', 'SUBSCRIBE ', 'SEND must arrive', 'SEND later']);
      assert.equal(settled, false);
      socket.receive(`RECEIPT\nreceipt-id:${resent[2].headers.receipt}\n\n\0`);
      await confirmed;
      assert.equal(settled, true);
      socket.lose();
      await connect(last());
      assert.deepEqual(socket.take().map((f) => f.command), ['CONNECT', 'SUBSCRIBE'], 'a confirmed SEND is not sent again');
    });

    it('drops ack() of a message from before a reconnect: the broker redelivers it', async () => {
      const { client, last, connect } = setup();
      client.activate();
      const socket = await connect();
      const received = [];
      const sub = client.subscribe('/queue/a', (m) => received.push(m), { ack: 'client-individual' });
      socket.receive(`MESSAGE\nsubscription:${sub.id}\nmessage-id:m1\nack:a1\ndestination:/queue/a\n\nx\0`);
      socket.lose();
      await connect(last());
      socket.take();
      received[0].ack();
      received[0].nack();
      assert.deepEqual(socket.take(), []);
    });

    it('notices a socket that stopped being open without an event (a Resock put away on pagehide)', async () => {
      const { client, last, connect, types } = setup();
      client.activate();
      const socket = await connect();
      const received = [];
      const sub = client.subscribe('/queue/a', (m) => received.push(m), { ack: 'client' });
      socket.receive(`MESSAGE\nsubscription:${sub.id}\nmessage-id:m1\nack:a1\n\nx\0`);
      socket.take();
      socket.readyState = 0; // no event: FakeSocket.send would throw if the client wrote now
      received[0].ack();
      client.publish({ destination: '/queue/a', body: 'waits' });
      assert.deepEqual(types(), ['connect', 'disconnect']);
      await connect(last());
      assert.deepEqual(socket.take().map((f) => f.command + ' ' + f.body), ['CONNECT ', 'SUBSCRIBE ', 'SEND waits']);
    });

    it('treats a second open without reconnecting in between as a new session', async () => {
      const { client, last, connect, types } = setup();
      client.activate();
      const socket = await connect();
      client.subscribe('/queue/a', () => {});
      socket.open();
      await connect(last());
      assert.deepEqual(types(), ['connect', 'disconnect', 'connect']);
      assert.deepEqual(socket.commands(), ['CONNECT', 'SUBSCRIBE', 'CONNECT', 'SUBSCRIBE']);
    });
  });

  describe('messages and acknowledgements', () => {
    it('delivers MESSAGE frames to their subscription, with the frame', async () => {
      const { client, connect } = setup();
      client.activate();
      const socket = await connect();
      const got = [];
      const a = client.subscribe('/queue/a', (m) => got.push(['a', m.body, m.headers.destination]));
      client.subscribe('/queue/b', (m) => got.push(['b', m.body]));
      socket.receive(`MESSAGE\nsubscription:${a.id}\nmessage-id:1\ndestination:/queue/a\ncontent-length:3\n\na\0b\0`);
      socket.receive(`MESSAGE\nsubscription:nobody\nmessage-id:2\n\nlost\0`);
      assert.deepEqual(got, [['a', 'a\0b', '/queue/a']]);
    });

    it('sends ACK and NACK naming the message as 1.2 does (id) and as 1.0/1.1 do (message-id, subscription)', async () => {
      const { client, connect } = setup();
      client.activate();
      const socket = await connect();
      const received = [];
      const sub = client.subscribe('/queue/a', (m) => received.push(m), { ack: 'client-individual' });
      assert.equal(socket.frames().at(-1).headers.ack, 'client-individual');
      socket.receive(`MESSAGE\nsubscription:${sub.id}\nmessage-id:m1\nack:a1\n\none\0MESSAGE\nsubscription:${sub.id}\nmessage-id:m2\nack:a2\n\ntwo\0`);
      socket.take();
      received[0].ack();
      received[1].nack({ requeue: 'false' });
      assert.deepEqual(socket.take(), [
        { command: 'ACK', headers: { id: 'a1', 'message-id': 'm1', subscription: sub.id }, body: '' },
        { command: 'NACK', headers: { requeue: 'false', id: 'a2', 'message-id': 'm2', subscription: sub.id }, body: '' },
      ]);
    });

    it('stops delivering after unsubscribe, and sends UNSUBSCRIBE only when connected', async () => {
      const { client, last, connect } = setup();
      client.activate();
      const socket = await connect();
      const got = [];
      const sub = client.subscribe('/queue/a', (m) => got.push(m.body));
      const other = client.subscribe('/queue/b', () => {});
      sub.unsubscribe();
      assert.deepEqual(socket.frames().at(-1), { command: 'UNSUBSCRIBE', headers: { id: sub.id }, body: '' });
      socket.receive(`MESSAGE\nsubscription:${sub.id}\nmessage-id:1\n\nlate\0`);
      assert.deepEqual(got, []);
      socket.lose();
      other.unsubscribe();
      await connect(last());
      assert.deepEqual(socket.take().map((f) => f.command).slice(-2), ['UNSUBSCRIBE', 'CONNECT'], 'nothing restored after the CONNECT');
    });

    it('replaces a live subscription given the same id: UNSUBSCRIBE first, since a broker refuses a duplicate id (RabbitMQ: ERROR, connection closed)', async () => {
      const { client, connect } = setup();
      client.activate();
      const socket = await connect();
      const got = [];
      client.subscribe('/queue/a', (m) => got.push('old ' + m.body), { id: 'mine' });
      client.subscribe('/queue/b', (m) => got.push('new ' + m.body), { id: 'mine' });
      assert.deepEqual(socket.take().slice(1).map((f) => [f.command, f.headers.id, f.headers.destination]), [
        ['SUBSCRIBE', 'mine', '/queue/a'],
        ['UNSUBSCRIBE', 'mine', undefined],
        ['SUBSCRIBE', 'mine', '/queue/b'],
      ]);
      socket.receive('MESSAGE\nsubscription:mine\nmessage-id:1\n\nx\0');
      assert.deepEqual(got, ['new x']);
    });

    it('ignores unsubscribe() of a subscription that another with the same id replaced: the replacement lives on', async () => {
      const { client, last, connect } = setup();
      client.activate();
      const socket = await connect();
      const got = [];
      const old = client.subscribe('/queue/a', () => got.push('old'), { id: 'mine' });
      client.subscribe('/queue/b', () => got.push('new'), { id: 'mine' });
      socket.take();
      old.unsubscribe();
      assert.deepEqual(socket.take(), [], 'no UNSUBSCRIBE of the replacement');
      socket.receive('MESSAGE\nsubscription:mine\nmessage-id:1\n\nx\0');
      socket.lose();
      await connect(last());
      assert.deepEqual(got, ['new']);
      assert.deepEqual(socket.take().map((f) => [f.command, f.headers.destination]), [['CONNECT', undefined], ['SUBSCRIBE', '/queue/b']]);
    });

    it('keeps delivering the frames behind a handler that throws, and reports the error', async () => {
      const { client, connect } = setup();
      client.activate();
      const socket = await connect();
      const got = [];
      const sub = client.subscribe('/queue/a', (m) => {
        got.push(m.body);
        if (m.body === 'bad') throw new Error('handler failed');
      });
      // Mocha fails a test on an uncaught exception: take it over for this one.
      const mochaHandlers = process.listeners('uncaughtException');
      process.removeAllListeners('uncaughtException');
      const reported = new Promise((resolve) => process.once('uncaughtException', resolve));
      try {
        socket.receive(`MESSAGE\nsubscription:${sub.id}\n\nbad\0MESSAGE\nsubscription:${sub.id}\n\ngood\0`);
        assert.deepEqual(got, ['bad', 'good']);
        assert.equal((await reported).message, 'handler failed');
      } finally {
        for (const handler of mochaHandlers) process.on('uncaughtException', handler);
      }
    });
  });

  describe('receipts and transactions', () => {
    it('settles a publish on its RECEIPT, and tells about a RECEIPT nobody waited for', async () => {
      const { client, connect, events } = setup();
      client.activate();
      const socket = await connect();
      let done = false;
      const sent = client.publish({ destination: '/q', body: 'b', headers: { persistent: 'true' }, receipt: true }).then(() => (done = true));
      const frame = socket.frames().at(-1);
      assert.equal(frame.headers.persistent, 'true');
      await flush();
      assert.equal(done, false);
      socket.receive(`RECEIPT\nreceipt-id:${frame.headers.receipt}\n\n\0`);
      await sent;
      socket.receive('RECEIPT\nreceipt-id:unknown\n\n\0');
      assert.deepEqual(events.at(-1)[0], 'unhandledReceipt');
      assert.equal(events.at(-1)[1].headers['receipt-id'], 'unknown');
    });

    it('resolves a publish without receipt at once, even before connecting, and sends it after CONNECTED', async () => {
      const { client, connect } = setup();
      await client.publish({ destination: '/q', body: 'early' });
      client.activate();
      const socket = await connect();
      assert.deepEqual(socket.commands(), ['CONNECT', 'SEND']);
    });

    it('sends BEGIN, transactional SENDs and ACKs, and COMMIT or ABORT settled on their RECEIPT', async () => {
      const { client, connect } = setup();
      client.activate();
      const socket = await connect();
      const received = [];
      const sub = client.subscribe('/queue/a', (m) => received.push(m), { ack: 'client' });
      socket.receive(`MESSAGE\nsubscription:${sub.id}\nmessage-id:m1\nack:a1\n\nx\0`);
      socket.take();
      const tx = client.begin();
      client.publish({ destination: '/queue/b', body: 'in tx', headers: { transaction: tx.id } });
      received[0].ack({ transaction: tx.id });
      const committed = tx.commit();
      const frames = socket.take();
      assert.deepEqual(frames.map((f) => [f.command, f.headers.transaction]), [['BEGIN', tx.id], ['SEND', tx.id], ['ACK', tx.id], ['COMMIT', tx.id]]);
      socket.receive(`RECEIPT\nreceipt-id:${frames[3].headers.receipt}\n\n\0`);
      await committed;

      const other = client.begin();
      const aborted = other.abort();
      const abort = socket.take().at(-1);
      assert.deepEqual([abort.command, abort.headers.transaction], ['ABORT', other.id]);
      socket.receive(`RECEIPT\nreceipt-id:${abort.headers.receipt}\n\n\0`);
      await aborted;
    });

    it('rejects the COMMIT of a transaction whose session was lost, and drops its frames', async () => {
      const { client, last, connect } = setup();
      client.activate();
      const socket = await connect();
      const tx = client.begin();
      const pendingInTx = client.publish({ destination: '/q', body: 'in tx', headers: { transaction: tx.id }, receipt: true });
      socket.lose();
      const queuedInTx = client.publish({ destination: '/q', body: 'queued in tx', headers: { transaction: tx.id }, receipt: true });
      const commit = tx.commit();
      client.publish({ destination: '/q', body: 'outside' });
      await connect(last());
      socket.take();
      await assert.rejects(pendingInTx, /Transaction aborted by a reconnect/);
      await assert.rejects(queuedInTx, /Transaction aborted by a reconnect/);
      await assert.rejects(commit, /Transaction aborted by a reconnect/);
      assert.deepEqual(
        socket.frames().slice(-2).map((f) => f.command + ' ' + f.body),
        ['CONNECT ', 'SEND outside'],
      );
    });

    const endings = {
      'its socket closed': async (client, socket) => socket.closed(),
      'deactivate()': async (client, socket) => {
        const done = client.deactivate();
        socket.receive(`RECEIPT\nreceipt-id:${socket.frames().at(-1).headers.receipt}\n\n\0`);
        socket.closed(1000);
        await done;
      },
    };
    for (const [ending, end] of Object.entries(endings)) {
      it(`keeps nothing of a transaction never ended once its session is over (${ending}), and still refuses its COMMIT and ABORT`, async () => {
        const { client, clock, sockets, last, connect } = setup();
        client.activate();
        let committed, aborted;
        const gone = await collected(async () => {
          const socket = await connect();
          committed = client.begin();
          aborted = client.begin();
          await end(client, socket);
          sockets.splice(0); // the test's own hold on it
          return socket;
        });
        assert.equal(gone, true, 'the socket of the ended session, and so the session, let go');
        client.activate();
        clock.tick(100); // the reconnect after a close
        await connect(last());
        const refused = 'rejected: StompClosedError: Transaction aborted by a reconnect';
        assert.equal(await settlement(committed.commit()), refused);
        assert.equal(await settlement(aborted.abort()), refused);
        // Ended twice: refused again (the ABORT no longer reaches a broker that knows no such transaction).
        assert.equal(await settlement(committed.abort()), refused);
        assert.deepEqual(last().commands(), ['CONNECT']);
      });
    }

    it("writes a frame with a transaction header begin() did not make (the app's own) as it is, after a session with a transaction ended", async () => {
      const { client, clock, last, connect } = setup();
      client.activate();
      const socket = await connect();
      client.begin();
      socket.closed();
      clock.tick(100); // the reconnect after a close
      await connect(last());
      for (const transaction of ['abc', 'tx-', 'TX-0', 'my-0']) client.publish({ destination: '/q', body: transaction, headers: { transaction } });
      assert.deepEqual(last().frames().slice(1).map((f) => f.body), ['abc', 'tx-', 'TX-0', 'my-0'], 'the broker says what it makes of them');
    });

    it('lets a transaction begun while disconnected run in the next session', async () => {
      const { client, connect } = setup();
      client.activate();
      const tx = client.begin();
      client.publish({ destination: '/q', body: 'x', headers: { transaction: tx.id } });
      const committed = tx.commit();
      const socket = await connect();
      const frames = socket.frames();
      assert.deepEqual(frames.map((f) => f.command), ['CONNECT', 'BEGIN', 'SEND', 'COMMIT']);
      socket.receive(`RECEIPT\nreceipt-id:${frames[3].headers.receipt}\n\n\0`);
      await committed;
    });

    it('bounds what it holds: frames queued while away plus SENDs awaiting a RECEIPT', async () => {
      const { client, connect } = setup({ maxQueue: 2 });
      client.publish({ destination: '/q', body: '1' });
      client.publish({ destination: '/q', body: '2' });
      assert.throws(() => client.publish({ destination: '/q', body: '3' }), QueueOverflowError);
      client.activate();
      const socket = await connect();
      client.publish({ destination: '/q', body: 'connected, no receipt: not held' });
      client.publish({ destination: '/q', receipt: true });
      client.publish({ destination: '/q', receipt: true });
      assert.throws(() => client.publish({ destination: '/q', receipt: true }), QueueOverflowError);
      assert.equal(socket.commands().length, 6);
    });
  });

  describe('failures', () => {
    it('reports an ERROR frame with the frame, sends DISCONNECT, closes the socket on its RECEIPT and reconnects', async () => {
      const { client, clock, sockets, events, connect, types } = setup();
      client.activate();
      const socket = await connect();
      socket.receive('ERROR\nmessage:Bad destination\ncontent-type:text/plain\n\nno such queue\0');
      assert.deepEqual(types(), ['connect', 'error', 'disconnect']);
      const [, error] = events[1];
      assert.equal(error.message, 'Bad destination');
      assert.equal(error.frame.body, 'no such queue');
      assert.equal(client.connected, false);
      const disconnect = socket.frames().at(-1);
      assert.equal(disconnect.command, 'DISCONNECT');
      assert.equal(socket.closeCalls, 0, 'not before the broker ended its session');
      socket.receive(`RECEIPT\nreceipt-id:${disconnect.headers.receipt}\n\n\0`);
      assert.equal(socket.closeCalls, 1);
      clock.tick(100);
      assert.equal(sockets.length, 2);
    });

    it('rejects a publish the broker refused with an ERROR naming its receipt, and does not send it again', async () => {
      const { client, clock, last, connect } = setup();
      client.activate();
      const socket = await connect();
      const refused = client.publish({ destination: '/queue/forbidden', body: 'x', receipt: true });
      const kept = client.publish({ destination: '/queue/a', body: 'y', receipt: true });
      const [send] = socket.take().slice(-2);
      // STOMP 1.2: an ERROR about a frame that asked for a receipt names it in receipt-id.
      socket.receive(`ERROR\nreceipt-id:${send.headers.receipt}\nmessage:Access refused\n\n\0`);
      assert.equal(await settlement(refused), 'rejected: StompClosedError: Access refused');
      socket.closed(1000);
      clock.tick(100);
      await connect(last());
      // Sent again, it would be refused again after every reconnect, for ever.
      assert.deepEqual(last().take().map((f) => f.command + ' ' + f.body), ['CONNECT ', 'SEND y']);
      assert.equal(await settlement(kept), 'pending');
    });

    it('reports a malformed frame, sends DISCONNECT, closes the socket and reconnects', async () => {
      const { client, clock, sockets, events, connect } = setup();
      client.activate();
      const socket = await connect();
      socket.receive('MESSAGE\nno colon\n\n\0');
      assert.equal(events[1][1].message, 'Frame malformed: no colon');
      assert.equal(socket.commands().at(-1), 'DISCONNECT');
      // The parser stopped at the bad frame, so no RECEIPT can be read: the broker's close ends the wait.
      socket.closed(1000);
      clock.tick(100);
      assert.equal(sockets.length, 2);
    });

    it('reports a webSocketFactory that throws and tries again after the delay', () => {
      let calls = 0;
      const { client, clock, events } = setup({ webSocketFactory: () => { throw new Error(`down ${++calls}`); } });
      client.activate();
      assert.deepEqual(events, [['error', { message: 'webSocketFactory: Error: down 1', frame: undefined }]]);
      clock.tick(100);
      assert.equal(calls, 2);
    });

    it('reports a webSocketFactory that returns no socket, and tries again after the delay', async () => {
      let calls = 0;
      const sockets = [];
      const { client, clock, events, connect } = setup({
        webSocketFactory: () => {
          if (++calls === 1) return undefined;
          sockets.push(new FakeSocket());
          return sockets.at(-1);
        },
      });
      assert.doesNotThrow(() => client.activate());
      assert.deepEqual(events, [['error', { message: 'webSocketFactory: returned undefined', frame: undefined }]]);
      clock.tick(100);
      assert.equal(calls, 2);
      await connect(sockets[0]);
      assert.equal(client.connected, true);
    });

    it('rejects what waits for a receipt when a later socket of the factory is a shared Resock, refused', async () => {
      const sockets = [];
      const { client, clock, connect } = setup({
        webSocketFactory: () => {
          const socket = sockets.length ? Object.assign(new FakeSocket(), { sharing: 'leader' }) : new FakeSocket();
          sockets.push(socket);
          return socket;
        },
      });
      client.activate();
      await connect(sockets[0]);
      sockets[0].closed();
      const waiting = client.publish({ destination: '/q', body: 'x', receipt: true });
      assert.throws(() => clock.tick(100), /needs a Resock of its own/);
      assert.equal(sockets[1].closeCalls, 1);
      assert.match(await settlement(waiting), /^rejected: StompClosedError: /);
    });

    it('uses no socket of a webSocketFactory that called deactivate() (and maybe activate()) as it made it', async () => {
      for (const reactivate of [false, true]) {
        const sockets = [];
        let calls = 0;
        const { client, clock, connect } = setup({
          webSocketFactory: () => {
            if (++calls === 2) {
              client.deactivate();
              if (reactivate) client.activate(); // makes a socket of its own, in the call below
            }
            sockets.push(new FakeSocket());
            return sockets.at(-1);
          },
        });
        client.activate();
        await connect(sockets[0]);
        sockets[0].closed();
        clock.tick(100);
        // sockets[1]: made by the call that activate() made inside the first; sockets[2]: the first's.
        const [kept, dropped] = reactivate ? [sockets[1], sockets[2]] : [undefined, sockets[1]];
        assert.equal(dropped.closeCalls, 1, `reactivate ${reactivate}: the socket of the deactivated call is closed`);
        dropped.open();
        await flush();
        assert.deepEqual(dropped.commands(), [], `reactivate ${reactivate}: no CONNECT on it`);
        if (kept) {
          await connect(kept);
          assert.equal(client.connected, true);
        } else {
          clock.tick(60000);
          assert.equal(sockets.length, 2, 'and no retry');
        }
      }
    });

    it('makes no socket after deactivate() in the error listener of a webSocketFactory that threw', async () => {
      let calls = 0;
      const { client, clock } = setup({ webSocketFactory: () => { throw new Error(`down ${++calls}`); } });
      client.on('error', () => client.deactivate());
      client.activate();
      clock.tick(60000);
      assert.equal(calls, 1);
    });

    it('keeps the fresh socket of deactivate() and activate() in the error listener of a webSocketFactory that threw', async () => {
      let calls = 0;
      const sockets = [];
      const { client, clock } = setup({
        webSocketFactory: () => {
          if (++calls === 1) throw new Error('down');
          sockets.push(new FakeSocket());
          return sockets.at(-1);
        },
      });
      client.on('error', () => {
        client.deactivate();
        client.activate();
      });
      client.activate();
      assert.equal(sockets.length, 1, 'activate() in the listener made a socket');
      assert.equal(sockets[0].closeCalls, 0, 'the error was about the factory, not about this socket');
      clock.tick(60000);
      assert.equal(calls, 2, 'and no retry replaced it');
    });

    it('ignores a socket it has let go: no event of it reaches the client', async () => {
      const { client, connect, types } = setup();
      client.activate();
      const socket = await connect();
      socket.receive('ERROR\nmessage:x\n\n\0');
      socket.receive('CONNECTED\nversion:1.2\n\n\0');
      socket.closed();
      assert.deepEqual(types(), ['connect', 'error', 'disconnect']);
    });
  });

  describe('heart-beats', () => {
    it('pings at the agreed rate and closes a link the broker went silent on; a new socket follows', async () => {
      const { client, clock, sockets, connect, events } = setup({ heartbeat: { outgoing: 1000, incoming: 1000 } });
      client.activate();
      const socket = await connect(undefined, 'CONNECTED\nversion:1.2\nheart-beat:2000,500\n\n\0');
      clock.tick(1000);
      assert.deepEqual(socket.sent.slice(1), ['\n']);
      socket.receive('\n');
      clock.tick(3000);
      assert.equal(socket.closeCalls, 0, 'heard from 3 s ago: within twice 2000 ms');
      clock.tick(2000);
      assert.equal(socket.closeCalls, 1);
      assert.deepEqual(events.at(-1), ['disconnect', { reason: 'Heart-beat lost' }]);
      clock.tick(100);
      assert.equal(sockets.length, 2);
    });

    it('finds a dead link by timestamps when the app sends, even if no timer ran (throttled tab)', async () => {
      const { client, clock, connect, events } = setup({ heartbeat: { outgoing: 0, incoming: 1000 } });
      client.activate();
      const socket = await connect(undefined, 'CONNECTED\nversion:1.2\nheart-beat:1000,0\n\n\0');
      clock.jump(60000);
      client.publish({ destination: '/q', body: 'after a minute asleep' });
      assert.equal(socket.closeCalls, 1);
      assert.deepEqual(events.at(-1), ['disconnect', { reason: 'Heart-beat lost' }]);
      assert.ok(!socket.sent.some((data) => data.includes('after a minute asleep')), 'the SEND waits for the next link');
    });

    it("never asks its own clock for a timer past 2^31 - 1 ms, which platforms fire at once: a broker's huge heart-beat would be a ping flood", async () => {
      // No clock handed in: the client's own, on the platform's setTimeout, recorded here.
      const delays = [];
      const { setTimeout: realSet, clearTimeout: realClear } = globalThis;
      globalThis.setTimeout = (fn, ms) => delays.push(ms);
      globalThis.clearTimeout = () => {};
      try {
        const socket = new FakeSocket();
        socket.open();
        const client = new StompClient({ socket, heartbeat: { outgoing: 1000, incoming: 1000 } });
        client.activate();
        await flush();
        socket.receive('CONNECTED\nversion:1.2\nheart-beat:3000000000,3000000000\n\n\0');
        assert.equal(client.connected, true);
        assert.ok(delays.length >= 3, 'the connect timer, the ping and the silence check');
        assert.deepEqual(delays.filter((ms) => !(ms <= 2 ** 31 - 1)), []);
      } finally {
        globalThis.setTimeout = realSet;
        globalThis.clearTimeout = realClear;
      }
    });
  });

  describe('connectTimeout', () => {
    it('closes a socket whose CONNECT got no CONNECTED in time, says so, and connects again', async () => {
      const { client, clock, sockets, last, events } = setup({ connectTimeout: 2000 });
      client.activate();
      last().open();
      await flush();
      clock.tick(1999);
      assert.equal(sockets[0].closeCalls, 0);
      clock.tick(1);
      assert.equal(sockets[0].closeCalls, 1);
      assert.deepEqual(events, [['error', { message: 'No CONNECTED within 2000 ms' }]]);
      clock.tick(100);
      assert.equal(sockets.length, 2);
    });

    it('also covers a connectHeaders that never settles (a token fetch on a stalled network): the socket is not held for ever', async () => {
      let calls = 0;
      const { client, clock, sockets, last, events } = setup({ connectTimeout: 2000, connectHeaders: () => (++calls === 1 ? new Promise(() => {}) : {}) });
      client.activate();
      last().open();
      await flush();
      clock.tick(2000);
      assert.equal(sockets[0].closeCalls, 1);
      assert.deepEqual(events, [['error', { message: 'No CONNECTED within 2000 ms' }]]);
      clock.tick(100);
      last().open();
      await flush();
      assert.deepEqual(last().commands(), ['CONNECT']);
    });

    it('is stopped by CONNECTED, and by 0', async () => {
      for (const connectTimeout of [10000, 0]) {
        const { client, clock, sockets, last, connect, events } = setup({ connectTimeout });
        client.activate();
        if (connectTimeout) await connect();
        else last().open();
        await flush();
        clock.tick(600000);
        assert.equal(sockets[0].closeCalls, 0, `connectTimeout ${connectTimeout}`);
        assert.deepEqual(events.filter(([type]) => type === 'error'), []);
      }
    });

    it('asks a given Resock to reconnect rather than ending the client', async () => {
      const { client, clock, socket, events } = setupGiven({ connectTimeout: 1000 });
      client.activate();
      await flush();
      clock.tick(1000);
      assert.equal(socket.reconnectCalls, 1);
      assert.equal(socket.closeCalls, 0);
      assert.deepEqual(events, [['error', 'No CONNECTED within 1000 ms']]);
      socket.lose();
      socket.open();
      await flush();
      assert.deepEqual(socket.commands(), ['CONNECT', 'CONNECT']);
    });

    it('lets an error listener deactivate the client', async () => {
      const { client, clock, sockets, last } = setup({ connectTimeout: 1000 });
      client.on('error', () => client.deactivate());
      client.activate();
      last().open();
      await flush();
      clock.tick(1000);
      assert.equal(sockets[0].closeCalls, 1);
      clock.tick(600000);
      assert.equal(sockets.length, 1);
    });

    it('arms no timer for a session that its CONNECT ended (a Resock found its link dead as it sent)', async () => {
      // connectHeaders fetches a token, and the tab sleeps meanwhile: the CONNECT's send() finds the link dead.
      const env = fakeEnv();
      const created = [];
      const resock = new Resock('http://h/stomp', { reconnect: { minDelay: 100, maxDelay: 1000 } }, { env, transports: fakeDescriptors(['xhr-polling'], created) });
      let release;
      const headers = [new Promise((resolve) => (release = resolve))];
      const client = new StompClient({ socket: resock, heartbeat: { outgoing: 0, incoming: 0 }, connectTimeout: 5000, connectHeaders: () => headers.shift() || {} }, { clock: env });
      const errors = [];
      client.on('error', ({ message }) => errors.push(message));
      client.activate();
      await env.answerInfo();
      created[0].frame('o');
      created[0].frame('h');
      env.jump(60000);
      release({});
      await flush();
      assert.equal(resock.farewell, null, 'no DISCONNECT left for the next link, before its CONNECT');
      env.tick(1000);
      await env.answerInfo();
      created[1].frame('o');
      await flush();
      created[1].frame('a' + JSON.stringify(['CONNECTED\nversion:1.2\n\n\0']));
      assert.equal(client.connected, true);
      env.tick(5000);
      assert.deepEqual(errors, []);
      assert.equal(client.connected, true, 'the first session\'s timer does not end the second');
      assert.equal(resock.state, 'open');
    });

    it('is checked as an option', () => {
      assert.throws(() => new StompClient({ webSocketFactory: () => new FakeSocket(), connectTimeout: -1 }), /Option 'connectTimeout' must be a finite number of ms/);
    });
  });

  describe('deactivate()', () => {
    it('sends DISCONNECT with a receipt, closes on the RECEIPT and resolves once the socket is closed', async () => {
      const { client, clock, sockets, connect } = setup();
      client.activate();
      const socket = await connect();
      let resolved = false;
      const done = client.deactivate().then(() => (resolved = true));
      const disconnect = socket.frames().at(-1);
      assert.equal(disconnect.command, 'DISCONNECT');
      assert.equal(socket.closeCalls, 0);
      socket.receive(`RECEIPT\nreceipt-id:${disconnect.headers.receipt}\n\n\0`);
      assert.equal(socket.closeCalls, 1);
      await flush();
      assert.equal(resolved, false, 'not before the socket is closed');
      socket.closed(1000);
      await done;
      clock.tick(60000);
      assert.equal(sockets.length, 1, 'no reconnect');
    });

    it('closes anyway when the RECEIPT does not come within 5 s', async () => {
      const { client, clock, connect } = setup();
      client.activate();
      const socket = await connect();
      const done = client.deactivate();
      clock.tick(4999);
      assert.equal(socket.closeCalls, 0);
      clock.tick(1);
      assert.equal(socket.closeCalls, 1);
      socket.closed();
      await done;
    });

    it('closes at once when not connected, cancels a pending reconnect, and rejects what waits for a receipt', async () => {
      const { client, clock, sockets, connect } = setup();
      client.activate();
      await connect();
      const pending = client.publish({ destination: '/q', receipt: true });
      sockets[0].closed();
      await client.deactivate();
      await assert.rejects(pending, /Deactivated/);
      clock.tick(60000);
      assert.equal(sockets.length, 1);
    });

    it('can be activated again afterwards', async () => {
      const { client, sockets, connect } = setup();
      client.activate();
      await connect();
      const done = client.deactivate();
      sockets[0].closed();
      await done;
      client.activate();
      assert.equal(sockets.length, 2);
      await connect();
      assert.equal(client.connected, true);
    });
  });

  describe('deactivate() from the debug hook while CONNECTED restores the session', () => {
    for (const [when, line] of [['the first re-SUBSCRIBE', '>>> SUBSCRIBE'], ['the first queued SEND', '>>> SEND']]) {
      it(`writes nothing after the DISCONNECT when it comes on ${when}; what awaited a RECEIPT rejects`, async () => {
        let done;
        const { client, connect, last, events } = setup({
          debug: (text) => {
            if (!done && text.startsWith(line)) done = client.deactivate();
          },
        });
        client.activate();
        client.subscribe('/queue/a', () => {});
        client.subscribe('/queue/b', () => {});
        const sent = client.publish({ destination: '/queue/a', body: 'one', receipt: true });
        client.publish({ destination: '/queue/a', body: 'two' });
        const socket = await connect();
        const commands = socket.commands();
        assert.equal(commands.at(-1), 'DISCONNECT', commands.join());
        assert.ok(done);
        socket.receive(`RECEIPT\nreceipt-id:${socket.frames().at(-1).headers.receipt}\n\n\0`);
        socket.closed(1000);
        await done;
        assert.equal(await settlement(sent), 'rejected: StompClosedError: Deactivated');
        assert.equal(client.connected, false);
        // No 'connect' after the 'disconnect': the restore it announces did not happen.
        assert.deepEqual(events.map(([type]) => type), ['disconnect']);
        assert.equal(last(), socket);
      });
    }
  });

  it('a link that dies during the restore after CONNECTED: what was not written waits for the next CONNECTED, its receipt promise too', async () => {
    const { client, connect, last } = setup();
    client.activate();
    client.publish({ destination: '/q', body: 'one' });
    const two = client.publish({ destination: '/q', body: 'two', receipt: true });
    const socket = last();
    socket.open();
    await flush();
    // The first queued SEND finds the link dead (a Resock: 'reconnecting', then a throw here).
    const send = socket.send;
    socket.send = function (data) {
      if (data.startsWith('SEND')) {
        socket.send = send;
        socket.lose();
      }
      return send.call(this, data);
    };
    socket.receive('CONNECTED\nversion:1.2\n\n\0');
    assert.equal(await settlement(two), 'pending');
    socket.take();
    await connect(socket);
    const frames = socket.take();
    assert.deepEqual(frames.map((f) => f.command + ' ' + f.body), ['CONNECT ', 'SEND two']);
    socket.receive(`RECEIPT\nreceipt-id:${frames[1].headers.receipt}\n\n\0`);
    assert.equal(await settlement(two), 'resolved');
  });

  describe('requests that await a RECEIPT always settle (defect 8)', () => {
    const closed = (message) => `rejected: StompClosedError: ${message}`;

    it('rejects publish, commit and abort after deactivate() with a StompClosedError', async () => {
      const { client, connect } = setup();
      client.activate();
      const socket = await connect();
      const tx = client.begin();
      const done = client.deactivate();
      socket.receive(`RECEIPT\nreceipt-id:${socket.frames().at(-1).headers.receipt}\n\n\0`);
      socket.closed(1000);
      await done;
      const error = await client.publish({ destination: '/q', receipt: true }).catch((e) => e);
      assert.ok(error instanceof StompClosedError && error instanceof Error);
      assert.equal(error.name, 'StompClosedError');
      assert.equal(await settlement(tx.commit()), closed('Client not active'));
      assert.equal(await settlement(tx.abort()), closed('Client not active'));
      // Without a receipt nothing is awaited: it waits in the queue for the next activate().
      assert.equal(await settlement(client.publish({ destination: '/q', body: 'later' })), 'resolved');
    });

    it('rejects what awaited a RECEIPT when deactivate() ends the session first, and what comes meanwhile', async () => {
      const { client, connect } = setup();
      client.activate();
      const socket = await connect();
      const sent = client.publish({ destination: '/q', receipt: true });
      const committed = client.begin().commit();
      for (const promise of [sent, committed]) promise.catch(() => {}); // settled below
      const done = client.deactivate();
      const during = client.publish({ destination: '/q', receipt: true });
      assert.equal(await settlement(during), closed('Client not active'));
      assert.deepEqual(socket.commands(), ['CONNECT', 'SEND', 'BEGIN', 'COMMIT', 'DISCONNECT'], 'nothing written after DISCONNECT');
      socket.receive(`RECEIPT\nreceipt-id:${socket.frames().at(-1).headers.receipt}\n\n\0`);
      socket.closed(1000);
      await done;
      assert.equal(await settlement(sent), closed('Deactivated'));
      assert.equal(await settlement(committed), closed('Deactivated'));
    });

    it('rejects with StompClosedError when a given socket closes for good, and from then on', async () => {
      const { client, socket } = setupGiven();
      client.activate();
      await flush();
      socket.receive('CONNECTED\nversion:1.2\n\n\0');
      const pending = client.publish({ destination: '/q', receipt: true });
      socket.closed(1006);
      assert.equal(await settlement(pending), closed('Socket closed 1006'));
      assert.equal(await settlement(client.publish({ destination: '/q', receipt: true })), closed('Client not active'));
    });
  });

  describe('ending the broker session before letting go of the link (defect 20)', () => {
    it('after an ERROR, still delivers the MESSAGEs the broker sent before it read the DISCONNECT, and writes nothing else', async () => {
      const { client, sockets, clock, connect } = setup();
      client.activate();
      const socket = await connect();
      const got = [];
      const sub = client.subscribe('/queue/a', (m) => got.push(m.body));
      socket.receive('ERROR\nmessage:Unknown destination\n\n\0');
      const disconnect = socket.frames().at(-1);
      assert.equal(disconnect.command, 'DISCONNECT');
      socket.receive(`MESSAGE\nsubscription:${sub.id}\nmessage-id:1\n\nin flight\0`);
      assert.deepEqual(got, ['in flight'], 'with ack:auto the broker counts it as delivered');
      client.publish({ destination: '/queue/a', body: 'next session' });
      assert.equal(socket.commands().at(-1), 'DISCONNECT');
      socket.receive(`RECEIPT\nreceipt-id:${disconnect.headers.receipt}\n\n\0`);
      assert.equal(socket.closeCalls, 1);
      clock.tick(100);
      await connect(sockets[1]);
      assert.deepEqual(sockets[1].commands(), ['CONNECT', 'SUBSCRIBE', 'SEND']);
    });

    it('closes the socket 5 s after the DISCONNECT if no RECEIPT comes, or as soon as the broker closes it', async () => {
      const { client, sockets, clock, connect } = setup();
      client.activate();
      const first = await connect();
      first.receive('ERROR\nmessage:x\n\n\0');
      clock.tick(4999);
      assert.equal(first.closeCalls, 0);
      clock.tick(1);
      assert.equal(first.closeCalls, 1);
      clock.tick(100);
      const second = await connect(sockets[1]);
      second.receive('ERROR\nmessage:y\n\n\0');
      second.closed(1000);
      clock.tick(200); // the longest delay of a second failure in a row
      assert.equal(sockets.length, 3, 'the close ended the wait: no timer left to fire');
      clock.tick(10000);
      assert.equal(second.closeCalls, 0);
    });

    it('closes at once when a Resock loses its link, or deactivate() comes, during the wait', async () => {
      const { client, sockets, clock, connect } = setup();
      client.activate();
      const first = await connect();
      first.receive('ERROR\nmessage:x\n\n\0');
      first.lose();
      assert.equal(first.closeCalls, 1);
      clock.tick(100);
      const second = await connect(sockets[1]);
      second.receive('ERROR\nmessage:y\n\n\0');
      let resolved = false;
      const done = client.deactivate().then(() => (resolved = true));
      assert.equal(second.closeCalls, 1);
      second.closed(1000);
      await done;
      assert.equal(resolved, true);
    });

    it('lets go at once when nothing was CONNECTED (an ERROR answering CONNECT), or the broker fell silent', async () => {
      const { client, sockets, clock, connect } = setup({ heartbeat: { outgoing: 0, incoming: 1000 } });
      client.activate();
      sockets[0].open();
      await flush();
      sockets[0].receive('ERROR\nmessage:Bad login\n\n\0');
      assert.deepEqual(sockets[0].commands(), ['CONNECT']);
      assert.equal(sockets[0].closeCalls, 1);
      clock.tick(100);
      const second = await connect(sockets[1], 'CONNECTED\nversion:1.2\nheart-beat:1000,0\n\n\0');
      clock.tick(3000);
      assert.deepEqual(second.commands(), ['CONNECT'], 'no DISCONNECT that nobody would answer');
      assert.equal(second.closeCalls, 1);
    });
  });

  describe('a DISCONNECT left as the farewell of a Resock link (defect 20: links Resock drops itself)', () => {
    const FAREWELL = 'DISCONNECT\n\n\0';

    it('sets it with CONNECT, keeps it while connected, and clears it when it says DISCONNECT itself', async () => {
      const { client, socket } = setupGiven();
      socket.farewell = null;
      client.activate();
      await flush();
      assert.deepEqual([socket.commands(), socket.farewell], [['CONNECT'], FAREWELL], 'the broker session may exist before CONNECTED');
      socket.receive('CONNECTED\nversion:1.2\n\n\0');
      assert.equal(socket.farewell, FAREWELL);
      socket.receive('ERROR\nmessage:Unknown destination\n\n\0');
      assert.deepEqual([socket.commands().at(-1), socket.farewell], ['DISCONNECT', null], 'one DISCONNECT, not two');
    });

    it('leaves nothing on a socket that has no farewell (a WebSocket, a SockJS)', async () => {
      const { client, connect, last } = setup();
      client.activate();
      await connect();
      assert.equal('farewell' in last(), false);
    });

    /**
     * A real Resock (dist/esm) over fake transports, and a StompClient over it: what each link was
     * given to send last when Resock closed it.
     */
    async function overResock(heartbeat = { outgoing: 0, incoming: 0 }) {
      const env = fakeEnv();
      const created = [];
      const descriptors = fakeDescriptors(['xhr-polling'], created).map((d) => ({
        ...d,
        create(url) {
          const t = d.create(url);
          const close = t.close;
          t.close = (last) => ((t.last = last), close.call(t));
          return t;
        },
      }));
      const resock = new Resock('http://h/stomp', { reconnect: { minDelay: 100, maxDelay: 1000 } }, { env, transports: descriptors });
      const client = new StompClient({ socket: resock, heartbeat }, { clock: env });
      const disconnects = [];
      client.on('disconnect', ({ reason }) => disconnects.push(reason));
      /** Opens the next link and answers its CONNECT. */
      const link = async (connected = 'CONNECTED\nversion:1.2\n\n\0') => {
        await env.answerInfo();
        const t = created.at(-1);
        t.frame('o');
        await flush();
        assert.match(t.sent.at(-1), /^CONNECT\n/);
        t.frame('a' + JSON.stringify([connected]));
        return t;
      };
      client.activate();
      return { env, created, resock, client, link, disconnects };
    }

    const commandsOf = (t) => t.sent.map((frame) => frame.slice(0, frame.indexOf('\n')));

    it('reconnect(): the old link sends the DISCONNECT last, the new one begins with CONNECT', async () => {
      const { env, resock, client, link } = await overResock();
      const first = await link();
      client.subscribe('/queue/a', () => {});
      resock.reconnect();
      assert.deepEqual(first.last, [FAREWELL]);
      env.tick(0);
      const second = await link();
      assert.deepEqual(commandsOf(second), ['CONNECT', 'SUBSCRIBE']);
      assert.equal(second.sent.includes(FAREWELL), false);
    });

    it('a lost heart-beat: the link Resock drops on the client\'s reconnect() sends the DISCONNECT last', async () => {
      const { env, link, disconnects } = await overResock({ outgoing: 0, incoming: 1000 });
      const first = await link('CONNECTED\nversion:1.2\nheart-beat:1000,0\n\n\0');
      env.tick(3000);
      assert.deepEqual(disconnects, ['Heart-beat lost']);
      assert.deepEqual(first.last, [FAREWELL]);
    });

    it('pagehide, and close() of the Resock by the app: the link sends the DISCONNECT last', async () => {
      const { env, resock, link } = await overResock();
      const first = await link();
      env.lifecycle.fire('pagehide');
      assert.deepEqual(first.last, [FAREWELL]);
      env.lifecycle.fire('pageshow');
      env.tick(0);
      const second = await link();
      resock.close();
      assert.deepEqual(second.last, [FAREWELL]);
    });

    it('none on a link the server ended, and none left over for the next link before its CONNECT', async () => {
      const { env, resock, created, link } = await overResock();
      const first = await link();
      first.fail({ code: 1006, reason: 'cut', wasClean: false });
      assert.equal(resock.farewell, null);
      env.tick(100);
      await env.answerInfo();
      // Dropped before its session sent CONNECT: nothing to say goodbye to.
      resock.reconnect();
      assert.equal(created[1].last, undefined);
    });
  });

  describe("frames a lost Resock link had not sent (defect 20: they belong to that link's session)", () => {
    /** A StompClient over a real Resock (dist/esm) over fake xhr-polling transports (`created`). */
    function stompOverResock() {
      const env = fakeEnv();
      const created = [];
      const resock = new Resock('http://h/stomp', { reconnect: { minDelay: 100, maxDelay: 1000 } }, { env, transports: fakeDescriptors(['xhr-polling'], created) });
      const client = new StompClient({ socket: resock, heartbeat: { outgoing: 0, incoming: 0 } }, { clock: env });
      client.activate();
      return { env, created, client, resock };
    }

    /**
     * Connected over a Resock that has heard a SockJS heartbeat (so it judges the link by its
     * silence), then the tab slept: no timer ran, and the next send() is what finds the link dead.
     */
    async function connectedThenAsleep() {
      const setup = stompOverResock();
      const { env, created } = setup;
      await env.answerInfo();
      created[0].frame('o');
      await flush();
      created[0].frame('a' + JSON.stringify(['CONNECTED\nversion:1.2\n\n\0']));
      created[0].frame('h');
      env.jump(60000);
      return setup;
    }

    it('a CONNECT still unsent is not replayed: the next link begins with its own, once', async () => {
      const { env, created } = stompOverResock();
      await env.answerInfo();
      created[0].frame('o');
      await flush();
      assert.match(created[0].sent[0], /^CONNECT\n/);
      created[0].fail({ code: 1006, reason: 'cut', wasClean: false, unsent: created[0].sent.slice() });
      env.tick(1000);
      await env.answerInfo();
      created[1].frame('o');
      await flush();
      assert.deepEqual(created[1].sent.map((f) => f.slice(0, f.indexOf('\n'))), ['CONNECT']);
    });

    it('a SEND goes again after the next CONNECTED, once; SUBSCRIBE, ACK and transactional SENDs are not replayed', async () => {
      const { env, created, client } = stompOverResock();
      const link = async (t) => {
        await env.answerInfo();
        t().frame('o');
        await flush();
        t().frame('a' + JSON.stringify(['CONNECTED\nversion:1.2\n\n\0']));
        await flush();
        return t();
      };
      const first = await link(() => created[0]);
      const written = first.sent.length;
      client.subscribe('/queue/a', () => {});
      client.publish({ destination: '/queue/a', body: 'one' });
      const tx = client.begin('tx-1');
      client.publish({ destination: '/queue/a', body: 'in tx', headers: { transaction: tx.id } });
      client.publish({ destination: '/queue/a', body: 'two' });
      first.fail({ code: 1006, reason: 'cut', wasClean: false, unsent: first.sent.slice(written) });
      env.tick(1000);
      const second = await link(() => created[1]);
      const frames = second.sent.map((f) => [f.slice(0, f.indexOf('\n')), f.slice(f.indexOf('\n\n') + 2, -1)]);
      assert.deepEqual(frames, [['CONNECT', ''], ['SUBSCRIBE', ''], ['SEND', 'one'], ['SEND', 'two']]);
    });

    it('a frame whose send() found the link dead (a throttled tab) does not reach the next link before its CONNECT', async () => {
      const { env, created, client } = await connectedThenAsleep();
      client.publish({ destination: '/queue/a', body: 'one' });
      env.tick(1000);
      await env.answerInfo();
      created[1].frame('o');
      await flush();
      assert.deepEqual(created[1].sent.map((f) => f.slice(0, f.indexOf('\n'))), ['CONNECT'], 'a SEND before CONNECT: the broker answers ERROR');
      created[1].frame('a' + JSON.stringify(['CONNECTED\nversion:1.2\n\n\0']));
      assert.deepEqual(created[1].sent.slice(1), ['SEND\ndestination:/queue/a\ncontent-length:3\n\none\0'], 'sent after the CONNECTED, once');
    });

    it('deactivate() whose DISCONNECT finds the link dead (a throttled tab) closes the Resock at once and resolves', async () => {
      const { env, client, resock } = await connectedThenAsleep();
      const done = client.deactivate();
      env.tick(0);
      assert.equal(resock.state, 'closed', 'not left reconnecting, to start another session, for 5 s');
      assert.equal(await settlement(done), 'resolved');
      assert.equal(env.pending(), 0, 'no timer left');
    });

    it("a publish() whose send finds the link dead does not throw when a 'disconnect' listener deactivates", async () => {
      const { env, client, resock } = await connectedThenAsleep();
      client.on('disconnect', () => client.deactivate());
      const sent = client.publish({ destination: '/queue/a', body: 'one', receipt: true });
      assert.equal(await settlement(sent), 'rejected: StompClosedError: Deactivated');
      env.tick(0);
      assert.equal(resock.state, 'closed');
    });

    it('is set on a given Resock while the client uses it, and cleared when the client lets go (the Resock queues again)', async () => {
      const { client, socket } = setupGiven();
      socket.reclaim = null;
      client.activate();
      assert.equal(typeof socket.reclaim, 'function');
      client.deactivate();
      assert.equal(socket.reclaim, null);
    });
  });

  describe('over a given Resock', () => {
    it('asks it to reconnect() when a heart-beat is lost, rather than close it for good, and goes on over it', async () => {
      const { client, clock, socket, events } = setupGiven({ heartbeat: { outgoing: 0, incoming: 1000 } });
      client.activate();
      await flush();
      const sub = client.subscribe('/queue/a', () => {});
      socket.receive('CONNECTED\nversion:1.2\nheart-beat:1000,0\n\n\0');
      clock.tick(3000);
      assert.deepEqual([socket.reconnectCalls, socket.closeCalls], [1, 0]);
      assert.deepEqual(events, [['connect', '1.2'], ['disconnect', 'Heart-beat lost']]);
      // The Resock drops its link and makes another.
      socket.lose();
      socket.open();
      await flush();
      socket.receive('CONNECTED\nversion:1.2\nheart-beat:1000,0\n\n\0');
      assert.equal(client.connected, true);
      assert.deepEqual(socket.frames().slice(-2).map((f) => [f.command, f.headers.id]), [['CONNECT', undefined], ['SUBSCRIBE', sub.id]]);
      assert.equal(await settlement(client.publish({ destination: '/queue/a', receipt: true })), 'pending');
    });

    it('closes a given socket that cannot reconnect(), and stops', async () => {
      const socket = new FakeSocket();
      socket.open();
      const clock = manualClock();
      const client = new StompClient({ socket, heartbeat: { outgoing: 0, incoming: 1000 } }, { clock });
      client.activate();
      await flush();
      socket.receive('CONNECTED\nversion:1.2\nheart-beat:1000,0\n\n\0');
      clock.tick(3000);
      assert.equal(socket.closeCalls, 1);
      assert.match(await settlement(client.publish({ destination: '/q', receipt: true })), /StompClosedError/);
    });
  });

  describe('over a Resock with resume (the broker session lives in the server session, which a resumed link continues)', () => {
    const TOKEN = 'inst.AAAAAAAAAAAAAAAAAAAAAA';
    const CONNECTED_FRAME = 'CONNECTED\nversion:1.2\n\n\0';
    /** A StompClient over a real Resock with resume over fake xhr-streaming transports; the server's part by hand. */
    function stompOverResume(options = { heartbeat: { outgoing: 0, incoming: 0 } }) {
      const env = fakeEnv();
      const created = [];
      const resock = new Resock('http://h/stomp', { reconnect: { minDelay: 100, maxDelay: 100 }, resume }, { env, transports: fakeDescriptors(['xhr-streaming'], created) });
      const client = new StompClient({ socket: resock, ...options }, { clock: env });
      const push = (t, ...messages) => t.frame('a' + JSON.stringify(messages));
      /** Opens the next link and answers its hello with `welcome`. */
      const link = async (welcome) => {
        await env.answerInfo().catch(() => {}); // asked again only after a failed attempt
        const t = created.at(-1);
        t.frame('o');
        env.tick(0);
        push(t, encodeWelcome(welcome));
        await flush();
        return t;
      };
      /** The STOMP frames (data messages) a link carried, as [command, body]. */
      const frames = (t) => t.sent.filter((m) => m[0] === 'd').map((m) => [m.slice(1, m.indexOf('\n')), m.slice(m.indexOf('\n\n') + 2, -1)]);
      const lose = (t) => t.fail({ code: 1006, reason: 'cut', wasClean: false });
      client.activate();
      return { env, resock, client, push, link, frames, lose };
    }

    it('a resumed link carries on the STOMP session: no second CONNECT, SUBSCRIBE or SEND, and the RECEIPT and MESSAGE the server sends again arrive', async () => {
      const { env, client, push, link, frames, lose } = stompOverResume();
      const first = await link({ kind: 'fresh', token: TOKEN, reason: 'new' });
      push(first, 'n1', 'd' + CONNECTED_FRAME);
      const got = [];
      client.subscribe('/queue/a', (m) => got.push(m.body));
      const receipt = client.publish({ destination: '/queue/a', body: 'x', receipt: true });
      await flush();
      assert.deepEqual(frames(first).map(([c]) => c), ['CONNECT', 'SUBSCRIBE', 'SEND']);
      const receiptId = /\nreceipt:([^\n]*)/.exec(first.sent.find((m) => m.startsWith('dSEND')))[1];
      lose(first);
      env.tick(100);
      const second = await link({ kind: 'resumed', token: TOKEN, received: 3 });
      push(second, 'n2', `dRECEIPT\nreceipt-id:${receiptId}\n\n\0`, 'dMESSAGE\ndestination:/queue/a\nsubscription:sub-0\nmessage-id:1\nack:1\n\nx\0');
      await flush();
      assert.deepEqual(frames(second), [], 'the broker session went on: a CONNECT or SUBSCRIBE again is an ERROR at the broker, a SEND again a duplicate');
      assert.equal(await settlement(receipt), 'resolved');
      assert.deepEqual(got, ['x']);
      assert.equal(client.connected, true);
      client.publish({ destination: '/queue/a', body: 'after' });
      await flush();
      assert.deepEqual(frames(second), [['SEND', 'after']]);
    });

    it("a given Resock: lost heart-beats (or no CONNECTED in time) replace the link only; the resumed link carries on the session, judged anew", async () => {
      const { env, resock, client, push, link: open } = stompOverResume({ heartbeat: { outgoing: 0, incoming: 1000 }, connectTimeout: 3000 });
      const frames = (t) => t.sent.filter((m) => m[0] === 'd').map((m) => m.slice(1, m.indexOf('\n')));
      const errors = [];
      client.on('error', ({ message }) => errors.push(message));
      const first = await open({ kind: 'fresh', token: TOKEN, reason: 'new' });
      env.tick(3000); // no CONNECTED: the link is replaced, the CONNECT stays the session's
      assert.deepEqual(errors, ['No CONNECTED within 3000 ms']);
      await flush();
      env.tick(0);
      const second = await open({ kind: 'resumed', token: TOKEN, received: 1 });
      assert.deepEqual(frames(first).concat(frames(second)), ['CONNECT']);
      push(second, 'n1', 'd' + CONNECTED_FRAME.replace('\n\n', '\nheart-beat:1000,0\n\n'));
      assert.equal(client.connected, true);
      for (let i = 0; i < 25; i++) env.tick(100); // the broker silent: heart-beats lost
      await flush();
      for (let i = 0; i < 5; i++) env.tick(100);
      const third = await open({ kind: 'resumed', token: TOKEN, received: 1 });
      assert.deepEqual(frames(third), [], 'no second CONNECT on the session the server kept');
      assert.equal(client.connected, true);
      for (let i = 0; i < 30; i++) env.tick(100); // silent again (more than twice 1000 ms at the 1000 ms checks): judged again, the link replaced again
      assert.notEqual(resock.state, 'open');
      assert.equal(client.connected, true);
    });

    it('while the link is down, the heart-beats are not judged (the Resock backs off; no reconnect() every two intervals), and are again on the resumed link', async () => {
      const { env, resock, client, push, link } = stompOverResume({ heartbeat: { outgoing: 0, incoming: 1000 } });
      let reconnects = 0;
      const reconnect = resock.reconnect.bind(resock);
      resock.reconnect = () => (reconnects++, reconnect());
      const first = await link({ kind: 'fresh', token: TOKEN, reason: 'new' });
      push(first, 'n1', 'd' + CONNECTED_FRAME.replace('\n\n', '\nheart-beat:1000,0\n\n'));
      first.fail({ code: 1006, reason: 'cut', wasClean: false });
      for (let i = 0; i < 50; i++) env.tick(100); // the server down: no link for 5 s
      assert.equal(reconnects, 0, 'a lost link is no silent broker: the Resock reconnects on its own schedule');
      await flush();
      env.tick(0);
      await link({ kind: 'resumed', token: TOKEN, received: 1 });
      assert.equal(client.connected, true);
      for (let i = 0; i < 30; i++) env.tick(100); // silent on the resumed link: judged
      assert.equal(reconnects, 1);
    });

    it('a SEND the server refuses as too large (a 413 for it alone) is not sent again after the fresh session: the same refusal would come on every link', async () => {
      const { env, client, push, link, frames } = stompOverResume();
      const first = await link({ kind: 'fresh', token: TOKEN, reason: 'new' });
      push(first, 'n1', 'd' + CONNECTED_FRAME);
      await flush();
      client.publish({ destination: '/queue/a', body: 'huge' });
      client.publish({ destination: '/queue/a', body: 'fine' });
      await flush();
      const [huge] = first.sent.filter((m) => m.includes('huge'));
      first.fail({ code: 1006, reason: 'POST xhr_send: HTTP 413, message dropped', wasClean: false, tooLarge: huge });
      env.tick(100);
      const second = await link({ kind: 'fresh', token: TOKEN, reason: 'new' });
      push(second, 'n1', 'd' + CONNECTED_FRAME);
      await flush();
      assert.deepEqual(frames(second), [['CONNECT', ''], ['SEND', 'fine']]);
    });

    it('frames written while the link is down go after the resume, in order, on the same session', async () => {
      const { env, client, push, link, frames, lose } = stompOverResume();
      const first = await link({ kind: 'fresh', token: TOKEN, reason: 'new' });
      push(first, 'n1', 'd' + CONNECTED_FRAME);
      await flush();
      lose(first);
      client.subscribe('/queue/a', () => {});
      client.publish({ destination: '/queue/a', body: 'while down' });
      env.tick(100);
      const second = await link({ kind: 'resumed', token: TOKEN, received: 1 });
      assert.deepEqual(frames(second), [['SUBSCRIBE', ''], ['SEND', 'while down']]);
    });

    it('a failed resume ends the STOMP session: CONNECT first, then the subscriptions, and the SENDs the old session may not have had', async () => {
      const { env, client, push, link, frames, lose } = stompOverResume();
      const first = await link({ kind: 'fresh', token: TOKEN, reason: 'new' });
      push(first, 'n1', 'd' + CONNECTED_FRAME);
      client.subscribe('/queue/a', () => {});
      client.publish({ destination: '/queue/a', body: 'unconfirmed' });
      await flush();
      lose(first);
      client.publish({ destination: '/queue/a', body: 'while down' });
      env.tick(100);
      const second = await link({ kind: 'fresh', token: TOKEN, reason: 'restarted' });
      assert.deepEqual(frames(second).map(([c]) => c), ['CONNECT'], 'nothing of the lost session before the new CONNECT');
      push(second, 'n1', 'd' + CONNECTED_FRAME);
      await flush();
      assert.deepEqual(frames(second), [['CONNECT', ''], ['SUBSCRIBE', ''], ['SEND', 'unconfirmed'], ['SEND', 'while down']]);
      assert.equal(client.connected, true);
    });
  });

  describe('one disposable session per link', () => {
    it('never sends a CONNECT whose headers came after its link was lost', async () => {
      const pending = [];
      const { client, last } = setup({ connectHeaders: () => new Promise((resolve) => pending.push(resolve)) });
      client.activate();
      const socket = last();
      socket.open();
      await flush();
      socket.lose();
      socket.open();
      await flush();
      pending[0]({ passcode: 'late' });
      await flush();
      assert.deepEqual(socket.sent, []);
      pending[1]({ passcode: 'current' });
      await flush();
      assert.deepEqual(socket.frames().map((f) => [f.command, f.headers.passcode]), [['CONNECT', 'current']]);
    });

    it('sends no CONNECT on a socket let go of while connectHeaders ran (it called deactivate())', async () => {
      const rejections = [];
      const collect = (error) => rejections.push(error.message);
      process.on('unhandledRejection', collect);
      try {
        const { client, last } = setup({ connectHeaders: () => (client.deactivate(), {}) });
        client.activate();
        last().open();
        await flush();
        // FakeSocket.send throws once closed, as a closed Resock does: that went unhandled.
        assert.deepEqual([last().sent, last().closeCalls, rejections], [[], 1, []]);
      } finally {
        process.off('unhandledRejection', collect);
      }
    });

    it('leaves no timer of a lost session behind: no ping, no heart-beat verdict', async () => {
      const { client, clock, connect, types } = setup({ heartbeat: { outgoing: 1000, incoming: 1000 } });
      client.activate();
      const socket = await connect(undefined, 'CONNECTED\nversion:1.2\nheart-beat:1000,1000\n\n\0');
      socket.lose();
      assert.equal(clock.pending(), 0);
      socket.readyState = 1; // even were the socket open again without an 'open' event
      clock.tick(60000);
      assert.deepEqual(socket.sent.filter((d) => d === '\n'), []);
      assert.deepEqual(types(), ['connect', 'disconnect']);
    });
  });

  describe('application callbacks that throw', () => {
    it('a debug hook that throws: frames still go out and come in, and its error is reported', async () => {
      let errors;
      const { client, connect } = setup({
        debug: () => {
          throw new Error('debug broke');
        },
      });
      errors = await uncaughtDuring(async () => {
        client.activate();
        const socket = await connect();
        client.subscribe('/q', () => {});
        assert.deepEqual(socket.commands(), ['CONNECT', 'SUBSCRIBE']);
        assert.equal(client.connected, true);
      });
      assert.ok(errors.length >= 3 && errors.every((m) => m === 'debug broke'), String(errors));
    });

    it('listeners that throw: subscriptions are restored, the queue sent, the reconnect scheduled', async () => {
      const { client, clock, sockets, connect } = setup();
      for (const type of ['connect', 'disconnect', 'error']) {
        client.on(type, () => {
          throw new Error(`${type} listener broke`);
        });
      }
      const errors = await uncaughtDuring(async () => {
        client.activate();
        client.subscribe('/queue/a', () => {});
        client.publish({ destination: '/queue/a', body: 'queued' });
        const socket = await connect();
        assert.deepEqual(socket.commands(), ['CONNECT', 'SUBSCRIBE', 'SEND']);
        socket.closed();
        clock.tick(100);
        assert.equal(sockets.length, 2);
        sockets[1].open();
        await flush();
        sockets[1].receive('ERROR\nmessage:nope\n\n\0');
        clock.tick(200); // the second delay in a row: 100 to 200 ms
        assert.equal(sockets.length, 3);
      });
      assert.deepEqual(errors.sort(), ['connect listener broke', 'disconnect listener broke', 'error listener broke']);
    });

    it('a connectHeaders whose promise rejects: reported, the socket closed, another tried later', async () => {
      let calls = 0;
      const { client, clock, sockets, events } = setup({ connectHeaders: () => Promise.reject(new Error(`no token ${++calls}`)) });
      client.activate();
      sockets[0].open();
      await flush();
      assert.deepEqual(events, [['error', { message: 'connectHeaders: Error: no token 1', frame: undefined }]]);
      assert.equal(sockets[0].closeCalls, 1);
      clock.tick(100);
      assert.equal(sockets.length, 2);
    });
  });

  describe('options', () => {
    const socket = new FakeSocket();
    const cases = [
      [{}, "Give 'webSocketFactory' or 'socket'"],
      [{ socket, webSocketFactory: () => socket }, "Give 'webSocketFactory' or 'socket'"],
      [{ socket, reconectDelay: 10 }, "Unknown option 'reconectDelay'"],
      [{ socket, heartbeat: { outgoing: 1, incomming: 1 } }, "Unknown option 'heartbeat.incomming'"],
      [{ socket, heartbeat: { outgoing: -1 } }, "Option 'heartbeat.outgoing' must be a finite number of ms ≥ 0"],
      [{ socket, heartbeat: 1000 }, "Option 'heartbeat' must be an object"],
      [{ socket, reconnectDelay: '1000' }, "Option 'reconnectDelay' must be a finite number of ms ≥ 0"],
      [{ socket, maxQueue: -1 }, "Option 'maxQueue' must be a number ≥ 0"],
      [{ socket, connectHeaders: 'login' }, "Option 'connectHeaders' must be an object or a function"],
      [{ socket, debug: true }, "Option 'debug' must be a function"],
      [{ socket: null }, "Option 'socket' must be an object"],
      [{ webSocketFactory: {} }, "Option 'webSocketFactory' must be a function"],
    ];
    for (const [options, message] of cases) {
      it(`rejects ${JSON.stringify(options, (k, v) => (v === socket ? 'socket' : typeof v === 'function' ? 'fn' : v))}: ${message}`, () => {
        assert.throws(() => new StompClient(options), (error) => error instanceof TypeError && error.message === message);
      });
    }

    it('accepts undefined for any option, as if left out', () => {
      assert.doesNotThrow(() => new StompClient({ socket, debug: undefined, heartbeat: { outgoing: undefined } }));
    });

    it('checks the arguments of subscribe() and publish()', () => {
      const client = new StompClient({ socket });
      assert.throws(() => client.subscribe('', () => {}), TypeError);
      assert.throws(() => client.publish({ body: 'x' }), TypeError);
      assert.throws(() => client.publish(), TypeError);
    });

    it('tells the debug hook about frames in and out, but not the passcode', async () => {
      const lines = [];
      const { client, connect } = setup({ debug: (line) => lines.push(line), connectHeaders: { passcode: 'secret' } });
      client.activate();
      await connect();
      assert.deepEqual(lines, ['>>> CONNECT', '<<< CONNECTED\nversion:1.2\n\n\0']);
    });
  });

  describe('headers a frame cannot carry unescaped (CONNECT, and every frame under STOMP 1.0)', () => {
    it('refuses connectHeaders with a line break in a value, or a line break or colon in a name, when the client is made', () => {
      const socket = new FakeSocket();
      for (const connectHeaders of [{ login: 'app\npasscode:forged' }, { login: 'app\r' }, { 'x\ny': 'v' }, { 'x:y': 'v' }]) {
        assert.throws(() => new StompClient({ socket, connectHeaders }), (error) => error instanceof TypeError && /^CONNECT cannot escape header "/.test(error.message), JSON.stringify(connectHeaders));
      }
      assert.doesNotThrow(() => new StompClient({ socket, connectHeaders: { passcode: 'a:b\\c' } }));
    });

    it('fails the connection, writing no CONNECT, when a connectHeaders function returns such a header', async () => {
      const { client, sockets, events } = setup({ connectHeaders: async () => ({ passcode: 'token\npasscode:forged' }) });
      client.activate();
      sockets[0].open();
      await flush();
      assert.deepEqual(sockets[0].sent, []);
      assert.equal(events.length, 1);
      assert.equal(events[0][0], 'error');
      assert.match(events[0][1].message, /^connectHeaders: TypeError: CONNECT cannot escape header "passcode"/);
      assert.equal(sockets[0].closeCalls, 1);
    });

    it('under 1.0, refuses at the call a publish() or subscribe() whose header has a line break, and writes nothing', async () => {
      const { client, connect, last } = setup();
      client.activate();
      await connect(undefined, 'CONNECTED\nversion:1.0\n\n\0');
      last().take();
      assert.throws(() => client.publish({ destination: '/q', headers: { note: 'a\nforged:1' } }), TypeError);
      assert.throws(() => client.subscribe('/q', () => {}, { selector: "a = 'x\ny'" }), TypeError);
      assert.throws(() => client.subscribe('/q\n', () => {}), TypeError);
      assert.deepEqual(last().take(), []);
      // Nothing kept to restore: the next session writes no SUBSCRIBE.
      last().lose();
      await connect(undefined, 'CONNECTED\nversion:1.0\n\n\0');
      assert.deepEqual(last().take().map((f) => f.command), ['CONNECT']);
    });

    it('under 1.0, refuses at the call an unsubscribe(), ack() or nack() whose extra header has a line break, and keeps the subscription', async () => {
      const { client, connect, last } = setup();
      client.activate();
      await connect(undefined, 'CONNECTED\nversion:1.0\n\n\0');
      const messages = [];
      const sub = client.subscribe('/q', (m) => messages.push(m), { ack: 'client' });
      last().take();
      last().receive('MESSAGE\nsubscription:' + sub.id + '\nmessage-id:m1\ndestination:/q\n\nhi\0');
      assert.equal(messages.length, 1);
      assert.throws(() => messages[0].ack({ note: 'a\nforged:1' }), TypeError);
      assert.throws(() => messages[0].nack({ note: 'a\nforged:1' }), TypeError);
      assert.throws(() => sub.unsubscribe({ note: 'a\nforged:1' }), TypeError);
      assert.deepEqual(last().take(), []);
      // Still subscribed, on both sides: the broker was told nothing, and its messages still arrive.
      last().receive('MESSAGE\nsubscription:' + sub.id + '\nmessage-id:m2\ndestination:/q\n\nagain\0');
      assert.equal(messages.length, 2);
      sub.unsubscribe();
      assert.deepEqual(last().take().map((f) => f.command), ['UNSUBSCRIBE']);
    });

    it('under 1.2, escapes the same headers and sends them', async () => {
      const { client, connect, last } = setup();
      client.activate();
      await connect();
      last().take();
      client.publish({ destination: '/q', headers: { note: 'a\nforged:1' } });
      assert.equal(last().take()[0].headers.note, 'a\\nforged\\c1');
    });

    it('does not write a frame queued before a 1.0 CONNECTED that it cannot carry: its receipt promise rejects, an error tells', async () => {
      const { client, connect, last, events } = setup();
      client.activate();
      const refused = client.publish({ destination: '/q', headers: { note: 'a\nforged:1' }, receipt: true });
      client.publish({ destination: '/q', body: 'fine' });
      await connect(undefined, 'CONNECTED\nversion:1.0\n\n\0');
      assert.deepEqual(last().frames().map((f) => f.command + ' ' + f.body), ['CONNECT ', 'SEND fine']);
      assert.match(await settlement(refused), /^rejected: TypeError: SEND cannot escape header "note"/);
      assert.deepEqual(events.map(([type]) => type), ['error', 'connect']);
    });
  });
});
