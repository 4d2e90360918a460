// Shared tabs with resumable sessions (issue 15's last item): pages of ONE browser context, each
// with a `Resock` that has `shared` and `resume`, against a real sockjs-node with the resume
// companion (test/support/resume-server.mjs, a server per test), on every transport. The leader
// page is closed or crashed while every tab sends and the server pushes numbered messages: the
// next leader resumes THE SAME session, so nothing is lost or duplicated either way. The same run
// against the plain app (no companion) keeps shared's own guarantee (nothing lost); a server
// restart reaches every tab as `resumefailed`.
import assert from 'node:assert/strict';
import { withDeadline } from '../support/deadline.mjs';
import { ENGINE } from '../support/engine.mjs';
import { startResumeServer } from '../support/resume-server.mjs';
import { opened, openTabs, role, sendFrom, start, waitIn } from '../support/shared-tabs.mjs';

const TRANSPORTS = ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling'];
const COUNT = 60; // messages each tab sends
const PUSHES = 120; // numbered messages the server pushes, one every 20 ms

/** Numbers of `prefix`'s messages in `log`, in the order they came. */
const numbersOf = (log, prefix) => log.filter((m) => m.startsWith(`${prefix}-`)).map((m) => Number(m.slice(prefix.length + 1)));
const range = (count) => Array.from({ length: count }, (_, i) => i);
const readTab = (page) => page.run(() => ({ got: window.tab.got, failed: window.tab.failed, resume: window.tab.resume, resumable: window.tab.client.resumable }));

/** A page that crashes (CDP): its renderer dies without a word, as a tab killed by the system. */
async function crash(page) {
  const cdp = await page.page.createCDPSession();
  void cdp.send('Page.crash').catch(() => undefined); // never answered: the renderer dies
}

