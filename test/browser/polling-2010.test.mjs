// Defect 19 (issue 11): sockjs-go answers a poll that arrives before it has released the previous
// one with c[2010,"Another connection still open"]. That answers the second request only; the
// session lives on. Many short polling sessions with messages flowing: none may end with 2010,
// and every message must come back.
import assert from 'node:assert/strict';
import { openPage } from '../support/browser.mjs';
import { withDeadline } from '../support/deadline.mjs';
import { startSockjsGoServer } from '../support/sockjs-go-server.mjs';

const SESSIONS = 16; // per transport
const AT_ONCE = 2; // two sessions in parallel: a poll and a send each, within Chromium's 6 per host
const ROUNDS = 25; // messages per session, each sent once the previous one came back: one poll each

describe('polling sessions against sockjs-go are not lost to the client speed (2010)', function () {
  let server;
  before(async () => {
    server = await startSockjsGoServer();
  });
  after(async () => {
    await server?.close();
  });

  for (const transport of ['xhr-polling', 'jsonp-polling']) {
    it(`${transport}: ${SESSIONS} sessions of ${ROUNDS} echoes each, all closed by the client, all echoed`, async function () {
      // 400 round trips, each a poll: a bound for a loaded machine, not a measure.
      this.timeout(120000);
      const page = await openPage();
      const outcomes = await withDeadline(
        page.run(runSessions, server.url('/echo'), transport, { sessions: SESSIONS, atOnce: AT_ONCE, rounds: ROUNDS }),
        { what: `${SESSIONS} ${transport} sessions`, timeoutMs: 100000 },
      );
      assert.equal(outcomes.length, SESSIONS);
      const lost = outcomes.filter((outcome) => outcome.code !== 1000 || outcome.echoed !== ROUNDS);
      assert.deepEqual(lost, [], `sessions that did not end by the client's close() with every echo: ${JSON.stringify(lost)}`);
    });
  }
});

/**
 * Runs in the page: `sessions` SockJS sessions on `transport`, `atOnce` at a time; each sends
 * `rounds` messages one after the other (the next once the previous is echoed), then closes.
 * Resolves with `{ code, reason, echoed }` per session: its close event and how many echoes came.
 */
function runSessions(url, transport, { sessions, atOnce, rounds }) {
  const runOne = () =>
    new Promise((resolve) => {
      // A generous open timeout: this test is about 2010 during a session, and on a loaded machine
      // a jsonp open can outlast the RTT-derived timeout (one round trip's worth), failing with 2000.
      const socket = new window.Resock.SockJS(url, null, { transports: transport, timeout: 10000 });
      let echoed = 0;
      socket.onopen = () => socket.send('m0');
      socket.onmessage = (event) => {
        if (event.data !== `m${echoed}`) return socket.close(4000, `unexpected ${event.data}`);
        echoed += 1;
        if (echoed < rounds) socket.send(`m${echoed}`);
        else socket.close();
      };
      socket.onclose = (event) => resolve({ code: event.code, reason: event.reason, echoed });
    });
  const outcomes = [];
  const worker = async () => {
    while (outcomes.length + running < sessions) {
      running += 1;
      const outcome = await runOne();
      running -= 1;
      outcomes.push(outcome);
    }
  };
  let running = 0;
  return Promise.all(Array.from({ length: atOnce }, worker)).then(() => outcomes);
}
