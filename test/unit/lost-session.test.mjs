// Issue 16: behind a balancer with no affinity (round-robin), an xhr-polling poll meets a node
// that does not know the session and gets a new `o`; the session is lost while a POST is on its
// way, perhaps to another such node that answers 404. Aborting that POST lost its batch without
// a word. Now the session waits for its answer (bounded): a refused batch comes back first, in
// order, and is sent again; a delivered one is not doubled.
import assert from 'node:assert/strict';
import { Resock } from '../../dist/esm/client/resock.js';
import { Session } from '../../dist/esm/session/session.js';
import { SETTLE_MS } from '../../dist/esm/transports/http/sender.js';
import { xhrPolling } from '../../dist/esm/transports/http-transports.js';
import { fakeEnv, flush } from './fakes.mjs';

const OPTIONS = { headers: {}, withCredentials: false, maxFrameLength: 1e6 };

/** The oldest waiting fetch whose URL ends with `/<endpoint>`; fails the test when there is none. */
function take(requests, endpoint) {
  const index = requests.findIndex((r) => r.url.split('?')[0].endsWith(`/${endpoint}`));
  assert.ok(index >= 0, `no ${endpoint} request waits (${requests.map((r) => r.url)})`);
  return requests.splice(index, 1)[0];
}

async function answer(request, status, body = null) {
  request.resolve(new Response(body, { status }));
  await flush();
}

/** An open xhr-polling session whose POST of `['a']` is in flight and `['b']` waits behind it. */
async function sessionWithPostInFlight() {
  const env = fakeEnv();
  const transport = xhrPolling.create('http://h/echo/000/s', env, OPTIONS);
  const session = new Session(transport, env);
  const closes = [];
  let opened = false;
  session.on('open', () => (opened = true));
  session.on('close', (info) => closes.push(info));
  await flush();
  await answer(take(env.infoRequests, 'xhr'), 200, 'o\n');
  assert.equal(opened, true);
  session.send(['a']);
  await flush();
  const post = take(env.infoRequests, 'xhr_send');
  session.send(['b']);
  // The next poll lands on a node that does not know the session: a new session, `o` again.
  await answer(take(env.infoRequests, 'xhr'), 200, 'o\n');
  return { env, session, closes, post };
}

describe('a session lost while a POST is in flight (round-robin, no affinity)', () => {
  it('waits for the POST: a 404 hands its batch back first, then what waited behind it', async () => {
    const { session, closes, post } = await sessionWithPostInFlight();
    assert.equal(post.aborted, false, 'the POST in flight is not aborted');
    assert.deepEqual(closes, [], 'no close before the POST answered');
    session.send(['c']); // sent meanwhile: kept, after the others
    await answer(post, 404);
    assert.deepEqual(closes, [{ code: 1006, reason: 'Server lost session', wasClean: false, unsent: ['a', 'b', 'c'] }]);
  });

  it('a 2xx delivered the batch: only what waited comes back (nothing twice)', async () => {
    const { closes, post } = await sessionWithPostInFlight();
    await answer(post, 204);
    assert.deepEqual(closes.map((c) => c.unsent), [['b']]);
  });

  it(`no answer within ${SETTLE_MS} ms: the POST is aborted and, as any POST with no answer, not sent again`, async () => {
    const { env, closes, post } = await sessionWithPostInFlight();
    env.tick(SETTLE_MS - 1);
    assert.deepEqual(closes, []);
    env.tick(1);
    await flush();
    assert.equal(post.aborted, true);
    assert.deepEqual(closes.map((c) => c.unsent), [['b']]);
  });

  it('close() while it waits: the POST is aborted, what waited is handed back, and no close event follows', async () => {
    const { env, session, closes, post } = await sessionWithPostInFlight();
    assert.deepEqual(session.close(), ['b']);
    assert.equal(post.aborted, true);
    env.tick(SETTLE_MS);
    await flush();
    assert.deepEqual(closes, []);
  });

  it('close(last) while it waits (a Resock farewell): the dead session gets no farewell, and what waited is handed back', async () => {
    const { env, session, closes, post } = await sessionWithPostInFlight();
    assert.deepEqual(session.close(['bye']), ['b']);
    assert.equal(post.aborted, true);
    env.tick(SETTLE_MS);
    await flush();
    assert.deepEqual(env.infoRequests.map((r) => r.url), [], 'no POST of the farewell');
    assert.deepEqual(closes, []);
  });

  it('close(last) as it ends with no POST in flight: what was sent meanwhile is handed back, not lost behind a farewell', async () => {
    const env = fakeEnv();
    const session = new Session(xhrPolling.create('http://h/echo/000/s', env, OPTIONS), env);
    const closes = [];
    let handedBack = null;
    session.on('close', (info) => closes.push(info));
    // In the moment between the end and its close event, a send, then a Resock farewell.
    session.on('closing', () => {
      session.send(['x']);
      handedBack = session.close(['bye']);
    });
    await flush();
    await answer(take(env.infoRequests, 'xhr'), 200, 'o\n');
    await answer(take(env.infoRequests, 'xhr'), 200, 'o\n'); // the session is lost: nothing in flight
    assert.deepEqual(handedBack, ['x']);
    env.tick(SETTLE_MS);
    await flush();
    assert.deepEqual(env.infoRequests.map((r) => r.url), [], 'no POST of the farewell');
    assert.deepEqual(closes, []);
  });
});

