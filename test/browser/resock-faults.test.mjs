// Resock (the reconnecting client) against the failures of real networks, over every transport
// in turn: sockjs-node with a short heartbeat behind the test proxy, which cuts, refuses and
// freezes on demand; a server restart; the browser going offline; close() for good.
//
// What is asserted is the contract of issue 3: messages queued while not open are delivered
// once and in order after the next open. Messages already handed to a link that then died may
// be lost (at-most-once): those are counted and printed, never asserted away.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { openPage } from '../support/browser.mjs';
import { hasDevTools } from '../support/engine.mjs';
import { startProxy } from '../support/proxy.mjs';
import { startSockjsServer } from '../support/sockjs-server.mjs';

const TRANSPORTS = ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling'];
/** Transports on which sockjs-node sends `h` frames (on WebSocket it sends pings instead). */
const SENDS_H = new Set(['xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling']);
/** 10 cycles as the issue asks on WebSocket and one streaming transport; 5 on the others keep the file short. */
const OUTAGE_CYCLES = { websocket: 10, 'xhr-streaming': 10, eventsource: 5, 'xhr-polling': 5, 'jsonp-polling': 5 };

const HEARTBEAT_DELAY = 500; // ms between the server's `h` frames
const HEARTBEAT_TIMEOUT = 2500; // the client's limit of silence: five heartbeats, some slack for a loaded machine
const FAST_RECONNECT = { minDelay: 50, maxDelay: 250 };
const OUTAGE_MS = 1000; // a deliberate outage: refused connections for this long
const RANDOM_CUTS_MS = 15000; // how long the proxy cuts at random in the continuous-sends case
/** Long enough for a client that wrongly retried to show it (several times maxDelay). */
const QUIET_MS = 4 * FAST_RECONNECT.maxDelay;

