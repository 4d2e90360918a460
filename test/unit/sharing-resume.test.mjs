// Shared tabs with resumable sessions (issue 15's last item): the tabs of one origin keep the
// resume session between them, so that whichever tab leads next resumes THE SAME server session.
// Tabs, channels and locks are the sharing doubles; each tab has a real resume seam (resock/resume)
// wrapping fake links, and the test writes the companion's side of the wire by hand.
import assert from 'node:assert/strict';
import { resume } from '../../dist/esm/resume.js';
import { encodeWelcome } from '../../dist/esm/resume/wire.js';
import { shared } from '../../dist/esm/sharing/hub.js';
import { channelName } from '../../dist/esm/sharing/wire.js';
import { flush } from './fakes.mjs';
import { fakeLink, fakeOrigin, record } from './sharing-fakes.mjs';

const URL = 'http://h/echo';
const T1 = 'inst.AAAAAAAAAAAAAAAAAAAAAA';
const T2 = 'inst.BBBBBBBBBBBBBBBBBBBBBB';
const T3 = 'inst.CCCCCCCCCCCCCCCCCCCCCC';
const fresh = (reason, token = T1) => encodeWelcome({ kind: 'fresh', token, reason });
const resumed = (received, token) => encodeWelcome({ kind: 'resumed', token, received });

/**
 * A tab whose client shares `URL` with `resume`: its seam, what it reported (`failed`, `said`:
 * the `resume` debug events), and the real links its seam wrapped (`made`, fake links whose
 * `sent` is the wire). `onFailed`, if set: what its client's `resumefailed` listener does;
 * `onDrain`: what its client does when the core has room again.
 */
function tab(origin, options) {
  const env = origin.tab();
  const failed = [];
  const said = [];
  const seam = resume(options).start({
    clock: env,
    drain: () => t.onDrain && t.onDrain(),
    failed: (detail) => (failed.push(detail), t.onFailed && t.onFailed(detail)),
    debug: (event, detail) => event === 'resume' && said.push(detail),
  });
  const sharing = shared().attach(URL, env, () => undefined, seam);
  const made = [];
  const link = () => sharing.link(() => seam.wrap(made[made.push(fakeLink()) - 1]));
  const t = { env, seam, sharing, failed, said, made, link, onFailed: null, onDrain: null };
  return t;
}

/**
 * Tab `a` (with the resume `options`) leads a session that the server welcomed fresh (token T1),
 * or answered otherwise (`welcome`); tab `b` follows, open.
 */
async function leaderAndFollower({ welcome = fresh('new'), options } = {}) {
  const origin = fakeOrigin();
  const a = tab(origin, options);
  await origin.deliver();
  const la = a.link();
  const ea = record(la);
  a.made[0].open();
  const b = tab(origin);
  const lb = b.link();
  const eb = record(lb);
  await origin.deliver();
  a.made[0].message(welcome);
  await origin.deliver();
  return { origin, a, b, la, lb, ea, eb };
}

/** The leader `a` crashes; `b` leads with its client's next link (opened): returns that link's wire. */
async function crashAndTakeOver(origin, a, b) {
  a.env.crash();
  await origin.deliver();
  assert.equal(b.sharing.role, 'leader');
  const lb = b.link();
  b.made[0].open();
  await origin.deliver(); // the hello waits for b's mark: what b told the tabs has left it
  return { lb, wire: b.made[0].sent };
}

const messages = (events) => events.filter(([type]) => type === 'message').map(([, data]) => data);