describe('Resock over xhr-polling without affinity', () => {
  it('sends a batch refused with 404 again on the next session, ahead of newer messages, once', async () => {
    const env = fakeEnv();
    const c = new Resock('http://h/echo', { reconnect: { minDelay: 100, maxDelay: 100 } }, { env, transports: [xhrPolling] });
    const reasons = [];
    c.addEventListener('reconnecting', (e) => reasons.push(e.detail.lastClose.reason));
    await env.answerInfo(200, '{"websocket":false}');
    await answer(take(env.infoRequests, 'xhr'), 200, 'o\n');
    assert.equal(c.readyState, Resock.OPEN);
    c.send('1');
    await flush();
    const post = take(env.infoRequests, 'xhr_send');
    await answer(take(env.infoRequests, 'xhr'), 200, 'o\n'); // the lost session
    c.send('2'); // while the POST of '1' is heard out
    await answer(post, 404);
    assert.deepEqual(reasons, ['Server lost session']);
    c.send('3'); // while reconnecting: queued behind what came back
    env.tick(100);
    await env.answerInfo(200, '{"websocket":false}');
    await answer(take(env.infoRequests, 'xhr'), 200, 'o\n');
    await flush();
    assert.equal(take(env.infoRequests, 'xhr_send').init.body, '["1","2","3"]');
    c.close();
  });

  it('a send accepted while the lost session hears its POST out reaches the next link when Resock drops that one with a farewell', async () => {
    const env = fakeEnv();
    const c = new Resock('http://h/echo', { reconnect: { minDelay: 100, maxDelay: 100 } }, { env, transports: [xhrPolling] });
    await env.answerInfo(200, '{"websocket":false}');
    await answer(take(env.infoRequests, 'xhr'), 200, 'o\n');
    c.farewell = 'bye'; // as resock/stomp leaves its DISCONNECT
    c.send('1');
    await flush();
    const post = take(env.infoRequests, 'xhr_send');
    await answer(take(env.infoRequests, 'xhr'), 200, 'c[3000,"Go away!"]\n');
    c.send('2'); // the link is still open to Resock: it takes it
    c.reconnect();
    assert.equal(post.aborted, true, 'at most once, as any link dropped with a POST in flight');
    env.tick(0);
    await env.answerInfo(200, '{"websocket":false}');
    await answer(take(env.infoRequests, 'xhr'), 200, 'o\n');
    await flush();
    assert.equal(take(env.infoRequests, 'xhr_send').init.body, '["2"]');
    c.close();
  });
});