describe('Resock through faults, on every transport', function () {
  let server;
  let proxy;
  before(async () => {
    server = await startSockjsServer({ heartbeatDelay: HEARTBEAT_DELAY });
    proxy = await startProxy({ targetPort: server.port });
  });
  after(async () => {
    await proxy?.close();
    await server?.close();
  });
  afterEach(() => {
    proxy.refuse(false);
    proxy.freeze(false);
  });

  for (const transport of TRANSPORTS) {
    describe(transport, function () {
      /** A page and a Resock forced onto this transport, through the proxy, open. */
      async function openClient(options = {}, record) {
        const page = await openPage();
        const client = await page.connectResock(
          proxy.url('/echo'),
          { transports: transport, reconnect: FAST_RECONNECT, heartbeatTimeout: HEARTBEAT_TIMEOUT, ...options },
          record,
        );
        const open = await client.opened();
        assert.equal(open.transport, transport);
        return { page, client };
      }

      /**
       * Resolves once the client is not open: it noticed the link is gone. For use while it
       * cannot open again (connections refused, server down, offline), or it might be open anew.
       */
      async function leftOpen(client) {
        const { open } = await client.counts();
        await client.wait(
          (id) =>
            new Promise((resolve) => {
              const c = window.recorder.client(id);
              const check = () => c.state !== 'open' && (c.removeEventListener('state', check), resolve());
              c.addEventListener('state', check);
              check();
            }),
          `the client to leave 'open' after open #${open}`,
        );
      }

      it(`delivers 100 messages queued during a 1 s outage, once and in order (${OUTAGE_CYCLES[transport]} cycles)`, async function () {
        const { client } = await openClient();
        const cycles = OUTAGE_CYCLES[transport];
        let echoed = 0;
        for (let cycle = 1; cycle <= cycles; cycle++) {
          proxy.refuse(true);
          proxy.cutAll();
          await leftOpen(client);
          const batch = Array.from({ length: 100 }, (_, i) => `cycle ${cycle} message ${i}`);
          await client.send(...batch);
          const queued = await client.state();
          assert.notEqual(queued.state, 'open', `cycle ${cycle}: the messages were to be sent while not open`);
          assert.ok(queued.bufferedAmount > 0, `cycle ${cycle}: nothing queued: ${JSON.stringify(queued)}`);
          await sleep(OUTAGE_MS);
          proxy.refuse(false);
          const received = await client.messages(echoed + batch.length);
          assert.deepEqual(received.slice(echoed), batch, `cycle ${cycle}`);
          echoed += batch.length;
        }
        // Nothing arrives twice later: a last message sent while open comes right after the batches.
        await client.send('last');
        const all = await client.messages(echoed + 1);
        assert.equal(all[echoed], 'last');
        const opens = await client.events('open');
        assert.equal(opens.length, cycles + 1);
        assert.ok(opens.every((open) => open.transport === transport), JSON.stringify(opens));
      });

      it('loses, duplicates and reorders no queued message while the proxy cuts at random for 15 s', async function () {
        this.timeout(RANDOM_CUTS_MS + 60000);
        // Unbounded in effect (Infinity does not cross page.evaluate).
        const { page, client } = await openClient({ queue: { maxMessages: 1e6 } });
        const sendRequests = await watchSendRequests(page);
        // In the page: 3 messages every 10 ms, each marked queued when sent while not open, and
        // every echo with the link it came on (the number of opens so far). At each open the
        // client flushes its queue before the 'open' event: `awaited` is the last message of that flush.
        await page.run((id) => {
          const c = window.recorder.client(id);
          const s = (window.sender = { n: 0, queued: [], sentAt: [], echoed: [], link: 1, lastQueued: -1, awaited: -1, maxEchoed: -1, timer: 0 });
          c.addEventListener('open', () => {
            s.link += 1;
            s.awaited = s.lastQueued;
          });
          c.addEventListener('message', (event) => {
            s.echoed.push([Number(event.data), s.link]);
            s.maxEchoed = Math.max(s.maxEchoed, Number(event.data));
          });
          s.timer = setInterval(() => {
            for (let k = 0; k < 3; k++) {
              const queued = c.state !== 'open';
              c.send(String(s.n));
              s.queued.push(queued);
              s.sentAt.push(Date.now());
              if (queued) s.lastQueued = s.n;
              s.n += 1;
            }
          }, 10);
        }, client.id);
        /** Resolves once the client is open and has had the echo of message `n` or a later one. */
        const echoedUpTo = (n, what) =>
          client.wait(
            (id, upTo) =>
              new Promise((resolve) => {
                const c = window.recorder.client(id);
                const s = window.sender;
                const check = () => {
                  if (c.state !== 'open' || s.maxEchoed < (upTo ?? s.awaited)) return;
                  c.removeEventListener('message', check);
                  c.removeEventListener('open', check);
                  resolve();
                };
                c.addEventListener('message', check);
                c.addEventListener('open', check);
                check();
              }),
            what,
            {},
            n,
          );

        // Cuts only while the client is open and has had the echo of its last flush: a cut between
        // a flush and its echo could take queued messages that were already handed to the link,
        // which the contract allows to be lost. Each cut waits for the page to notice it before
        // the next check, or that check could pass on the dying link. New connections are refused
        // meanwhile: Chromium silently repeats a request whose reused keep-alive connection was
        // reset, which would let polls survive the cut. Everything else is left to chance.
        const end = Date.now() + RANDOM_CUTS_MS;
        let cuts = 0;
        let outages = 0;
        const cutTimes = []; // for the timeline of a failure
        while (Date.now() < end && cuts < 300) {
          await echoedUpTo(null, 'the client to be open with its last flush echoed');
          await sleep(50 + Math.random() * 550);
          const { reconnecting = 0 } = await client.counts();
          proxy.refuse(true);
          proxy.cutAll();
          cutTimes.push({ at: Date.now(), type: 'test: cut, refusing' });
          cuts += 1;
          await client.count('reconnecting', reconnecting + 1);
          if (Math.random() < 0.4) {
            // A longer outage: more is queued, and attempts fail before one succeeds.
            await sleep(100 + Math.random() * 500);
            outages += 1;
          }
          proxy.refuse(false);
          cutTimes.push({ at: Date.now(), type: 'test: no longer refusing' });
        }

        await page.run(() => clearInterval(window.sender.timer));
        await echoedUpTo(null, 'the client to be open with its last flush echoed');
        // A last message, sent while open: once it is echoed, everything that will come has come.
        const last = await page.run((id) => {
          const s = window.sender;
          window.recorder.client(id).send(String(s.n));
          s.queued.push(false);
          return s.n++;
        }, client.id);
        await echoedUpTo(last, `the echo of the last message (${last})`);

        const { queued, sentAt, echoed } = await page.run(() => window.sender);
        const report = analyseEchoes(queued, echoed, await sendRequests());
        const counts = await client.counts();
        console.log(
          `      ${transport}: ${queued.length} sent (${queued.filter(Boolean).length} queued), ${cuts} cuts (${outages} with a longer outage), ` +
            `${counts.open - 1} reopens; in flight: ${report.lostInFlight} lost (allowed: at-most-once), ` +
            `${report.repeatedByBrowser.length} echoed twice because the browser repeated a POST`,
        );
        assert.deepEqual(report.duplicated.slice(0, 10), [], `messages echoed more than once (${report.duplicated.length} in all)`);
        assert.deepEqual(report.disorder.slice(0, 10), [], `echoes out of order (${report.disorder.length} in all)`);
        if (report.lostQueued.length > 0) {
          // What happened around the first loss: the client's events and the test's cuts, in time order.
          const from = sentAt[report.lostQueued[0]] - 200;
          const timeline = [...(await client.events()), ...cutTimes]
            .filter((event) => event.at >= from && event.at <= from + 3000)
            .sort((a, b) => a.at - b.at)
            .map((event) => `${event.at - from - 200} ms ${event.type}${event.detail ? ` ${JSON.stringify(event.detail)}` : ''}`);
          const sentThen = report.lostQueued.slice(0, 3).map((n) => `${n} sent at ${sentAt[n] - from - 200} ms`);
          assert.fail(`queued messages lost (${report.lostQueued.length} in all): ${report.lostQueued.slice(0, 20).join(', ')}; ${sentThen.join(', ')}; then:\n${timeline.join('\n')}`);
        }
        assert.ok(counts.open >= 2, `no reconnection in ${cuts} cuts`);
      });

      it('reopens and delivers after the server process restarts', async function () {
        const { client } = await openClient();
        await client.send('before');
        assert.deepEqual(await client.messages(1), ['before']);
        const { port } = server;
        await server.close();
        await leftOpen(client);
        await client.send('during 1', 'during 2', 'during 3');
        server = await startSockjsServer({ heartbeatDelay: HEARTBEAT_DELAY, port });
        assert.deepEqual(await client.messages(4), ['before', 'during 1', 'during 2', 'during 3']);
        await client.send('after');
        assert.deepEqual(await client.messages(5), ['before', 'during 1', 'during 2', 'during 3', 'after']);
        const opens = await client.events('open');
        assert.equal(opens.length, 2);
        assert.equal(opens[1].transport, transport);
      });

      if (SENDS_H.has(transport)) {
        it('notices a frozen link by its heartbeat timeout, then comes back', async function () {
          const { client } = await openClient();
          // Let `h` frames flow on this link first: liveness applies to links that sent some.
          await sleep(4 * HEARTBEAT_DELAY);
          const { reconnecting = 0, open } = await client.counts();
          const frozenAt = Date.now();
          proxy.freeze(true);
          await client.count('reconnecting', reconnecting + 1);
          const noticed = (await client.events('reconnecting'))[reconnecting];
          const after = noticed.at - frozenAt;
          console.log(`      ${transport}: frozen link noticed after ${after} ms (heartbeatTimeout ${HEARTBEAT_TIMEOUT} ms)`);
          // The reason proves the watchdog ended the link; how soon is the machine's (logged above).
          assert.equal(noticed.detail.lastClose.reason, 'Heartbeat timeout');
          proxy.freeze(false);
          await client.count('open', open + 1);
          await client.send('thawed');
          assert.deepEqual(await client.messages(1), ['thawed']);
        });
      } else {
        it('keeps a healthy link that sends no h open past 2 × heartbeatTimeout (sockjs-node pings instead)', async function () {
          const { client } = await openClient();
          await sleep(2 * HEARTBEAT_TIMEOUT + HEARTBEAT_DELAY);
          assert.deepEqual(await client.counts(), { open: 1, state: 1 });
          await client.send('still here');
          assert.deepEqual(await client.messages(1), ['still here']);
        });
      }

      it('while offline, waits for the online event rather than its 10 s backoff, then reopens at once', async function () {
        const { page, client } = await openClient({ reconnect: { minDelay: 10000, maxDelay: 10000 } });
        await page.page.setOfflineMode(true);
        await client.count('offline', 1);
        // Offline emulation may leave an open WebSocket or stream up: a cut makes sure the link is lost.
        proxy.cutAll();
        await leftOpen(client);
        await sleep(2000);
        await page.page.setOfflineMode(false);
        await client.count('open', 2);
        await client.send('back');
        assert.deepEqual(await client.messages(1), ['back']);

        const log = await client.events();
        const onlineAt = log.findIndex((event) => event.type === 'online');
        const offlineAt = log.findIndex((event) => event.type === 'offline');
        const reopenAt = log.findIndex((event, i) => i > onlineAt && event.type === 'open');
        const brief = (event) => `${event.type}${event.detail ? JSON.stringify(event.detail) : ''}`;
        const whileOffline = log.slice(offlineAt + 1, onlineAt);
        console.log(
          `      ${transport}: offline ${whileOffline.map(brief).join(', ')}; reopened ${log[reopenAt].at - log[onlineAt].at} ms after 'online'`,
        );
        assert.ok(onlineAt > offlineAt && reopenAt > onlineAt, log.map(brief).join(', '));
        // The link was lost while offline; no attempt then: the slowest retry (maxDelay) is armed,
        // since navigator.onLine can lie, and the online event cuts it short.
        assert.ok(whileOffline.some((e) => e.type === 'reconnecting' && !e.onLine), 'no reconnecting event while offline');
        assert.deepEqual(whileOffline.filter((e) => e.type === 'state' && e.detail.next === 'connecting').map(brief), []);
        for (const event of whileOffline.filter((e) => e.type === 'reconnecting' && !e.onLine)) {
          assert.equal(event.detail.delay, 10000, `not the slowest retry while offline: ${brief(event)}`);
        }
        // The online event itself started the attempt (not a 10 s timer), and that attempt opened.
        const next = log.slice(onlineAt + 1, reopenAt + 1).filter((e) => e.type === 'state' || e.type === 'reconnecting' || e.type === 'open');
        assert.deepEqual(next.map(brief), [
          'state{"prev":"reconnecting","next":"connecting"}',
          'state{"prev":"connecting","next":"open"}',
          'open',
        ]);
      });

      it('after close(): no reconnect and no request, even when the network comes and goes', async function () {
        const { page, client } = await openClient();
        await client.close();
        const closed = await client.closed();
        assert.equal(closed.code, 1000);
        await page.waitUntilNoPendingRequests();
        const requests = page.network.startedRequests().length;
        proxy.cutAll();
        // An 'online' event makes a client that is waiting reconnect at once: not a closed one.
        await page.page.setOfflineMode(true);
        await page.page.setOfflineMode(false);
        await client.count('online', 1);
        await sleep(QUIET_MS);
        assert.deepEqual(page.network.startedRequests().slice(requests), []);
        assert.deepEqual(page.network.pendingRequests(), []);
        assert.deepEqual(await client.events('reconnecting'), []);
        assert.equal((await client.state()).state, 'closed');
      });

      it('after close() while reconnecting: no further attempt, no request', async function () {
        const { page, client } = await openClient();
        proxy.refuse(true);
        proxy.cutAll();
        await leftOpen(client);
        await client.count('reconnecting', 1);
        await client.close();
        await client.closed();
        await page.waitUntilNoPendingRequests();
        const requests = page.network.startedRequests().length;
        const { reconnecting } = await client.counts();
        proxy.refuse(false);
        await sleep(QUIET_MS);
        assert.deepEqual(page.network.startedRequests().slice(requests), []);
        assert.deepEqual(page.network.pendingRequests(), []);
        assert.equal((await client.counts()).reconnecting, reconnecting);
        assert.equal((await client.counts()).open, 1);
        assert.equal((await client.state()).state, 'closed');
      });
    });
  }
});

