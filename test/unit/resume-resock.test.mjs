// Resock with `resume` (issue 13, part 2): the link wrapper between Resock and the resume core,
// on fake transports and a fake clock. The server's side of each exchange is written by hand
// with the wire codec; test/browser/resume.test.mjs runs the real thing.
import assert from 'node:assert/strict';
import { Resock } from '../../dist/esm/client/resock.js';
import { resume } from '../../dist/esm/resume.js';
import { encodeWelcome } from '../../dist/esm/resume/wire.js';
import { batchSender, xhrSendEncoding } from '../../dist/esm/transports/http/sender.js';
import { fakeDescriptors, fakeEnv, flush } from './fakes.mjs';

const TOKEN = 'inst.AAAAAAAAAAAAAAAAAAAAAA';
const NEXT = 'inst.BBBBBBBBBBBBBBBBBBBBBB';
const fresh = (reason, token = TOKEN) => encodeWelcome({ kind: 'fresh', token, reason });
const resumed = (received, token = NEXT) => encodeWelcome({ kind: 'resumed', token, received });

/** A Resock with `resume` over fake xhr-streaming transports; `link()` opens the next one. */
function client(options = {}) {
  const env = fakeEnv();
  const created = [];
  const events = [];
  const logged = [];
  const c = new Resock(
    'http://h/echo',
    { reconnect: { minDelay: 100, maxDelay: 100 }, resume, debug: (event, detail) => logged.push([event, detail]), ...options },
    { env, transports: fakeDescriptors(['xhr-streaming'], created) },
  );
  for (const type of ['open', 'message', 'reconnecting', 'resumefailed', 'drain']) {
    c.addEventListener(type, (e) => events.push([type, e.data ?? e.detail]));
  }
  const link = async () => {
    await env.answerInfo();
    const transport = created.at(-1);
    transport.frame('o');
    env.tick(0);
    return transport;
  };
  /** The server's messages, as one SockJS frame. */
  const push = (transport, ...messages) => transport.frame('a' + JSON.stringify(messages));
  const lose = (transport, unsent) => transport.fail({ code: 1006, reason: 'cut', wasClean: false, unsent });
  const types = () => events.map(([type]) => type);
  const received = () => events.filter(([type]) => type === 'message').map(([, data]) => data);
  return { c, env, created, events, logged, types, received, link, push, lose };
}

