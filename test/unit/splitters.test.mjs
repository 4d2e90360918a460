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

  it('ends lines at CRLF and at a bare CR too, however the stream is chunked', () => {
    for (const chunks of everyChunking('o\r\na["x"]\rh\r\r\n')) {
      const lines = [];
      const push = lineSplitter((l) => lines.push(l), 1000, () => assert.fail('overflow'));
      chunks.forEach(push);
      assert.deepEqual(lines, ['o', 'a["x"]', 'h', ''], JSON.stringify(chunks));
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

  it('reports a line past the limit however it is chunked, whole in one chunk too', () => {
    for (const chunks of everyChunking('a["0123456789"]\nh\n')) {
      const lines = [];
      let overflows = 0;
      const push = lineSplitter((l) => lines.push(l), 10, () => overflows++);
      chunks.forEach(push);
      assert.equal(overflows, 1, JSON.stringify(chunks));
      assert.ok(lines.every((l) => l.length <= 10), JSON.stringify(chunks));
    }
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

  // SSE lines end with CRLF, LF or a bare CR; a CRLF cut between its CR and LF is still one end.
  const endings = [
    ['CRLF', '\r\n'],
    ['LF', '\n'],
    ['CR', '\r'],
  ];
  for (const [name, eol] of endings) {
    it(`parses events with ${name} line endings, cut at every point`, () => {
      const text = ['', 'data: o', '', ': a comment', 'data: a["x"]', '', 'data: a["1",', 'data: "2"]', '', 'data: h', '', ''].join(eol);
      for (const chunks of everyChunking(text)) {
        const events = [];
        const push = eventStreamSplitter((d) => events.push(d), 1000, () => assert.fail('overflow'));
        chunks.forEach(push);
        assert.deepEqual(events, ['o', 'a["x"]', 'a["1",\n"2"]', 'h'], JSON.stringify(chunks));
      }
    });
  }

  it('parses a stream that mixes the three line endings, cut at every point', () => {
    const text = 'data: o\r\rdata: a["x"]\n\ndata: a["y"]\r\n\r\ndata: h\r\r\n';
    for (const chunks of everyChunking(text)) {
      const events = [];
      const push = eventStreamSplitter((d) => events.push(d), 1000, () => assert.fail('overflow'));
      chunks.forEach(push);
      assert.deepEqual(events, ['o', 'a["x"]', 'a["y"]', 'h'], JSON.stringify(chunks));
    }
  });

  it('takes an LF that starts a chunk after a CR as the end of the same line, not an empty one', () => {
    const events = [];
    const push = eventStreamSplitter((d) => events.push(d), 1000, () => {});
    push('data: a\r');
    push('\ndata: b\r');
    push('');
    push('\n\r\n');
    assert.deepEqual(events, ['a\nb']);
  });

  it('bounds the whole event, not only each line: endless short data lines overflow once past the limit', () => {
    let overflows = 0;
    const events = [];
    const push = eventStreamSplitter((d) => events.push(d), 100, () => overflows++);
    for (let i = 0; i < 20 && !overflows; i++) push('data: 123456789\r\n');
    assert.equal(overflows, 1);
    assert.deepEqual(events, []);
  });

  it('keeps an event of exactly the limit', () => {
    const events = [];
    const push = eventStreamSplitter((d) => events.push(d), 10, () => assert.fail('overflow'));
    push('data: 1234\ndata: 1234\n\n');
    assert.deepEqual(events, ['1234\n1234']);
  });

  it('reports a line that grows past the limit instead of buffering it', () => {
    let overflows = 0;
    const push = eventStreamSplitter(() => {}, 10, () => overflows++);
    push('data: 012');
    assert.equal(overflows, 0);
    push('3456789');
    assert.equal(overflows, 1);
  });

  it('leaves a stray % alone instead of throwing', () => {
    assert.equal(unescapeEventData('100% %zz %2'), '100% %zz %2');
  });
});
