// Defect 11 of issue 11: the parser must be linear in its input, however the frames are chunked.
// Not a timing threshold: the test counts the bytes the parser decodes, copies and searches, through
// the built-in methods it uses for that, and bounds them by a small multiple of the input.
import assert from 'node:assert/strict';
import { createParser } from '../../dist/esm/stomp/parser.js';

const utf8 = new TextEncoder();

/**
 * Runs `fn` while counting the bytes handed to TextDecoder#decode, copied by Uint8Array#set/#slice
 * and searched by #indexOf, and the array elements that Array#unshift moved.
 */
function countWork(fn) {
  const counts = { decoded: 0, copied: 0, searched: 0, moved: 0 };
  const { decode } = TextDecoder.prototype;
  const { set, slice, indexOf } = Uint8Array.prototype;
  const { unshift } = Array.prototype;
  Array.prototype.unshift = function (...items) {
    counts.moved += this.length;
    return unshift.apply(this, items);
  };
  TextDecoder.prototype.decode = function (input, options) {
    counts.decoded += input ? input.byteLength : 0;
    return decode.call(this, input, options);
  };
  Uint8Array.prototype.set = function (source, offset) {
    counts.copied += source.length;
    return set.call(this, source, offset);
  };
  Uint8Array.prototype.slice = function (from, to) {
    const copy = slice.call(this, from, to);
    counts.copied += copy.length;
    return copy;
  };
  Uint8Array.prototype.indexOf = function (value, from = 0) {
    const found = indexOf.call(this, value, from);
    counts.searched += (found < 0 ? this.length : found + 1) - Math.min(from, this.length);
    return found;
  };
  try {
    fn();
  } finally {
    Object.assign(TextDecoder.prototype, { decode });
    Object.assign(Uint8Array.prototype, { set, slice, indexOf });
    Object.assign(Array.prototype, { unshift });
  }
  return counts;
}

/** Feeds the chunks to a parser; returns the frames' count, the errors and the work counted. */
function measure(chunks) {
  let frames = 0;
  const errors = [];
  const parser = createParser(() => frames++, (reason) => errors.push(reason));
  const work = countWork(() => {
    for (const chunk of chunks) parser.push(chunk);
  });
  return { frames, errors, work };
}

const split = (bytes, size) => Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

// 4,000 MESSAGE frames of about 50 bytes: the 200 KB chunk of the issue.
const FRAMES = 4000;
const many = utf8.encode(
  Array.from({ length: FRAMES }, (_, i) => `MESSAGE\nsubscription:s\nmessage-id:${String(i).padStart(5, '0')}\n\nbody-${i % 10}\0`).join(''),
);
// One frame of 1 MiB, without and with a content-length.
const big = 'x'.repeat(1 << 20);
const oneBig = utf8.encode(`MESSAGE\nsubscription:s\n\n${big}\0`);
const oneBigWithLength = utf8.encode(`MESSAGE\ncontent-length:${big.length}\n\n${big}\0`);
// One frame of 20,000 headers (200 KB, far below maxFrameSize): a hostile broker's.
const manyHeaders = utf8.encode(`MESSAGE\n${Array.from({ length: 20000 }, (_, i) => `h${i}:v\n`).join('')}\n\0`);

/** Each byte is decoded, copied and searched a bounded number of times. */
const LIMIT = 4;

describe('STOMP parser: work linear in the input', () => {
  const cases = [
    ['4,000 frames in one 200 KB chunk', [many], FRAMES],
    ['the same frames in 1 KB chunks', split(many, 1024), FRAMES],
    ['the same frames in 7-byte chunks', split(many, 7), FRAMES],
    ['one 1 MiB frame in 1 KiB chunks', split(oneBig, 1024), 1],
    ['one 1 MiB frame with a content-length in 1 KiB chunks', split(oneBigWithLength, 1024), 1],
    ['one frame with 20,000 headers', [manyHeaders], 1],
  ];
  for (const [name, chunks, count] of cases) {
    it(`${name}: decodes, copies, searches and moves each byte at most ${LIMIT} times`, () => {
      const input = chunks.reduce((n, c) => n + c.length, 0);
      const { frames, errors, work } = measure(chunks);
      assert.deepEqual({ frames, errors }, { frames: count, errors: [] });
      for (const [kind, bytes] of Object.entries(work)) {
        assert.ok(bytes <= LIMIT * input, `${kind}: ${bytes} for ${input} bytes of input (${(bytes / input).toFixed(1)}×)`);
      }
    });
  }
});
