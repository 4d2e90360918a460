// Many tabs, one connection (issue 15): pages of ONE browser context (one profile, so one pool of
// six HTTP/1.1 connections per host), each with a `Resock` that has `shared: Resock.shared()`,
// against a sockjs-node server that counts sessions and records every message it receives.
import assert from 'node:assert/strict';
import http from 'node:http';
import sockjs from 'sockjs';
import { withDeadline } from '../support/deadline.mjs';
import { onLoopback } from '../support/loopback.mjs';
import { ENGINE } from '../support/engine.mjs';
import { closeClient, locksOf, opened, openTabs, role, sendFrom, start, waitIn } from '../support/shared-tabs.mjs';

const TRANSPORTS = ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling'];

/** sockjs-node with `/echo`: echoes, counts sessions, and keeps every message received in order. */
async function startRecordingServer() {
  const server = http.createServer((req, res) => {
    res.writeHead(404, { 'Access-Control-Allow-Origin': req.headers.origin || '*' });
    res.end();
  });
  const received = [];
  const sessions = new Set(); // in the order they opened
  const open = new Set();
  const waiters = new Set();
  const echo = sockjs.createServer({ log: () => {}, heartbeat_delay: 25000 });
  echo.on('connection', (conn) => {
    sessions.add(conn);
    open.add(conn);
    conn.on('data', (data) => {
      received.push(data);
      conn.write(data);
      for (const wake of [...waiters]) wake();
    });
    conn.on('close', () => {
      open.delete(conn);
      for (const wake of [...waiters]) wake();
    });
    for (const wake of [...waiters]) wake();
  });
  echo.installHandlers(server, { prefix: '/echo' });
  const lifecycle = onLoopback(server);
  const port = await lifecycle.listen(0);
  return {
    url: (prefix) => `http://127.0.0.1:${port}${prefix}`,
    received,
    sessions: () => sessions.size,
    openSessions: () => open.size,
    /** The sessions opened after the first `mark` ones that are still open. */
    openSince: (mark) => [...sessions].slice(mark).filter((conn) => open.has(conn)),
    /** Resolves once `check()` is true, looked at on every connection, message and close. */
    until(check, what) {
      return withDeadline(
        new Promise((resolve) => {
          const wake = () => check() && (waiters.delete(wake), resolve());
          waiters.add(wake);
          wake();
        }),
        { what, explain: async () => `server: ${sessions.size} session(s), ${open.size} open, ${received.length} message(s)` },
      );
    },
    close: lifecycle.close,
  };
}

