// node bench/shared.mjs [--rounds 20]: what `shared` (issue 15) costs and saves, in real Chromium
// tabs of one profile against sockjs-node on 127.0.0.1 (websocket):
//  - open: ms from `new Resock()` to `open` in a new tab, alone vs. joining a leader's link;
//  - round trip: ms of an echo from the leader's tab vs. from a follower's (median of `rounds`);
//  - memory: JS heap of a follower tab's page with vs. without its client (page.metrics()).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium } from '../test/support/chromium.mjs';
import { startSockjsServer } from '../test/support/sockjs-server.mjs';
import { startStaticServer } from '../test/support/static-server.mjs';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '20' } } });
const ROUNDS = Number(values.rounds);
const median = (list) => list.slice().sort((a, b) => a - b)[Math.floor(list.length / 2)];

const server = await startSockjsServer();
const statics = await startStaticServer();
const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'resock-bench-shared-'));
const browser = await launchChromium({ userDataDir });
const context = await browser.createBrowserContext();
const url = server.url('/echo');

async function tab() {
  const page = await context.newPage();
  await page.goto(statics.url('/test/browser/page.html'), { waitUntil: 'load' });
  await page.addScriptTag({ url: statics.url('/dist/resock-shared.min.js') });
  return page;
}
/** ms from construction to open, in the page. */
const open = (page, shared) =>
  page.evaluate((u, s) => new Promise((resolve) => {
    const t0 = performance.now();
    const c = (window.client = new Resock(u, { transports: 'websocket', ...(s ? { shared: Resock.shared({ key: 'bench' }) } : {}) }));
    c.onopen = () => resolve(performance.now() - t0);
  }), url, shared);
/** Median echo round trip, ms. */
const roundTrip = (page, rounds) =>
  page.evaluate((n) => new Promise((resolve) => {
    const times = [];
    let t0 = 0;
    const c = window.client;
    const next = () => ((t0 = performance.now()), c.send(`rt-${times.length}`));
    c.addEventListener('message', function on(e) {
      if (e.data !== `rt-${times.length}`) return;
      times.push(performance.now() - t0);
      if (times.length < n) return next();
      c.removeEventListener('message', on);
      resolve(times.sort((a, b) => a - b)[Math.floor(n / 2)]);
    });
    next();
  }), rounds);
const heap = async (page) => (await page.metrics()).JSHeapUsedSize;

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
for (let i = 0; i < 5; i++) {
  const f = await tab();
  const before = await heap(f);
  joined.push(await open(f, true));
  followers.push({ page: f, heap: (await heap(f)) - before });
}
const rtLeader = await roundTrip(leader, ROUNDS);
const rtFollower = await roundTrip(followers[0].page, ROUNDS);
console.log(JSON.stringify({
  openAloneMs: +median(alone).toFixed(1),
  openJoiningLeaderMs: +median(joined).toFixed(1),
  roundTripLeaderMs: +rtLeader.toFixed(2),
  roundTripFollowerMs: +rtFollower.toFixed(2),
  followerHeapBytes: median(followers.map((f) => f.heap)),
}, null, 2));
await browser.close();
await statics.close();
await server.close();
await rm(userDataDir, { recursive: true, force: true });
