// Size is a test: the gzip -9 size of each minified <script> bundle, printed on every run and
// held to a budget (issue 7). sockjs-client 1.6.1 is 16,350 bytes and @stomp/stompjs 6,504.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const root = new URL('../../', import.meta.url);
const rollupConfig = readFileSync(new URL('rollup.config.mjs', root), 'utf8');

// resock's target is 6,000 B (issue 7) and out of reach for this feature set (see the README's
// Benchmark section): the enforced budget is a ceiling just above today's size, so the bundle
// cannot grow unnoticed. Lower it as it shrinks.
const RESOCK_TARGET = 6000;
const BUNDLES = [
  { file: 'dist/resock.min.js', what: `all five transports, Resock and SockJS; target ${RESOCK_TARGET.toLocaleString('en')}`, budget: 10000 },
  { file: 'dist/resock-stomp.min.js', what: 'the STOMP client', budget: 3800 },
];

describe('bundle size (gzip -9 of the minified IIFE)', () => {
  for (const { file, what, budget } of BUNDLES) {
    it(`${file} (${what}) is at most ${budget.toLocaleString('en')} bytes`, function () {
      const url = new URL(file, root);
      if (!existsSync(url)) {
        // A bundle the build is meant to make must be there; one it does not make yet is skipped.
        const name = file.slice(file.lastIndexOf('/') + 1);
        if (rollupConfig.includes(name)) assert.fail(`${file} is missing although rollup.config.mjs builds it: run npm run build`);
        console.log(`      ${file}: not built (rollup.config.mjs has no such output yet), skipped`);
        this.skip();
      }
      const body = readFileSync(url);
      const gzip = gzipSync(body, { level: 9 }).length;
      console.log(`      ${file}: ${body.length.toLocaleString('en')} B minified, ${gzip.toLocaleString('en')} B gzip -9 (budget ${budget.toLocaleString('en')})`);
      if (gzip > budget) assert.fail(`${file} is ${gzip.toLocaleString('en')} B gzipped, ${(gzip - budget).toLocaleString('en')} B over its budget of ${budget.toLocaleString('en')}`);
    });
  }
});
