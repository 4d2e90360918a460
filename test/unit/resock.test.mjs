import assert from 'node:assert/strict';
import { Resock } from '../../dist/esm/client/resock.js';
import { fakeDescriptors, fakeEnv, flush } from './fakes.mjs';

/** A Resock over one fake transport kind; `link()` answers /info and opens the next transport. */
function client(options = {}) {
  const env = fakeEnv();
  const created = [];
  const events = [];
  const c = new Resock('http://h/echo', { reconnect: { minDelay: 100, maxDelay: 1000 }, ...options }, {
    env,
    transports: fakeDescriptors(['xhr-streaming'], created),
  });
  for (const type of ['open', 'message', 'close', 'error', 'reconnecting', 'drop', 'drain']) {
    c.addEventListener(type, (e) => events.push([type, e.data ?? e.detail ?? (e.code !== undefined ? { code: e.code, reason: e.reason } : undefined)]));
  }
  const link = async () => {
    await env.answerInfo();
    const transport = created.at(-1);
    transport.frame('o');
    env.tick(0); // the memory's storage update, a task after the open
    return transport;
  };
  const lose = (transport, info = { code: 1006, reason: 'cut', wasClean: false }) => transport.fail(info);
  const types = () => events.map(([type]) => type);
  return { c, env, created, events, types, link, lose };
}

const utf8 = (text) => Buffer.byteLength(text);

/** `count` retries, 10 ms apart, each refused with 1006 and `reason` after its /info answered. */
async function failRetries(env, created, count, reason) {
  for (let i = 0; i < count; i++) {
    env.tick(10);
    await env.answerInfo();
    created.at(-1).fail({ code: 1006, reason, wasClean: false });
  }
}

