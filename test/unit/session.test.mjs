import assert from 'node:assert/strict';
import { Session } from '../../dist/esm/session/session.js';
import { fakeClock, fakeTransport } from './fakes.mjs';

function openSession() {
  const clock = fakeClock();
  const transport = fakeTransport('websocket');
  const session = new Session(transport, clock);
  const seen = [];
  for (const type of ['open', 'messages', 'heartbeat', 'sent', 'close']) session.on(type, (v) => seen.push([type, v]));
  return { clock, transport, session, seen };
}

describe('Session', () => {
  it('opens on o, then turns a[...] into messages and h into heartbeats', () => {
    const { transport, seen } = openSession();
    transport.frame('o');
    transport.frame('a["x","y"]');
    transport.frame('h');
    assert.deepEqual(seen, [['open', undefined], ['messages', ['x', 'y']], ['heartbeat', undefined]]);
  });

  it('hands back what the transport had not sent when a frame ends the session', () => {
    const { transport, seen } = openSession();
    transport.frame('o');
    transport.unsent = ['queued'];
    transport.frame('c[3000,"bye"]');
    assert.deepEqual(seen.at(-1), ['close', { code: 3000, reason: 'bye', wasClean: true, unsent: ['queued'] }]);
  });

  it('passes on how many messages the transport says went out (what a shared link confirms to its tabs)', () => {
    const { transport, seen } = openSession();
    transport.frame('o');
    transport.confirm(2);
    assert.deepEqual(seen.at(-1), ['sent', 2]);
  });

  it('notes when the last frame arrived', () => {
    const { clock, transport, session } = openSession();
    clock.tick(500);
    transport.frame('o');
    assert.equal(session.lastFrameAt, clock.now());
  });

  it('closes with the server’s code and reason on c[...], even before o', () => {
    const { transport, seen } = openSession();
    transport.frame('c[2010,"Another connection still open"]');
    assert.deepEqual(seen, [['close', { code: 2010, reason: 'Another connection still open', wasClean: true }]]);
    assert.equal(transport.closed, true);
  });

  it('treats a second o as a server that lost the session', () => {
    const { transport, seen } = openSession();
    transport.frame('o');
    transport.frame('o');
    assert.deepEqual(seen.at(-1), ['close', { code: 1006, reason: 'Server lost session', wasClean: false }]);
  });

  for (const [raw, why] of [['a["x"]', 'messages before o'], ['<html>', 'an HTML page'], ['a[1]', 'a non-string message']]) {
    it(`ends with 1002 on ${why}, without throwing`, () => {
      const { transport, seen } = openSession();
      if (why !== 'messages before o') transport.frame('o');
      transport.frame(raw);
      const [type, info] = seen.at(-1);
      assert.equal(type, 'close');
      assert.equal(info.code, 1002);
      assert.equal(transport.closed, true);
    });
  }

  it('reports a transport failure once and ignores frames after it', () => {
    const { transport, seen } = openSession();
    transport.frame('o');
    transport.fail({ code: 1006, reason: 'gone', wasClean: false });
    transport.fail({ code: 1006, reason: 'again', wasClean: false });
    transport.frame('a["late"]');
    assert.deepEqual(seen.slice(1), [['close', { code: 1006, reason: 'gone', wasClean: false }]]);
  });

  it('sends only while open, and close() by the owner emits nothing', () => {
    const { transport, session, seen } = openSession();
    session.send(['early']);
    transport.frame('o');
    session.send(['a', 'b']);
    session.close();
    session.send(['late']);
    assert.deepEqual(transport.sent, ['a', 'b']);
    assert.equal(transport.closed, true);
    assert.deepEqual(seen, [['open', undefined]]);
  });
});
