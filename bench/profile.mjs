// Profiles one measurement of the benchmark with Chromium's CPU profiler (CDP Profiler) and
// prints where the page's main thread spent its time, minified positions of dist/resock.min.js
// mapped back to src/ through its source map. With --network, also prints the page's network
// events in time order (which request waited for what), for latency that is not CPU.
//
//   node bench/profile.mjs --client resock --transport eventsource --step big
//   node bench/profile.mjs --client sockjs --transport xhr-polling --step rtt --count 20 --network
//   node bench/profile.mjs --client resock --step fallback --network
//
// --step: open | rtt | burst | big | fallback; --count: round trips (rtt) or messages (burst);
// --top: rows to print (default 25); --save FILE: writes the .cpuprofile (open it in DevTools).
import { readFileSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startProxy } from '../test/support/proxy.mjs';
import { launchBrowser, raisePriority, withPage, SETTINGS } from './run.mjs';
import { repoRoot, startEchoServer, startStaticServer } from './servers.mjs';

const { values: args } = parseArgs({
  options: {
    client: { type: 'string', default: 'resock' },
    transport: { type: 'string', default: 'websocket' },
    step: { type: 'string', default: 'big' },
    count: { type: 'string' },
    top: { type: 'string', default: '25' },
    network: { type: 'boolean', default: false },
    save: { type: 'string' },
    interval: { type: 'string', default: '100' },
    times: { type: 'string', default: '1' },
    bundle: { type: 'string' },
  },
});

/** Source maps of the bundles the page may load, keyed by the served path. */
const MAPS = {
  '/resock.min.js': args.bundle ? `${path.resolve(args.bundle)}.map` : 'dist/resock.min.js.map',
  '/sockjs.min.js': 'node_modules/sockjs-client/dist/sockjs.min.js.map',
};
const sourceMaps = {};
for (const [served, file] of Object.entries(MAPS)) {
  try {
    sourceMaps[served] = new SourceMap(JSON.parse(readFileSync(path.join(repoRoot, file), 'utf8')));
  } catch {
    // No map: minified positions are shown as they are.
  }
}

/** `src/transports/http/request.ts:58 readStream` for a frame of a mapped bundle. */
function describeFrame({ functionName, url, lineNumber, columnNumber }) {
  const name = functionName || '(anonymous)';
  if (!url) return name;
  const { pathname } = new URL(url);
  const map = sourceMaps[pathname];
  if (map && lineNumber >= 0) {
    const entry = map.findEntry(lineNumber, columnNumber);
    if (entry && entry.originalSource) {
      const source = entry.originalSource.replace(/^.*?(src\/|lib\/)/, '$1').replace(/^webpack:\/\/\//, '');
      return `${source}:${entry.originalLine + 1} ${entry.name || name}`;
    }
  }
  return `${pathname}:${lineNumber + 1}:${columnNumber + 1} ${name}`;
}

/** Self and inclusive time per function, from a CDP CPU profile. */
function summarizeProfile(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, { ...node, self: 0 }]));
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    if (node) node.self += (profile.timeDeltas[i + 1] ?? 0) / 1000;
  }
  const parent = new Map();
  for (const node of byId.values()) for (const child of node.children || []) parent.set(child, node.id);
  const self = new Map();
  const total = new Map();
  for (const node of byId.values()) {
    const key = describeFrame(node.callFrame);
    self.set(key, (self.get(key) || 0) + node.self);
    // Inclusive: charge this node's self time to each distinct function on its stack.
    const seen = new Set();
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const k = describeFrame(byId.get(id).callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) || 0) + node.self);
    }
  }
  const all = [...self.values()].reduce((a, b) => a + b, 0);
  return { all, self, total };
}

