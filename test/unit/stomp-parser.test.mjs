// The STOMP frame parser and encoder: every chunking of sample frames gives the same frames,
// bad input never throws and stays bounded, and header escaping round-trips per version.
import assert from 'node:assert/strict';
import { createParser } from '../../dist/esm/stomp/parser.js';
import { encodeFrame, escapeHeader, unescapeHeader } from '../../dist/esm/stomp/frame.js';

const utf8 = new TextEncoder();

/** Feeds the chunks to a fresh parser; returns what it reported. */
function parse(chunks, { maxFrameSize, escaping } = {}) {
  const frames = [];
  const errors = [];
  const parser = createParser((frame) => frames.push(frame), (reason) => errors.push(reason), maxFrameSize);
  if (escaping !== undefined) parser.escaping = escaping;
  for (const chunk of chunks) parser.push(chunk);
  return { frames, errors };
}

/** A frame as the parser should report it. */
function frame(command, headers, body = '') {
  const binaryBody = typeof body === 'string' ? utf8.encode(body) : body;
  return { command, headers, body: new TextDecoder().decode(binaryBody), binaryBody };
}

/** Sample frames, each as wire text and the frame it must give. */
const SAMPLES = [
  ['CONNECTED\nversion:1.2\nheart-beat:0,0\nserver:RabbitMQ/3.10.8\n\n\0', frame('CONNECTED', { version: '1.2', 'heart-beat': '0,0', server: 'RabbitMQ/3.10.8' })],
  [
    'MESSAGE\nsubscription:sub-0\nmessage-id:T_sub-0@@session-1@@1\nack:A1\ndestination:/queue/a\ncontent-type:text/plain\n\nhello\0',
    frame('MESSAGE', { subscription: 'sub-0', 'message-id': 'T_sub-0@@session-1@@1', ack: 'A1', destination: '/queue/a', 'content-type': 'text/plain' }, 'hello'),
  ],
  ['MESSAGE\ncontent-length:11\ndestination:/q\n\nwith\0NUL\0s!\0', frame('MESSAGE', { 'content-length': '11', destination: '/q' }, 'with\0NUL\0s!')],
  ['MESSAGE\ncontent-length:12\n\nZürich 😀\0', frame('MESSAGE', { 'content-length': '12' }, 'Zürich 😀')],
  ['MESSAGE\ndestination:/q\n\nUnicode without length: Καλημέρα, 你好\0', frame('MESSAGE', { destination: '/q' }, 'Unicode without length: Καλημέρα, 你好')],
  ['RECEIPT\r\nreceipt-id:r-7\r\n\r\n\0', frame('RECEIPT', { 'receipt-id': 'r-7' })],
  ['ERROR\nmessage:bad\\cthing\\nhere\\\\\ncontent-length:0\n\n\0', frame('ERROR', { message: 'bad:thing\nhere\\', 'content-length': '0' })],
  ['MESSAGE\nfoo:first\nfoo:second\n__proto__:not a prototype\nempty:\n\n\0', frame('MESSAGE', { foo: 'first', ['__proto__']: 'not a prototype', empty: '' })],
  ['MESSAGE\nkey:value:with:colons\n\nbody\nwith\n\nblank lines\n\0', frame('MESSAGE', { key: 'value:with:colons' }, 'body\nwith\n\nblank lines\n')],
];
// fromEntries, not a literal: a literal's __proto__ key would set the prototype.
SAMPLES[7][1] = frame('MESSAGE', Object.fromEntries([['foo', 'first'], ['__proto__', 'not a prototype'], ['empty', '']]));

const wire = SAMPLES.map(([text]) => text);
const expected = SAMPLES.map(([, f]) => f);
const allBytes = utf8.encode(wire.join(''));