describe('Resock', () => {
  it('is CONNECTING at once, OPEN after o, and names its transport', async () => {
    const { c, link } = client();
    assert.equal(c.readyState, Resock.CONNECTING);
    assert.equal(c.transport, null);
    await link();
    assert.equal(c.readyState, Resock.OPEN);
    assert.equal(c.state, 'open');
    assert.equal(c.transport, 'xhr-streaming');
  });

  it('queues what is sent before open and delivers it first, in order, once', async () => {
    const { c, link, types } = client();
    c.send('one');
    c.send(2);
    assert.equal(c.bufferedAmount, 4);
    const t = await link();
    c.send('three');
    assert.deepEqual(t.sent, ['one', '2', 'three']);
    assert.equal(c.bufferedAmount, 0);
    assert.deepEqual(types(), ['drain', 'open']);
  });

  it('gives a retry twice the connect time of the attempt that timed out before it', async () => {
    const { env, created, events } = client();
    await env.answerInfo();
    env.tick(600); // 2 round trips × (300 + 0 ms of /info)
    assert.equal(created[0].closed, true);
    assert.deepEqual(events.at(-1), ['reconnecting', events.at(-1)[1]]);
    env.tick(events.at(-1)[1].delay);
    await env.answerInfo();
    env.tick(1199);
    assert.equal(created[1].closed, false, 'the retry still trying at 1,199 ms');
    env.tick(1);
    assert.equal(created[1].closed, true);
  });

  it('gives the first retry after an open link was lost the usual connect time', async () => {
    const { env, created, events, link, lose } = client();
    lose(await link());
    env.tick(events.at(-1)[1].delay);
    await env.answerInfo();
    env.tick(599);
    assert.equal(created[1].closed, false);
    env.tick(1);
    assert.equal(created[1].closed, true, 'timed out at 2 × 300 ms, not doubled');
  });

  it('delivers messages as MessageEvents', async () => {
    const { link, events } = client();
    const t = await link();
    t.frame('a["x","y"]');
    assert.deepEqual(events.filter(([t]) => t === 'message'), [['message', 'x'], ['message', 'y']]);
  });

  it('reconnects after a lost link with backoff, and what was sent meanwhile arrives once, in order', async () => {
    const { c, env, link, lose, events } = client();
    const first = await link();
    lose(first);
    assert.equal(c.state, 'reconnecting');
    assert.equal(c.readyState, Resock.CONNECTING);
    const [, detail] = events.find(([type]) => type === 'reconnecting');
    assert.equal(detail.attempt, 1);
    assert.ok(detail.delay >= 100 && detail.delay <= 200, 'the first delay is within minDelay..2·minDelay');
    assert.deepEqual(detail.lastClose, { code: 1006, reason: 'cut', wasClean: false });
    for (let i = 0; i < 5; i++) c.send(`m${i}`);
    env.tick(detail.delay);
    const second = await link();
    assert.deepEqual(second.sent, ['m0', 'm1', 'm2', 'm3', 'm4']);
    assert.deepEqual(first.sent, []);
  });

  it('puts messages a failed transport could not deliver back at the head of the queue', async () => {
    const { c, env, link, lose } = client();
    const first = await link();
    c.send('later');
    lose(first, { code: 1006, reason: 'Send failed (HTTP 500)', wasClean: false, unsent: ['lost-1', 'lost-2'] });
    env.tick(100);
    const second = await link();
    assert.deepEqual(second.sent, ['lost-1', 'lost-2']);
    first.sent.length = 0;
    void c;
  });

  it('hands what a lost or replaced link had not sent to `reclaim` when set, not to the next link; a throwing reclaim wedges nothing', async () => {
    const { c, env, link, lose, events } = client();
    const reclaimed = [];
    c.reclaim = (messages) => reclaimed.push(messages);
    const first = await link();
    lose(first, { code: 1006, reason: 'cut', wasClean: false, unsent: ['of the first session'] });
    env.tick(200);
    const second = await link();
    second.unsent = ['of the second session'];
    c.reconnect();
    env.tick(0);
    const third = await link();
    assert.deepEqual(reclaimed, [['of the first session'], ['of the second session']]);
    assert.deepEqual([second.sent, third.sent], [[], []]);
    c.reclaim = () => {
      throw new Error('app bug');
    };
    lose(third, { code: 1006, reason: 'cut', wasClean: false, unsent: ['y'] });
    await flush();
    assert.equal(c.state, 'reconnecting');
    assert.deepEqual(events.filter(([type]) => type === 'error').map(([, d]) => d.callback), ['reclaim']);
  });

  it('grows the delay while failures continue and resets it only after a link stayed up minUptime', async () => {
    const { env, link, lose, events, created } = client({ reconnect: { minDelay: 100, maxDelay: 100000, minUptime: 5000 } });
    const attempts = () => events.filter(([t]) => t === 'reconnecting').map(([, d]) => d.attempt);
    lose(await link());
    env.tick(100);
    await env.answerInfo();
    created.at(-1).fail({ code: 1006, reason: 'refused', wasClean: false }); // fails before open
    await flush();
    assert.deepEqual(attempts(), [1, 2]);
    env.tick(200);
    const up = await link();
    env.tick(1000);
    lose(up); // short-lived link: no reset
    assert.deepEqual(attempts(), [1, 2, 3]);
    env.tick(400);
    const stable = await link();
    env.tick(5000);
    lose(stable);
    assert.deepEqual(attempts(), [1, 2, 3, 1]);
  });

  it('does not come back when the server closes with 4000–4999, unless shouldReconnect says so', async () => {
    const a = client();
    (await a.link()).frame('c[4001,"Banned"]');
    await new Promise((r) => setImmediate(r));
    a.env.tick(0);
    assert.deepEqual(a.types(), ['open', 'error', 'close']);
    assert.deepEqual(a.events.at(-1)[1], { code: 4001, reason: 'Banned' });
    assert.equal(a.c.readyState, Resock.CLOSED);

    const b = client({ shouldReconnect: (close) => close.code !== 3000 });
    (await b.link()).frame('c[3000,"Go away!"]');
    b.env.tick(0);
    assert.equal(b.events.at(-1)[0], 'close');
    const c = client();
    (await c.link()).frame('c[3000,"Go away!"]');
    assert.equal(c.c.state, 'reconnecting', 'by default 3000–3999 reconnects');
  });

  it('gives up after maxAttempts', async () => {
    const { c, env, link, lose, created } = client({ reconnect: { minDelay: 10, maxDelay: 10, maxAttempts: 2 } });
    lose(await link());
    await failRetries(env, created, 2, 'refused');
    env.tick(0);
    assert.equal(c.readyState, Resock.CLOSED);
  });

  it('spends no attempt while offline: maxAttempts counts only the retries that failed online', async () => {
    const { c, env, link, lose, created } = client({ reconnect: { minDelay: 10, maxDelay: 10, maxAttempts: 2 } });
    const first = await link();
    env.lifecycle.setOnline(false);
    lose(first);
    await failRetries(env, created, 5, 'no network'); // the slow retries of an offline client (navigator.onLine may lie)
    env.tick(0);
    assert.equal(c.state, 'reconnecting', 'still waiting for the network, not given up');
    env.lifecycle.setOnline(true);
    env.lifecycle.fire('online');
    await link();
    assert.equal(c.state, 'open');
    // Online, the bound holds: 2 retries that fail, then it gives up.
    lose(created.at(-1));
    await failRetries(env, created, 2, 'refused');
    env.tick(0);
    assert.equal(c.readyState, Resock.CLOSED);
  });

  it('waits the longest delay while offline, and reconnects at once on online', async () => {
    const { c, env, link, lose, events } = client({ reconnect: { minDelay: 100, maxDelay: 10000 } });
    const first = await link();
    env.lifecycle.setOnline(false);
    lose(first);
    assert.equal(events.at(-1)[1].delay, 10000);
    assert.equal(env.pending(), 1, 'a (slow) reconnect timer even offline: navigator.onLine may lie');
    env.lifecycle.setOnline(true);
    env.lifecycle.fire('online');
    await link();
    assert.equal(c.state, 'open');
  });

  it('replaces a link whose heartbeats stopped, judged by timestamps', async () => {
    const { c, env, link } = client({ heartbeatTimeout: 1000 });
    const t = await link();
    t.frame('h');
    env.tick(900);
    t.frame('h');
    env.tick(900);
    assert.equal(c.state, 'open', 'heartbeats kept it alive');
    env.tick(200); // 1100 ms of silence, checked by the watchdog
    assert.equal(c.state, 'reconnecting');
    assert.equal(t.closed, true);
  });

  it('heartbeatTimeout: 0 turns the check off, as a heart-beat of 0 does in STOMP: no link dropped 50 ms after its first h, no 50 ms watchdog', async () => {
    const { c, env, link } = client({ heartbeatTimeout: 0 });
    const t = await link();
    t.frame('h');
    let armed = 0;
    const setTimeout = env.setTimeout;
    env.setTimeout = (fn, ms) => (armed++, setTimeout(fn, ms));
    env.tick(60000);
    c.send('still here');
    assert.equal(c.state, 'open');
    assert.deepEqual(t.sent, ['still here']);
    assert.equal(armed, 0, 'no watchdog ticking every 50 ms');
  });

  it('puts back first what a replaced link had not sent (silent heartbeats, pagehide)', async () => {
    for (const replace of [(env) => env.tick(1300), (env) => env.lifecycle.fire('pagehide')]) {
      const { c, env, link } = client({ heartbeatTimeout: 1000 });
      const t = await link();
      t.frame('h');
      t.unsent = ['waiting behind a POST'];
      replace(env);
      assert.equal(c.state, 'reconnecting');
      c.send('later');
      env.lifecycle.fire('pageshow');
      env.tick(1000);
      const next = await link();
      assert.deepEqual(next.sent, ['waiting behind a POST', 'later']);
    }
  });

  it('checks liveness at once when the tab becomes visible (timers may have been throttled)', async () => {
    const { c, env, link } = client({ heartbeatTimeout: 100000 });
    const t = await link();
    t.frame('h');
    env.now = ((base) => () => base + 200000)(env.now()); // time jumped; no timer ran
    env.lifecycle.fire('visibilitychange');
    assert.equal(c.state, 'reconnecting');
    void t;
  });

  it('an attempt whose link cannot be made (a plugin that throws) fails like any other, reported: no wedge in connecting', async () => {
    let calls = 0;
    const broken = { start: () => ({ resumable: null, url: (url) => url, wrap: () => { throw new Error(`wrap ${++calls}`); } }) };
    const { c, env } = client({ resume: broken, reconnect: { minDelay: 100, maxDelay: 100 } });
    const errors = [];
    c.addEventListener('error', (e) => errors.push(e.detail && e.detail.error.message));
    await env.answerInfo();
    await flush();
    assert.equal(c.state, 'reconnecting');
    assert.deepEqual(errors, ['wrap 1']);
    env.tick(100);
    await env.answerInfo();
    await flush();
    assert.equal(calls, 2, 'and tries again after the backoff');
  });

  it('a send whose liveness check gives up on the client throws InvalidStateError and queues nothing', async () => {
    const { c, env, link } = client({ heartbeatTimeout: 100000, reconnect: false });
    const t = await link();
    t.frame('h');
    env.now = ((base) => () => base + 200000)(env.now()); // time jumped; no timer ran
    assert.throws(() => c.send('into a closed client'), { name: 'InvalidStateError' });
    assert.equal(c.bufferedAmount, 0);
  });

  it('never declares a link without h heartbeats dead (sockjs-node pings WebSockets instead)', async () => {
    const { c, env, link } = client({ heartbeatTimeout: 1000 });
    await link();
    env.tick(10000);
    assert.equal(c.state, 'open');
  });

  it('calls beforeConnect before every attempt, and uses the headers it returns', async () => {
    const calls = [];
    const { env, link, lose } = client({
      headers: { A: '1' },
      beforeConnect: ({ attempt, url, headers }) => {
        calls.push({ attempt, url, headers });
        return { headers: { ...headers, Authorization: `token-${attempt}` } };
      },
    });
    lose(await link());
    assert.equal(env.infoRequests.length, 0);
    env.tick(100);
    await flush();
    assert.deepEqual(env.infoRequests[0].init.headers, { A: '1', Authorization: 'token-1' });
    assert.deepEqual(calls.map((c) => c.attempt), [0, 1], 'the same numbers as the reconnecting events');
    assert.equal(calls[0].url, 'http://h/echo');
  });

  it('counts a rejecting beforeConnect as a failed attempt', async () => {
    const { c, events } = client({ beforeConnect: async () => Promise.reject(new Error('no token')) });
    await flush();
    assert.equal(c.state, 'reconnecting');
    assert.match(events.find(([type]) => type === 'reconnecting')[1].lastClose.reason, /beforeConnect failed: no token/);
  });

  it("rejects a send on a full queue with QueueOverflowError ('reject')", () => {
    const { c } = client({ queue: { maxMessages: 1 } });
    c.send('a');
    assert.throws(() => c.send('b'), (e) => e.name === 'QueueOverflowError');
  });

  it("drops the oldest and fires drop ('drop-oldest')", () => {
    const { c, events } = client({ queue: { maxMessages: 1, overflow: 'drop-oldest' } });
    c.send('a');
    c.send('b');
    assert.deepEqual(events.at(-1), ['drop', { messages: ['a'] }]);
  });

  it('close() is final: no timer, listener, transport or reconnect survives it', async () => {
    const { c, env, link, created, types } = client();
    await link();
    c.close();
    assert.equal(c.readyState, Resock.CLOSING);
    env.tick(0);
    assert.equal(c.readyState, Resock.CLOSED);
    assert.equal(created[0].closed, true);
    assert.equal(env.pending(), 0);
    assert.equal(env.lifecycle.listenerCount(), 0);
    assert.deepEqual(types(), ['open', 'close']);
    assert.throws(() => c.send('x'), (e) => e.name === 'InvalidStateError');
    env.lifecycle.fire('online');
    assert.equal(env.infoRequests.length, 0);
  });

  it('close() while waiting to reconnect cancels the wait', async () => {
    const { c, env, link, lose } = client();
    lose(await link());
    c.close(4000, 'bye');
    env.tick(100000);
    await flush();
    assert.equal(env.infoRequests.length, 0);
    assert.equal(c.readyState, Resock.CLOSED);
  });

  it('validates close codes and reasons like WebSocket', () => {
    const { c } = client();
    assert.throws(() => c.close(1001), (e) => e.name === 'InvalidAccessError');
    assert.throws(() => c.close(3000, 'x'.repeat(124)), SyntaxError);
  });

  it('closes when its AbortSignal aborts', async () => {
    const controller = new AbortController();
    const { c, env, link } = client({ signal: controller.signal });
    await link();
    controller.abort();
    env.tick(0);
    assert.equal(c.readyState, Resock.CLOSED);
    const early = client({ signal: AbortSignal.abort() });
    early.env.tick(0);
    assert.equal(early.c.readyState, Resock.CLOSED);
    assert.equal(early.env.infoRequests.length, 0);
  });

  it('closes the link on pagehide and comes back at once on pageshow', async () => {
    const { c, env, link } = client();
    const t = await link();
    env.lifecycle.fire('pagehide');
    assert.equal(t.closed, true);
    assert.equal(c.state, 'reconnecting');
    assert.equal(env.pending(), 0);
    env.lifecycle.fire('pageshow');
    await link();
    assert.equal(c.state, 'open');
  });

  it('iterates messages asynchronously and ends on close', async () => {
    const { c, env, link } = client();
    const t = await link();
    const received = [];
    const reading = (async () => {
      for await (const data of c) received.push(data);
    })();
    t.frame('a["1","2"]');
    await flush();
    t.frame('a["3"]');
    c.close();
    env.tick(0);
    await reading;
    assert.deepEqual(received, ['1', '2', '3']);
  });

  it('ignores late events from an abandoned attempt', async () => {
    const { c, env, link, lose, created } = client();
    const first = await link();
    lose(first);
    first.frame('a["ghost"]');
    env.tick(100);
    const second = await link();
    first.frame('o');
    assert.equal(c.state, 'open');
    assert.equal(created.length, 2);
    void second;
  });
});