describe('sharing with resume: the tabs keep one session', () => {
  it('a tab whose client has no resume (another deploy) does not share the link of tabs with it: each set leads its own', async () => {
    const origin = fakeOrigin();
    const a = tab(origin);
    const plain = shared().attach(URL, origin.tab(), () => undefined);
    await origin.deliver();
    assert.deepEqual([a.sharing.role, plain.role], ['leader', 'leader']);
  });

  it('only the leader says hello; every tab opens on its welcome and says resumable once', async () => {
    const { a, b, lb, eb } = await leaderAndFollower();
    assert.deepEqual(a.made[0].sent, ['~resume1 - 0', 'k0'], 'the hello, then at once a word: the welcome arrived (an ack, with nothing to send)');
    assert.equal(b.made.length, 0, 'a follower runs no link, so no handshake, of its own');
    assert.equal(lb.isOpen, true);
    assert.deepEqual(eb, [['open', undefined]]);
    for (const t of [a, b]) {
      assert.equal(t.seam.resumable, true);
      assert.deepEqual(t.said, [{ resumable: true, result: t === a ? 'new' : 'resumed' }]);
      assert.deepEqual(t.failed, []);
    }
  });

  it("a follower's message is numbered on the leader's link and kept until the server acknowledges it, not when it went out", async () => {
    const { origin, a, b, lb } = await leaderAndFollower();
    lb.send(['b1']);
    await origin.deliver();
    assert.deepEqual(a.made[0].sent.slice(2), ['n1', 'db1']);
    a.made[0].confirm(4); // the POST was answered: without resume that was the confirmation
    await origin.deliver();
    const { wire } = await crashAndTakeOver(origin, a, b);
    // b leads the same session: its token, and b1 again under its number (the companion drops a copy).
    assert.deepEqual(wire, [`~resume1 ${T1} 0`]);
    b.made[0].message(resumed(0, T2));
    await origin.deliver();
    assert.deepEqual(wire.slice(1), ['n1', 'db1']);
    b.made[0].message('k1');
    b.made[0].drop({ code: 1006, reason: 'cut', wasClean: false });
    b.link();
    b.made[1].open();
    b.made[1].message(resumed(1, T3));
    await origin.deliver();
    assert.deepEqual(b.made[1].sent, [`~resume1 ${T2} 0`, 'k0'], 'acknowledged: never sent again (the ack says the new token arrived)');
  });

  it('a leader that crashes: the next one resumes the same session with every unacknowledged message of every tab, under the same numbers, each once; every tab gets every server message once, in order', async () => {
    const { origin, a, b, la, lb, ea, eb } = await leaderAndFollower();
    const c = tab(origin); // joins the running session: the leader's `open` carries it
    const lc = c.link();
    const ec = record(lc);
    await origin.deliver();
    assert.equal(c.seam.resumable, true);
    la.send(['a1']);
    lb.send(['b1']);
    await origin.deliver();
    lc.send(['c1']);
    await origin.deliver();
    assert.deepEqual(a.made[0].sent.slice(2), ['n1', 'da1', 'n2', 'db1', 'n3', 'dc1']);
    a.made[0].message('k1');
    a.made[0].message('ds1');
    a.made[0].message('ds2');
    await origin.deliver();
    const { lb: lb2, wire } = await crashAndTakeOver(origin, a, b);
    const eb2 = record(lb2);
    assert.deepEqual(eb.at(-1), ['close', { code: 1012, reason: 'Leader tab changed', wasClean: true, handover: true }]);
    assert.deepEqual(ec.at(-1), ['close', { code: 1012, reason: 'Leader tab changed', wasClean: true, handover: true }]);
    // The same session: its token, the 2 server messages the tabs have; a's own unacknowledged
    // message is sent again too, by number (a's page is gone, the session's numbering is not).
    assert.deepEqual(wire, [`~resume1 ${T1} 2`]);
    b.made[0].message(resumed(1, T2));
    b.made[0].message('ds3'); // c has no view yet: it keeps it for its client
    await origin.deliver();
    assert.deepEqual(wire.slice(1), ['n2', 'db1', 'dc1']);
    const lc2 = c.link(); // c's client comes back (1012: at once); its kept c1 is in the session already
    const ec2 = record(lc2);
    await origin.deliver();
    b.made[0].message('ds4');
    await origin.deliver();
    assert.deepEqual(wire.slice(4), [], 'nothing sent twice');
    assert.deepEqual([...messages(ea), ...messages(eb), ...messages(eb2)], ['s1', 's2', 's1', 's2', 's3', 's4']);
    assert.deepEqual([...messages(ec), ...messages(ec2)], ['s1', 's2', 's3', 's4']);
    assert.deepEqual(ec2[0], ['open', undefined], 'what it kept comes after its open');
    for (const t of [b, c]) assert.deepEqual(t.failed, []);
  });

  it('the server restarted while the leader changed: resumefailed in every tab, each with its own unconfirmed messages; the new session starts from 1', async () => {
    const { origin, a, b, la, lb, eb } = await leaderAndFollower();
    const c = tab(origin);
    c.link();
    await origin.deliver();
    la.send(['a1']);
    lb.send(['b1', 'b2']);
    await origin.deliver();
    a.made[0].message('ds1');
    await origin.deliver();
    const { lb: lb2, wire } = await crashAndTakeOver(origin, a, b);
    const eb2 = record(lb2);
    const lc2 = c.link();
    const ec2 = record(lc2);
    b.made[0].message(fresh('restarted', T2));
    await origin.deliver();
    assert.deepEqual(b.failed, [{ reason: 'restarted', unconfirmed: ['b1', 'b2'] }]);
    assert.deepEqual(c.failed, [{ reason: 'restarted', unconfirmed: [] }]);
    assert.deepEqual(wire, [`~resume1 ${T1} 1`, 'k0'], 'what may have arrived is reported, not sent into the new session');
    lc2.send(['c2']);
    b.made[0].message('dfresh1');
    await origin.deliver();
    assert.deepEqual(wire.slice(2), ['n1', 'dc2']);
    assert.deepEqual(messages(eb), ['s1']);
    assert.deepEqual(messages(eb2), ['fresh1']);
    assert.deepEqual(messages(ec2), ['fresh1']);
  });

  it("the old leader's last server message reaches a tab after the next leader's fresh welcome: it is not taken into the new session, whose messages all reach that tab's client", async () => {
    const { origin, a, b } = await leaderAndFollower();
    const c = tab(origin);
    c.link();
    await origin.deliver();
    a.made[0].message('ds1');
    await origin.deliver();
    await crashAndTakeOver(origin, a, b);
    const lc2 = c.link();
    const ec2 = record(lc2);
    b.made[0].message(fresh('restarted', T2));
    await origin.deliver();
    // s2 of the old session, as the old leader told the tabs before its page went, arriving only now.
    const late = new (origin.tab().BroadcastChannel)(channelName(URL, '', true));
    late.postMessage({ t: 'msg', from: a.sharing.id, lid: 'old', data: 's2', n: 2 });
    await origin.deliver();
    for (const m of ['dfresh1', 'dfresh2', 'dfresh3']) b.made[0].message(m);
    await origin.deliver();
    assert.deepEqual(messages(ec2), ['fresh1', 'fresh2', 'fresh3']);
    assert.deepEqual(c.failed, [{ reason: 'restarted', unconfirmed: [] }]);
  });

  it('against a plain server: every tab says so once (resumable false) and the tabs share as without resume', async () => {
    // A plain echo server echoes the hello.
    const { origin, a, b, lb } = await leaderAndFollower({ welcome: '~resume1 - 0' });
    for (const t of [a, b]) {
      assert.equal(t.seam.resumable, false);
      assert.deepEqual(t.said, [{ resumable: false, why: 'echo' }]);
    }
    assert.equal(lb.isOpen, true);
    lb.send(['b1']);
    await origin.deliver();
    lb.send(['b2']);
    await origin.deliver();
    assert.deepEqual(a.made[0].sent, ['~resume1 - 0', 'b1', 'b2']);
    // The hello and b1 went out: b1 is confirmed to b; b2 is not (at least once, as without resume).
    a.made[0].confirm(2);
    await origin.deliver();
    const { wire } = await crashAndTakeOver(origin, a, b);
    assert.match(b.seam.url(URL), /\/echo$/, 'no resume query any more');
    assert.deepEqual(wire, ['b2']);
    assert.deepEqual(b.said, [{ resumable: false, why: 'echo' }], 'said once');
  });

  it("the leader's link has no room for a follower's whole batch: the rest waits for the server's ack, in order", async () => {
    const { origin, a, b, lb } = await leaderAndFollower({ options: { maxMessages: 2 } });
    lb.send(['b1', 'b2', 'b3']);
    await origin.deliver();
    lb.send(['b4']);
    await origin.deliver();
    assert.deepEqual(a.made[0].sent.slice(2), ['n1', 'db1', 'db2']);
    a.made[0].message('k2');
    await origin.deliver();
    assert.deepEqual(a.made[0].sent.slice(5), ['n3', 'db3', 'db4']);
    a.made[0].message('k4');
    await origin.deliver();
    const { wire } = await crashAndTakeOver(origin, a, b);
    b.made[0].message(resumed(4, T2));
    await origin.deliver();
    assert.deepEqual(wire, [`~resume1 ${T1} 0`, 'k0'], 'all acknowledged: nothing kept, nothing again (the ack says the new token arrived)');
  });

  it("a leader's own messages the session has no room for stay with its client (its queue and its bounds), as on a link of its own; acks make room and they go, in order, behind a follower's batch that waited", async () => {
    const { origin, a, b, la, lb } = await leaderAndFollower({ options: { maxMessages: 2 } });
    // Resock's part: its queue takes what the link hands back, and offers it again on `drain`.
    const queue = [];
    const send = (m) => queue.push(...(queue.length ? [m] : la.send([m]) || []));
    a.onDrain = () => queue.unshift(...(la.send(queue.splice(0)) || []));
    lb.send(['b1', 'b2', 'b3', 'b4', 'b5']);
    await origin.deliver();
    for (const m of ['a1', 'a2', 'a3']) send(m);
    await origin.deliver();
    const wire = a.made[0].sent;
    assert.deepEqual(wire.slice(2), ['n1', 'db1', 'db2']);
    assert.deepEqual(queue, ['a1', 'a2', 'a3'], 'the link had no room: they wait with the client, within its bounds');
    for (const k of ['k2', 'k4', 'k6']) {
      a.made[0].message(k);
      await origin.deliver();
    }
    assert.deepEqual(wire.filter((m) => m[0] === 'd'), ['db1', 'db2', 'db3', 'db4', 'db5', 'da1', 'da2', 'da3']);
    assert.deepEqual(queue, []);
    // Each taken once, under one number: the next leader has the unacknowledged a2 and a3, as 7 and 8.
    const { wire: next } = await crashAndTakeOver(origin, a, b);
    b.made[0].message(resumed(6, T2));
    await origin.deliver();
    assert.deepEqual(next.slice(1), ['n7', 'da2', 'da3']);
  });

  it('a leader that crashes before the browser passed on what it told the tabs has written none of it: no ack, no numbered message the next leader cannot know', async () => {
    const { origin, a, b, lb } = await leaderAndFollower({ options: { ackEvery: 2 } });
    const wire = a.made[0].sent;
    const before = wire.length;
    lb.send(['b1']);
    await origin.deliverRound(); // b's send reaches a, which numbers b1 and tells the tabs
    a.made[0].message('ds1');
    a.made[0].message('ds2'); // an ack is owed in full; a tells the tabs of s1 and s2
    await flush();
    // The link and the BroadcastChannel are separate pipes out of a tab: had a written b1 or the
    // ack, the server would have what the tabs never learn of, and b could not resume.
    a.env.crash();
    await origin.deliver();
    assert.deepEqual(wire.slice(before), [], 'neither b1 nor the ack of s1 and s2 went out');
    assert.equal(b.sharing.role, 'leader');
    const lb2 = b.link();
    const eb2 = record(lb2);
    b.made[0].open();
    await origin.deliver();
    assert.deepEqual(b.made[0].sent, [`~resume1 ${T1} 0`]);
    b.made[0].message(resumed(0, T2));
    for (const m of ['n1', 'ds1', 'ds2']) b.made[0].message(m); // the server sends s1 and s2 again
    await origin.deliver();
    assert.deepEqual(messages(eb2), ['s1', 's2']);
    assert.deepEqual(b.made[0].sent.slice(1), ['n1', 'db1'], 'b1 under the number the session gives it now');
    assert.deepEqual(b.failed, []);
  });

  it('a leader that crashes right after its resume: the next leader presents a token the server still takes (the new one once the leader spoke on that link, which the server hears only after the tabs were told)', async () => {
    // The server keeps taking the token a resume presented until the client speaks on the link that
    // got the welcome. The next leader must then know the new one: whatever the leader wrote after
    // the welcome leaves after the news of it, whichever delivery the crash comes before.
    for (let delivered = 0; delivered < 4; delivered++) {
      const { origin, a, b } = await leaderAndFollower();
      a.made[0].drop({ code: 1006, reason: 'cut', wasClean: false });
      a.link();
      a.made[1].open();
      await origin.deliver();
      a.made[1].message(resumed(0, T2)); // nothing to re-send: the leader acknowledges the welcome
      for (let i = 0; i < delivered; i++) await origin.deliverOne();
      const spoke = a.made[1].sent.length > 1;
      const { wire } = await crashAndTakeOver(origin, a, b);
      const label = `crash after ${delivered} deliveries, the leader ${spoke ? 'spoke' : 'did not speak'} after the welcome`;
      assert.equal(wire[0], `~resume1 ${spoke ? T2 : wire[0].split(' ')[1]} 0`, label);
      assert.ok([T1, T2].includes(wire[0].split(' ')[1]), label);
    }
  });

  it("the old leader's last message reaches the next leader after it adopted the session (channels and locks are separate pipes): the server's copy of it is not delivered again", async () => {
    const { origin, a, b } = await leaderAndFollower();
    a.made[0].message('ds1');
    a.made[0].message('ds2');
    await origin.deliver();
    const { lb: lb2, wire } = await crashAndTakeOver(origin, a, b);
    const eb2 = record(lb2);
    assert.deepEqual(wire, [`~resume1 ${T1} 2`]);
    // s3, as the old leader told the tabs before its page went, arriving only now.
    const late = new (origin.tab().BroadcastChannel)(channelName(URL, '', true));
    late.postMessage({ t: 'msg', from: a.sharing.id, lid: 'old', data: 's3', n: 3 });
    await origin.deliver();
    // The server, told of 2, sends s3 again, then s4.
    for (const m of [resumed(0, T2), 'n3', 'ds3', 'ds4']) b.made[0].message(m);
    await origin.deliver();
    assert.deepEqual(messages(eb2), ['s3', 's4']);
    assert.deepEqual(b.failed, []);
  });

  it("the old leader's last session news reaches the next leader after it adopted the session: its copy stays what its resume core has (a message numbered there and never written goes out; the numbers it tells the tabs match the wire)", async () => {
    const { origin, a, b, lb } = await leaderAndFollower();
    const c = tab(origin);
    c.link();
    await origin.deliver();
    lb.send(['b1']);
    await origin.deliverRound(); // a numbers b1 and tells the tabs; it crashes before that leaves it
    const { lb: lb2, wire } = await crashAndTakeOver(origin, a, b);
    // What a posted before its page went, arriving only after b adopted (channels and locks are separate pipes).
    const late = new (origin.tab().BroadcastChannel)(channelName(URL, '', true));
    late.postMessage({ t: 'out', from: a.sharing.id, n: 1, who: b.sharing.id, seq: 1, data: ['b1'] });
    await origin.deliver();
    b.made[0].message(resumed(0, T2));
    await origin.deliver();
    assert.deepEqual(wire.slice(1), ['n1', 'db1'], 'b1: the server never had it');
    b.made[0].message('k1');
    lb2.send(['b2']);
    await origin.deliver();
    assert.deepEqual(wire.slice(3), ['n2', 'db2']);
    // c's copy of the session has b2 under 2, as the wire: leading next, c resumes it without a hole.
    b.env.crash();
    await origin.deliver();
    c.link();
    c.made[0].open();
    await origin.deliver();
    assert.deepEqual(c.made[0].sent, [`~resume1 ${T2} 0`]);
    c.made[0].message(resumed(1, T3));
    await origin.deliver();
    assert.deepEqual(c.made[0].sent.slice(1), ['n2', 'db2']);
    assert.deepEqual(c.failed, []);
  });

  it("the old leader's late news of a third tab's message reaches that tab after the next leader's welcome: the message is not taken as in the session (it goes out again, is never dropped unsent)", async () => {
    const { origin, a, b } = await leaderAndFollower();
    const c = tab(origin);
    const lc = c.link();
    await origin.deliver();
    lc.send(['c1']);
    await origin.deliverRound(); // a numbers c1 and tells the tabs; it crashes before that leaves it
    const { lb: lb2, wire } = await crashAndTakeOver(origin, a, b);
    b.made[0].message(resumed(0, T2)); // b's session has no c1: its welcome tells c so
    await origin.deliver();
    // What a posted before its page went, arriving at c only now, before c's client comes back (1012).
    const late = new (origin.tab().BroadcastChannel)(channelName(URL, '', true));
    late.postMessage({ t: 'out', from: a.sharing.id, n: 1, who: c.sharing.id, seq: 1, data: ['c1'] });
    await origin.deliver();
    c.link();
    await origin.deliver();
    lb2.send(['b1']);
    await origin.deliver();
    assert.deepEqual(wire.slice(1), ['k0', 'n1', 'dc1', 'n2', 'db1'], 'c1 goes out on the next leader, before b1');
    b.made[0].message('k2');
    await origin.deliver();
    // c's copy is b's: leading next, it resumes the session with nothing to send again.
    b.env.crash();
    await origin.deliver();
    c.link();
    c.made[0].open();
    await origin.deliver();
    assert.deepEqual(c.made[0].sent, [`~resume1 ${T2} 0`]);
    assert.deepEqual(c.failed, []);
  });

  it("the leader's link is cut: it resumes the session, and a follower whose client had no view meanwhile gets what came, once, after its next open", async () => {
    const { origin, a, b, la, lb, ea, eb } = await leaderAndFollower();
    a.made[0].message('ds1');
    lb.send(['b1']);
    await origin.deliver();
    a.made[0].drop({ code: 1006, reason: 'cut', wasClean: false });
    await origin.deliver();
    assert.deepEqual(eb.at(-1), ['close', { code: 1006, reason: 'cut', wasClean: false }]);
    assert.equal(la.isOpen, false);
    const la2 = a.link(); // the leader's client reconnects first
    const ea2 = record(la2);
    a.made[1].open();
    await origin.deliver();
    assert.deepEqual(a.made[1].sent, [`~resume1 ${T1} 1`]);
    a.made[1].message(resumed(0, T2));
    a.made[1].message('ds2');
    a.made[1].message('ds3');
    await origin.deliver();
    assert.deepEqual(a.made[1].sent.slice(1), ['n1', 'db1'], "b1, not acknowledged, again under its number");
    const lb2 = b.link(); // the follower's client comes back later (its own backoff)
    const eb2 = record(lb2);
    await origin.deliver();
    a.made[1].message('ds4');
    await origin.deliver();
    assert.deepEqual([...messages(ea), ...messages(ea2)], ['s1', 's2', 's3', 's4']);
    assert.deepEqual(messages(eb), ['s1']);
    assert.deepEqual(eb2, [['open', undefined], ['message', 's2'], ['message', 's3'], ['message', 's4']]);
    assert.deepEqual(a.made[1].sent.slice(3), [], 'b1 is in the session: its tab does not send it again');
  });

  it('a leader that hides (pagehide): the next leader resumes the session with its messages; shown again, it follows and gets what came meanwhile', async () => {
    const { origin, a, b, la, ea } = await leaderAndFollower();
    la.send(['a1']);
    a.made[0].message('ds1');
    await origin.deliver();
    a.env.lifecycle.fire('pagehide');
    assert.deepEqual(la.close(), [], 'a1 is in the session, kept by the tabs: nothing goes back to its client');
    await origin.deliver();
    assert.equal(b.sharing.role, 'leader');
    const { wire } = await crashAndTakeOver(origin, { env: { crash() {} } }, b);
    b.made[0].message(resumed(0, T2));
    b.made[0].message('ds2');
    await origin.deliver();
    assert.deepEqual(wire, [`~resume1 ${T1} 1`, 'n1', 'da1']);
    a.env.lifecycle.fire('pageshow');
    const la2 = a.link();
    const ea2 = record(la2);
    await origin.deliver();
    assert.equal(a.sharing.role, 'follower');
    assert.deepEqual([...messages(ea), ...messages(ea2)], ['s1', 's2']);
    b.made[0].message('k1');
    await origin.deliver();
    b.made[0].drop({ code: 1006, reason: 'cut', wasClean: false });
    await origin.deliver();
    a.link();
    b.link();
    b.made[1].open();
    await origin.deliver();
    assert.deepEqual(b.made[1].sent, [`~resume1 ${T2} 2`]);
    b.made[1].message(fresh('restarted', T3));
    await origin.deliver();
    // a1 was acknowledged, and every tab knew it: nothing of it may be missing.
    assert.deepEqual(a.failed, [{ reason: 'restarted', unconfirmed: [] }]);
  });

  it('a leader that hides while its hello waits for the welcome: the next leader says hello with the same token and resumes, with the messages of both tabs, once', async () => {
    const { origin, a, b, la, lb } = await leaderAndFollower();
    la.send(['a1']);
    lb.send(['b1']);
    await origin.deliver();
    a.made[0].drop({ code: 1006, reason: 'cut', wasClean: false });
    await origin.deliver();
    const la2 = a.link();
    a.made[1].open();
    await origin.deliver();
    assert.equal(a.made[1].sent[0], `~resume1 ${T1} 0`);
    a.env.lifecycle.fire('pagehide');
    assert.deepEqual(la2.close(), [], 'its messages are in the session the tabs keep');
    await origin.deliver();
    assert.equal(b.sharing.role, 'leader');
    const { wire } = await crashAndTakeOver(origin, { env: { crash() {} } }, b);
    b.made[0].message(resumed(0, T2));
    await origin.deliver();
    assert.equal(wire[0], `~resume1 ${T1} 0`);
    assert.deepEqual(wire.slice(1).filter((m) => m[0] === 'd').sort(), ['da1', 'db1']);
    assert.deepEqual([a.failed, b.failed], [[], []]);
  });

  it("malformed session news on the link's channel (another page's, another version's) is dropped: nothing throws, the session the tabs keep is unchanged", async () => {
    const { origin, a, b, lb } = await leaderAndFollower();
    lb.send(['b1']);
    await origin.deliver();
    const rogue = new (origin.tab().BroadcastChannel)(origin.lockNames()[0]);
    rogue.postMessage({ t: 'out', from: 'x', n: 2, who: 'x', seq: 1, data: 'not a list' });
    rogue.postMessage({ t: 'welcome', from: 'x', w: { kind: 'fresh' }, s: { token: null } });
    rogue.postMessage({ t: 'welcome', from: 'x', w: { kind: 'resumed', token: T3 } });
    await origin.deliver();
    const { wire } = await crashAndTakeOver(origin, a, b);
    assert.deepEqual(wire, [`~resume1 ${T1} 0`], 'the same session, its token');
    b.made[0].message(resumed(0, T2));
    await origin.deliver();
    assert.deepEqual(wire.slice(1), ['n1', 'db1']);
    assert.deepEqual(b.failed, []);
  });

  it("a leader whose client closes in its resumefailed listener: nothing throws, the tab leaves no channel or lock", async () => {
    const origin = fakeOrigin();
    const a = tab(origin);
    await origin.deliver();
    a.link();
    a.made[0].open();
    a.made[0].message(fresh('new'));
    await origin.deliver();
    a.made[0].drop({ code: 1006, reason: 'cut', wasClean: false });
    const la2 = a.link();
    a.made[1].open();
    await origin.deliver();
    // As Resock's close() does: its link, then its sharing.
    a.onFailed = () => (la2.close(), a.sharing.close());
    a.made[1].message(fresh('restarted', T2));
    await origin.deliver();
    assert.deepEqual(a.failed, [{ reason: 'restarted', unconfirmed: [] }]);
    assert.equal(origin.openChannels(), 0);
    assert.deepEqual(origin.lockState(origin.lockNames()[0]), { held: false, waiting: 0 });
  });

  it('a tab that misses server messages of the session is told (resumefailed "missed"), never silently', async () => {
    const { origin, a, b, eb } = await leaderAndFollower();
    a.made[0].message('ds1');
    await origin.deliver();
    const rogue = new (origin.tab().BroadcastChannel)(origin.lockNames()[0]);
    // As the leader would say it (news of any other tab is not taken).
    rogue.postMessage({ t: 'msg', from: a.sharing.id, lid: 'x', data: 's5', n: 5 });
    await origin.deliver();
    assert.deepEqual(b.failed, [{ reason: 'missed', unconfirmed: [] }]);
    assert.deepEqual(messages(eb), ['s1', 's5']);
  });
});
