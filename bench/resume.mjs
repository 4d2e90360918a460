// node bench/resume.mjs [--rounds 5]
//
// What resume costs on WebSocket (issue 13): Resock from dist/esm in Node (the `ws` package as
// its WebSocket) against sockjs-node on 127.0.0.1, with the resume companion and without, in
// alternating rounds so that both see the same moments of a loaded machine. Per round:
//  - burst: 5,000 messages of 64 bytes sent in one go, ms until the server app has them all;
//  - round trip: 100 echoes one after the other, the median;
//  - bytes: the WebSocket payload bytes, both ways, of 200 messages of 64 bytes each way sent
//    20 ms apart (50 a second, as the runs), per message, minus the 64 of the message.
// `--only burst` (or `burst,rtt`, `bytes`…) runs only those steps. `--dist dir` measures another
// build (a scratch copy of dist/, for A/B against another commit).
// Needs `npm run build` first. Prints a markdown table; medians over the rounds, ratios paired
// with their (min–max) over the rounds.
import http from 'node:http';
import { parseArgs } from 'node:util';
import sockjs from 'sockjs';
import { WebSocket as WsWebSocket } from 'ws';
import { pathToFileURL } from 'node:url';
import { onLoopback } from '../test/support/loopback.mjs';
import { pairedRatio, summarize } from './stats.mjs';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, only: { type: 'string', default: 'burst,rtt,bytes' }, dist: { type: 'string', default: 'dist' } },
});
const ROUNDS = Number(values.rounds);
const STEPS = new Set(values.only.split(','));
const dist = pathToFileURL(`${values.dist}/esm/`);
const { Resock } = await import(new URL('index.js', dist));
const { resume } = await import(new URL('resume.js', dist));
const { attachResume } = await import(new URL('server/index.js', dist));
const BURST = 5000;
const ECHOES = 100;
const STEADY = 200;
const PAYLOAD = 'x'.repeat(64);

/** Counts the payload bytes of every WebSocket the client opens, both ways. */
const wire = { up: 0, down: 0 };
class CountingWebSocket extends WsWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', (event) => (wire.down += Buffer.byteLength(String(event.data))));
  }
  send(data) {
    wire.up += Buffer.byteLength(String(data));
    super.send(data);
  }
}

/** sockjs-node with `/plain` and `/resume`: the app counts `m…` messages, echoes `e…`, pushes on `push`. */
async function startServer() {
  const server = http.createServer();
  const apps = {};
  for (const name of ['plain', 'resume']) {
    const app = (apps[name] = { received: 0, waiters: new Set() });
    const sock = sockjs.createServer({ log: () => {} });
    const onConnection = (conn) =>
      conn.on('data', (m) => {
        if (m[0] === 'm') app.received++;
        else if (m[0] === 'e') conn.write(m);
        else if (m === 'push') pushSteady(conn);
        for (const fn of [...app.waiters]) fn();
      });
    if (name === 'resume') attachResume(sock).on('connection', onConnection);
    else sock.on('connection', onConnection);
    sock.installHandlers(server, { prefix: `/${name}` });
  }
  const lifecycle = onLoopback(server);
  const port = await lifecycle.listen();
  return { port, apps, close: lifecycle.close };
}

function pushSteady(conn) {
  let n = 0;
  const timer = setInterval(() => (++n > STEADY ? clearInterval(timer) : conn.write('s' + PAYLOAD.slice(1))), 20);
}

/** Every wait is bounded: a step that stalls ends the run with what it was waiting for. */
const LIMIT_MS = 30000;
const within = (promise, what) => {
  let timer;
  const stalled = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`stalled ${LIMIT_MS} ms: ${what()}`)), LIMIT_MS)));
  return Promise.race([promise, stalled]).finally(() => clearTimeout(timer));
};

const until = (app, test) =>
  new Promise((resolve) => {
    const check = () => test() && (app.waiters.delete(check), resolve());
    app.waiters.add(check);
    check();
  });

async function open(url, withResume) {
  // The burst is larger than both default bounds (1000 kept unacknowledged, 1000 queued): room for it.
  const client = new Resock(url, {
    transports: 'websocket', WebSocket: CountingWebSocket, queue: { maxMessages: 1e5 },
    ...(withResume ? { resume: resume({ maxMessages: 1e5 }) } : {}),
  });
  await within(new Promise((resolve) => client.addEventListener('open', resolve, { once: true })), () => `open ${url}: ${client.state}`);
  return client;
}