/**
 * The page's POSTs of messages (`xhr_send`, `jsonp_send`), seen by the browser: resolves with
 * an async function that resolves with `requestsFor(n)`, in how many distinct requests message
 * n went out. A request the browser
 * itself repeats (Chromium resends a request whose reused keep-alive connection was reset before
 * any answer) keeps its request id, so it counts once. Chromium: through DevTools; Firefox:
 * through WebDriver BiDi's request events, each body read with fetchPostData().
 */
async function watchSendRequests(page) {
  const requestsOf = new Map(); // message number → Set of request ids
  const count = (requestId, url, body) => {
    if (!/\/(xhr|jsonp)_send$/.test(new URL(url).pathname)) return;
    let messages = [];
    try {
      messages = JSON.parse((url.includes('jsonp_send') ? decodeURIComponent((body ?? '').replace(/^d=/, '')) : body) ?? '[]');
    } catch {
      return; // not a batch of this test's messages: never counted, so any repeat of them is the client's
    }
    for (const message of messages) {
      const n = Number(message);
      if (!requestsOf.has(n)) requestsOf.set(n, new Set());
      requestsOf.get(n).add(requestId);
    }
  };
  const bodies = [];
  if (hasDevTools()) await watchSendRequestsThroughDevTools(page, count);
  else {
    page.page.on('request', (request) => {
      if (!/\/(xhr|jsonp)_send$/.test(new URL(request.url()).pathname)) return;
      bodies.push(request.fetchPostData().then((body) => count(request.id, request.url(), body), () => {}));
    });
  }
  // Bodies read asynchronously (BiDi) are all counted before the count is handed over.
  return async () => {
    await Promise.all(bodies);
    return (n) => requestsOf.get(n)?.size ?? 0;
  };
}