describe('STOMP parser', () => {
  it('parses each sample frame given whole', () => {
    for (const [text, want] of SAMPLES) {
      const { frames, errors } = parse([text]);
      assert.deepEqual(errors, []);
      assert.deepEqual(frames, [want], text);
    }
  });

  it('gives the same frames for every split of the bytes into two chunks', () => {
    for (let at = 0; at <= allBytes.length; at++) {
      const { frames, errors } = parse([allBytes.slice(0, at), allBytes.slice(at)]);
      assert.deepEqual(errors, [], `split at ${at}`);
      assert.deepEqual(frames, expected, `split at ${at}`);
    }
  });

  it('gives the same frames fed one byte at a time, and one code point at a time', () => {
    const byBytes = parse(Array.from(allBytes, (b) => Uint8Array.of(b)));
    assert.deepEqual(byBytes.frames, expected);
    // Text chunks (SockJS and WebSocket messages) are whole strings, so they never split a
    // surrogate pair; a string iterator yields whole code points too.
    const byCodePoints = parse([...wire.join('')]);
    assert.deepEqual(byCodePoints.frames, expected);
  });

  it('gives the same frames for every split of each frame into three chunks', () => {
    for (const [text, want] of SAMPLES) {
      const bytes = utf8.encode(text);
      for (let a = 0; a <= bytes.length; a++) {
        for (let b = a; b <= bytes.length; b += 3) {
          const { frames } = parse([bytes.slice(0, a), bytes.slice(a, b), bytes.slice(b)]);
          assert.deepEqual(frames, [want], `${JSON.stringify(text)} split at ${a}, ${b}`);
        }
      }
    }
  });

  it('parses several frames in one chunk, and skips EOL heart-beats between them', () => {
    const withHeartbeats = '\n' + wire.join('\n\r\n\n') + '\r\n\n';
    assert.deepEqual(parse([withHeartbeats]).frames, expected);
    assert.deepEqual(parse(['\n', '\r\n', '\n\n']), { frames: [], errors: [] });
  });

  it('accepts an ArrayBuffer, as a binary WebSocket message', () => {
    const { frames } = parse([allBytes.buffer.slice(0)]);
    assert.deepEqual(frames, expected);
  });

  it('keeps bytes that are not UTF-8 in binaryBody', () => {
    const head = utf8.encode('MESSAGE\ncontent-length:4\n\n');
    const body = Uint8Array.of(0xff, 0x00, 0xfe, 0x80);
    const bytes = new Uint8Array([...head, ...body, 0]);
    const { frames } = parse([bytes]);
    assert.deepEqual(frames[0].binaryBody, body);
  });

  it('reports a body longer than its content-length as malformed, naming content-length', () => {
    assert.deepEqual(parse(['MESSAGE\ncontent-length:2\n\nabc\0']).errors, ['malformed: content-length']);
  });

  it('reports a bad command, header line or content-length as malformed, naming it (cut short), once, and then ignores input', () => {
    const cases = [
      ['MES SAGE\n\n\0', 'MES SAGE'],
      ['\u00ff\n\n\0', '\u00ff'],
      ['MESSAGE\nno colon here\n\n\0', 'no colon here'],
      ['MESSAGE\nx-' + 'long'.repeat(100) + '\n\n\0', 'x-' + 'long'.repeat(7) + 'lo'],
      ['MESSAGE\ncontent-length:-1\n\n\0', 'content-length'],
      ['MESSAGE\ncontent-length:1x\n\nx\0', 'content-length'],
    ];
    for (const [text, fault] of cases) {
      const { frames, errors } = parse([text, 'RECEIPT\nreceipt-id:1\n\n\0']);
      assert.deepEqual({ frames, errors }, { frames: [], errors: [`malformed: ${fault}`] }, JSON.stringify(text));
    }
  });

  it('reports a frame larger than maxFrameSize once it is larger, without waiting for its end', () => {
    const { frames, errors } = parse(['MESSAGE\n\n', 'x'.repeat(60), 'x'.repeat(60)], { maxFrameSize: 100 });
    assert.deepEqual({ frames, errors }, { frames: [], errors: ['too large'] });
    // A head that never ends counts too, and so does a content-length past the limit.
    assert.deepEqual(parse(['MESSAGE\nk:' + 'v'.repeat(200)], { maxFrameSize: 100 }).errors, ['too large']);
    assert.deepEqual(parse(['MESSAGE\ncontent-length:1000\n\n', 'y'.repeat(150)], { maxFrameSize: 100 }).errors, ['too large']);
    // Many frames in one chunk are not one large frame.
    const many = 'RECEIPT\nreceipt-id:1\n\n\0'.repeat(50);
    assert.equal(parse([many], { maxFrameSize: 100 }).frames.length, 50);
  });

  it('never throws on random bytes or strings, and reports at most one error', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    // Bytes biased towards the ones that matter: LF, CR, NUL, colon, backslash, letters.
    const alphabet = [10, 13, 0, 58, 92, 65, 77, 0xff, 0xc3, 0x28];
    for (let round = 0; round < 300; round++) {
      const chunks = Array.from({ length: 1 + Math.floor(random() * 8) }, () =>
        random() < 0.3
          ? String.fromCharCode(...Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * 0xffff)))
          : Uint8Array.from({ length: Math.floor(random() * 60) }, () => (random() < 0.6 ? alphabet[Math.floor(random() * alphabet.length)] : Math.floor(random() * 256))),
      );
      const { errors } = parse(chunks, { maxFrameSize: 256 });
      assert.ok(errors.length <= 1, `round ${round}: ${errors}`);
    }
  });

  it('stops at once when the frame callback calls stop()', () => {
    const frames = [];
    const parser = createParser((f) => {
      frames.push(f.command);
      parser.stop();
    }, assert.fail);
    parser.push('RECEIPT\nreceipt-id:1\n\n\0RECEIPT\nreceipt-id:2\n\n\0');
    assert.deepEqual(frames, ['RECEIPT']);
  });
});