async function round(server, name) {
  const app = server.apps[name];
  const client = await open(`http://127.0.0.1:${server.port}/${name}`, name === 'resume');
  const result = { burst: NaN, rtt: NaN, bytes: { up: NaN, down: NaN } };
  if (STEPS.has('burst')) {
    app.received = 0;
    const start = performance.now();
    for (let i = 0; i < BURST; i++) client.send('m' + PAYLOAD.slice(1));
    await within(until(app, () => app.received >= BURST), () => `burst ${name}: ${app.received} of ${BURST} received, client ${client.state}`);
    result.burst = performance.now() - start;
  }
  if (STEPS.has('rtt')) result.rtt = await roundTrips(client, name);
  if (STEPS.has('bytes')) result.bytes = await steadyBytes(client, app, name);
  client.close();
  return result;
}

async function roundTrips(client, name) {
  const rtts = [];
  for (let i = 0; i < ECHOES; i++) {
    const start = performance.now();
    const back = new Promise((resolve) => client.addEventListener('message', resolve, { once: true }));
    client.send('e' + PAYLOAD.slice(1));
    await within(back, () => `echo ${i} ${name}: client ${client.state}`);
    rtts.push(performance.now() - start);
  }
  return summarize(rtts).median;
}

/** Steady traffic, both ways, and its bytes per message. */
async function steadyBytes(client, app, name) {
  await new Promise((resolve) => setTimeout(resolve, 500)); // let the last acks of the burst go by
  wire.up = wire.down = 0;
  app.received = 0;
  let got = 0;
  const allDown = new Promise((resolve) => client.addEventListener('message', () => ++got === STEADY && resolve()));
  client.send('push');
  for (let i = 0; i < STEADY; i++) {
    client.send('m' + PAYLOAD.slice(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await within(Promise.all([allDown, until(app, () => app.received >= STEADY)]), () => `steady ${name}: ${got} of ${STEADY} down, ${app.received} up, client ${client.state}`);
  await new Promise((resolve) => setTimeout(resolve, 500)); // the last batched acks
  return { up: wire.up / STEADY - 64, down: wire.down / STEADY - 64 };
}

const server = await startServer();
const results = { plain: [], resume: [] };
for (let r = 0; r < ROUNDS; r++) for (const name of r % 2 ? ['resume', 'plain'] : ['plain', 'resume']) results[name].push(await round(server, name));
await server.close();

const paired = (key) => pairedRatio(new Map(results.plain.map((x, i) => [i, x[key]])), new Map(results.resume.map((x, i) => [i, x[key]])));
const fmt = (x) => (Math.round(x * 100) / 100).toString();
const med = (name, f) => (STEPS.has(f.step) ? fmt(summarize(results[name].map(f)).median) : '–');
const range = (s) => `(${fmt(s.min)}–${fmt(s.max)})`;
console.log(`Resume on WebSocket, Node + ws against sockjs-node on 127.0.0.1, ${ROUNDS} rounds, medians:\n`);
console.log('| | without resume | with resume | ratio (paired) |');
console.log('|---|---:|---:|---:|');
const burstRatio = paired('burst');
const step = (name, f) => Object.assign(f, { step: name });
const burst = step('burst', (x) => x.burst);
const rtt = step('rtt', (x) => x.rtt);
const up = step('bytes', (x) => x.bytes.up);
const down = step('bytes', (x) => x.bytes.down);
if (burstRatio) console.log(`| burst of ${BURST} × 64 B, ms | ${med('plain', burst)} | ${med('resume', burst)} | throughput ${fmt(burstRatio.median)}× ${range(burstRatio)} |`);
const rttRatio = pairedRatio(new Map(results.resume.map((x, i) => [i, x.rtt])), new Map(results.plain.map((x, i) => [i, x.rtt])));
if (rttRatio) {
  const pct = (r) => `${r >= 1 ? '+' : ''}${fmt((r - 1) * 100)} %`;
  console.log(`| round trip, ms | ${med('plain', rtt)} | ${med('resume', rtt)} | ${pct(rttRatio.median)} (${pct(rttRatio.min)} to ${pct(rttRatio.max)}) |`);
}
if (STEPS.has('bytes')) {
  console.log(`| WebSocket bytes per 64 B message beyond it, up (client → server) | ${med('plain', up)} | ${med('resume', up)} | |`);
  console.log(`| same, down (server → client) | ${med('plain', down)} | ${med('resume', down)} | |`);
}
process.exit(0);
