import assert from 'node:assert/strict';
import { resolveResockOptions } from '../../dist/esm/client/options.js';
import { resolveConnectionOptions } from '../../dist/esm/connector/options.js';

describe('options', () => {
  it('fills documented defaults', () => {
    const o = resolveResockOptions({});
    assert.deepEqual(o.reconnect, { minDelay: 500, maxDelay: 15000, maxAttempts: Infinity, minUptime: 5000 });
    assert.deepEqual(o.queue, { maxMessages: 1000, maxBytes: Infinity, overflow: 'reject' });
    assert.equal(o.heartbeatTimeout, 35000);
    assert.equal(o.connection.withCredentials, true);
    assert.equal(o.connection.allowed, null);
    assert.equal(o.shouldReconnect({ code: 1006, reason: '', wasClean: false }), true);
    assert.equal(o.shouldReconnect({ code: 4001, reason: 'banned', wasClean: true }), false);
  });

  it('takes transports as a string or an array', () => {
    assert.deepEqual(resolveConnectionOptions({ transports: 'xhr-polling' }).allowed, ['xhr-polling']);
    assert.deepEqual(resolveConnectionOptions({ transports: ['websocket'] }).allowed, ['websocket']);
  });

  it('turns reconnect: false into no reconnection', () => {
    assert.equal(resolveResockOptions({ reconnect: false }).reconnect, null);
  });

  it('tolerates the sockjs-client options it does not use', () => {
    assert.doesNotThrow(() => resolveConnectionOptions({ transportOptions: {}, devel: true }));
  });

  it("accepts and ignores sockjs-client's transports for old browsers", () => {
    assert.deepEqual(resolveConnectionOptions({ transports: ['iframe-eventsource', 'xhr-polling'] }).allowed, ['iframe-eventsource', 'xhr-polling']);
  });

  const wrong = [
    [{ reconect: {} }, /Unknown option 'reconect'/],
    [{ timeout: '5s' }, /'timeout'/],
    [{ transports: 5 }, /'transports'/],
    [{ headers: 'x' }, /'headers'/],
    [{ withCredentials: 'yes' }, /'withCredentials'/],
    [{ sessionId: 'abc' }, /'sessionId'/],
    [{ reconnect: { minDelay: -1 } }, /'reconnect.minDelay'/],
    [{ queue: { overflow: 'drop-newest' } }, /'queue.overflow'/],
    [{ queue: { maxMessages: NaN } }, /'queue.maxMessages'/],
    [{ beforeConnect: 'x' }, /'beforeConnect'/],
    [{ signal: {} }, /'signal'/],
    [{ heartbeatTimeout: Infinity }, /'heartbeatTimeout' must be a finite/],
    [{ transports: ['websockets'] }, /'transports' must be one or more of websocket, .*\(not 'websockets'\)/],
    [{ transports: 'xhr_polling' }, /not 'xhr_polling'/],
    [{ reconnect: 5 }, /'reconnect'/],
    [{ toString: 1 }, /Unknown option 'toString'/],
    [{ debug: 'verbose' }, /'debug'/],
  ];
  for (const [options, message] of wrong) {
    it(`throws a TypeError naming the option for ${JSON.stringify(options)}`, () => {
      assert.throws(() => resolveResockOptions(options), (e) => e instanceof TypeError && message.test(e.message));
    });
  }
});
