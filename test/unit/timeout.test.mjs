import assert from 'node:assert/strict';
import { connectTimeout, raceGrace, retransmissionTimeout } from '../../dist/esm/protocol/timeout.js';

describe('timeouts', () => {
  it('follows sockjs-client: 300 + rtt up to 100 ms, 4 × rtt above', () => {
    assert.equal(retransmissionTimeout(5), 305);
    assert.equal(retransmissionTimeout(100), 400);
    assert.equal(retransmissionTimeout(250), 1000);
  });

  it('scales with round trips and never goes below the floor', () => {
    assert.equal(connectTimeout(5, 2), 610);
    assert.equal(connectTimeout(5, 1), 305);
    assert.equal(connectTimeout(5, 2, 5000), 5000);
  });

  it('gives a slow network a long race grace and loopback a short one', () => {
    assert.equal(raceGrace(2), 100);
    assert.equal(raceGrace(300), 1500);
    assert.ok(raceGrace(300) > 4 * 300, 'a WebSocket handshake (TCP + TLS + upgrade) fits in the grace');
  });
});
