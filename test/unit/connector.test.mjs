import assert from 'node:assert/strict';
import { Connector } from '../../dist/esm/connector/connector.js';
import { TransportMemory } from '../../dist/esm/connector/memory.js';
import { fakeDescriptors, fakeEnv, flush } from './fakes.mjs';

const ALL = ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling'];

function connect({ names = ALL, allowed = null, memory = new TransportMemory(), env = fakeEnv(), timeout = 0, early = true } = {}) {
  const created = [];
  const outcome = { };
  const log = [];
  const connector = new Connector(
    {
      url: 'http://h/echo',
      env,
      descriptors: fakeDescriptors(names, created),
      allowed,
      transportOptions: { headers: {}, withCredentials: true, maxFrameLength: 1e6 },
      timeout,
      serverId: '123',
      sessionId: () => 'sess' + created.length,
      memory,
      debug: (event, detail) => log.push([event, detail]),
    },
    {
      open: (session, name) => Object.assign(outcome, { opened: name, session }),
      fail: (info) => Object.assign(outcome, { failed: info }),
    },
  );
  if (early) env.tick(0); // the early WebSocket starts from a 0 ms timer
  return { connector, created, outcome, env, memory, log };
}

const started = (created) => created.map((t) => t.name);

describe('Connector', () => {
  it('starts the WebSocket beside /info, so opening does not wait for it', async () => {
    const { created, outcome, env } = connect();
    assert.deepEqual(started(created), ['websocket']);
    assert.equal(created[0].url, 'http://h/echo/123/sess0');
    created[0].frame('o');
    assert.equal(outcome.opened, 'websocket');
    assert.equal(env.infoRequests.length, 1);
  });

  it('opens no WebSocket when aborted in the task that created it (no handshake to throttle)', () => {
    const { connector, created, env } = connect({ early: false });
    connector.abort();
    env.tick(0);
    assert.deepEqual(created, []);
  });

  it('aborts /info once a transport has opened: no request is left running', () => {
    const { created, env } = connect();
    const info = env.infoRequests[0];
    created[0].frame('o');
    assert.equal(info.aborted, true);
  });

  it('closes the early WebSocket when /info says websocket:false, without counting it as blocked', async () => {
    const { created, env, memory, outcome } = connect();
    await env.answerInfo(200, '{"websocket":false}');
    assert.equal(created[0].closed, true);
    assert.deepEqual(started(created), ['websocket', 'xhr-streaming']);
    created[1].frame('o');
    assert.equal(outcome.opened, 'xhr-streaming');
    assert.deepEqual(memory.blocked(env, 'http://h/echo'), []);
  });

  it('starts the next candidate beside a silent one after the RTT-derived grace, and the first to open wins', async () => {
    const { created, env, outcome, memory } = connect();
    env.tick(2);
    await env.answerInfo();
    env.tick(97);
    assert.deepEqual(started(created), ['websocket'], 'not before the grace');
    env.tick(1);
    assert.deepEqual(started(created), ['websocket', 'xhr-streaming']);
    created[1].frame('o');
    assert.equal(outcome.opened, 'xhr-streaming');
    assert.equal(created[0].closed, true, 'the loser is closed');
    assert.deepEqual(memory.blocked(env, 'http://h/echo'), ['websocket']);
  });

  it('reports its choices to the debug hook', async () => {
    const { created, env, log } = connect();
    env.tick(3);
    await env.answerInfo();
    env.tick(100);
    created[1].frame('o');
    assert.deepEqual(log, [
      ['transport:start', { transport: 'websocket' }],
      ['info', { rtt: 3, websocket: true }],
      ['transport:start', { transport: 'xhr-streaming' }],
      ['transport:open', { transport: 'xhr-streaming', blocked: ['websocket'] }],
    ]);
  });

  it('ignores late frames from an abandoned attempt', async () => {
    const { created, env, outcome } = connect();
    await env.answerInfo();
    env.tick(100);
    created[1].frame('o');
    created[0].frame('o');
    assert.equal(outcome.opened, 'xhr-streaming');
  });

  it('tries a remembered-blocked transport last, so the next connection skips the wait', async () => {
    const memory = new TransportMemory();
    const first = connect({ memory });
    await first.env.answerInfo();
    first.env.tick(100);
    first.created[1].frame('o');

    const second = connect({ memory, env: first.env });
    assert.deepEqual(started(second.created), [], 'no early WebSocket');
    await second.env.answerInfo();
    assert.deepEqual(started(second.created), ['xhr-streaming']);
    second.created[0].frame('o');
    assert.deepEqual(memory.blocked(first.env, 'http://h/echo'), ['websocket'], 'still blocked: it was not tried');
  });

  it('moves on when a candidate fails with a code below 3000, and closes 2000 when none is left', async () => {
    const { created, env, outcome } = connect({ allowed: ['xhr-streaming', 'xhr-polling'] });
    await env.answerInfo();
    created[0].fail({ code: 1006, reason: 'broken', wasClean: false });
    assert.deepEqual(started(created), ['xhr-streaming', 'xhr-polling']);
    created[1].frame('c[2010,"Another connection still open"]');
    assert.deepEqual(outcome.failed, { code: 2000, reason: 'All transports failed', wasClean: false });
  });

  it('stops at once when the server closes with an application code', async () => {
    const { created, env, outcome } = connect();
    await env.answerInfo();
    created[0].frame('c[3000,"Go away!"]');
    assert.deepEqual(outcome.failed, { code: 3000, reason: 'Go away!', wasClean: true });
    assert.equal(created.length, 1);
  });

  it('times a silent candidate out after max(timeout, RTO × round trips)', async () => {
    const { created, env } = connect({ allowed: ['xhr-polling', 'jsonp-polling'] });
    env.tick(5);
    await env.answerInfo();
    assert.deepEqual(started(created), ['xhr-polling']);
    env.tick(99);
    env.tick(1); // grace: jsonp-polling starts beside it
    assert.deepEqual(started(created), ['xhr-polling', 'jsonp-polling']);
    env.tick(305 * 2 - 100 - 1);
    assert.equal(created[0].closed, false);
    env.tick(1);
    assert.equal(created[0].closed, true, 'xhr-polling timed out at 2 × (300 + rtt)');
  });

  it('closes with the HTTP status when /info answers non-2xx, and with 1002 when it is not JSON', async () => {
    const a = connect();
    await a.env.answerInfo(404, 'Not found');
    assert.deepEqual(a.outcome.failed, { code: 404, reason: 'Cannot connect to server', wasClean: false });
    assert.equal(a.created[0].closed, true, 'the early WebSocket is closed too');
    const b = connect();
    await b.env.answerInfo(200, '<html>captive portal</html>');
    assert.equal(b.outcome.failed.code, 1002);
  });

  it('closes 1002 when /info does not answer in 8 s', async () => {
    const { env, outcome } = connect({ names: ['xhr-polling'] });
    env.tick(8000);
    await flush();
    assert.deepEqual(outcome.failed, { code: 1002, reason: 'Cannot connect to server', wasClean: false });
    assert.equal(env.infoRequests[0].aborted, true);
  });

  it('abort() stops attempts, timers and /info, and reports nothing', async () => {
    const { connector, created, env, outcome } = connect();
    connector.abort();
    assert.equal(created[0].closed, true);
    assert.equal(env.infoRequests[0].aborted, true);
    assert.equal(env.pending(), 0);
    assert.deepEqual(outcome, {});
  });
});