describe('Resock: no callback, edge or page event wedges it', () => {
  const errors = (events) => events.filter(([type, detail]) => type === 'error' && detail).map(([, detail]) => detail);

  it('treats a headers() that throws during a reconnect as a failed attempt, reports it and keeps trying', async () => {
    let calls = 0;
    const { c, env, link, lose, events } = client({
      headers: () => {
        if (calls++ === 1) throw new Error('no header today');
        return {};
      },
    });
    lose(await link());
    env.tick(100); // the retry: headers() throws
    await flush();
    assert.equal(c.state, 'reconnecting');
    assert.match(events.filter(([t]) => t === 'reconnecting').at(-1)[1].lastClose.reason, /headers failed: no header today/);
    assert.deepEqual(errors(events).map((d) => d.callback), ['headers']);
    assert.equal(env.pending(), 1, 'the next attempt is armed');
    env.tick(1000);
    await link();
    assert.equal(c.state, 'open');
  });

  it('bounds a beforeConnect that never settles (8 s, or `timeout` if longer): a failed attempt, reported, retried; its late answer is ignored', async () => {
    for (const [timeout, bound] of [[undefined, 8000], [20000, 20000]]) {
      const answers = [];
      const { c, env, created, events } = client({ timeout, beforeConnect: () => new Promise((resolve) => answers.push(resolve)) });
      await flush();
      assert.equal(c.state, 'connecting');
      env.tick(bound - 1);
      assert.equal(c.state, 'connecting', 'still waiting for beforeConnect just before the bound');
      env.tick(1);
      await flush();
      assert.equal(c.state, 'reconnecting', `given up after ${bound} ms`);
      assert.match(events.find(([t]) => t === 'reconnecting')[1].lastClose.reason, /beforeConnect failed: timed out/);
      assert.deepEqual(errors(events).map((d) => d.callback), ['beforeConnect']);
      answers[0]({ url: 'http://late/echo' });
      await flush();
      assert.equal(env.infoRequests.length, 0, 'the late answer starts nothing');
      env.tick(100);
      await flush();
      assert.equal(answers.length, 2, 'beforeConnect is called again after the backoff');
      answers[1]();
      await flush();
      await env.answerInfo();
      created.at(-1).frame('o');
      env.tick(bound * 2);
      assert.equal(c.state, 'open', 'no stray bound fires once beforeConnect settled');
      c.close();
    }
  });

  it('refuses a headers function that returns a Promise (async) with a TypeError naming it, reported, instead of sending no headers', async () => {
    const { c, env, created, events } = client({ headers: async () => ({ Authorization: 'Bearer t' }) });
    await flush();
    assert.equal(env.infoRequests.length, 0, 'no request went out without its headers');
    assert.equal(created.length, 0);
    assert.equal(c.state, 'reconnecting');
    const [detail] = errors(events);
    assert.equal(detail.callback, 'headers');
    assert.equal(detail.error.name, 'TypeError');
    assert.match(detail.error.message, /'headers'.*not a Promise/);
    assert.match(events.find(([t]) => t === 'reconnecting')[1].lastClose.reason, /headers failed: Option 'headers'/);
    c.close();
  });

  it('refuses a beforeConnect whose headers are a Promise (not awaited) with a TypeError, reported, instead of sending no headers', async () => {
    const { c, env, created, events } = client({ beforeConnect: () => ({ headers: Promise.resolve({ Authorization: 'Bearer t' }) }) });
    await flush();
    assert.equal(env.infoRequests.length, 0, 'no request went out without its headers');
    assert.equal(created.length, 0);
    assert.equal(c.state, 'reconnecting');
    const [detail] = errors(events);
    assert.equal(detail.callback, 'beforeConnect');
    assert.equal(detail.error.name, 'TypeError');
    assert.match(detail.error.message, /'beforeConnect'.*not a Promise/);
    c.close();
  });

  it('treats a sessionId() that throws as a failed attempt, reported as its error, not as every transport failing (2000)', async () => {
    let calls = 0;
    const env = fakeEnv();
    const created = [];
    const c = new Resock('http://h/echo', {
      reconnect: { minDelay: 100, maxDelay: 100 },
      sessionId: () => {
        if (++calls <= 1) throw new Error('no id today');
        return `id${calls}`;
      },
    }, { env, transports: fakeDescriptors(['websocket', 'xhr-streaming'], created) });
    const seen = [];
    for (const type of ['error', 'reconnecting']) c.addEventListener(type, (e) => seen.push([type, e.detail]));
    await flush();
    assert.equal(c.state, 'reconnecting');
    assert.equal(calls, 1, 'the next transport is not tried with the same callback');
    const reconnecting = seen.find(([t]) => t === 'reconnecting')[1];
    assert.deepEqual(reconnecting.lastClose, { code: 1002, reason: 'sessionId failed: no id today', wasClean: false });
    const reported = seen.filter(([t, d]) => t === 'error' && d).map(([, d]) => [d.callback, d.error.message]);
    assert.deepEqual(reported, [['sessionId', 'no id today']]);
    env.tick(100);
    await flush();
    assert.match(created.at(-1).url, /\/id2$/, 'the retry uses the next id');
    c.close();
  });

  it('refuses a sessionId function that returns a Promise (async) with a TypeError naming it, reported, instead of connecting every client as session "[object Promise]"', async () => {
    const env = fakeEnv();
    const created = [];
    const c = new Resock('http://h/echo', { sessionId: async () => 'abc' }, { env, transports: fakeDescriptors(['websocket', 'xhr-streaming'], created) });
    const reported = [];
    c.addEventListener('error', (e) => e.detail && reported.push(e.detail));
    await flush();
    assert.deepEqual(created.map((t) => t.url), [], 'no transport started');
    assert.equal(c.state, 'reconnecting');
    assert.deepEqual(reported.map((d) => [d.callback, d.error.name]), [['sessionId', 'TypeError']]);
    assert.match(reported[0].error.message, /'sessionId'/);
    c.close();
  });

  it('says a first attempt whose headers() threw to the listeners added after the constructor', async () => {
    const env = fakeEnv();
    const options = (reconnect) => ({ reconnect, headers: () => { throw new Error('no token yet'); } });
    const retrying = new Resock('http://h/echo', options({ minDelay: 100 }), { env, transports: fakeDescriptors(['xhr-streaming'], []) });
    const seen = [];
    retrying.addEventListener('reconnecting', (e) => seen.push(['reconnecting', e.detail.attempt]));
    const giving = new Resock('http://h/echo', options(false), { env, transports: fakeDescriptors(['xhr-streaming'], []) });
    giving.onerror = (e) => seen.push(['error', e.detail && e.detail.callback]);
    await flush();
    assert.deepEqual(seen, [['reconnecting', 1], ['error', undefined], ['error', 'headers']]);
    giving.close();
    retrying.close();
  });

  it('falls back to the default policy when shouldReconnect throws, and reports it', async () => {
    const { c, env, link, lose, events } = client({
      shouldReconnect: () => {
        throw new Error('policy bug');
      },
    });
    lose(await link());
    await flush();
    assert.equal(c.state, 'reconnecting');
    assert.equal(errors(events)[0].callback, 'shouldReconnect');
    env.tick(100);
    await link();
    assert.equal(c.state, 'open');
  });

  it('goes on when the debug logger throws', async () => {
    const { c, env, link, lose, events } = client({
      debug: () => {
        throw new Error('logger down');
      },
    });
    lose(await link());
    assert.equal(c.state, 'reconnecting');
    assert.equal(env.pending(), 1, 'the reconnect timer was armed before the logger ran');
    env.tick(100);
    await link();
    assert.equal(c.state, 'open');
    await flush();
    assert.ok(errors(events).length > 0 && errors(events).every((d) => d.callback === 'debug'));
  });

  it('with reconnect: false, pagehide closes for good (1001) and pageshow does not reconnect', async () => {
    const { c, env, link, created, events } = client({ reconnect: false });
    await link();
    env.lifecycle.fire('pagehide');
    env.tick(0);
    assert.equal(c.state, 'closed');
    assert.deepEqual(events.at(-1), ['close', { code: 1001, reason: 'Page hidden' }]);
    env.lifecycle.fire('pageshow');
    await flush();
    assert.equal(created.length, 1);
  });

  it('announces pagehide with a reconnecting event, and waits for pageshow', async () => {
    const { c, env, link, events } = client();
    await link();
    env.lifecycle.fire('pagehide');
    assert.equal(c.state, 'reconnecting');
    const [, detail] = events.filter(([t]) => t === 'reconnecting').at(-1);
    assert.deepEqual(detail.lastClose, { code: 1001, reason: 'Page hidden', wasClean: true });
    assert.equal(env.pending(), 0, 'no timer: pageshow brings it back');
  });

  it('comes back on pageshow after a pagehide however many attempts failed before it (maxAttempts reached)', async () => {
    const { c, env, link, lose, created } = client({ reconnect: { minDelay: 100, maxDelay: 100, maxAttempts: 1 } });
    lose(await link());
    env.tick(100);
    await link(); // the one retry allowed opened; hidden before minUptime reset the count
    env.lifecycle.fire('pagehide');
    env.tick(0);
    assert.equal(c.state, 'reconnecting');
    env.lifecycle.fire('pageshow');
    await link();
    assert.equal(c.state, 'open');
    assert.equal(created.length, 3);
  });

  it('close() from shouldReconnect stays closed; reconnect() from the error listener of a give-up connects again', async () => {
    let self;
    const a = client({
      shouldReconnect: () => {
        self.close(4000, 'enough');
        return true;
      },
    });
    self = a.c;
    a.lose(await a.link());
    a.env.tick(10000);
    await flush();
    assert.equal(a.c.state, 'closed');
    assert.deepEqual([a.created.length, a.env.infoRequests.length, a.env.pending()], [1, 0, 0], 'no attempt after close()');
    assert.deepEqual(a.events.filter(([t]) => t === 'close'), [['close', { code: 4000, reason: 'enough' }]]);

    const b = client({ reconnect: false });
    const t = await b.link();
    b.c.addEventListener('error', () => b.c.reconnect(), { once: true });
    b.lose(t);
    b.env.tick(0);
    assert.equal(b.c.state, 'connecting');
    await b.link();
    assert.equal(b.c.state, 'open');
    assert.ok(!b.types().includes('close'), b.types().join());
  });

  it('a send() from reclaim, while a replaced link hands back what it had not sent, is queued for the next link, not dropped', async () => {
    const { c, env, link } = client();
    const first = await link();
    c.reclaim = (messages) => messages.forEach((m) => c.send(`again: ${m}`));
    first.unsent = ['unsent'];
    c.reconnect();
    assert.equal(c.bufferedAmount, utf8('again: unsent'));
    env.tick(0);
    const second = await link();
    assert.deepEqual([first.sent, second.sent], [[], ['again: unsent']]);
  });

  it('reconnect() from reclaim while a lost link is handled leaves one attempt armed: after close() no attempt starts', async () => {
    const { c, env, link, lose, created } = client();
    const first = await link();
    c.reclaim = () => c.reconnect();
    lose(first, { code: 1006, reason: 'cut', wasClean: false, unsent: ['unsent'] });
    assert.equal(env.pending(), 1, 'one timer: the reconnect() at once');
    c.close();
    env.tick(10000);
    await flush();
    assert.equal(c.state, 'closed');
    assert.deepEqual([created.length, env.infoRequests.length, env.pending()], [1, 0, 0], 'no attempt after close()');
  });

  it('reconnect() from reclaim during close() does not outlive the close', async () => {
    const { c, env, link, created, types } = client();
    const first = await link();
    first.unsent = ['unsent'];
    c.reclaim = () => c.reconnect();
    c.close();
    env.tick(10000);
    await flush();
    assert.equal(c.state, 'closed');
    assert.deepEqual([created.length, env.infoRequests.length, env.pending()], [1, 0, 0], 'no attempt after close()');
    assert.deepEqual(types().filter((t) => t === 'close'), ['close']);
  });

  it('close() at any microtask of the first attempt starts nothing after it: no /info, no transport, no timer', async () => {
    for (const beforeConnect of [undefined, async () => {}]) {
      for (let ticks = 0; ticks < 8; ticks++) {
        const env = fakeEnv();
        const created = [];
        const c = new Resock('http://h/echo', { beforeConnect }, { env, transports: fakeDescriptors(['websocket', 'xhr-streaming'], created) });
        for (let i = 0; i < ticks; i++) await null;
        c.close();
        env.tick(0);
        await flush();
        env.tick(1000);
        await flush();
        const where = `${beforeConnect ? 'async beforeConnect' : 'no beforeConnect'}, close() after ${ticks} microtasks`;
        assert.equal(c.state, 'closed', where);
        assert.deepEqual(created.filter((t) => !t.closed).map((t) => t.name), [], `${where}: a transport left open`);
        assert.deepEqual([env.infoRequests.length, env.pending()], [0, 0], `${where}: /info or a timer after close()`);
      }
    }
  });

  it('close() from a listener of the open state change: no open event follows, no timer is left', async () => {
    const { c, env, link, types } = client();
    c.addEventListener('state', (e) => e.detail.next === 'open' && c.close());
    await link();
    env.tick(0);
    assert.equal(c.state, 'closed');
    assert.ok(!types().includes('open'), types().join());
    assert.equal(env.pending(), 0);
  });

  it('settles every pending next() of the iterator on close', async () => {
    const { c, env, link } = client();
    await link();
    const iterator = c[Symbol.asyncIterator]();
    const first = iterator.next();
    const second = iterator.next();
    c.close();
    env.tick(0);
    assert.deepEqual(await Promise.all([first, second]), [{ value: undefined, done: true }, { value: undefined, done: true }]);
  });

  it('hands concurrent next() calls the messages in order', async () => {
    const { c, link } = client();
    const t = await link();
    const iterator = c.messages();
    const pending = [iterator.next(), iterator.next()];
    t.frame('a["1","2"]');
    assert.deepEqual((await Promise.all(pending)).map((r) => r.value), ['1', '2']);
  });

  it('an iterator ended by return() before its first next() stops buffering: its listeners go', async () => {
    const { c, link } = client();
    const listening = new Map();
    const add = c.addEventListener.bind(c);
    const remove = c.removeEventListener.bind(c);
    c.addEventListener = (type, fn, o) => (listening.set(fn, type), add(type, fn, o));
    c.removeEventListener = (type, fn, o) => (listening.delete(fn), remove(type, fn, o));
    const iterator = c.messages();
    assert.deepEqual([...listening.values()], ['message', 'close']);
    assert.deepEqual(await iterator.return(), { value: undefined, done: true });
    assert.deepEqual([...listening.values()], [], 'nothing is held for an iterator nobody can read');
    (await link()).frame('a["x"]');
    assert.equal((await iterator.next()).done, true);
  });

  it('bounds the iterator buffer: past the limit, next() rejects with QueueOverflowError after what was kept', async () => {
    const { c, link } = client();
    const t = await link();
    const iterator = c.messages({ limit: 2 });
    t.frame('a["1","2","3"]');
    assert.equal((await iterator.next()).value, '1');
    assert.equal((await iterator.next()).value, '2');
    await assert.rejects(iterator.next(), (e) => e.name === 'QueueOverflowError');
    assert.equal((await iterator.next()).done, true);
  });

  it('reconnect() drops the link at once, resets the backoff and sends what the link had not', async () => {
    const { c, env, link, created, lose, events } = client();
    lose(await link());
    env.tick(100);
    const second = await link();
    lose(second);
    env.tick(1000);
    const third = await link();
    third.unsent = ['unsent'];
    c.reconnect();
    assert.equal(third.closed, true);
    const [, detail] = events.filter(([t]) => t === 'reconnecting').at(-1);
    assert.deepEqual({ attempt: detail.attempt, delay: detail.delay }, { attempt: 1, delay: 0 });
    env.tick(0);
    const fourth = await link();
    assert.equal(created.length, 4);
    assert.deepEqual(fourth.sent, ['unsent']);
    assert.equal(c.state, 'open');
  });

  it('says why when the platform has no way to make a request (not "beforeConnect failed")', async () => {
    const { c, env, events } = client();
    delete env.fetch;
    await flush();
    env.tick(0);
    assert.equal(c.state, 'reconnecting');
    const { reason } = events.find(([t]) => t === 'reconnecting')[1].lastClose;
    assert.match(reason, /fetch or XMLHttpRequest/);
    assert.doesNotMatch(reason, /beforeConnect/);
  });

  it('keeps state, readyState and transport read-only', async () => {
    const { c } = client();
    assert.throws(() => (c.state = 'open'), TypeError);
    assert.throws(() => (c.readyState = 1), TypeError);
    assert.throws(() => (c.transport = 'websocket'), TypeError);
    assert.equal(c.state, 'connecting');
  });
});