describe('Resock with resume', () => {
  it('asks to resume in the URL, says hello, and opens only once the server welcomed it', async () => {
    const { c, link, push, types } = client();
    c.send('early');
    const t = await link();
    assert.match(t.url, /[?&]resock-resume=1$/);
    assert.deepEqual(t.sent, ['~resume1 - 0']);
    assert.equal(c.state, 'connecting', 'no open before the welcome');
    assert.equal(c.resumable, null);
    push(t, fresh('new'));
    assert.equal(c.state, 'open');
    assert.equal(c.resumable, true);
    await flush();
    assert.deepEqual(t.sent.slice(1), ['n1', 'dearly']);
    c.send('later');
    assert.deepEqual(t.sent.slice(3), [], 'written at the end of the task');
    await flush();
    assert.deepEqual(t.sent.slice(3), ['n2', 'dlater']);
    assert.deepEqual(types(), ['drain', 'open'], 'no resumefailed for a first session');
  });

  it('names no transport during the handshake: `transport` is that of the open link', async () => {
    const { c, link, push } = client();
    const t = await link();
    assert.equal(c.state, 'connecting');
    assert.equal(c.transport, null, 'not open yet: the hello waits for its welcome');
    push(t, fresh('new'));
    assert.equal(c.state, 'open');
    assert.equal(c.transport, 'xhr-streaming');
  });

  it('after a cut re-sends what the server did not confirm, takes nothing back into the queue, and drops what it had already', async () => {
    const { c, env, link, push, lose, received, types } = client();
    const first = await link();
    push(first, fresh('new'), 'n1', 'dx', 'dy');
    c.send('a');
    c.send('b');
    c.send('c');
    await flush();
    assert.deepEqual(first.sent.slice(1), ['n1', 'da', 'db', 'dc'], 'the sends of one task in one batch, one marker; the ack of x and y is not due yet');
    // The link dies with 'c' never sent: it must not come back as an app message.
    lose(first, ['dc']);
    assert.equal(c.bufferedAmount, 0, 'the core keeps its messages; Resock does not queue them again');
    c.send('d');
    env.tick(100);
    const second = await link();
    assert.deepEqual(second.sent, [`~resume1 ${TOKEN} 2`], 'the hello carries the token and what was received');
    push(second, resumed(1));
    await flush();
    assert.deepEqual(second.sent.slice(1), ['n2', 'db', 'dc', 'dd'], 'from the first message the server lacks, once, and what waited in the queue in the same batch');
    // The server re-sends 'y' (it did not see the ack) and then 'z': 'y' is dropped by number.
    push(second, 'n2', 'dy', 'dz');
    assert.deepEqual(received(), ['x', 'y', 'z']);
    assert.equal(types().filter((t) => t === 'resumefailed').length, 0);
    assert.equal(types().filter((t) => t === 'open').length, 2);
  });

  it('when the server cannot resume: resumefailed with the unconfirmed messages, before open, then a fresh session', async () => {
    const { c, env, link, push, lose, events } = client();
    const first = await link();
    push(first, fresh('new'));
    c.send('a');
    await flush();
    lose(first);
    env.tick(100);
    const second = await link();
    push(second, fresh('restarted', NEXT));
    const failed = events.findIndex(([type]) => type === 'resumefailed');
    assert.deepEqual(events[failed], ['resumefailed', { reason: 'restarted', unconfirmed: ['a'] }]);
    assert.equal(events[failed + 1][0], 'open', 'resumefailed comes right before open');
    c.send('b');
    await flush();
    assert.deepEqual(second.sent.slice(1), ['n1', 'db'], 'the fresh session numbers from 1');
    assert.equal(c.resumable, true);
  });

  it('a message the server refuses as too large (a 413 for it alone) is dropped as without resume and the session given up, the rest reported, not sent again on every link for ever', async () => {
    const { c, env, link, push, lose, events } = client();
    const first = await link();
    push(first, fresh('new'));
    c.send('a');
    c.send('huge');
    c.send('b');
    await flush();
    // The sender dropped 'huge' (413) and failed the link; 'b' never went.
    first.fail({ code: 1006, reason: 'POST xhr_send: HTTP 413, message dropped', wasClean: false, tooLarge: 'dhuge' });
    env.tick(100);
    const second = await link();
    assert.deepEqual(second.sent, ['~resume1 - 0'], 'a fresh session: resuming would send the same message again');
    push(second, fresh('new', NEXT));
    // 'huge' is gone, as without resume (the close reason said so): handed back, an app (or the
    // STOMP client) that sends again what is unconfirmed would meet the same 413 for ever.
    assert.deepEqual(events.find(([type]) => type === 'resumefailed'), ['resumefailed', { reason: 'new', unconfirmed: ['a', 'b'] }]);
    await flush();
    assert.deepEqual(second.sent.slice(1), ['k0'], 'nothing of the old session goes again by itself: the app has it in unconfirmed');
  });

  it('against a plain server, works as without resume and says so once', async () => {
    const { c, env, link, push, lose, received, logged, types } = client();
    c.send('queued');
    const first = await link();
    push(first, '~resume1 - 0'); // an echo server echoes the hello
    assert.equal(c.state, 'open');
    assert.equal(c.resumable, false);
    assert.deepEqual(first.sent, ['~resume1 - 0', 'queued']);
    push(first, 'queued');
    c.send('x');
    assert.deepEqual(first.sent.slice(2), ['x']);
    // Plain, what the link did not send goes back to the queue, as without resume.
    lose(first, ['x']);
    env.tick(100);
    const second = await link();
    assert.doesNotMatch(second.url, /resock-resume/, 'no more asking');
    assert.equal(c.state, 'open', 'no handshake on a plain server');
    assert.deepEqual(second.sent, ['x']);
    assert.deepEqual(received(), ['queued']);
    assert.deepEqual(logged.filter(([event]) => event === 'resume'), [['resume', { resumable: false, why: 'echo' }]]);
    assert.equal(types().filter((t) => t === 'resumefailed').length, 0);
  });

  it('with no welcome in helloTimeout, drops that link and goes on plain on the next: a late welcome never meets a plain message', async () => {
    const { c, env, link, push, created, logged, received } = client({ resume: resume({ helloTimeout: 1000 }) });
    c.send('queued');
    const first = await link();
    env.tick(1000);
    assert.equal(first.closed, true, 'the link whose welcome may still come carries nothing plain');
    assert.deepEqual(first.sent, ['~resume1 - 0']);
    assert.equal(c.resumable, false);
    assert.deepEqual(logged.filter(([event]) => event === 'resume'), [['resume', { resumable: false, why: 'timeout' }]]);
    push(first, fresh('new')); // the slow companion's welcome, too late: ignored
    assert.deepEqual(received(), []);
    env.tick(100);
    const second = await link();
    assert.equal(created.length, 2);
    assert.doesNotMatch(second.url, /resock-resume/);
    assert.equal(c.state, 'open');
    c.send('later');
    assert.deepEqual(second.sent, ['queued', 'later'], 'once each, in order, plain');
  });

  it("keeps in Resock's queue what the core has no room for, and hands it over on the core's drain", async () => {
    const { c, link, push } = client({ resume: resume({ maxMessages: 2 }) });
    const t = await link();
    push(t, fresh('new'));
    for (const m of ['a', 'b', 'c', 'd']) c.send(m);
    assert.equal(c.bufferedAmount, 2, "'c' and 'd' wait in Resock's queue");
    await flush();
    assert.deepEqual(t.sent.slice(1), ['n1', 'da', 'db']);
    push(t, 'k2');
    await flush();
    assert.deepEqual(t.sent.slice(4), ['n3', 'dc', 'dd']);
    assert.equal(c.bufferedAmount, 0);
  });

  it('sends a message larger than maxBytes once nothing else waits for an ack, instead of holding it and all behind it for good', async () => {
    const { c, link, push } = client({ resume: resume({ maxBytes: 10 }) });
    const t = await link();
    push(t, fresh('new'));
    c.send('x'.repeat(20));
    c.send('after');
    await flush();
    assert.deepEqual(t.sent.slice(1), ['n1', 'd' + 'x'.repeat(20)], 'no ack can make room for it: it goes alone');
    push(t, 'k1');
    await flush();
    assert.deepEqual(t.sent.slice(3), ['n2', 'dafter']);
    assert.equal(c.bufferedAmount, 0);
  });

  it("drops a link whose server stopped answering acks, like a heartbeat timeout", async () => {
    const { c, env, link, push, events } = client({ resume: resume({ pingInterval: 1000, pingTimeout: 1000 }) });
    const t = await link();
    push(t, fresh('new'));
    env.tick(1000);
    assert.deepEqual(t.sent.at(-1), 'p0', 'an ack request after a silent second');
    env.tick(1000);
    assert.equal(c.state, 'reconnecting');
    assert.equal(t.closed, true);
    const [, detail] = events.find(([type]) => type === 'reconnecting');
    assert.deepEqual(detail.lastClose, { code: 1006, reason: 'Heartbeat timeout', wasClean: false });
  });

  it('drops a link whose server broke the protocol, with the reason', async () => {
    const { c, link, push, events, received } = client();
    const t = await link();
    push(t, fresh('new'), 'dfine', 'xbroken', 'dnever');
    assert.equal(c.state, 'reconnecting');
    assert.deepEqual(received(), ['fine'], 'nothing after the broken message');
    const [, detail] = events.find(([type]) => type === 'reconnecting');
    assert.equal(detail.lastClose.code, 1002);
    assert.match(detail.lastClose.reason, /malformed/);
  });

  it('close() writes what the same task sent before it, as a plain link does', async () => {
    const { c, link, push } = client();
    const t = await link();
    push(t, fresh('new'));
    c.send('last words');
    c.close();
    assert.deepEqual(t.sent.slice(1), ['n1', 'dlast words']);
    assert.equal(t.closed, true);
  });

  it('close() leaves no timer of the core behind', async () => {
    const { c, env, link, push } = client();
    const t = await link();
    push(t, fresh('new'), 'dx'); // arms the ack and ping timers
    c.close();
    env.tick(0);
    await flush();
    assert.equal(env.pending(), 0);
  });

  it('on HTTP, every POST of a batch the sender splits says where it starts: a copy the browser sends again is dropped by number', async () => {
    const { c, link, push } = client();
    const t = await link();
    push(t, fresh('new'));
    await flush();
    const big = 'x'.repeat(100 * 1024);
    for (let i = 1; i <= 5; i++) c.send(big + i);
    await flush();
    const batch = t.sent.slice(2); // the hello, the ack that says the welcome arrived
    assert.deepEqual(batch.map((m) => m.slice(0, 2)), ['n1', 'dx', 'dx', 'dx', 'dx', 'dx']);
    // The real sender, with the options the link gave this transport; the server's 413 halves a POST.
    const env = fakeEnv();
    const sender = batchSender(env, 'http://h/echo/1/s/xhr_send', t.options, xhrSendEncoding, () => assert.fail('no failure'), () => undefined);
    sender.send(batch);
    const posts = [];
    for (let i = 0; i < 10 && (await flush(), env.infoRequests.length); i++) {
      const request = env.infoRequests.shift();
      posts.push(JSON.parse(request.init.body));
      request.resolve(new Response(null, { status: i === 1 ? 413 : 204 }));
    }
    // A server that gets every delivered POST twice (the browser sent it again) and counts as the companion does.
    const delivered = [];
    let received = 0;
    let skip = 0;
    for (const post of posts.filter((_, i) => i !== 1)) {
      for (const raw of post.concat(post)) {
        if (raw[0] === 'n') skip = received + 1 - Number(raw.slice(1));
        else if (skip) skip--;
        else received++, delivered.push(raw.slice(-1));
      }
    }
    assert.ok(posts.length > 3, 'split over several POSTs');
    assert.deepEqual(delivered, ['1', '2', '3', '4', '5']);
  });

  describe('reconnect(), close() and pagehide while a hello waits for its welcome', () => {
    /** A session with 'a' unconfirmed, cut; the next link's hello sent and not answered yet. */
    async function helloInFlight(options) {
      const setup = client({ resume: resume({ helloTimeout: 1000 }), ...options });
      const { c, env, link, push, lose } = setup;
      const first = await link();
      push(first, fresh('new'));
      c.send('a');
      await flush();
      lose(first);
      env.tick(100);
      const second = await link();
      assert.deepEqual(second.sent, [`~resume1 ${TOKEN} 0`]);
      return { ...setup, second };
    }

    it('reconnect(): the next link says hello again, its welcome resumes; no timer of the first hello drops it later', async () => {
      const { c, env, link, push, second, types } = await helloInFlight();
      c.reconnect();
      assert.equal(second.closed, true);
      env.tick(0);
      const third = await link();
      assert.deepEqual(third.sent, [`~resume1 ${TOKEN} 0`]);
      push(second, resumed(0)); // the first hello's welcome, late, on the link put away: nothing
      push(third, resumed(0));
      await flush();
      assert.deepEqual(third.sent.slice(1), ['n1', 'da']);
      env.tick(1500); // past the first hello's helloTimeout
      assert.equal(c.state, 'open');
      assert.equal(c.resumable, true);
      assert.deepEqual(types().filter((t) => t === 'open' || t === 'resumefailed'), ['open', 'open']);
    });

    it('close(): closed, no open, no timer left', async () => {
      const { c, env, push, second, types } = await helloInFlight();
      c.close();
      push(second, resumed(0));
      env.tick(5000);
      await flush();
      assert.equal(c.state, 'closed');
      assert.deepEqual(types().filter((t) => t === 'open'), ['open']);
      assert.equal(env.pending(), 0);
    });

    it('pagehide, then pageshow: the next hello resumes, nothing twice', async () => {
      const { c, env, link, push, second, received } = await helloInFlight();
      env.lifecycle.fire('pagehide');
      assert.equal(second.closed, true);
      env.tick(5000);
      assert.equal(c.state, 'reconnecting', 'waits for pageshow: the first hello timer does not wake it');
      env.lifecycle.fire('pageshow');
      env.tick(0);
      const third = await link();
      push(third, resumed(0), 'n1', 'dx');
      await flush();
      assert.deepEqual(third.sent.slice(0, 3), [`~resume1 ${TOKEN} 0`, 'n1', 'da']);
      assert.deepEqual(received(), ['x']);
      assert.equal(c.state, 'open');
    });

    it('reconnect: false: a cut closes the client for good (no resume), whatever the server keeps', async () => {
      const { c, link, push, lose, types } = client({ reconnect: false });
      const first = await link();
      push(first, fresh('new'));
      lose(first);
      assert.equal(c.state, 'closing');
      assert.equal(types().includes('reconnecting'), false);
    });
  });

  it('takes resume or resume(options), and names a wrong value', () => {
    const env = fakeEnv();
    assert.throws(() => new Resock('http://h/echo', { resume: true }, { env }), /Option 'resume' must be resume from 'resock\/resume'/);
    assert.throws(() => resume({ maxMesages: 1 }), /Unknown option 'resume.maxMesages'/);
    assert.throws(() => resume({ maxMessages: 0 }), /resume.maxMessages/);
    assert.equal(typeof resume({ maxMessages: 10 }).start, 'function');
    assert.equal(new Resock('http://h/echo', { resume: false, reconnect: false }, { env, transports: fakeDescriptors(['xhr-streaming'], []) }).resumable, false);
  });
});
