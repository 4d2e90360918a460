// A/B of resock builds: the same measurement on two or more bundles (and the bare WebSocket),
// interleaved sample by sample, each in a fresh browser context, each bundle served from its own
// origin. For checking that a change to src/ makes the difference it was meant to make.
//
//   node bench/ab.mjs --bundles dist/resock.min.js,/tmp/candidate.min.js --step open --transport websocket --rounds 20
//   node bench/ab.mjs --bundles a.min.js,b.min.js --step fallback --rounds 10
//
// --step: open (constructor → open; the bare WebSocket runs too when the transport is websocket)
//         fallback (first and remembered open through a proxy that black-holes the WebSocket upgrade)
//         rtt | burst | big (one session step; --count sets round trips or messages)
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startProxy } from '../test/support/proxy.mjs';
import { launchBrowser, raisePriority, withPage, SETTINGS } from './run.mjs';
import { startEchoServer, startStaticServer } from './servers.mjs';
import { fmtSummary, summarize } from './stats.mjs';

const { values: args } = parseArgs({
  options: {
    bundles: { type: 'string', default: 'dist/resock.min.js' },
    step: { type: 'string', default: 'open' },
    transport: { type: 'string', default: 'websocket' },
    rounds: { type: 'string', default: '15' },
    count: { type: 'string' },
  },
});

async function main() {
  raisePriority(-10);
  const bundles = args.bundles.split(',');
  const server = await startEchoServer();
  const proxy = await startProxy({ targetPort: server.port });
  proxy.blackholeUpgrades(true);
  const variants = [];
  if (args.step === 'open' && args.transport === 'websocket') variants.push({ name: 'bare WebSocket', client: 'ws', statics: await startStaticServer() });
  for (const bundle of bundles) variants.push({ name: path.basename(bundle), client: 'resock', statics: await startStaticServer({ bundle }) });
  const settings = { ...SETTINGS.full, bigTimes: 1 };
  if (args.count && args.step === 'rtt') settings.roundTripCount = Number(args.count);
  if (args.count && args.step === 'burst') settings.burstCount = Number(args.count);
  const spec = { transport: args.transport, url: server.url('/echo'), wsUrl: server.wsUrl('/echo/websocket') };

  const { browser, close } = await launchBrowser();
  const results = new Map(variants.map((v) => [v, []]));
  try {
    for (let round = 0; round < Number(args.rounds); round++) {
      for (let i = 0; i < variants.length; i++) {
        const v = variants[(i + round) % variants.length];
        const values = await withPage(browser, v.statics, v.client, async ({ page }) => {
          const s = { ...spec, client: v.client };
          if (args.step === 'open') return [(await page.evaluate((x) => window.bench.open(x), s)).ms];
          if (args.step === 'fallback') {
            const runs = await page.evaluate((x) => window.bench.fallback(x, 2), { client: v.client, url: proxy.url('/echo') });
            return runs.map((r) => r.ms);
          }
          await page.evaluate((x) => window.bench.prepare(x), s);
          const r = await page.evaluate((name, o) => window.bench.step(name, o), args.step, settings);
          return [r.median ?? r.rate ?? r.ms];
        }).catch((error) => {
          console.error(`  ${v.name}: ${error.message}`);
          return [];
        });
        results.get(v).push(values);
      }
      process.stderr.write(`  round ${round + 1}/${args.rounds}, load ${os.loadavg()[0].toFixed(1)}\n`);
    }
  } finally {
    await close();
    for (const v of variants) await v.statics.close();
    await proxy.close();
    await server.close();
  }
  const labels = args.step === 'fallback' ? ['first', 'remembered'] : [args.step === 'burst' ? 'msg/s' : 'ms'];
  console.log(`${args.step} ${args.step === 'fallback' ? '' : args.transport}: median (min–max) over ${args.rounds} interleaved rounds`);
  for (const v of variants) {
    const rows = results.get(v);
    const cols = labels.map((label, i) => `${label} ${fmtSummary(summarize(rows.map((r) => r[i])))}`);
    console.log(`  ${v.name.padEnd(24)} ${cols.join('   ')}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