describe('Resock: a drained node', () => {
  it('comes back without the backoff after 1012 (service restart), spread below minDelay', async () => {
    const { c, env, link, lose, events } = client({ reconnect: { minDelay: 100, maxDelay: 10000 } });
    lose(await link());
    env.tick(100);
    lose(await link()); // two failures in a row: the next backoff would be 100–200 ms
    env.tick(200);
    const third = await link();
    lose(third, { code: 1012, reason: 'Service restart', wasClean: true });
    const [, detail] = events.filter(([t]) => t === 'reconnecting').at(-1);
    assert.equal(detail.attempt, 1, 'the backoff starts over');
    assert.ok(detail.delay >= 0 && detail.delay <= 100, `delay ${detail.delay} within minDelay`);
    env.tick(detail.delay);
    await link();
    assert.equal(c.state, 'open');
  });

  it('backs off as usual when 1012 refuses attempts that never opened: a node still draining is no reason to hammer it', async () => {
    const { env, created, events } = client({ reconnect: { minDelay: 100, maxDelay: 10000 } });
    const delays = [];
    for (let i = 0; i < 4; i++) {
      await env.answerInfo();
      created.at(-1).frame('c[1012,"Service restart"]');
      const [, detail] = events.filter(([t]) => t === 'reconnecting').at(-1);
      delays.push([detail.attempt, detail.delay]);
      env.tick(detail.delay);
    }
    assert.deepEqual(delays, [[1, 100], [2, 100], [3, 100], [4, 100]], 'fake random 0: each at the lower bound, minDelay');
  });
});