/** Seeded, so that a failing run can be replayed (mulberry32). */
function prng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
describe('shared: many tabs, one connection', function () {
  let server;
  before(async () => {
    server = await startRecordingServer();
  });
  after(async () => {
    await server?.close();
  });

  it('8 tabs on xhr-streaming over HTTP/1.1: all open, every tab gets every message, the server sees 1 session', async () => {
    const pages = await openTabs(8);
    for (const page of pages) await start(page, server.url('/echo'), { shared: true, transports: 'xhr-streaming' });
    await Promise.all(pages.map(opened));
    const roles = await Promise.all(pages.map(role));
    assert.deepEqual(roles.slice().sort(), ['follower', 'follower', 'follower', 'follower', 'follower', 'follower', 'follower', 'leader']);
    await Promise.all(pages.map((page, i) => page.run((m) => window.tab.client.send(m), `from tab ${i}`)));
    const everyone = pages.map((_, i) => `from tab ${i}`).sort();
    for (const page of pages) {
      const got = await waitIn(page, '8 messages', () => window.tab.until(() => window.tab.got.length >= 8 && window.tab.got.slice()));
      assert.deepEqual(got.slice().sort(), everyone);
    }
    assert.equal(server.sessions(), 1);
    assert.deepEqual(server.received.slice().sort(), everyone, 'each send went out once');
  });

  it('without shared, the 7th tab on xhr-streaming stalls behind the six streams of the others', async () => {
    const before = server.sessions();
    const pages = await openTabs(7);
    for (const page of pages.slice(0, 6)) await start(page, server.url('/echo'), { shared: false, transports: 'xhr-streaming' });
    await Promise.all(pages.slice(0, 6).map(opened));
    await start(pages[6], server.url('/echo'), { shared: false, transports: 'xhr-streaming' });
    // Its attempt fails (its requests never leave the browser): it reconnects, and never opens.
    await waitIn(pages[6], 'a failed attempt', () => window.tab.until(() => window.tab.events.includes('reconnecting')));
    assert.deepEqual(await pages[6].run(() => window.tab.events.filter((e) => e === 'open')), []);
    assert.equal(server.sessions() - before, 6);
  });

  for (const transport of TRANSPORTS) {
    for (const how of ['closed', 'crashed']) {
      const outcome = transport === 'websocket' && how === 'closed' ? 'no message lost or sent twice' : 'no message lost, in order, what was doubled at the handover counted';
      // Firefox: a crash needs CDP (Page.crash), which BiDi has not: pending there, so named. (The
      // closed-page hand-over that timed out in Firefox was the test's own 5 ms timers, clamped to
      // 1 s in background tabs: see sendFrom.)
      const firefoxGap = ENGINE === 'firefox' && how === 'crashed' ? ' (pending in Firefox: no CDP to crash a page)' : '';
      (firefoxGap ? it.skip : it)(`${transport}: the leader page ${how} while every tab sends: a new leader, ${outcome}${firefoxGap}`, async () => {
        const pages = await openTabs(3);
        const prefix = `${transport}-${how}`;
        for (const page of pages) await start(page, server.url('/echo'), { shared: true, transports: transport });
        await Promise.all(pages.map(opened));
        const roles = await Promise.all(pages.map(role));
        const leader = pages[roles.indexOf('leader')];
        const followers = pages.filter((page) => page !== leader);
        const COUNT = 60;
        const sending = followers.map((page, i) => sendFrom(page, `${prefix}-${i}`, COUNT));
        void sendFrom(leader, `${prefix}-leader`, COUNT).catch(() => undefined); // its page goes away mid-way
        // Let the followers be mid-way: wait until the server has a third of their messages.
        const of = (i) => server.received.filter((m) => m.startsWith(`${prefix}-${i}-`));
        await server.until(() => of(0).length >= COUNT / 3 && of(1).length >= COUNT / 3, 'a third of the followers’ messages');
        const gone = Date.now();
        if (how === 'closed') await leader.page.close();
        else {
          const cdp = await leader.page.createCDPSession();
          void cdp.send('Page.crash').catch(() => undefined); // never answered: the renderer dies
        }
        // One of the followers gets the lock.
        const newLeaderAt = await withDeadline(
          Promise.race(followers.map((page) => page.run(() => window.tab.until(() => window.tab.roles.find((r) => r.role === 'leader'))))),
          { what: 'a new leader' },
        ).then((r) => r.at);
        await Promise.all(sending);
        const last = (i) => `${prefix}-${i}-${COUNT - 1}`;
        await server.until(() => of(0).includes(last(0)) && of(1).includes(last(1)), 'the last message of each follower');
        let lost = 0;
        let twice = 0;
        for (const i of [0, 1]) {
          const numbers = of(i).map((m) => Number(m.slice(m.lastIndexOf('-') + 1)));
          // Never out of order. A message sent twice at the handover comes again after later ones:
          // the order is that of first arrivals.
          const firsts = numbers.filter((n, k) => numbers.indexOf(n) === k);
          assert.deepEqual(firsts, firsts.slice().sort((x, y) => x - y), `tab ${i}: in order`);
          twice += numbers.length - new Set(numbers).size;
          // What came twice is one run of numbers: the batch in flight when the leader went (with
          // the batches just before it, if its confirmations died with it).
          const doubled = [...new Set(numbers.filter((n, k) => numbers.indexOf(n) !== k))].sort((x, y) => x - y);
          assert.ok(!doubled.length || doubled.at(-1) - doubled[0] + 1 === doubled.length, `tab ${i}: doubled ${doubled} are one run`);
          lost += COUNT - new Set(numbers).size;
        }
        // A follower keeps what it asked the leader to send until the leader's link says it went
        // out (a WebSocket frame written, a POST answered): nothing is lost, closed or crashed.
        // Over HTTP, a batch in a POST in flight when the leader left or died may have reached the
        // server or not (Chromium delivers an aborted POST whose body had left; Firefox often does
        // not): its tab sends it again through the next leader — at least once, so it may come
        // twice. A WebSocket leader that leaves cleanly writes its last frame: nothing twice.
        // Only the server can drop such a copy.
        assert.equal(lost, 0, 'nothing lost');
        if (transport === 'websocket' && how === 'closed') assert.equal(twice, 0, 'nothing twice');
        console.log(`      ${transport}, leader ${how}: a new leader after ${newLeaderAt - gone} ms; ${lost} lost, ${twice} twice`);
      });
    }
  }

  it("a follower's close() detaches that tab only; the last tab's close() leaves no request, lock or channel", async () => {
    const [leaderPage, followerPage] = await openTabs(2);
    await start(leaderPage, server.url('/echo'), { shared: true, key: 'close', transports: 'xhr-streaming' });
    await opened(leaderPage);
    await start(followerPage, server.url('/echo'), { shared: true, key: 'close', transports: 'xhr-streaming' });
    await opened(followerPage);
    assert.deepEqual([await role(leaderPage), await role(followerPage)], ['leader', 'follower']);
    const sessionsBefore = server.sessions();

    assert.equal(await closeClient(followerPage), 'close 1000');
    await leaderPage.run(() => window.tab.client.send('after the follower left'));
    await waitIn(leaderPage, 'its echo', () => window.tab.until(() => window.tab.got.includes('after the follower left')));
    assert.deepEqual(await followerPage.run(() => [window.tab.got, window.tab.channels]), [[], 0]);
    assert.deepEqual(await locksOf(leaderPage), { held: 1, pending: 0 }, 'the follower no longer waits for the lock');
    assert.equal(server.sessions(), sessionsBefore, 'the link went on');

    assert.equal(await closeClient(leaderPage), 'close 1000');
    assert.deepEqual(await locksOf(leaderPage), { held: 0, pending: 0 });
    assert.equal(await leaderPage.run(() => window.tab.channels), 0);
    for (const page of [leaderPage, followerPage]) await page.waitUntilNoPendingRequests();
    assert.deepEqual([leaderPage, followerPage].map((page) => page.network.pendingRequests()), [[], []]);
  });

  it('pagehide in the leader: another tab leads at once; shown again, the tab follows it, and nothing is lost', async () => {
    const [first, second] = await openTabs(2);
    for (const page of [first, second]) {
      await start(page, server.url('/echo'), { shared: true, key: 'pagehide', transports: 'websocket' });
      await opened(page);
    }
    assert.deepEqual([await role(first), await role(second)], ['leader', 'follower']);
    await first.run(() => window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true })));
    await waitIn(second, 'the lead', () => window.tab.until(() => window.tab.client.sharing === 'leader' && window.tab.client.readyState === 1));
    await second.run(() => window.tab.client.send('while the first was hidden'));
    await first.run(() => window.tab.client.send('sent while hidden'));
    await first.run(() => window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
    await opened(first);
    assert.equal(await role(first), 'follower');
    const both = ['sent while hidden', 'while the first was hidden'];
    await server.until(() => both.every((m) => server.received.includes(m)), 'both messages');
    assert.deepEqual(server.received.filter((m) => both.includes(m)).sort(), both, 'each once');
    await waitIn(first, 'its own echo', () => window.tab.until(() => window.tab.got.includes('sent while hidden')));
  });

  it("offline and online in the leader (xhr-polling): the followers' sends wait and go out once, the tab keeps the lead", async () => {
    const [leaderPage, followerPage] = await openTabs(2);
    for (const page of [leaderPage, followerPage]) {
      await start(page, server.url('/echo'), { shared: true, key: 'offline', transports: 'xhr-polling' });
      await opened(page);
    }
    await leaderPage.page.setOfflineMode(true);
    // The leader's POST of it fails: the link is lost for both tabs, and the message not confirmed.
    await followerPage.run(() => window.tab.client.send('sent while the leader was offline'));
    await waitIn(followerPage, 'the link lost', () => window.tab.until(() => window.tab.events.includes('reconnecting')));
    await leaderPage.page.setOfflineMode(false);
    await waitIn(followerPage, 'its echo', () => window.tab.until(() => window.tab.got.includes('sent while the leader was offline')));
    assert.equal(server.received.filter((m) => m === 'sent while the leader was offline').length, 1);
    assert.deepEqual([await role(leaderPage), await role(followerPage)], ['leader', 'follower']);
  });

  it('tabs join and leave at random for 15 s: each tab gets every server message sent while it was attached, once, in order', async function () {
    this.timeout(120000);
    const seed = Number(process.env.RESOCK_SEED || 15);
    const random = prng(seed);
    const url = server.url('/echo');
    const options = { shared: true, key: `random-${seed}`, transports: 'websocket' };
    const tabs = []; // { page, expected }
    const finished = []; // { expected, got } of tabs that left
    let anchor; // the first page: its context is the one profile every tab opens in
    const join = async () => {
      const [page] = await openTabs(1, anchor);
      anchor ||= page;
      await start(page, url, options);
      tabs.push({ page, expected: [] });
    };
    // Sessions of earlier tests may still be closing: this test's are those opened from now on.
    const mark = server.sessions();
    const everyoneOpen = () =>
      server.until(() => server.openSince(mark).length === 1, 'one session').then(() => Promise.all(tabs.map(({ page }) => opened(page))));
    const serverMessages = (page) => page.run(() => window.tab.got.filter((m) => m.startsWith('srv-')));
    let pushes = 0;
    const steps = [];
    const until = Date.now() + 15000;
    for (let step = 0; step < 200 && Date.now() < until; step++) {
      const r = random();
      if (tabs.length < 2 || (r < 0.3 && tabs.length < 5)) {
        steps.push('join');
        await join();
      } else if (r < 0.55) {
        const { page, expected } = tabs.splice(Math.floor(random() * tabs.length), 1)[0];
        finished.push({ expected, got: await serverMessages(page) });
        // Half the time the page closes (its tab goes), else its client closes.
        const how = random() < 0.5 ? 'page' : 'client';
        steps.push(`leave by ${how}`);
        if (how === 'page') await page.page.close();
        else await closeClient(page);
      } else {
        await everyoneOpen();
        const message = `srv-${pushes++}`;
        steps.push(message);
        for (const conn of server.openSince(mark)) conn.write(message);
        for (const t of tabs) t.expected.push(message);
        await Promise.all(tabs.map(({ page }) => waitIn(page, message, (m) => window.tab.until(() => window.tab.got.includes(m)), message)));
      }
    }
    for (const t of tabs) finished.push({ expected: t.expected, got: await serverMessages(t.page) });
    console.log(`      seed ${seed}: ${steps.length} steps (${steps.filter((s) => s === 'join').length} joins, ${steps.filter((s) => s.startsWith('leave')).length} leaves, ${pushes} server messages)`);
    assert.ok(pushes >= 3 && steps.some((s) => s.startsWith('leave')), `too few steps to mean anything: ${steps}`);
    for (const { expected, got } of finished) assert.deepEqual(got, expected);
  });
});
