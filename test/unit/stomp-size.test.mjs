// Size is a test: the STOMP <script> bundle must stay within its gzip budget (@stomp/stompjs is
// 6,504 bytes gzipped; sockjs-client 16.4 KB more).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUNDLE = new URL('../../dist/resock-stomp.min.js', import.meta.url);
const BUDGET = 3800; // bytes, gzip -9: 3,500 until issue 11 (linear parser +57 B; client/session split, DISCONNECT before a drop, StompClosedError, reconnect() of a given Resock, guarded callbacks +234 B)

describe('dist/resock-stomp.min.js', () => {
  it(`is at most ${BUDGET} bytes gzipped`, function () {
    assert.ok(existsSync(BUNDLE), 'dist/resock-stomp.min.js is missing: run npm run build');
    const code = readFileSync(BUNDLE);
    const size = gzipSync(code, { level: 9 }).length;
    this.test.title += ` (now ${size}: ${code.length} minified)`;
    console.log(`      resock-stomp.min.js: ${size} bytes gzipped, ${code.length} minified, budget ${BUDGET}`);
    assert.ok(size <= BUDGET, `${size} bytes gzipped, over the budget of ${BUDGET} by ${size - BUDGET}`);
  });
});