describe('Resock: transports as objects (resock/core)', () => {
  it('uses the transports handed in as objects, in the order given, when its entry has none', async () => {
    const env = fakeEnv();
    const created = [];
    const c = new Resock('http://h/echo', { transports: fakeDescriptors(['xhr-polling', 'xhr-streaming'], created) }, { env });
    await env.answerInfo();
    assert.deepEqual(created.map((t) => t.name), ['xhr-polling']);
    created[0].frame('o');
    assert.equal(c.transport, 'xhr-polling');
    c.close();
  });

  it('refuses a transport name its entry does not carry, naming it and the way out', () => {
    assert.throws(
      () => new Resock('http://h/echo', { transports: ['websocket'] }, { env: fakeEnv() }),
      (e) => e instanceof TypeError && /a transport of this build \(not 'websocket'\).*resock\/transports/.test(e.message),
    );
  });

  it('refuses no transport at all (resock/core without any handed in, or `transports: []` there) instead of failing every attempt for ever', () => {
    for (const options of [{}, { transports: [] }, { transports: null }]) {
      assert.throws(() => new Resock('http://h/echo', options, { env: fakeEnv() }), (e) => e instanceof TypeError && /'transports'.*resock\/transports/.test(e.message), JSON.stringify(options));
    }
  });

  it('refuses a name no build has (a typo) with the known names', () => {
    assert.throws(() => new Resock('http://h/echo', { transports: ['websockets'] }, { env: fakeEnv(), transports: [] }), /not 'websockets'/);
  });
});

