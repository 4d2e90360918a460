// Node failure, redeploys and broken affinity on real parts: 3 demo nodes (sockjs-node, one
// process each), HAProxy in front, RabbitMQ between them (demo/cluster.mjs). The clients are
// resock in Node (dist/esm) on websocket (`ws`) and on the fetch transports.
//
// "Queued" below means sent while the client was not open: such a message is in resock's queue
// and must reach every member exactly once. A message written to a link in the instant its node
// is SIGKILLed may be gone with the node (only the resume companion could say); those are
// counted apart and must never be duplicated.
import assert from 'node:assert/strict';
import http from 'node:http';
import { startCluster } from '../../demo/cluster.mjs';
import { startHaproxy } from '../../demo/haproxy.mjs';
import { ChatClient } from './chat-client.mjs';

const NODE_TRANSPORTS = ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling'];

/** `count` clients, transports in turn, all open; ids `<prefix><i>`. */
async function openClients(base, prefix, count, transports = NODE_TRANSPORTS) {
  const clients = Array.from({ length: count }, (_, i) => new ChatClient(base, { id: `${prefix}${i}`, transport: transports[i % transports.length] }));
  await Promise.all(clients.map((c) => c.opened()));
  return clients;
}

/** Every client has received each of `cids` (by cid), checked on its events; bounded. A timeout names what is missing where. */
async function allReceived(clients, cids, what) {
  const missing = (c) => cids.filter((cid) => !c.received.some((m) => m.cid === cid));
  try {
    await Promise.all(clients.map((c) => c.until((me) => missing(me).length === 0, what)));
  } catch (error) {
    const where = clients.filter((c) => missing(c).length).map((c) => `${c.id} (${c.transport}, on ${c.nodes.join(' then ')}) misses ${missing(c).join(' ')}`);
    throw new Error(`${error.message}\n${where.join('\n')}`);
  }
}

/** cids that arrived more than once at one client, as distinct messages (different ids). */
function duplicates(clients) {
  const found = [];
  for (const c of clients) {
    const seen = new Set();
    for (const m of c.received) {
      if (seen.has(m.cid)) found.push(`${c.id} got ${m.cid} twice`);
      seen.add(m.cid);
    }
  }
  return found;
}

/** Each sender's messages arrive at each client in the order they were said. */
function assertPerSenderOrder(clients, senders) {
  for (const c of clients) {
    for (const s of senders) {
      const texts = c.textsFrom(s.id).map(Number);
      assert.deepEqual(texts, [...texts].sort((a, b) => a - b), `${c.id} got ${s.id}'s messages out of order: ${texts}`);
    }
  }
}

/**
 * Call it before the fault: `await next()` resolves with each client's first `reconnecting`
 * detail after the call (bounded). A client may have reconnected before (an attempt that timed
 * out while it opened, under load): that one is not the fault's.
 */
function nextReconnects(clients, what) {
  const seen = new Map(clients.map((c) => [c, c.reconnects.length]));
  return () => Promise.all(clients.map((c) => c.until((me) => me.reconnects.length > seen.get(me), what).then(() => c.reconnects[seen.get(c)])));
}

