import assert from 'node:assert/strict';
import { eventStreamSplitter, lineSplitter, unescapeEventData } from '../../dist/esm/net/splitters.js';

/** Feeds `text` cut at every position, and as one chunk, and one character at a time. */
function everyChunking(text) {
  const ways = [[text], [...text]];
  for (let i = 1; i < text.length; i++) ways.push([text.slice(0, i), text.slice(i)]);
  return ways;
}

describe('lineSplitter', () => {
  const stream = 'o\na["x","y"]\nh\n\na["\\u0000"]\n';
  it('gives the same lines however the stream is chunked', () => {
    for (const chunks of everyChunking(stream)) {
      const lines = [];
      const push = lineSplitter((l) => lines.push(l), 1000, () => assert.fail('overflow'));
      chunks.forEach(push);
      assert.deepEqual(lines, ['o', 'a["x","y"]', 'h', '', 'a["\\u0000"]']);
    }
  });

  it('keeps a partial line until its end arrives', () => {
    const lines = [];
    const push = lineSplitter((l) => lines.push(l), 1000, () => {});
    push('a["ab');
    assert.deepEqual(lines, []);
    push('c"]\n');
    assert.deepEqual(lines, ['a["abc"]']);
  });

  it('reports a line that grows past the limit instead of buffering it', () => {
    let overflows = 0;
    const push = lineSplitter(() => {}, 10, () => overflows++);
    push('a["0123456');
    assert.equal(overflows, 0);
    push('789"]');
    assert.equal(overflows, 1);
  });
});

describe('eventStreamSplitter', () => {
  const stream = '\r\ndata: o\r\n\r\ndata: a["50%25 of %0D%0A and %00"]\r\n\r\ndata: h\r\n\r\n';
  it('gives the same events however the stream is chunked, with %-escapes undone', () => {
    for (const chunks of everyChunking(stream)) {
      const events = [];
      const push = eventStreamSplitter((d) => events.push(d), 1000, () => assert.fail('overflow'));
      chunks.forEach(push);
      assert.deepEqual(events, ['o', 'a["50% of \r\n and \u0000"]', 'h']);
    }
  });

  it('leaves a stray % alone instead of throwing', () => {
    assert.equal(unescapeEventData('100% %zz %2'), '100% %zz %2');
  });
});
