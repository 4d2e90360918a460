import assert from 'node:assert/strict';
import { detectEnv } from '../../dist/esm/env/env.js';

describe('detectEnv', () => {
  it('never hands the platform a delay past 2^31 - 1 ms, which it would run at once (timeout: Infinity, a huge heartbeatTimeout)', () => {
    const delays = [];
    const env = detectEnv({ setTimeout: (fn, ms) => delays.push(ms) });
    for (const ms of [Infinity, 3e9, 2147483648, 5]) env.setTimeout(() => undefined, ms);
    assert.ok(delays.slice(0, 3).every((ms) => ms <= 2147483647), delays.join());
    assert.equal(delays[3], 5);
  });
});
