import assert from 'node:assert/strict';
import { backoffDelay } from '../../dist/esm/client/backoff.js';
import { outboundQueue, QueueOverflowError, utf8Length } from '../../dist/esm/client/queue.js';

describe('backoffDelay', () => {
  it('doubles the ceiling per attempt up to the max, with the jitter spanning min..ceiling', () => {
    const low = (attempt) => backoffDelay(attempt, 500, 15000, () => 0);
    const high = (attempt) => backoffDelay(attempt, 500, 15000, () => 1);
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 40].map(low), [500, 500, 500, 500, 500, 500, 500, 500]);
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 40].map(high), [500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
  });

  it('with a min of 0 still backs off: the ceiling doubles from 1 ms up to the max', () => {
    const high = (attempt) => backoffDelay(attempt, 0, 15000, () => 1);
    assert.deepEqual([0, 1, 10, 13, 14, 40].map(high), [1, 2, 1024, 8192, 15000, 15000]);
    assert.equal(backoffDelay(3, 0, 15000, () => 0), 0, 'the jitter still reaches min');
  });

  it('stays within its bounds for any random draw', () => {
    for (let attempt = 0; attempt < 50; attempt++) {
      for (const r of [0, 0.25, 0.5, 0.999]) {
        const delay = backoffDelay(attempt, 200, 10000, () => r);
        assert.ok(delay >= 200 && delay <= 10000, `${attempt}/${r}: ${delay}`);
      }
    }
  });
});

describe('OutboundQueue', () => {
  it('counts UTF-8 bytes', () => {
    assert.equal(utf8Length('abc'), 3);
    assert.equal(utf8Length('é'), 2);
    assert.equal(utf8Length('€'), 3);
    assert.equal(utf8Length('😀'), 4);
    assert.equal(utf8Length('\ud800'), 3);
    // A lone surrogate goes as U+FFFD, 3 bytes, whatever follows it (TextEncoder agrees).
    for (const text of ['\ud800中', '\ud800a', '\udc00\ud800', '\ud800\ud800\udc00']) assert.equal(utf8Length(text), new TextEncoder().encode(text).length, JSON.stringify(text));
  });

  it('keeps order and reports its size', () => {
    const q = outboundQueue({ maxMessages: 10, maxBytes: Infinity, overflow: 'reject' });
    q.push('a');
    q.push('€€');
    assert.equal(q.length, 2);
    assert.equal(q.bytes, 7);
    assert.deepEqual(q.drain(), ['a', '€€']);
    assert.equal(q.bytes, 0);
  });

  it("rejects with QueueOverflowError past maxMessages or maxBytes when overflow is 'reject'", () => {
    const byCount = outboundQueue({ maxMessages: 2, maxBytes: Infinity, overflow: 'reject' });
    byCount.push('1');
    byCount.push('2');
    assert.throws(() => byCount.push('3'), QueueOverflowError);
    assert.deepEqual(byCount.drain(), ['1', '2']);
    const byBytes = outboundQueue({ maxMessages: 100, maxBytes: 5, overflow: 'reject' });
    byBytes.push('abc');
    assert.throws(() => byBytes.push('abc'), (e) => e.name === 'QueueOverflowError');
  });

  it("drops the oldest to make room when overflow is 'drop-oldest', and says what it dropped", () => {
    const q = outboundQueue({ maxMessages: 2, maxBytes: Infinity, overflow: 'drop-oldest' });
    q.push('1');
    q.push('2');
    assert.deepEqual(q.push('3'), ['1']);
    assert.deepEqual(q.drain(), ['2', '3']);
    const bytes = outboundQueue({ maxMessages: 100, maxBytes: 6, overflow: 'drop-oldest' });
    bytes.push('ab');
    bytes.push('cd');
    assert.deepEqual(bytes.push('efgh'), ['ab']);
    assert.deepEqual(bytes.drain(), ['cd', 'efgh']);
  });

  it("with maxMessages 0 and 'drop-oldest', drops each new message itself instead of spinning", () => {
    const q = outboundQueue({ maxMessages: 0, maxBytes: Infinity, overflow: 'drop-oldest' });
    assert.deepEqual(q.push('1'), ['1']);
    assert.equal(q.length, 0);
    assert.equal(q.bytes, 0);
    q.unshift(['a', 'b']); // handed back by a link, beyond the limits
    assert.deepEqual(q.push('c'), ['a', 'b', 'c'], 'every message it let go is said');
    assert.equal(q.length, 0);
  });

  it('refuses a single message larger than maxBytes whatever the policy', () => {
    const q = outboundQueue({ maxMessages: 100, maxBytes: 4, overflow: 'drop-oldest' });
    q.push('ab');
    assert.throws(() => q.push('abcde'), QueueOverflowError);
    assert.deepEqual(q.drain(), ['ab'], 'nothing was dropped for it');
  });

  it('puts messages back at the head, older than the rest', () => {
    const q = outboundQueue({ maxMessages: 10, maxBytes: Infinity, overflow: 'reject' });
    q.push('3');
    q.unshift(['1', '2']);
    assert.deepEqual(q.drain(), ['1', '2', '3']);
  });
});
