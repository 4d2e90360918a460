import assert from 'node:assert/strict';
import { connector as openConnector, INFO_DELAY } from '../../dist/esm/connector/connector.js';
import { INFO_TIMEOUT } from '../../dist/esm/connector/info.js';
import { TransportMemory } from '../../dist/esm/transports/memory.js';
import { fakeDescriptors, fakeEnv, flush } from './fakes.mjs';

const ALL = ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling'];

/** A connector over fake transports, as constructed: the early WebSocket has not started yet. */
function make({ url = 'http://h/echo', names = ALL, allowed = null, memory = new TransportMemory(), env = fakeEnv(), timeout = 0, retry, descriptors = (list) => list } = {}) {
  const created = [];
  const outcome = { };
  const log = [];
  const connector = openConnector(
    {
      url,
      env,
      descriptors: descriptors(fakeDescriptors(names, created)),
      allowed,
      transportOptions: { headers: {}, withCredentials: true, maxFrameLength: 1e6 },
      timeout,
      retry,
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
  return { connector, created, outcome, env, memory, log };
}

/** make(), then the early WebSocket started and, unless `headStart` is false, its time alone run out. */
async function connect({ headStart = true, ...options } = {}) {
  const made = make(options);
  await flush();
  if (headStart && made.created.length) made.env.tick(INFO_DELAY);
  return made;
}

const started = (created) => created.map((t) => t.name);

describe('Connector', () => {
  it('gives the WebSocket a head start: one that opens within it needs no /info at all', async () => {
    const { created, outcome, env } = await connect({ headStart: false });
    assert.deepEqual(started(created), ['websocket']);
    assert.equal(created[0].url, 'http://h/echo/123/sess0');
    env.tick(INFO_DELAY - 1);
    assert.equal(env.infoRequests.length, 0);
    created[0].frame('o');
    assert.equal(outcome.opened, 'websocket');
    env.tick(INFO_DELAY);
    assert.equal(env.infoRequests.length, 0, 'never asked');
  });

  it('asks /info when the head start runs out, or at once when the WebSocket fails sooner', async () => {
    const slow = await connect({ headStart: false });
    slow.env.tick(INFO_DELAY - 1);
    assert.equal(slow.env.infoRequests.length, 0);
    slow.env.tick(1);
    assert.equal(slow.env.infoRequests.length, 1);
    const refused = await connect({ headStart: false });
    refused.created[0].fail({ code: 1006, reason: 'refused', wasClean: false });
    assert.equal(refused.env.infoRequests.length, 1);
    await refused.env.answerInfo();
    assert.deepEqual(started(refused.created), ['websocket', 'xhr-streaming']);
  });

  it("takes a transport whose isSupported throws (an app's own descriptor) for unsupported: the next one is tried, nothing wedges", async () => {
    const throwing = (list) => list.map((d) => (d.name === 'xhr-streaming' ? { ...d, isSupported: (env, info) => { if (info.websocket) throw new Error('buggy'); return true; } } : d));
    const { created, outcome, env } = await connect({ names: ['websocket', 'xhr-streaming', 'xhr-polling'], descriptors: throwing });
    created[0].fail({ code: 1006, reason: 'refused', wasClean: false });
    await env.answerInfo();
    assert.deepEqual(started(created), ['websocket', 'xhr-polling']);
    created[1].frame('o');
    assert.equal(outcome.opened, 'xhr-polling');
  });

  it('opens no WebSocket when aborted in the task that created it (no handshake to throttle)', async () => {
    const { connector, created, env } = make();
    connector.abort();
    await flush();
    env.tick(INFO_DELAY);
    assert.deepEqual(created, []);
    assert.equal(env.infoRequests.length, 0);
  });

  it('drops the early WebSocket after its head start when sessionStorage says an earlier page found it blocked', async () => {
    const env = fakeEnv();
    new TransportMemory().remember(env, 'http://h/echo', ['websocket']);
    env.tick(0); // written to storage in a later task
    const { created, log } = await connect({ env, headStart: false });
    assert.equal(created[0].closed, false, 'storage is not read before /info is needed');
    env.tick(INFO_DELAY);
    assert.equal(created[0].closed, true, 'dropped when storage was read');
    assert.deepEqual(log.at(-1), ['transport:drop', { transport: 'websocket' }]);
    assert.equal(env.infoRequests.length, 1);
    await env.answerInfo();
    assert.deepEqual(started(created), ['websocket', 'xhr-streaming'], 'xhr-streaming first, websocket last again');
  });

  it('writes no storage when nothing is blocked, now or before', async () => {
    const { created, env } = await connect();
    created[0].frame('o');
    env.tick(0);
    assert.equal(env.storage.size, 0);
  });

  it('updates storage in a task after the open, clearing what an earlier page found blocked', async () => {
    const env = fakeEnv();
    new TransportMemory().remember(env, 'http://h/echo', ['websocket']);
    env.tick(0);
    const before = env.storage.get('resock:blocked');
    const { created } = await connect({ env, headStart: false }); // a new page: its memory is empty
    created[0].frame('o');
    assert.equal(env.storage.get('resock:blocked'), before, 'not in the task of the open');
    env.tick(0);
    assert.deepEqual(JSON.parse(env.storage.get('resock:blocked'))['http://h/echo'].blocked, []);
  });

  it('has /info pending until it answers, and not once the connector ended (no error event for a server refusal)', async () => {
    const { connector, created } = await connect({ headStart: false });
    assert.equal(connector.infoPending, true, 'during the head start, before /info was asked');
    created[0].frame('c[3000,"Go away!"]');
    assert.equal(connector.infoPending, false, 'ended by the server before /info');
  });

  it('aborts /info once a transport has opened: no request is left running', async () => {
    const { created, env } = await connect();
    const info = env.infoRequests[0];
    created[0].frame('o');
    assert.equal(info.aborted, true);
  });

  it('closes the early WebSocket when /info says websocket:false, without counting it as blocked', async () => {
    const { created, env, memory, outcome } = await connect();
    await env.answerInfo(200, '{"websocket":false}');
    assert.equal(created[0].closed, true);
    assert.deepEqual(started(created), ['websocket', 'xhr-streaming']);
    created[1].frame('o');
    assert.equal(outcome.opened, 'xhr-streaming');
    assert.deepEqual(memory.blocked(env, 'http://h/echo'), []);
  });

  it('starts the next candidate beside a silent one after the RTT-derived grace, and the first to open wins', async () => {
    const { created, env, outcome, memory } = await connect();
    env.tick(2);
    await env.answerInfo();
    env.tick(100 - INFO_DELAY - 2 - 1);
    assert.deepEqual(started(created), ['websocket'], 'not before the grace, counted from the WebSocket start');
    env.tick(1);
    assert.deepEqual(started(created), ['websocket', 'xhr-streaming']);
    created[1].frame('o');
    assert.equal(outcome.opened, 'xhr-streaming');
    assert.equal(created[0].closed, true, 'the loser is closed');
    assert.deepEqual(memory.blocked(env, 'http://h/echo'), ['websocket']);
  });

  it('reports its choices to the debug hook', async () => {
    const { created, env, log } = await connect();
    env.tick(3);
    await env.answerInfo();
    env.tick(100 - INFO_DELAY - 3);
    created[1].frame('o');
    assert.deepEqual(log, [
      ['transport:start', { transport: 'websocket' }],
      ['info', { rtt: 3, websocket: true }],
      ['transport:start', { transport: 'xhr-streaming' }],
      ['transport:open', { transport: 'xhr-streaming', blocked: ['websocket'] }],
    ]);
  });

  it('reports a transport whose constructor throws (Firefox: a WebSocket the CSP blocks) as failed, then falls back', async () => {
    // The early WebSocket's create() throws, as Firefox's `new WebSocket()` does under a CSP that blocks it.
    const { created, env, log, outcome } = make({
      descriptors: (descriptors) =>
        descriptors.map((d) =>
          d.name === 'websocket'
            ? { ...d, create: () => { throw new DOMException('The operation is insecure.', 'SecurityError'); } }
            : d,
        ),
    });
    await flush();
    await env.answerInfo();
    created[0].frame('o');
    assert.equal(outcome.opened, 'xhr-streaming');
    assert.deepEqual(log.slice(0, 2), [
      ['transport:start', { transport: 'websocket' }],
      ['transport:fail', { transport: 'websocket', code: 1002, reason: 'The operation is insecure.' }],
    ]);
  });

  it('ignores late frames from an abandoned attempt', async () => {
    const { created, env, outcome } = await connect();
    await env.answerInfo();
    env.tick(100);
    created[1].frame('o');
    created[0].frame('o');
    assert.equal(outcome.opened, 'xhr-streaming');
  });

  it('tries a remembered-blocked transport last, so the next connection skips the wait', async () => {
    const memory = new TransportMemory();
    const first = await connect({ memory });
    await first.env.answerInfo();
    first.env.tick(100);
    first.created[1].frame('o');

    const second = await connect({ memory, env: first.env });
    assert.deepEqual(started(second.created), [], 'no early WebSocket');
    await second.env.answerInfo();
    assert.deepEqual(started(second.created), ['xhr-streaming']);
    second.created[0].frame('o');
    assert.deepEqual(memory.blocked(first.env, 'http://h/echo'), ['websocket'], 'still blocked: it was not tried');
  });

  it('moves on when a candidate fails with a code below 3000, and closes 2000 when none is left', async () => {
    const { created, env, outcome } = await connect({ allowed: ['xhr-streaming', 'xhr-polling'] });
    await env.answerInfo();
    created[0].fail({ code: 1006, reason: 'broken', wasClean: false });
    assert.deepEqual(started(created), ['xhr-streaming', 'xhr-polling']);
    created[1].fail({ code: 1002, reason: 'refused', wasClean: false });
    assert.deepEqual(outcome.failed, { code: 2000, reason: 'All transports failed', wasClean: false });
  });

  it("ends with the server's own code when it closes before o, whatever the code: the next transport would hear the same (sockjs-client: c → _close)", async () => {
    for (const frame of ['c[1011,"Server error"]', 'c[2010,"Another connection still open"]', 'c[1002,"Connection interrupted"]']) {
      const { created, env, outcome } = await connect();
      await env.answerInfo();
      created[0].frame(frame);
      const [code, reason] = JSON.parse(frame.slice(1));
      assert.deepEqual(outcome.failed, { code, reason, wasClean: true }, frame);
      assert.deepEqual(started(created), ['websocket'], `${frame}: no other transport tried`);
    }
  });

  it('stops at once when the server closes with an application code', async () => {
    const { created, env, outcome } = await connect();
    await env.answerInfo();
    created[0].frame('c[3000,"Go away!"]');
    assert.deepEqual(outcome.failed, { code: 3000, reason: 'Go away!', wasClean: true });
    assert.equal(created.length, 1);
  });

  it('times a silent candidate out after max(timeout, RTO × round trips)', async () => {
    const { created, env } = await connect({ allowed: ['xhr-polling', 'jsonp-polling'] });
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

  it('backs the RTO-derived timeout off per retry, as TCP does: ×2 per failed attempt before, up to ×4', async () => {
    for (const [retry, factor] of [[1, 2], [2, 4], [9, 4]]) {
      const { created, env } = await connect({ allowed: ['xhr-polling'], retry });
      env.tick(5);
      await env.answerInfo();
      env.tick(305 * 2 * factor - 1);
      assert.equal(created[0].closed, false, `retry ${retry}`);
      env.tick(1);
      assert.equal(created[0].closed, true, `retry ${retry}: timed out at ${factor} × 2 × (300 + rtt)`);
    }
  });

  it('closes with the HTTP status when /info answers non-2xx, and with 1002 when it is not JSON', async () => {
    const a = await connect({ headStart: false, names: ['xhr-polling'] });
    await a.env.answerInfo(404, 'Not found');
    assert.deepEqual(a.outcome.failed, { code: 404, reason: 'GET http://h/echo/info: HTTP 404', wasClean: false });
    const b = await connect({ headStart: false, names: ['xhr-polling'] });
    await b.env.answerInfo(200, '<html>captive portal</html>');
    assert.deepEqual(b.outcome.failed, { code: 1002, reason: 'GET http://h/echo/info: not JSON', wasClean: false });
    const c = await connect({ headStart: false, names: ['xhr-polling'] });
    await c.env.answerInfo(503, 'Service Unavailable');
    assert.equal(c.outcome.failed.reason, 'GET http://h/echo/info: HTTP 503');
  });

  it('names the cause when /info gets no answer, and leaves the query (a token, the cache-buster) out of the reason', async () => {
    const { env, outcome } = await connect({ url: 'http://h/echo?token=secret', headStart: false, names: ['xhr-polling'] });
    await flush();
    env.infoRequests.shift().reject(new TypeError('Failed to fetch'));
    await flush();
    assert.deepEqual(outcome.failed, { code: 1002, reason: 'GET http://h/echo/info: no answer (down? CORS? CSP?)', wasClean: false });
  });

  it('stops reading an /info body at 65,536 characters and closes 1002, naming it', async () => {
    const { env, outcome } = await connect({ headStart: false, names: ['xhr-polling'] });
    await flush();
    let pulls = 0;
    let cancelled = false;
    // An endless body: each pull gives 16 KiB more, until the reader gives up (bounded at 1000 pulls).
    const endless = new ReadableStream({
      pull(controller) {
        if (++pulls > 1000) return controller.close();
        controller.enqueue(new TextEncoder().encode('x'.repeat(16384)));
      },
      cancel() {
        cancelled = true;
      },
    });
    const req = env.infoRequests.shift();
    req.resolve(new Response(endless, { status: 200 }));
    await flush();
    await flush();
    assert.deepEqual(outcome.failed, { code: 1002, reason: 'GET http://h/echo/info: too large', wasClean: false });
    assert.ok(pulls <= 8, `read ${pulls} chunks of 16 KiB`);
    assert.ok(req.aborted || cancelled, 'the request was not stopped');
  });

  it('closes 1002 when /info does not answer in 8 s', async () => {
    const { env, outcome } = await connect({ names: ['xhr-polling'] });
    env.tick(8000);
    await flush();
    assert.deepEqual(outcome.failed, { code: 1002, reason: 'GET http://h/echo/info: timed out', wasClean: false });
    assert.equal(env.infoRequests[0].aborted, true);
  });

  it('abort() stops attempts, timers and /info, and reports nothing', async () => {
    const { connector, created, env, outcome } = await connect();
    connector.abort();
    assert.equal(created[0].closed, true);
    assert.equal(env.infoRequests[0].aborted, true);
    assert.equal(env.pending(), 0);
    assert.deepEqual(outcome, {});
  });

  it('lets a WebSocket still handshaking finish when /info fails (a 503 does not decide the race)', async () => {
    const a = await connect();
    await a.env.answerInfo(503, 'Busy');
    assert.equal(a.created[0].closed, false, 'the early WebSocket goes on');
    assert.deepEqual(a.outcome, {});
    a.created[0].frame('o');
    assert.equal(a.outcome.opened, 'websocket');

    const b = await connect();
    await b.env.answerInfo(503, 'Busy');
    b.created[0].fail({ code: 1006, reason: 'WebSocket connection broken', wasClean: false });
    assert.equal(b.outcome.failed.code, 503, 'when it fails too, the /info failure is the reason');
    assert.equal(b.created.length, 1, 'no other candidate without /info');
  });

  it('asks /info the way the bundled HTTP transports request, and through fetch alone when none is bundled', async () => {
    // An XHR that must not be used: a WebSocket-only build carries no XHR code.
    const unusedXhr = () => assert.fail('XMLHttpRequest used for /info');
    const alone = await connect({ names: ['websocket'], env: Object.assign(fakeEnv(), { XMLHttpRequest: unusedXhr }) });
    assert.equal(alone.env.infoRequests.length, 1, 'fetch');
    const asked = [];
    const request = (env, spec) => (asked.push(spec.url), { done: new Promise(() => {}), abort: () => {} });
    const http = await connect({ descriptors: (list) => list.map((d) => (d.name === 'websocket' ? d : { ...d, request })) });
    assert.match(asked.join(), /^http:\/\/h\/echo\/info\?t=/);
    assert.equal(http.env.infoRequests.length, 0);
  });

  it('fails /info, naming it, where there is no fetch: no throw out of the head start timer', async () => {
    const env = fakeEnv();
    delete env.fetch;
    const { created, outcome } = await connect({ names: ['websocket'], env });
    await flush();
    created[0].fail({ code: 1006, reason: 'WebSocket connection broken', wasClean: false });
    assert.deepEqual(outcome.failed, { code: 1002, reason: 'GET http://h/echo/info: no fetch or XMLHttpRequest here', wasClean: false });
  });

  it('times out a WebSocket left alone by a failed /info, by that round trip', async () => {
    const { env, created, outcome } = await connect();
    env.tick(20);
    await env.answerInfo(503, 'Busy');
    env.tick(10000);
    assert.equal(created[0].closed, true);
    assert.equal(outcome.failed.code, 503);
    assert.equal(env.pending(), 0);
  });
  it('gives up a WebSocket still handshaking when /info timed out: 8 s without an answer is no round trip to time it by', async () => {
    for (const retry of [0, 2]) {
      const { env, created, outcome } = await connect({ retry });
      env.tick(INFO_TIMEOUT - 1);
      await flush();
      assert.deepEqual(outcome, {}, 'still waiting for /info');
      env.tick(1);
      await flush();
      assert.deepEqual(outcome.failed, { code: 1002, reason: 'GET http://h/echo/info: timed out', wasClean: false }, `retry ${retry}: not ${retry ? 4 : 1} × 64 s later`);
      assert.equal(created[0].closed, true);
      assert.equal(env.pending(), 0);
    }
  });
});

describe('TransportMemory', () => {
  it('remembers by origin and path: a token in the query neither splits nor leaks into storage', () => {
    const env = fakeEnv();
    const memory = new TransportMemory();
    memory.remember(env, 'http://h/echo?token=one', ['websocket']);
    env.tick(0);
    assert.deepEqual(memory.blocked(env, 'http://h/echo?token=two'), ['websocket']);
    assert.deepEqual(new TransportMemory().blocked(env, 'http://h/echo?token=three'), ['websocket'], 'from storage');
    assert.deepEqual([...env.storage.keys()], ['resock:blocked']);
    assert.doesNotMatch(env.storage.get('resock:blocked'), /token/);
  });

  it('takes an entry from the future for stale: a clock set back, or storage edited, demotes nothing for good', () => {
    const env = fakeEnv();
    const memory = new TransportMemory();
    memory.remember(env, 'http://h/echo', ['websocket']);
    env.tick(0);
    env.jump(-1); // the clock set back
    assert.deepEqual(memory.blocked(env, 'http://h/echo'), []);
    env.storage.set('resock:blocked', JSON.stringify({ 'http://h/other': { blocked: ['websocket'], at: env.now() + 1e12 } }));
    assert.deepEqual(new TransportMemory().blocked(env, 'http://h/other'), []);
  });

  it('holds at most 16 URLs, in memory and in storage, dropping the oldest', () => {
    const env = fakeEnv();
    const memory = new TransportMemory();
    for (let i = 0; i < 40; i++) {
      memory.remember(env, `http://h/echo${i}`, ['websocket']);
      env.tick(1);
    }
    const stored = Object.keys(JSON.parse(env.storage.get('resock:blocked')));
    assert.equal(stored.length, 16);
    assert.deepEqual(stored.at(-1), 'http://h/echo39');
    assert.deepEqual(memory.blocked(env, 'http://h/echo39', false), ['websocket']);
    assert.deepEqual(memory.blocked(env, 'http://h/echo0', false), [], 'the oldest is gone from memory');
    assert.deepEqual(memory.blocked(env, 'http://h/echo0'), [], 'and from storage');
  });
});
