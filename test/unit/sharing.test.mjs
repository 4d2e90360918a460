import assert from 'node:assert/strict';
import { shared } from '../../dist/esm/sharing/hub.js';
import { fakeLink, fakeOrigin, record } from './sharing-fakes.mjs';

const URL = 'http://h/echo';

/** A tab of `origin` whose client shares `URL` (or `url`/`key`): its Sharing, its debug log, and the real links it made. */
function tab(origin, { url = URL, key } = {}) {
  const env = origin.tab();
  const debug = [];
  const sharing = shared({ key }).attach(url, env, (event, detail) => debug.push([event, detail]));
  const made = [];
  const link = () => sharing.link(() => made[made.push(fakeLink()) - 1]);
  return { env, sharing, debug, made, link };
}

/** Tab `a` leads with an open link (`la`); tab `b` follows, its link `lb` recorded in `eb`. */
async function leaderAndFollower() {
  const origin = fakeOrigin();
  const a = tab(origin);
  await origin.deliver();
  const la = a.link();
  a.made[0].open();
  const b = tab(origin);
  const lb = b.link();
  const eb = record(lb);
  await origin.deliver();
  return { origin, a, b, la, lb, eb };
}

/** The leader `a` crashes and `b` leads: what b's first link sends when it opens (what no leader confirmed to b). */
async function takeOver(origin, a, b) {
  a.env.crash();
  await origin.deliver();
  b.link();
  b.made[0].open();
  return b.made[0].sent;
}

