// node bench/resume.mjs [--rounds 5]
//
// What resume costs on WebSocket (issue 13): Resock from dist/esm in Node (the `ws` package as
// its WebSocket) against sockjs-node on 127.0.0.1, with the resume companion and without, in
// alternating rounds so that both see the same moments of a loaded machine. Per round:
//  - burst: 5,000 messages of 64 bytes sent in one go, ms until the server app has them all;
//  - round trip: 100 echoes one after the other, the median;
//  - bytes: the WebSocket payload bytes, both ways, of 200 messages of 64 bytes each way sent
//    20 ms apart (50 a second, as the runs), per message, minus the 64 of the message.
// Needs `npm run build` first. Prints a markdown table; medians over the rounds, ratios paired.
import http from 'node:http';
import { parseArgs } from 'node:util';
import sockjs from 'sockjs';
import { WebSocket as WsWebSocket } from 'ws';
import { Resock } from '../dist/esm/index.js';
import { resume } from '../dist/esm/resume.js';
import { attachResume } from '../dist/esm/server/index.js';
import { onLoopback } from '../test/support/loopback.mjs';
import { pairedRatio, summarize } from './stats.mjs';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const ROUNDS = Number(values.rounds);
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
  await new Promise((resolve) => client.addEventListener('open', resolve, { once: true }));
  return client;
}

async function round(server, name) {
  const app = server.apps[name];
  const client = await open(`http://127.0.0.1:${server.port}/${name}`, name === 'resume');
  // Burst.
  app.received = 0;
  let start = performance.now();
  for (let i = 0; i < BURST; i++) client.send('m' + PAYLOAD.slice(1));
  await until(app, () => app.received >= BURST);
  const burst = performance.now() - start;
  // Round trips.
  const rtts = [];
  for (let i = 0; i < ECHOES; i++) {
    start = performance.now();
    const back = new Promise((resolve) => client.addEventListener('message', resolve, { once: true }));
    client.send('e' + PAYLOAD.slice(1));
    await back;
    rtts.push(performance.now() - start);
  }
  // Steady traffic, both ways, and its bytes.
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
  await Promise.all([allDown, until(app, () => app.received >= STEADY)]);
  await new Promise((resolve) => setTimeout(resolve, 500)); // the last batched acks
  const bytes = { up: wire.up / STEADY - 64, down: wire.down / STEADY - 64 };
  client.close();
  return { burst, rtt: summarize(rtts).median, bytes };
}

const server = await startServer();
const results = { plain: [], resume: [] };
for (let r = 0; r < ROUNDS; r++) for (const name of r % 2 ? ['resume', 'plain'] : ['plain', 'resume']) results[name].push(await round(server, name));
await server.close();

const paired = (key) => pairedRatio(new Map(results.plain.map((x, i) => [i, x[key]])), new Map(results.resume.map((x, i) => [i, x[key]])));
const fmt = (x) => (Math.round(x * 100) / 100).toString();
const med = (name, f) => fmt(summarize(results[name].map(f)).median);
console.log(`Resume on WebSocket, Node + ws against sockjs-node on 127.0.0.1, ${ROUNDS} rounds, medians:\n`);
console.log('| | without resume | with resume | ratio (paired) |');
console.log('|---|---:|---:|---:|');
const burstRatio = paired('burst');
console.log(`| burst of ${BURST} × 64 B, ms | ${med('plain', (x) => x.burst)} | ${med('resume', (x) => x.burst)} | throughput ${fmt(burstRatio.median)}× |`);
const rttRatio = pairedRatio(new Map(results.resume.map((x, i) => [i, x.rtt])), new Map(results.plain.map((x, i) => [i, x.rtt])));
console.log(`| round trip, ms | ${med('plain', (x) => x.rtt)} | ${med('resume', (x) => x.rtt)} | +${fmt((rttRatio.median - 1) * 100)} % |`);
console.log(`| WebSocket bytes per 64 B message beyond it, up (client → server) | ${med('plain', (x) => x.bytes.up)} | ${med('resume', (x) => x.bytes.up)} | |`);
console.log(`| same, down (server → client) | ${med('plain', (x) => x.bytes.down)} | ${med('resume', (x) => x.bytes.down)} | |`);
process.exit(0);
