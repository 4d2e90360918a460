// node bench/shared.mjs [--rounds 20] [--followers 5] [--resume]: what `shared` (issue 15) costs and
// saves, in real Chromium tabs of one profile (a leader and `followers` more) against sockjs-node on
// 127.0.0.1 (websocket); with `--resume`, the tabs share one resumable session with the companion
// (the leader tells the tabs of every message and waits for the browser to pass that on before it
// writes):
//  - open: ms from `new Resock()` to `open` in a new tab, alone vs. joining a leader's link;
//  - round trip: ms of an echo from the leader's tab vs. from a follower's, in alternating rounds
//    after a warm-up (so neither is measured colder), median and 90th percentile of `rounds` each;
//  - the floor of that difference: a bare BroadcastChannel round trip between the same two tabs,
//    and the same with the answer posted to every follower (the fan-out a server message needs);
//  - memory: JS heap of a follower tab's page with vs. without its client, each after a forced
//    garbage collection (page.metrics() and HeapProfiler.collectGarbage: Chromium only).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser } from '../test/support/engine.mjs';
import { startResumeServer } from '../test/support/resume-server.mjs';
import { startSockjsServer } from '../test/support/sockjs-server.mjs';
import { startStaticServer } from '../test/support/static-server.mjs';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '20' }, followers: { type: 'string', default: '5' }, resume: { type: 'boolean', default: false } } });
const RESUME = values.resume;
const ROUNDS = Number(values.rounds);
const FOLLOWERS = Number(values.followers);
if (!(FOLLOWERS >= 1)) throw new TypeError('--followers must be 1 or more (the round trip is measured from the first)');
const quantile = (list, q) => list.slice().sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(list.length * q))];
const median = (list) => quantile(list, 0.5);

// The resume server's `/resume` app echoes what is not one of its test messages.
const server = RESUME ? await startResumeServer({ heartbeatDelay: 25000 }) : await startSockjsServer();
const statics = await startStaticServer();
const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'resock-bench-shared-'));
const browser = await launchBrowser({ userDataDir }, 'chromium');
const context = await browser.createBrowserContext();
const url = server.url(RESUME ? '/resume' : '/echo');

async function tab() {
  const page = await context.newPage();
  await page.goto(statics.url('/test/browser/page.html'), { waitUntil: 'load' });
  await page.addScriptTag({ url: statics.url('/dist/resock-shared.min.js') });
  if (RESUME) await page.addScriptTag({ url: statics.url('/dist/resock-resume.min.js') });
  return page;
}
/** ms from construction to open, in the page. */
const open = (page, shared) =>
  page.evaluate((u, s, r) => new Promise((resolve) => {
    const t0 = performance.now();
    const options = { transports: 'websocket', ...(s ? { shared: Resock.shared({ key: 'bench' }) } : {}), ...(r ? { resume: Resock.resume() } : {}) };
    const c = (window.client = new Resock(u, options));
    c.onopen = () => resolve(performance.now() - t0);
  }), url, shared, RESUME);
/** One echo round trip from the page's client, ms. */
const roundTrip = (page, text) =>
  page.evaluate((t) => new Promise((resolve) => {
    const c = window.client;
    const t0 = performance.now();
    c.addEventListener('message', function on(e) {
      if (e.data !== t) return;
      c.removeEventListener('message', on);
      resolve(performance.now() - t0);
    });
    c.send(t);
  }), text);
/** JS heap in use after a full garbage collection. */
const heap = async (page) => {
  const cdp = await page.createCDPSession();
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.detach();
  return (await page.metrics()).JSHeapUsedSize;
};

const alone = [];
const joined = [];
for (let i = 0; i < 5; i++) {
  const a = await tab();
  alone.push(await open(a, false));
  await a.close();
}
const leader = await tab();
await open(leader, true);
const followers = [];
for (let i = 0; i < FOLLOWERS; i++) {
  const f = await tab();
  const before = await heap(f);
  joined.push(await open(f, true));
  followers.push({ page: f, heap: (await heap(f)) - before });
}
const follower = followers[0].page;
// The floor of the relay: one bare BroadcastChannel round trip between the same two tabs (the
// follower's send to the leader, the leader's relay of the echo: two hops), in the same rounds.
await leader.evaluate(() => {
  const echo = new BroadcastChannel('bench-bc');
  echo.onmessage = (e) => echo.postMessage(e.data);
});
await follower.evaluate(() => (window.bc = new BroadcastChannel('bench-bc')));
/** ms from a post on the page's channel `ask` until its channel `answer` hears back. */
const channelRoundTrip = (page, ask, answer) =>
  page.evaluate((a, b) => new Promise((resolve) => {
    const t0 = performance.now();
    window[b].onmessage = () => resolve(performance.now() - t0);
    window[a].postMessage('ping');
  }), ask, answer);
// The floor with the fan-out a server message needs: the follower's message crosses to the leader
// alone (as on its pair channel), the answer goes to every follower (as on the link's channel).
await leader.evaluate(() => {
  const fan = new BroadcastChannel('bench-fan');
  const up = new BroadcastChannel('bench-up');
  up.onmessage = (e) => fan.postMessage(e.data);
});
for (const { page } of followers) await page.evaluate(() => (window.fan = new BroadcastChannel('bench-fan')).onmessage = () => undefined);
await follower.evaluate(() => (window.up = new BroadcastChannel('bench-up')));
const bcRoundTrips = [];
const fanRoundTrips = [];
for (let i = 0; i < 10; i++) await roundTrip(leader, `warm-l-${i}`), await roundTrip(follower, `warm-f-${i}`);
const rtLeader = [];
const rtFollower = [];
for (let i = 0; i < ROUNDS; i++) {
  // Alternating, and each pair in a different order: neither side gets the warmer slot.
  const pair = i % 2 ? [[leader, rtLeader], [follower, rtFollower]] : [[follower, rtFollower], [leader, rtLeader]];
  for (const [page, times] of pair) times.push(await roundTrip(page, `rt-${i}`));
  bcRoundTrips.push(await channelRoundTrip(follower, 'bc', 'bc'));
  fanRoundTrips.push(await channelRoundTrip(follower, 'up', 'fan'));
}
const ms = (x) => +x.toFixed(2);
console.log(JSON.stringify({
  openAloneMs: +median(alone).toFixed(1),
  openJoiningLeaderMs: +median(joined).toFixed(1),
  roundTripLeaderMs: { median: ms(median(rtLeader)), p90: ms(quantile(rtLeader, 0.9)) },
  roundTripFollowerMs: { median: ms(median(rtFollower)), p90: ms(quantile(rtFollower, 0.9)) },
  followerMinusLeaderMs: ms(median(rtFollower) - median(rtLeader)),
  bareBroadcastChannelRoundTripMs: { median: ms(median(bcRoundTrips)), p90: ms(quantile(bcRoundTrips, 0.9)) },
  bareFanOutRoundTripMs: { median: ms(median(fanRoundTrips)), p90: ms(quantile(fanRoundTrips, 0.9)) },
  followerHeapBytes: median(followers.map((f) => f.heap)),
  rounds: ROUNDS,
  followers: FOLLOWERS,
  resume: RESUME,
}, null, 2));
await browser.close();
await statics.close();
await server.close();
await rm(userDataDir, { recursive: true, force: true });
