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

describe('sharing: one link for many tabs', () => {
  it('the first tab leads and runs the link; another follows it: every message, sends once, acknowledged', async () => {
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
    // Acknowledged: a close now gives nothing back.
    assert.deepEqual(lb.close(), []);
  });

  it('a leader that crashes: the follower keeps what was not acknowledged, and another tab takes over', async () => {
    const { origin, a, b, lb, eb } = await leaderAndFollower();
    lb.send(['acked']);
    await origin.deliver();
    a.env.crash(); // before it could take the next ones
    lb.send(['kept 1', 'kept 2']);
    await origin.deliver();
    assert.equal(b.sharing.role, 'leader');
    const close = eb.find(([type]) => type === 'close')[1];
    assert.equal(close.code, 1012);
    assert.deepEqual(close.unsent, ['kept 1', 'kept 2']);
    assert.deepEqual(a.made[0].sent, ['acked']);
    // The client's next link in b is the real one.
    b.link();
    assert.equal(b.made.length, 1);
  });

  it('a leader that hides gives its followers back what its link had not sent, and its own to its client', async () => {
    const { origin, a, b, la, lb, eb } = await leaderAndFollower();
    la.send(['a1']);
    lb.send(['b1', 'b2']);
    await origin.deliver();
    a.made[0].unsent = ['a1', 'b1', 'b2'].slice(1); // the link sent a1 only
    la.send(['a2']);
    a.made[0].unsent.push('a2');
    a.env.lifecycle.fire('pagehide');
    assert.deepEqual(la.close(), ['a2']);
    await origin.deliver();
    // Here the lock reached b before a's last messages: b's view ended first, and what came back
    // goes first on b's next link. Either way, b1 and b2 go out once.
    const close = eb.find(([type]) => type === 'close')[1];
    assert.equal(b.sharing.role, 'leader');
    const lb2 = b.link();
    b.made[0].open();
    lb2.send(close.unsent || []); // what the client requeued
    assert.deepEqual(b.made[0].sent.slice().sort(), ['b1', 'b2']);
    assert.equal(a.sharing.role, 'follower');
    // Shown again, it is a candidate once more, behind b.
    a.env.lifecycle.fire('pageshow');
    assert.deepEqual(origin.lockState(origin.lockNames()[0]), { held: true, waiting: 1 });
  });

  it('the leader link dropping closes the followers with its close info; a late send for it is not acknowledged', async () => {
    const { origin, a, b, lb, eb } = await leaderAndFollower();
    a.made[0].drop({ code: 1006, reason: 'cut', wasClean: false });
    lb.send(['late']); // crosses the close on the channel
    await origin.deliver();
    const close = eb.find(([type]) => type === 'close')[1];
    assert.equal(close.code, 1006);
    assert.deepEqual(close.unsent, ['late']);
    // The leader's next link opens; b's next view gets it; the late message went nowhere.
    const la2 = a.link();
    a.made[1].open();
    const lb2 = b.link();
    await origin.deliver();
    assert.equal(la2.isOpen && lb2.isOpen, true);
    assert.deepEqual(a.made[0].sent.concat(a.made[1].sent), []);
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

  it('the last close leaves no channel, lock or waiting request', async () => {
    const origin = fakeOrigin();
    const a = tab(origin);
    const b = tab(origin);
    await origin.deliver();
    b.sharing.close();
    a.sharing.close();
    await origin.deliver();
    assert.equal(origin.openChannels(), 0);
    assert.deepEqual(origin.lockState(origin.lockNames()[0]), { held: false, waiting: 0 });
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
