// npm run bench:engines [-- --count N] [--rounds N]      (RESOCK_ENGINES=webkit for one engine)
//
// Round trips per engine: Chromium, Firefox and WebKit (Safari's engine) each load the
// benchmark's page (bench/page.js, as `npm run bench` does) and time N sequential echoes per
// transport, for resock's SockJS, sockjs-client 1.6.1 and, on WebSocket, a bare WebSocket, in
// fresh pages, the clients interleaved. `npm run bench` itself drives one puppeteer engine
// (RESOCK_BROWSER); WebKit has no puppeteer driver, so this script goes through the cross-engine
// drivers (test/engines/drivers.mjs) instead. Firefox and WebKit round performance.now() to
// whole milliseconds (timer-precision reduction against timing attacks), so their medians are
// whole or half ms; Chromium's are finer.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { selectedEngines, startEngine } from '../test/engines/drivers.mjs';
import { startEchoServer, startStaticServer } from './servers.mjs';
import { TRANSPORTS } from './run.mjs';

const { values: args } = parseArgs({ options: { count: { type: 'string', default: '40' }, rounds: { type: 'string', default: '2' } } });
const ROUND_TRIPS = Number(args.count);
const ROUNDS = Number(args.rounds);
const CLIENTS = ['resock', 'sockjs', 'ws'];
const LABEL = { resock: 'resock', sockjs: 'sockjs-client', ws: 'bare WebSocket' };

const median = (list) => {
  const s = list.slice().sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : NaN;
};

const server = await startEchoServer();
const staticServer = await startStaticServer();
const rows = []; // { engine, version, transport, client, medians: [per round] }
try {
  for (const name of selectedEngines()) {
    const engine = await startEngine(name);
    try {
      for (let round = 0; round < ROUNDS; round++) {
        for (const transport of TRANSPORTS) {
          const clients = transport === 'websocket' ? CLIENTS : CLIENTS.filter((c) => c !== 'ws');
          // A B C, then B C A…: no client always runs first.
          for (const client of clients.map((_, i) => clients[(i + round) % clients.length])) {
            const page = await engine.open(staticServer.pageUrl(client));
            try {
              const spec = { client, transport, url: server.url('/echo'), wsUrl: server.wsUrl('/echo/websocket') };
              const opened = await page.run((s) => window.bench.prepare(s), spec);
              if (opened.transport !== transport) throw new Error(`${client} opened ${opened.transport}, not ${transport}`);
              const rtt = await page.run((n) => window.bench.step('rtt', { roundTripCount: n }), ROUND_TRIPS);
              await page.run(() => window.bench.closeAll());
              let row = rows.find((r) => r.engine === name && r.transport === transport && r.client === client);
              if (!row) rows.push((row = { engine: name, version: engine.version, transport, client, medians: [] }));
              row.medians.push(rtt.median);
            } finally {
              await page.close();
            }
          }
        }
      }
    } finally {
      await engine.close();
    }
  }
} finally {
  await server.close();
  await staticServer.close();
}

console.log(`\nRound trip, median of ${ROUND_TRIPS} sequential echoes, ms (median over ${ROUNDS} rounds); load average ${os.loadavg()[0].toFixed(1)} at the end\n`);
const engines = [...new Set(rows.map((r) => r.engine))];
console.log(`| transport | client | ${engines.map((e) => rows.find((r) => r.engine === e).version).join(' | ')} |`);
console.log(`|---|---|${engines.map(() => '---:').join('|')}|`);
for (const transport of TRANSPORTS) {
  for (const client of CLIENTS) {
    const cells = engines.map((e) => rows.find((r) => r.engine === e && r.transport === transport && r.client === client));
    if (cells.every((c) => !c)) continue;
    console.log(`| ${transport} | ${LABEL[client]} | ${cells.map((c) => (c ? median(c.medians).toFixed(2) : '')).join(' | ')} |`);
  }
}
