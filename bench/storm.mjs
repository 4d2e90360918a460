// The reconnect storm: N clients (resock in Node over `ws`, loopback only) on a 3-node cluster
// behind HAProxy (demo/cluster.mjs); one node is SIGKILLed; how long until every client of it is
// back, and how hard the survivors are hit (connection attempts per 100 ms). resock's backoff with
// full jitter (its defaults) against a naive client that reconnects at once (the same client with
// a 1 ms delay, so only the jitter differs).
//
//   npm run build && node bench/storm.mjs               # 1,000 clients, both modes
//   node bench/storm.mjs --clients 300 --mode jitter
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { startCluster } from '../demo/cluster.mjs';
import { Resock } from '../dist/esm/index.js';

const { values: args } = parseArgs({
  options: { clients: { type: 'string', default: '1000' }, mode: { type: 'string', default: 'both' } },
});
const CLIENTS = Number(args.clients);
const MODES = args.mode === 'both' ? ['jitter', 'naive'] : [args.mode];
const BUCKET_MS = 100;
const OPEN_BATCH = 50;
const WAIT_MS = 120000;

/** `ws` with an 'error' listener from the start (see test/cluster/chat-client.mjs). */
class NodeWebSocket extends WebSocket {
  constructor(...a) {
    super(...a);
    this.on('error', () => {});
  }
}

const RECONNECT = { jitter: undefined, naive: { minDelay: 1, maxDelay: 1 } };

function openClient(base, id, mode, onAttempt) {
  const client = { id, node: null, backAt: 0 };
  const options = { transports: 'websocket', WebSocket: NodeWebSocket, debug: (event) => event === 'transport:start' && onAttempt(client) };
  if (RECONNECT[mode]) options.reconnect = RECONNECT[mode];
  client.resock = new Resock(`${base}chat?client=${id}`, options);
  client.welcomed = new Promise((resolve) => {
    client.resock.addEventListener('message', (event) => {
      const m = JSON.parse(event.data);
      if (m.type !== 'welcome') return;
      client.node = m.node;
      client.backAt = Date.now();
      if (client.onWelcome) client.onWelcome();
      resolve();
    });
  });
  client.resock.addEventListener('reconnecting', () => (client.node = null));
  return client;
}

/** Resolves when `test()` holds, checked at each welcome; rejects after WAIT_MS. */
function until(clients, test, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), WAIT_MS);
    const check = () => test() && (clearTimeout(timer), resolve());
    for (const c of clients) c.onWelcome = check;
    check();
  });
}

async function run(mode) {
  const cluster = await startCluster({ log: () => {} });
  const clients = [];
  const attempts = []; // [time, client]
  let killedAt = 0;
  try {
    for (let i = 0; i < CLIENTS; i += OPEN_BATCH) {
      const batch = Array.from({ length: Math.min(OPEN_BATCH, CLIENTS - i) }, (_, j) => openClient(cluster.url, `${mode}${i + j}`, mode, (c) => killedAt && attempts.push([Date.now(), c])));
      clients.push(...batch);
      await Promise.all(batch.map((c) => c.welcomed));
    }
    const counts = new Map();
    for (const c of clients) counts.set(c.node, (counts.get(c.node) || 0) + 1);
    const victim = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
    const moving = clients.filter((c) => c.node === victim);
    killedAt = Date.now();
    await cluster.kill(victim, 'SIGKILL');
    await until(clients, () => moving.every((c) => c.node && c.node !== victim && c.backAt > killedAt), 'every client back');
    const allBackMs = Math.max(...moving.map((c) => c.backAt)) - killedAt;
    const backTimes = moving.map((c) => c.backAt - killedAt).sort((a, b) => a - b);
    const buckets = new Map();
    for (const [t] of attempts) buckets.set(Math.floor((t - killedAt) / BUCKET_MS), (buckets.get(Math.floor((t - killedAt) / BUCKET_MS)) || 0) + 1);
    const peak = Math.max(...buckets.values());
    return {
      mode,
      clients: CLIENTS,
      moved: moving.length,
      attempts: attempts.length,
      allBackMs,
      medianBackMs: backTimes[Math.floor(backTimes.length / 2)],
      peakPer100ms: peak,
      peakPerSecond: peak * (1000 / BUCKET_MS),
      // The attempts of each 100 ms after the kill, for the first 4 s: how the herd was spread.
      per100ms: Array.from({ length: 40 }, (_, i) => buckets.get(i) || 0).join(' '),
    };
  } finally {
    for (const c of clients) c.resock.close();
    await cluster.close();
  }
}

const results = [];
for (const mode of MODES) {
  const result = await run(mode);
  results.push(result);
  console.error(JSON.stringify(result));
}
console.log(`\n| client | clients | on the killed node | all back after | median back after | connection attempts | peak attempts per 100 ms on the survivors |`);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  const name = r.mode === 'jitter' ? 'resock (defaults: 500 ms min, full jitter)' : 'naive (reconnect at once)';
  console.log(`| ${name} | ${r.clients} | ${r.moved} | ${r.allBackMs} ms | ${r.medianBackMs} ms | ${r.attempts} | ${r.peakPer100ms} |`);
}
process.exit(0);
