import assert from 'node:assert/strict';
import { decodeFrame } from '../../dist/esm/protocol/frame.js';

describe('decodeFrame', () => {
  const cases = [
    ['o', { kind: 'open' }],
    ['h', { kind: 'heartbeat' }],
    ['a["x"]', { kind: 'messages', messages: ['x'] }],
    ['a["a","b\\u0000c"]', { kind: 'messages', messages: ['a', 'b\u0000c'] }],
    ['a[]', { kind: 'messages', messages: [] }],
    ['m"single"', { kind: 'messages', messages: ['single'] }],
    ['c[3000,"Go away!"]', { kind: 'close', code: 3000, reason: 'Go away!' }],
    ['c[2010,"Another connection still open"]', { kind: 'close', code: 2010, reason: 'Another connection still open' }],
  ];
  for (const [raw, expected] of cases) {
    it(`decodes ${raw}`, () => assert.deepEqual(decodeFrame(raw), expected));
  }

  const malformed = ['', 'x', 'oo', 'hh', 'a', 'a[', 'a{"x":1}', 'a[1,2]', 'a["x",null]', 'c[3000]', 'c["3000","x"]', 'c{}', 'm1', '<html>', 'a"x"',
    // Close codes a WebSocket could not carry: the reconnect decision and the close event must see one code.
    'c[69536,"x"]', 'c[-1,"x"]', 'c[3000.5,"x"]', 'c[1e400,"x"]'];
  for (const raw of malformed) {
    it(`reports ${JSON.stringify(raw)} as an error, never throws`, () => {
      const frame = decodeFrame(raw);
      assert.equal(frame.kind, 'error');
      assert.equal(typeof frame.reason, 'string');
    });
  }
});