describe('Resock: a herd is spread', () => {
  it('spreads even the first retry over minDelay..2·minDelay, by the jitter draw', async () => {
    const delays = [];
    for (const draw of [0, 0.5, 1]) {
      const { env, link, lose, events } = client({ reconnect: { minDelay: 100, maxDelay: 10000 } });
      env.random = () => draw;
      lose(await link());
      delays.push(events.filter(([t]) => t === 'reconnecting')[0][1].delay);
    }
    assert.deepEqual(delays, [100, 150, 200]);
  });
});

describe('Resock: a shared link whose leader changes', () => {
  /** A `shared` plugin whose views this test ends as TabLink does, with its close info. */
  function followerPlugin() {
    const views = [];
    const plugin = {
      attach: () => ({
        role: 'follower',
        link: () => {
          const listeners = {};
          const view = {
            transport: null, isOpen: false, lastFrameAt: 0,
            on: (type, fn) => ((listeners[type] = fn), () => undefined),
            send: () => undefined,
            close: () => [],
            emit: (type, value) => listeners[type]?.(value),
          };
          views.push(view);
          return view;
        },
        close: () => undefined,
      }),
    };
    return { plugin, views };
  }

  for (const reason of ['Leader tab changed', 'Web Locks refused']) {
    it(`with reconnect: false, comes back at once when its view ends with 1012 '${reason}' (no loss of its own), instead of closing for good`, async () => {
      const { plugin, views } = followerPlugin();
      const { c, env, types } = client({ shared: plugin, reconnect: false });
      await flush();
      assert.equal(views.length, 1);
      views[0].emit('open');
      views[0].emit('close', { code: 1012, reason, wasClean: true, handover: true }); // as TabLink ends a view
      assert.equal(c.state, 'reconnecting');
      env.tick(0);
      await flush();
      assert.equal(views.length, 2, 'a view of the next leader');
      views[1].emit('open');
      assert.equal(c.state, 'open');
      assert.deepEqual(types().filter((t) => t !== 'message'), ['open', 'reconnecting', 'open']);
      // Its own word still stands: a real loss closes it.
      views[1].emit('close', { code: 1006, reason: 'cut', wasClean: false });
      assert.equal(c.state, 'closing');
      env.tick(0);
      assert.deepEqual(types().filter((t) => t !== 'message').slice(3), ['error', 'close']);
    });
  }
});