/** The node with the most of `clients`. */
function busiestNode(clients) {
  const counts = new Map();
  for (const c of clients) counts.set(c.node, (counts.get(c.node) || 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
}

describe('cluster: 3 sockjs-node nodes behind HAProxy, RabbitMQ between them', function () {
  this.timeout(120000);
  let cluster;
  const logs = [];
  let clients = [];

  before(async function () {
    this.timeout(180000);
    cluster = await startCluster({ log: (line) => logs.push(line) });
  });
  afterEach(async function () {
    for (const c of clients) c.close();
    clients = [];
    if (this.currentTest.state === 'failed') console.error(logs.slice(-40).join('\n'));
    // Each test starts with every node up, whatever the previous one left.
    for (const name of cluster.names) {
      if (cluster.isRunning(name)) continue;
      await cluster.whenExited(name);
      await cluster.restart(name);
    }
  });
  after(async () => {
    await cluster?.close();
  });

  // It failed in about half the runs (a message that never reached some client): two nodes gave
  // two messages of one burst the same id (Date.now() · 1000), and a page keeps one message per id.
  // Ids are unique across nodes now (demo/chat.mjs); a clash is named below.
  it('SIGKILL the node of some clients while everyone sends: all back, no queued message lost or duplicated, order kept, chat goes on', async function () {
    clients = await openClients(cluster.url, 'k', 12);
    const victim = busiestNode(clients);

    // Before: everyone's first messages reach everyone.
    const before = clients.flatMap((c) => [1, 2, 3].map((n) => c.say(String(n))));
    await allReceived(clients, before, 'the messages before the kill');
    // Who is on the victim now, just before the kill: on a loaded machine a node can miss a health
    // check, and HAProxy then moves its clients elsewhere ("Server lost session"), to stay there.
    const onVictim = clients.filter((c) => c.node === victim);
    const survivors = clients.filter((c) => c.node !== victim);
    assert.ok(onVictim.length > 0 && survivors.length > 0, `clients on ${clients.map((c) => c.node)}`);

    // Queued: once a client knows its link is gone, what it sends waits in resock's queue.
    const reconnected = nextReconnects(onVictim, 'reconnecting after the kill');
    const queued = [];
    for (const c of onVictim) {
      c.resock.addEventListener(
        'reconnecting',
        () => {
          assert.equal(c.resock.readyState, 0);
          queued.push(...[7, 8, 9].map((n) => c.say(String(n))));
        },
        { once: true },
      );
    }
    // During: everyone sends, and the node dies in the same instant.
    const during = clients.flatMap((c) => [4, 5, 6].map((n) => c.say(String(n))));
    const killedAt = Date.now();
    await cluster.kill(victim, 'SIGKILL');
    await reconnected();
    assert.equal(queued.length, onVictim.length * 3);
    const fromSurvivors = survivors.flatMap((c) => [7, 8, 9].map((n) => c.say(String(n))));

    // How soon they come back is bench/storm.mjs's to measure ("all back after"), not bounded here:
    // on a loaded machine a wall-clock bound fails for the machine's sake, not the client's.
    await Promise.all(onVictim.map((c) => c.until((me) => me.isOpen, 'open again on a surviving node')));
    const backAfter = Date.now() - killedAt;
    for (const c of onVictim) assert.notEqual(c.node, victim, `${c.id} came back on the dead node`);

    // The chat goes on: one more message from each moved client reaches everyone.
    const after = onVictim.map((c) => c.say('10'));
    await allReceived(clients, [...before, ...queued, ...fromSurvivors, ...after], 'the queued messages and the ones after');
    assert.deepEqual(duplicates(clients), []);
    assert.deepEqual(clients.flatMap((c) => c.idClashes), []);
    assertPerSenderOrder(clients, clients);

    const reached = (cid) => clients.filter((c) => c.received.some((m) => m.cid === cid)).length;
    const lost = during.filter((cid) => reached(cid) === 0);
    const missed = during.filter((cid) => reached(cid) > 0 && reached(cid) < clients.length);
    const transportsOf = (cids) => [...new Set(cids.map((cid) => clients.find((c) => cid.startsWith(`${c.id}-`)).transport))].join(', ') || 'none';
    // Written in the instant of the kill and never acknowledged: a plain SockJS session is at most
    // once (a POST with no answer may have arrived, so it is not sent again); they are counted, not
    // asserted. The resume companion (resock/server) is what makes them arrive.
    console.log(
      `      ${onVictim.length} of ${clients.length} clients on ${victim}: all back in ${backAfter} ms; ` +
        `${queued.length} queued messages, 0 lost, 0 duplicated; of ${during.length} written in the instant of the kill, ` +
        `${lost.length} reached no one (sent over ${transportsOf(lost)}), ${missed.length} missed by some receivers (sent over ${transportsOf(missed)})`,
    );
  });

  it('the killed node restarted: HAProxy routes to it again and new clients land on it', async function () {
    // The node killed here comes back through the same restart as any node a test left down.
    const down = cluster.names[0];
    await cluster.kill(down, 'SIGKILL');
    await cluster.restart(down);
    // Which node a client lands on is the hash of its random server_id: 30 clients all missing
    // one node of three has a chance of (2/3)^30, about 5 in a million.
    clients = await openClients(cluster.url, 'r', 30, ['websocket']);
    assert.ok(clients.some((c) => c.node === down), `30 new clients on ${[...new Set(clients.map((c) => c.node))]}, none on ${down}`);
    const cid = clients[0].say('1');
    await allReceived(clients, [cid], 'a message across all nodes, the restarted one too');
  });

  it('SIGTERM drains a node: its clients are told 1012, move to other nodes, and lose no queued message', async function () {
    clients = await openClients(cluster.url, 'd', 12);
    const drained = busiestNode(clients);
    const moving = clients.filter((c) => c.node === drained);
    const reconnected = nextReconnects(moving, 'reconnecting after the drain');
    const exit = cluster.kill(drained, 'SIGTERM');
    const firsts = await reconnected();
    moving.forEach((c, i) => assert.equal(firsts[i].lastClose.code, 1012, `${c.id} (${c.transport}) closed with ${JSON.stringify(firsts[i].lastClose)}`));
    const queued = moving.flatMap((c) => [1, 2, 3].map((n) => c.say(String(n))));
    await Promise.all(moving.map((c) => c.opened()));
    for (const c of moving) assert.notEqual(c.node, drained, `${c.id} came back on the draining node`);
    await allReceived(clients, queued, 'the messages queued during the drain');
    assert.deepEqual(duplicates(clients), []);
    assert.deepEqual(await exit, { code: 0, signal: null }, 'the drained node exits on its own, cleanly');
  });

  // Needs the client side of issue 16 (src/, another developer): 1012 skips the backoff.
  it('a drained node\'s clients reconnect with no backoff wait (1012 "service restart")', async function () {
    clients = await openClients(cluster.url, 'z', 8);
    const drained = busiestNode(clients);
    const moving = clients.filter((c) => c.node === drained);
    const reconnected = nextReconnects(moving, 'reconnecting after the drain');
    const exit = cluster.kill(drained, 'SIGTERM');
    const firsts = await reconnected();
    moving.forEach((c, i) => {
      // No backoff: a random delay below minDelay (500 ms by default), so the node's clients spread.
      assert.equal(firsts[i].lastClose.code, 1012, `${c.id} (${c.transport})`);
      assert.ok(firsts[i].delay <= 500, `${c.id} (${c.transport}) waited ${firsts[i].delay} ms after a 1012`);
    });
    await Promise.all(moving.map((c) => c.opened()));
    await exit;
  });

  describe('round-robin, no affinity: the HTTP transports meet "session unknown"', function () {
    let roundRobin;
    before(async function () {
      roundRobin = await startHaproxy({ balance: 'roundrobin', nodes: cluster.names.map((name) => ({ name, port: cluster.nodePort(name) })), log: (line) => logs.push(line) });
    });
    after(async () => {
      await roundRobin?.close();
    });

    for (const transport of ['xhr-streaming', 'eventsource', 'xhr-polling']) {
      // Without affinity an HTTP session cannot last (its requests land on different nodes), and no
      // client can change that: what must hold is that nothing is lost or doubled silently. Each
      // lost session is named in the reconnect reason and the debug log, and once the client has
      // affinity again every message arrives, once and in order. xhr-polling found that
      // a POST in flight when a poll met another node was aborted with the lost session and so
      // never re-sent: the session now waits for its answer (a 404: re-queued, in order).
      it(`${transport}: no silent loss: the client says why it reconnects, and keeps what it could not deliver`, async function () {
        const base = `http://127.0.0.1:${roundRobin.port}/`;
        // The observer sits on WebSocket: one connection, so round-robin cannot split it.
        const observer = new ChatClient(base, { id: `o-${transport}`, transport: 'websocket' });
        // After three lost sessions the sender comes back through the balancer with affinity (same
        // nodes): round-robin alone may never let a POST reach its session's node, and what was
        // queued must then all arrive.
        const id = `s-${transport}`;
        const withAffinity = { url: `${cluster.url}chat?client=${id}` };
        let sender;
        sender = new ChatClient(base, { id, transport, options: { reconnect: { minDelay: 100, maxDelay: 400 }, beforeConnect: () => (sender && sender.reconnects.length >= 3 ? withAffinity : undefined) } });
        clients = [observer, sender];
        await observer.opened();
        const cids = [];
        // A streaming session meets another node only when it POSTs, and one POST may land on its
        // own node by chance: each message that reaches the observer brings the next one (at most
        // 60), so every session keeps sending until three are lost.
        const sayNext = () => cids.length < 60 && sender.reconnects.length < 3 && cids.push(sender.say(String(cids.length + 1)));
        observer.resock.addEventListener('message', (event) => JSON.parse(event.data).nick === sender.id && sayNext());
        for (let n = 1; n <= 6; n++) sayNext();
        await sender.until((me) => me.reconnects.length >= 3, 'three lost sessions');
        const reasons = sender.reconnects.map((r) => r.lastClose.reason);
        assert.ok(reasons.every((r) => /session/i.test(r)), `reconnect reasons: ${JSON.stringify(reasons)}`);
        assert.ok(
          sender.debugEvents.some(([event, detail]) => event === 'reconnect' && /session/i.test(detail.reason)),
          `debug events: ${JSON.stringify(sender.debugEvents.filter(([e]) => e === 'reconnect' || e === 'close'))}`,
        );
        // Nothing lost: what a node refused waited in the queue and goes on the session with affinity.
        await allReceived([observer], cids, 'every message said, once the sender has affinity');
        assert.deepEqual(duplicates([observer]), []);
        assertPerSenderOrder([observer], [sender]);
      });
    }
  });

  describe('bounded request bodies', function () {
    /** POSTs `declared` bytes' worth of headers, writing `chunks` of 64 KiB; resolves with the status or 'cut'. */
    function post(port, path, { declared = null, chunks }) {
      return new Promise((resolve) => {
        const headers = { 'Content-Type': 'text/plain' };
        if (declared !== null) headers['Content-Length'] = String(declared);
        const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode);
          req.destroy();
        });
        req.on('error', () => resolve('cut'));
        req.flushHeaders();
        const chunk = Buffer.alloc(64 * 1024, 'x');
        let written = 0;
        const writeMore = () => {
          // Bounded: at most `chunks` writes, stopped by the answer or the cut.
          while (written < chunks && !req.destroyed) {
            written++;
            if (!req.write(chunk)) return void req.once('drain', writeMore);
          }
        };
        writeMore();
      });
    }

    it('HAProxy answers 413 to a 60 MB xhr_send before any node reads it', async function () {
      // Headers only: HAProxy decides on Content-Length and answers before the body is sent.
      const status = await post(cluster.port, '/chat/000/big/xhr_send', { declared: 60 * 1024 * 1024, chunks: 0 });
      assert.equal(status, 413);
    });

    it('a node cuts a chunked body past 1 MiB (no Content-Length for HAProxy to check) and stays responsive', async function () {
      const node = cluster.names.find((name) => cluster.isRunning(name));
      const port = cluster.nodePort(node);
      const result = await post(port, '/chat/000/big/xhr_send', { chunks: 960 }); // up to 60 MiB
      assert.ok(result === 413 || result === 'cut', `got ${result}`);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      assert.equal(health.status, 200);
    });
  });
});