describe('shared + resume: many tabs, one resumable session', function () {
  for (const transport of TRANSPORTS) {
    for (const how of ['closed', 'crashed']) {
      for (const companion of [true, false]) {
        const firefoxGap = ENGINE === 'firefox' && how === 'crashed' ? ' (pending in Firefox: no CDP to crash a page)' : '';
        const outcome = companion
          ? 'the next leader resumes the same session: 0 lost, 0 twice, in order, both ways'
          : 'against a plain server, nothing the tabs send is lost, as without resume';
        (firefoxGap ? it.skip : it)(`${transport}: the leader page ${how} while every tab sends and the server pushes: ${outcome}${firefoxGap}`, async function () {
          this.timeout(90000);
          const server = await startResumeServer();
          try {
            await handOver({ server, transport, how, companion });
          } finally {
            await server.close();
          }
        });
      }
    }
  }

  async function handOver({ server, transport, how, companion }) {
    const app = server.app[companion ? 'resume' : 'plain'];
    const pages = await openTabs(3, undefined, { resume: true });
    for (const page of pages) await start(page, server.url(companion ? '/resume' : '/plain'), { shared: true, resume: true, transports: transport });
    await Promise.all(pages.map(opened));
    const roles = await Promise.all(pages.map(role));
    const leader = pages[roles.indexOf('leader')];
    const followers = pages.filter((page) => page !== leader);
    assert.deepEqual((await Promise.all(pages.map(readTab))).map((t) => t.resumable), [companion, companion, companion]);

    const pushing = app.push(PUSHES, 20);
    const sending = followers.map((page, i) => sendFrom(page, `f${i}`, COUNT));
    void sendFrom(leader, 'leader', COUNT).catch(() => undefined); // its page goes away mid-way
    const reached = (check, what) => withDeadline(app.until(check), { what, explain: async () => `server: ${app.log.length} message(s)` });
    await reached(() => numbersOf(app.log, 'f0').length >= COUNT / 3 && numbersOf(app.log, 'f1').length >= COUNT / 3, 'a third of the followers’ messages');
    const gone = Date.now();
    if (how === 'closed') await leader.page.close();
    else await crash(leader);
    const newLeaderAt = await withDeadline(
      Promise.race(followers.map((page) => page.run(() => window.tab.until(() => window.tab.roles.find((r) => r.role === 'leader'))))),
      { what: 'a new leader' },
    ).then((r) => r.at);
    await Promise.all(sending);
    await pushing;
    await reached(() => [0, 1].every((i) => numbersOf(app.log, `f${i}`).includes(COUNT - 1)), 'the last message of each follower');

    const up = [0, 1].map((i) => numbersOf(app.log, `f${i}`));
    const leaders = numbersOf(app.log, 'leader');
    if (companion) {
      // Server → client: every tab that stayed gets every pushed message (and every echo) once, in
      // order; all of them the same sequence, whichever tab led when.
      const last = `s${PUSHES - 1}`;
      for (const page of followers) await waitIn(page, last, (m) => window.tab.until(() => window.tab.got.includes(m)), last);
      const tabs = await Promise.all(followers.map(readTab));
      for (const [i, { got, failed, resume }] of tabs.entries()) {
        const pushed = got.filter((m) => /^s\d+$/.test(m));
        assert.deepEqual(pushed, range(PUSHES).map((n) => `s${n}`), `tab ${i}: every pushed message once, in order`);
        assert.equal(new Set(got).size, got.length, `tab ${i}: nothing twice`);
        assert.deepEqual(failed, [], `tab ${i}: no resumefailed`);
        assert.equal(resume.filter((r) => r.resumable === false).length, 0);
      }
      assert.deepEqual(tabs[0].got, tabs[1].got, 'both tabs saw the same sequence');
      // Client → server: each follower's messages exactly once, in order; the leader's, a prefix of
      // what it sent (what it had not handed to the session died with its page), once, in order.
      assert.deepEqual(up, [range(COUNT), range(COUNT)], 'each follower: 0 lost, 0 twice, in order');
      assert.deepEqual(leaders, range(leaders.length), "the leader's own: once, in order");
      // ONE logical session: the companion's connection survived the hand-over; no fresh session.
      assert.equal(app.sessions.length, 1, 'one logical session');
      assert.equal(app.sessions[0].readyState, 1);
      assert.equal(app.closes, 0);
    } else {
      // Without the companion, shared's own guarantee: a follower keeps what it sent until the
      // leader's link confirms it went out, so nothing is lost; what was in flight at the hand-over
      // may come twice (see shared.test.mjs).
      for (const [i, numbers] of up.entries()) {
        const firsts = numbers.filter((n, k) => numbers.indexOf(n) === k);
        assert.deepEqual(firsts.slice().sort((x, y) => x - y), range(COUNT), `tab ${i}: nothing lost`);
        assert.deepEqual(firsts, range(COUNT), `tab ${i}: in order`);
      }
      for (const [i, { failed, resume, resumable }] of (await Promise.all(followers.map(readTab))).entries()) {
        assert.equal(resumable, false);
        assert.deepEqual(resume, [{ resumable: false, why: 'echo' }], `tab ${i}: says once that the server does not resume`);
        assert.deepEqual(failed, []);
      }
    }
    const twice = up.reduce((n, numbers) => n + numbers.length - new Set(numbers).size, 0);
    console.log(`      ${transport}, leader ${how}, ${companion ? 'companion' : 'plain'}: a new leader after ${newLeaderAt - gone} ms; ${twice} twice`);
  }

  for (const transport of ['websocket', 'xhr-polling']) {
    it(`a server restart (${transport}): resumefailed "restarted" in every tab, each with its own unconfirmed messages; then a fresh session that works`, async function () {
      this.timeout(60000);
      // The server's acks wait a minute: what the tabs sent before the restart is unconfirmed for sure.
      let server = await startResumeServer({ ackDelay: 60000 });
      try {
        const pages = await openTabs(3, undefined, { resume: true });
        for (const page of pages) await start(page, server.url('/resume'), { shared: true, resume: true, transports: transport });
        await Promise.all(pages.map(opened));
        for (const [i, page] of pages.entries()) await page.run((m) => window.tab.client.send(m), `before-${i}`);
        await withDeadline(server.app.resume.until(() => server.app.resume.log.length === 3), { what: 'the three messages' });
        const { port } = server;
        await server.close();
        server = await startResumeServer({ port, ackDelay: 60000 });
        for (const [i, page] of pages.entries()) {
          const failed = await waitIn(page, 'resumefailed', () => window.tab.until(() => window.tab.failed.length && window.tab.failed));
          assert.deepEqual(failed, [{ reason: 'restarted', unconfirmed: [`before-${i}`] }], `tab ${i}`);
        }
        await Promise.all(pages.map(opened));
        for (const [i, page] of pages.entries()) await page.run((m) => window.tab.client.send(m), `after-${i}`);
        const app = server.app.resume;
        await withDeadline(app.until(() => app.log.length === 3), { what: 'the messages after the restart' });
        assert.deepEqual(app.log.slice().sort(), ['after-0', 'after-1', 'after-2'], 'each once, into the fresh session');
        assert.equal(app.sessions.length, 1);
      } finally {
        await server.close();
      }
    });
  }
});
