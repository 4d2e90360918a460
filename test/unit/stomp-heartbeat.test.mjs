// Heart-beat negotiation, and the watchdog driven by a fake clock: no real time passes.
import assert from 'node:assert/strict';
import { negotiateHeartbeat, startHeartbeat } from '../../dist/esm/stomp/heartbeat.js';
import { fakeClock as manualClock } from './fakes.mjs';

describe('STOMP heart-beat negotiation', () => {
  // [our outgoing, our incoming, the broker's heart-beat header] → [we send every, we expect every]
  const table = [
    [10000, 10000, '10000,10000', [10000, 10000]],
    [10000, 10000, '0,0', [0, 0]],
    [10000, 10000, undefined, [0, 0]],
    [10000, 10000, 'garbage', [0, 0]],
    [0, 0, '5000,5000', [0, 0]],
    [1000, 2000, '5000,3000', [3000, 5000]], // each side at the larger of offer and wish
    [4000, 500, '100,200', [4000, 500]],
    [1000, 0, '0,500', [1000, 0]], // we send; we do not watch
    [0, 1000, '500,0', [0, 1000]], // we watch; we do not send
    [1000, 1000, '-5,x', [0, 0]],
  ];
  for (const [outgoing, incoming, header, want] of table) {
    it(`client ${outgoing},${incoming} and broker ${header} → send ${want[0]}, expect ${want[1]}`, () => {
      assert.deepEqual(negotiateHeartbeat(outgoing, incoming, header), want);
    });
  }
});

describe('STOMP heart-beat watchdog', () => {
  function watch(intervals) {
    const clock = manualClock();
    const log = [];
    const monitor = startHeartbeat(clock, intervals, () => log.push(['ping', clock.now()]), () => log.push(['silence', clock.now()]));
    return { clock, log, monitor };
  }

  it('pings every send interval', () => {
    const { clock, log, monitor } = watch([1000, 0]);
    clock.tick(3500);
    assert.deepEqual(log, [['ping', 2000], ['ping', 3000], ['ping', 4000]]);
    monitor.stop();
    clock.tick(5000);
    assert.equal(log.length, 3);
    assert.equal(clock.pending(), 0);
  });

  it('reports silence once the broker was silent for more than twice its interval, and stops', () => {
    const { clock, log } = watch([0, 1000]);
    clock.tick(2000);
    assert.deepEqual(log, []);
    clock.tick(1000);
    assert.deepEqual(log, [['silence', 4000]]);
    clock.tick(10000);
    assert.equal(log.length, 1);
    assert.equal(clock.pending(), 0);
  });

  it('counts anything received as a sign of life', () => {
    const { clock, log, monitor } = watch([0, 1000]);
    for (let i = 0; i < 10; i++) {
      clock.tick(1500);
      monitor.received();
    }
    assert.deepEqual(log, []);
    clock.tick(3000);
    assert.equal(log.length, 1);
  });

  it('judges silence by timestamps: check() finds it even when timers did not run', () => {
    const { clock, log, monitor } = watch([0, 1000]);
    clock.jump(60000); // a background tab: no timer ran for a minute
    assert.equal(monitor.check(), false);
    assert.deepEqual(log, [['silence', 61000]]);
    assert.equal(monitor.check(), false);
    assert.equal(log.length, 1);
  });

  it('check() is true while the broker is heard from, and when nothing is watched', () => {
    const alive = watch([0, 1000]);
    alive.clock.jump(1999);
    assert.equal(alive.monitor.check(), true);
    const unwatched = watch([0, 0]);
    unwatched.clock.jump(1e9);
    assert.equal(unwatched.monitor.check(), true);
    assert.equal(unwatched.clock.pending(), 0);
  });
});