describe('sharing: one link for many tabs', () => {
  it('the first tab leads and runs the link; another follows it: every message, sends once', async () => {
    const origin = fakeOrigin();
    const a = tab(origin);
    await origin.deliver();
    assert.equal(a.sharing.role, 'leader');
    assert.deepEqual(a.debug, [['shared:role', { role: 'leader' }]]);
    const la = a.link();
    const ea = record(la);
    a.made[0].open();
    const b = tab(origin);
    const lb = b.link();
    const eb = record(lb);
    await origin.deliver();
    assert.equal(b.sharing.role, 'follower');
    assert.equal(b.made.length, 0, 'a follower makes no link of its own');
    assert.equal(lb.isOpen, true);
    assert.equal(lb.transport, 'xhr-streaming');
    a.made[0].message('m1');
    a.made[0].message('m2');
    lb.send(['from b']);
    la.send(['from a']);
    await origin.deliver();
    assert.deepEqual(ea, [['open', undefined], ['message', 'm1'], ['message', 'm2']]);
    assert.deepEqual(eb, [['open', undefined], ['message', 'm1'], ['message', 'm2']]);
    assert.deepEqual(a.made[0].sent, ['from a', 'from b']);
    // A follower's view hands nothing back: its hub keeps what is not confirmed, for the next link.
    assert.deepEqual(lb.close(), []);
  });

  it("a follower's send and its confirmation reach the leader and that follower only: the other tabs do not wake for them", async () => {
    const { origin, a, b, lb } = await leaderAndFollower();
    const c = tab(origin);
    const ec = record(c.link());
    await origin.deliver();
    const before = c.env.heard();
    lb.send(['from b']);
    await origin.deliver();
    a.made[0].confirm(1);
    await origin.deliver();
    assert.deepEqual(a.made[0].sent, ['from b']);
    assert.equal(c.env.heard(), before, "c heard nothing of b's send and its confirmation");
    a.made[0].message('echo');
    await origin.deliver();
    assert.deepEqual(ec, [['open', undefined], ['message', 'echo']]);
    // The confirmation reached b: after the leader crashes, b's next link sends nothing again.
    assert.deepEqual(await takeOver(origin, a, b), []);
  });

  it('a same-origin page that posts tab ids named like Object members on the channel breaks nothing', async () => {
    const { origin, a, lb } = await leaderAndFollower();
    const rogue = new (origin.tab().BroadcastChannel)(origin.lockNames()[0]);
    for (const from of ['constructor', '__proto__', 'toString']) {
      rogue.postMessage({ t: 'hello', from });
      rogue.postMessage({ t: 'bye', from });
      rogue.postMessage({ t: 'bye', from });
    }
    await origin.deliver();
    lb.send(['still']);
    await origin.deliver();
    assert.deepEqual(a.made[0].sent, ['still']);
  });

  it("malformed messages on the link's channel (another page's, another version's) are dropped and named (shared:malformed): nothing throws, the tabs go on", async () => {
    const { origin, a, b, lb, eb } = await leaderAndFollower();
    const rogue = new (origin.tab().BroadcastChannel)(origin.lockNames()[0]);
    const bad = [
      null,
      'hello',
      { t: 'welcome', from: 'x' }, // no session: a tab without one would take `s` as its session
      { t: 'open', from: 'x', lid: 'l', transport: null, s: {} },
      { t: 'out', from: 'x', n: 1, who: 'x', seq: 1, data: 5 },
      { t: 'msg', from: 'x', lid: 'l' },
      { t: 'constructor', from: 'x' },
    ];
    for (const message of bad) rogue.postMessage(message);
    await origin.deliver();
    for (const t of [a, b]) assert.equal(t.debug.filter(([event]) => event === 'shared:malformed').length, bad.length);
    lb.send(['still']);
    a.made[0].message('m1');
    await origin.deliver();
    assert.deepEqual(a.made[0].sent, ['still']);
    assert.deepEqual(eb, [['open', undefined], ['message', 'm1']]);
  });

  it("a confirmation on the link's channel, as an older version posted them to every tab, is not taken: a follower keeps what no leader confirmed to it", async () => {
    const { origin, a, b, lb } = await leaderAndFollower();
    lb.send(['b1']);
    await origin.deliver();
    const old = new (origin.tab().BroadcastChannel)(origin.lockNames()[0]);
    old.postMessage({ t: 'ack', from: 'old', to: 'another tab', seq: 9 });
    await origin.deliver();
    // b1 went to the leader's link and was not confirmed: it may not have arrived, so it goes again.
    assert.deepEqual(await takeOver(origin, a, b), ['b1']);
    assert.equal(b.debug.filter(([event]) => event === 'shared:malformed').length, 1);
  });

  it('a view that greeted a tab before it led is opened by it once it leads and its link opens', async () => {
    const origin = fakeOrigin();
    const a = tab(origin);
    const b = tab(origin);
    await origin.deliver();
    const c = tab(origin);
    const lc = c.link();
    const ec = record(lc);
    await origin.deliver(); // c's hello reached a (leading, no link yet) and b (following)
    a.sharing.close();
    await origin.deliver();
    assert.equal(b.sharing.role, 'leader');
    b.link();
    b.made[0].open();
    await origin.deliver();
    assert.deepEqual(ec, [['open', undefined]]);
    lc.send(['from c']);
    await origin.deliver();
    assert.deepEqual(b.made[0].sent, ['from c']);
  });

  it("an old leader's open that reaches a waiting view only after another tab said it leads (the old one crashed; two senders' messages may cross) is not taken: the view opens on the new leader's link", async () => {
    const origin = fakeOrigin();
    const a = tab(origin);
    const c = tab(origin); // waits for the lock first: it leads next
    await origin.deliver();
    a.link();
    const b = tab(origin);
    const lb = b.link();
    const eb = record(lb);
    await origin.deliver(); // b's hello reached a, whose link is not open yet
    a.env.crash();
    await origin.deliver();
    assert.equal(c.sharing.role, 'leader');
    // a's link had opened and a told b so just before its page died; the browser delivers that only now.
    const late = new (origin.tab().BroadcastChannel)(`${origin.lockNames()[0]} ${b.sharing.id}`);
    late.postMessage({ t: 'open', from: a.sharing.id, lid: `${a.sharing.id}:1`, transport: 'websocket' });
    c.link();
    c.made[0].open();
    await origin.deliver();
    assert.deepEqual(eb, [['open', undefined]]);
    assert.equal(lb.transport, 'xhr-streaming', "c's link");
    lb.send(['from b']);
    await origin.deliver();
    assert.deepEqual(c.made[0].sent, ['from b']);
  });

  it('a leader that crashes: what its link confirmed is forgotten, what it did not goes out on the next link (at least once)', async () => {
    const { origin, a, b, lb, eb } = await leaderAndFollower();
    lb.send(['out']);
    await origin.deliver();
    a.made[0].confirm(1); // its POST was answered: the leader confirms it
    lb.send(['handed 1', 'handed 2']);
    await origin.deliver(); // handed to the leader's link, not confirmed out
    a.env.crash();
    lb.send(['never handed']);
    await origin.deliver();
    assert.equal(b.sharing.role, 'leader');
    assert.deepEqual(eb.find(([type]) => type === 'close')[1], { code: 1012, reason: 'Leader tab changed', wasClean: true, handover: true });
    assert.deepEqual(a.made[0].sent, ['out', 'handed 1', 'handed 2']);
    // The client's next link in b is the real one, and takes first what no leader confirmed: the
    // crashed leader's unconfirmed batch may have reached the server, so it may arrive twice.
    const lb2 = b.link();
    b.made[0].open();
    lb2.send(['after']);
    assert.deepEqual(b.made[0].sent, ['handed 1', 'handed 2', 'never handed', 'after']);
  });

  it('a leader that hides: what its link did not confirm goes out from its tabs on the next link (the batch in flight too: at least once), its own back to its client', async () => {
    const { origin, a, b, la, lb, eb } = await leaderAndFollower();
    la.send(['a1']);
    lb.send(['b1']);
    await origin.deliver();
    lb.send(['b2']);
    await origin.deliver();
    a.made[0].confirm(1); // a1 went out
    a.made[0].unsent = ['b2']; // b1 is in flight: the link gives back b2 only
    la.send(['a2']);
    a.made[0].unsent.push('a2');
    a.env.lifecycle.fire('pagehide');
    assert.deepEqual(la.close(), ['a2']);
    await origin.deliver();
    assert.equal(eb.find(([type]) => type === 'close')[1].code, 1012);
    assert.equal(b.sharing.role, 'leader');
    b.link();
    b.made[0].open();
    // b1 may have arrived (its POST was aborted in flight): sent again, never lost.
    assert.deepEqual(b.made[0].sent, ['b1', 'b2']);
    assert.equal(a.sharing.role, 'follower');
    // Shown again, it is a candidate once more, behind b.
    a.env.lifecycle.fire('pageshow');
    assert.deepEqual(origin.lockState(origin.lockNames()[0]), { held: true, waiting: 1 });
  });

  it("a leader that hides or closes ends every follower's view as a handover (their Resock comes back at once, even with reconnect: false), whichever tab leads next", async () => {
    const { origin, a, eb } = await leaderAndFollower();
    const c = tab(origin);
    const ec = record(c.link());
    await origin.deliver();
    a.env.lifecycle.fire('pagehide');
    await origin.deliver();
    for (const events of [eb, ec]) assert.equal(events.find(([type]) => type === 'close')[1].handover, true);
  });

  it('a follower that hides while its batch is on the leader\'s link: the confirmation still reaches it, and no next leader sends the batch again', async () => {
    const { origin, a, b, lb } = await leaderAndFollower();
    const c = tab(origin);
    c.link();
    await origin.deliver();
    lb.send(['b1', 'b2']);
    await origin.deliver();
    b.env.lifecycle.fire('pagehide'); // its bye: the leader closes its channel to b
    lb.close();
    await origin.deliver();
    a.made[0].confirm(2); // b's batch went out
    await origin.deliver();
    a.env.crash();
    await origin.deliver();
    assert.equal(c.sharing.role, 'leader');
    c.link();
    c.made[0].open();
    b.env.lifecycle.fire('pageshow');
    b.link();
    await origin.deliver();
    assert.deepEqual(c.made[0].sent, [], 'b1 and b2 went out once, on the old leader');
  });

  it('the leader link dropping closes the followers with its close info; a send that crossed it goes out on the next link', async () => {
    const { origin, a, b, lb, eb } = await leaderAndFollower();
    a.made[0].drop({ code: 1006, reason: 'cut', wasClean: false });
    lb.send(['late']); // crosses the close on the channel: not taken, not confirmed
    await origin.deliver();
    assert.deepEqual(eb.find(([type]) => type === 'close')[1], { code: 1006, reason: 'cut', wasClean: false });
    const la2 = a.link();
    a.made[1].open();
    const lb2 = b.link();
    await origin.deliver();
    assert.equal(la2.isOpen && lb2.isOpen, true);
    assert.deepEqual([a.made[0].sent, a.made[1].sent], [[], ['late']]);
  });

  it('a follower that reopens its view on the same link: the leader takes each batch once; confirmed, it is never sent again', async () => {
    const { origin, a, b, lb } = await leaderAndFollower();
    lb.send(['x']);
    await origin.deliver();
    lb.close(); // the client's reconnect(): a new view of the same leader link
    b.link();
    await origin.deliver();
    assert.deepEqual(a.made[0].sent, ['x']);
    a.made[0].confirm(1);
    await origin.deliver();
    assert.deepEqual(await takeOver(origin, a, b), []);
  });

  it('a follower whose leader confirms nothing (a frozen page keeps the lock) keeps about 100,000 messages at most (its oldest batch and 100,000 after it): then its view hands back what it is given and closes; nothing is lost', async () => {
    const { origin, a, b, lb, eb } = await leaderAndFollower();
    a.env.freeze();
    const batch = Array.from({ length: 10000 }, (_, i) => `m${i}`);
    for (let i = 0; i < 11; i++) assert.equal(lb.send(batch), undefined);
    await origin.deliver();
    assert.deepEqual(lb.send(['over']), ['over'], 'the client keeps it, in its bounded queue');
    assert.deepEqual(eb.at(-1), ['close', { code: 1006, reason: 'Leader tab not confirming', wasClean: false }]);
    // The leader thaws: the client's next view opens on its link, and every kept message goes out once.
    const lb2 = b.link();
    a.env.thaw();
    await origin.deliver();
    assert.equal(lb2.isOpen, true);
    assert.equal(a.made[0].sent.length, 110000);
    a.made[0].confirm(110000);
    await origin.deliver();
    assert.equal(lb2.send(['over']), undefined, 'confirmed: the follower keeps nothing, and takes again');
  });

  it('a view still waiting for a leader becomes the real link when its tab gets the lock, without a close', async () => {
    const origin = fakeOrigin();
    const a = tab(origin);
    await origin.deliver();
    const b = tab(origin);
    const lb = b.link();
    const eb = record(lb);
    await origin.deliver();
    a.sharing.close();
    await origin.deliver();
    assert.equal(b.sharing.role, 'leader');
    assert.equal(b.made.length, 1);
    b.made[0].open();
    assert.deepEqual(eb, [['open', undefined]]);
  });

  it('different URLs or keys do not share', async () => {
    const origin = fakeOrigin();
    const tabs = [tab(origin), tab(origin, { url: 'http://h/other' }), tab(origin, { key: 'k' })];
    await origin.deliver();
    assert.deepEqual(tabs.map((t) => t.sharing.role), ['leader', 'leader', 'leader']);
  });

  it("names shared() itself when Resock is given the function uncalled ({ shared }, as { resume } works), not 'must be an object'", async () => {
    const { Resock } = await import('../../dist/esm/client/resock.js');
    const { fakeEnv } = await import('./fakes.mjs');
    for (const value of [shared, {}]) {
      assert.throws(() => new Resock('http://h/echo', { shared: value }, { env: fakeEnv() }), { name: 'TypeError', message: "Option 'shared' must be shared() from 'resock/shared'" });
    }
  });

  it('names an unknown or mistyped option in a TypeError, as every other option set does', () => {
    assert.throws(() => shared({ kee: 'chat' }), { name: 'TypeError', message: "Unknown option 'shared.kee'" });
    assert.throws(() => shared({ key: 1 }), { name: 'TypeError', message: "Option 'shared.key' must be a string" });
    for (const options of [undefined, {}, { key: undefined }, { key: '' }, { key: 'chat' }]) shared(options);
  });

  it('the last close leaves no channel, lock or waiting request', async () => {
    const origin = fakeOrigin();
    const a = tab(origin);
    const b = tab(origin);
    await origin.deliver();
    a.link();
    b.link();
    await origin.deliver();
    assert.equal(origin.openChannels(), 5, "each tab's two channels, and the leader's to b");
    b.sharing.close();
    await origin.deliver();
    assert.equal(origin.openChannels(), 2, "b said bye: the leader closed its channel to b");
    a.sharing.close();
    await origin.deliver();
    assert.equal(origin.openChannels(), 0);
    assert.deepEqual(origin.lockState(origin.lockNames()[0]), { held: false, waiting: 0 });
  });

  it('a follower that leaves by pagehide, or closes before the leader heard its hello, leaves no channel at the leader', async () => {
    const origin = fakeOrigin();
    const a = tab(origin);
    await origin.deliver();
    a.link();
    a.made[0].open();
    const b = tab(origin);
    b.link().close();
    b.sharing.close(); // its bye crosses its hello
    await origin.deliver();
    assert.equal(origin.openChannels(), 2, "a's own two only");
    const c = tab(origin);
    const lc = c.link();
    await origin.deliver();
    assert.equal(origin.openChannels(), 5);
    // The tab is closed or navigated away (or goes into the back/forward cache): no close() is called.
    c.env.lifecycle.fire('pagehide');
    lc.close();
    await origin.deliver();
    assert.equal(origin.openChannels(), 4, "c's own two stay while it is hidden; a's to c is closed");
    // Shown again, it greets the leader, which opens its channel to c again.
    c.env.lifecycle.fire('pageshow');
    const lc2 = c.link();
    await origin.deliver();
    lc2.send(['from c']);
    await origin.deliver();
    assert.deepEqual(a.made[0].sent, ['from c']);
  });

  it('where the browser refuses the lock (Firefox in a third-party iframe: SecurityError) the client runs its own link and says so, instead of waiting for a leader for ever', async () => {
    const origin = fakeOrigin();
    const env = origin.tab();
    env.locks = { request: () => Promise.reject(new DOMException('LockManager.request: request() is not allowed in this context', 'SecurityError')) };
    const debug = [];
    const sharing = shared().attach(URL, env, (event, detail) => debug.push([event, detail]));
    const made = [];
    const link = () => sharing.link(() => made[made.push(fakeLink()) - 1]);
    const waiting = link(); // made before the refusal is known: it waits for a leader
    const events = record(waiting);
    await origin.deliver();
    assert.equal(sharing.role, 'unavailable');
    assert.deepEqual(debug, [['shared:unavailable', { reason: 'SecurityError: LockManager.request: request() is not allowed in this context' }]]);
    assert.deepEqual(events, [['close', { code: 1012, reason: 'Web Locks refused', wasClean: true, handover: true }]], 'its client comes back at once');
    const own = link();
    assert.equal(made.length, 1);
    assert.equal(own, made[0], 'its own link, as without Web Locks');
    assert.equal(origin.openChannels(), 0);
  });

  it('without Web Locks or BroadcastChannel the client runs its own link and says so', () => {
    const origin = fakeOrigin();
    const env = { ...origin.tab(), locks: undefined };
    const debug = [];
    const sharing = shared().attach(URL, env, (event, detail) => debug.push(event));
    assert.equal(sharing.role, 'unavailable');
    assert.deepEqual(debug, ['shared:unavailable']);
    const own = fakeLink();
    assert.equal(sharing.link(() => own), own);
  });
});