function printTable(title, map, all, top) {
  console.log(`\n${title}`);
  for (const [key, ms] of [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const label = key.length > 100 ? `${key.slice(0, 97)}…` : key;
    console.log(`  ${ms.toFixed(1).padStart(9)} ms ${((100 * ms) / all).toFixed(1).padStart(5)} %  ${label}`);
  }
}

async function main() {
  raisePriority(-10);
  const settings = { ...SETTINGS.full, bigTimes: Number(args.times) };
  if (args.count && args.step === 'rtt') settings.roundTripCount = Number(args.count);
  if (args.count && args.step === 'burst') settings.burstCount = Number(args.count);
  const server = await startEchoServer();
  const proxy = await startProxy({ targetPort: server.port });
  const staticServer = await startStaticServer({ bundle: args.bundle });
  const { browser, close } = await launchBrowser();
  try {
    await withPage(browser, staticServer, args.client, async ({ page }) => {
      const cdp = await page.createCDPSession();
      const events = [];
      if (args.network) await recordNetwork(cdp, events);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: Number(args.interval) });
      const spec = { client: args.client, transport: args.transport, url: server.url('/echo'), wsUrl: server.wsUrl('/echo/websocket') };
      const measured = ['rtt', 'burst', 'big'].includes(args.step);
      if (measured) console.log('open:', await page.evaluate((s) => window.bench.prepare(s), spec));
      const t0 = Date.now();
      await cdp.send('Profiler.start');
      let result;
      if (measured) result = await page.evaluate((name, o) => window.bench.step(name, o), args.step, settings);
      else if (args.step === 'open') result = await page.evaluate((s) => window.bench.open(s), spec);
      else if (args.step === 'fallback') {
        proxy.blackholeUpgrades(true);
        result = await page.evaluate((s) => window.bench.fallback(s, 2), { client: args.client, url: proxy.url('/echo') });
      } else throw new Error(`unknown step '${args.step}'`);
      const { profile } = await cdp.send('Profiler.stop');
      const wall = Date.now() - t0;
      console.log(`${args.client} ${args.transport} ${args.step}: ${JSON.stringify(result, (k, v) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v))}`);
      if (args.save) writeFileSync(args.save, JSON.stringify(profile));
      const { all, self, total } = summarizeProfile(profile);
      console.log(`profiled ${wall} ms of wall time, ${all.toFixed(0)} ms sampled on the page's main thread`);
      printTable('self time (where the CPU was)', self, all, Number(args.top));
      printTable('inclusive time (what it was doing it for)', total, all, Number(args.top));
      if (args.network) printNetwork(events);
      await page.evaluate(() => window.bench.closeAll());
      return {};
    });
  } finally {
    await close();
    await Promise.all([staticServer.close(), proxy.close(), server.close()]);
  }
}

async function recordNetwork(cdp, events) {
  const urls = new Map();
  const add = (type, requestId, timestamp, extra = '') => events.push({ t: timestamp * 1000, type, id: requestId, url: urls.get(requestId) || '', extra });
  cdp.on('Network.requestWillBeSent', (e) => {
    urls.set(e.requestId, e.request.url.replace(/^https?:\/\/[^/]+/, '').replace(/\/\d{3}\/[a-z0-9]+\//, '/…/'));
    add('request', e.requestId, e.timestamp, e.request.method);
  });
  cdp.on('Network.responseReceived', (e) => add('response', e.requestId, e.timestamp, String(e.response.status)));
  cdp.on('Network.dataReceived', (e) => add('data', e.requestId, e.timestamp, `${e.dataLength} B`));
  cdp.on('Network.loadingFinished', (e) => add('finished', e.requestId, e.timestamp));
  cdp.on('Network.loadingFailed', (e) => add('failed', e.requestId, e.timestamp, e.errorText));
  cdp.on('Network.webSocketCreated', (e) => urls.set(e.requestId, e.url.replace(/^wss?:\/\/[^/]+/, '')));
  cdp.on('Network.webSocketWillSendHandshakeRequest', (e) => add('ws handshake', e.requestId, e.timestamp));
  cdp.on('Network.webSocketHandshakeResponseReceived', (e) => add('ws upgraded', e.requestId, e.timestamp, String(e.response.status)));
  cdp.on('Network.webSocketFrameSent', (e) => add('ws sent', e.requestId, e.timestamp, `${e.response.payloadData.length} B`));
  cdp.on('Network.webSocketFrameReceived', (e) => add('ws received', e.requestId, e.timestamp, `${e.response.payloadData.length} B`));
  cdp.on('Network.webSocketClosed', (e) => add('ws closed', e.requestId, e.timestamp));
  await cdp.send('Network.enable');
}

function printNetwork(events) {
  if (!events.length) return;
  events.sort((a, b) => a.t - b.t);
  const t0 = events[0].t;
  console.log('\nnetwork (ms since the first event; at most 200 lines)');
  for (const e of events.slice(0, 200)) {
    console.log(`  ${(e.t - t0).toFixed(1).padStart(8)}  ${e.type.padEnd(12)} ${e.url} ${e.extra}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