async function watchSendRequestsThroughDevTools(page, count) {
  const cdp = await page.page.createCDPSession();
  cdp.on('Network.requestWillBeSent', ({ requestId, request }) => count(requestId, request.url, request.postData));
  await cdp.send('Network.enable', { maxPostDataSize: 16 * 1024 * 1024 });
}

/**
 * Sorts out what came back. `queued[n]`: message n was sent while not open; `echoed`: [n, link]
 * in order of arrival; `requestsFor(n)`: in how many of the page's requests n went out.
 * - a message echoed twice on one link, having gone out in one request of the page, was repeated
 *   by the browser, not the client (SockJS has no way to tell a repeat): listed, allowed;
 * - any other repeat is the client's doing: `duplicated`;
 * - first echoes must come in the order sent: `disorder`;
 * - every queued message must come back: `lostQueued`; messages sent while open may be lost.
 */
function analyseEchoes(queued, echoed, requestsFor) {
  const linksOf = new Map(); // n → links it was echoed on, one entry per echo
  const firsts = [];
  for (const [n, link] of echoed) {
    if (!linksOf.has(n)) {
      linksOf.set(n, []);
      firsts.push(n);
    }
    linksOf.get(n).push(link);
  }
  const repeatedByBrowser = [];
  const duplicated = [];
  for (const [n, links] of linksOf) {
    if (links.length === 1) continue;
    const sameLink = links.every((link) => link === links[0]);
    if (sameLink && requestsFor(n) === 1) repeatedByBrowser.push(n);
    else duplicated.push(`${n} (${queued[n] ? 'queued' : 'sent while open'}), echoed on links ${links.join(', ')}, in ${requestsFor(n)} request(s) of the page`);
  }
  const disorder = [];
  for (let i = 1; i < firsts.length; i++) {
    if (firsts[i] < firsts[i - 1]) disorder.push(`${firsts[i - 1]} then ${firsts[i]}`);
  }
  const lostQueued = [];
  let lostInFlight = 0;
  queued.forEach((wasQueued, n) => {
    if (linksOf.has(n)) return;
    if (wasQueued) lostQueued.push(n);
    else lostInFlight += 1;
  });
  return { repeatedByBrowser, duplicated, disorder, lostQueued, lostInFlight };
}