describe('resock/stomp over a shared Resock', () => {
  /** Shaped like a Resock whose link is shared. */
  const sharedSocket = (sharing) =>
    Object.assign(new EventTarget(), { readyState: 0, sharing, closed: 0, send() {}, close() { this.closed++; } });

  it('is refused at construction with a given socket, and at activate() with a factory, closing the socket', async () => {
    const { StompClient } = await import('../../dist/esm/stomp/index.js');
    assert.throws(() => new StompClient({ socket: sharedSocket('follower') }), /needs a Resock of its own, not a shared one/);
    const made = [];
    const client = new StompClient({ webSocketFactory: () => made[made.push(sharedSocket('leader')) - 1] });
    assert.throws(() => client.activate(), /needs a Resock of its own, not a shared one/);
    assert.equal(made[0].closed, 1);
    // Nothing stayed active: activate() tries again (and is refused again) rather than doing nothing.
    assert.throws(() => client.activate(), /needs a Resock of its own, not a shared one/);
    assert.equal(made.length, 2);
  });

  it('runs over a client whose platform could not share (it has its own link)', async () => {
    const { StompClient } = await import('../../dist/esm/stomp/index.js');
    assert.doesNotThrow(() => new StompClient({ socket: sharedSocket('unavailable') }));
  });
});