describe('STOMP header escaping', () => {
  const tricky = { 'a:b': 'line\nbreak', back: 'slash\\here', cr: 'carriage\rreturn', colon: 'x:y:z', plain: 'just text' };

  it('round-trips names and values with \\\\, \\n, \\r and : through encode and parse (STOMP 1.2)', () => {
    const text = encodeFrame('SEND', tricky, 'body', 2);
    assert.match(text, /^SEND\na\\cb:line\\nbreak\nback:slash\\\\here\ncr:carriage\\rreturn\ncolon:x\\cy\\cz\nplain:just text\n/);
    const { frames } = parse([text]);
    assert.deepEqual(frames[0].headers, { ...tricky, 'content-length': '4' });
  });

  it('leaves \\r alone in STOMP 1.1 and escapes nothing in 1.0', () => {
    assert.equal(escapeHeader('a\\b\nc\rd:e', 1), 'a\\\\b\\nc\rd\\ce');
    assert.equal(escapeHeader('a\\b\nc\rd:e', 0), 'a\\b\nc\rd:e');
    assert.deepEqual(parse(['MESSAGE\nk:a\\cb\n\n\0'], { escaping: 0 }).frames[0].headers, { k: 'a\\cb' });
  });

  it('never escapes CONNECT, and never unescapes CONNECTED', () => {
    assert.equal(encodeFrame('CONNECT', { passcode: 'p:w\\d' }, '', 2), 'CONNECT\npasscode:p:w\\d\n\n\0');
    assert.deepEqual(parse(['CONNECTED\nserver:a\\cb\n\n\0']).frames[0].headers, { server: 'a\\cb' });
  });

  it('keeps an unknown escape as it is rather than failing', () => {
    assert.equal(unescapeHeader('tab\\there'), 'tab\\there');
  });

  it('adds a content-length in bytes, so that a NUL in the body survives', () => {
    const text = encodeFrame('SEND', { destination: '/q' }, 'a\0b€', 2);
    assert.equal(text, 'SEND\ndestination:/q\ncontent-length:6\n\na\0b€\0');
    assert.equal(parse([text]).frames[0].body, 'a\0b€');
    // Left out for an empty body; the caller's own content-length wins; undefined headers are dropped.
    assert.equal(encodeFrame('SEND', { destination: '/q', skip: undefined }, '', 2), 'SEND\ndestination:/q\n\n\0');
    assert.equal(encodeFrame('SEND', { 'content-length': '1' }, 'ab', 2), 'SEND\ncontent-length:1\n\nab\0');
  });
});
