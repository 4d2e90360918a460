// npm run bench [-- --quick] [--rounds N] [--only open,session,fallback,reconnect] [--wait-load L] [--nice N] [--readme] [--from results/x.json] [--bundle path/to/candidate.min.js]
//
// resock's SockJS facade and sockjs-client 1.6.1, each transport forced, against a bare WebSocket
// on sockjs-node's raw endpoint (the physical limit), in headless Chromium (or Firefox, with
// RESOCK_BROWSER=firefox: see test/support/engine.mjs; WebKit has no puppeteer driver). Every measurement runs
// in a fresh browser context, the clients interleaved (A B A B…, the order rotating every round),
// so that ratios can be taken between runs that were close in time. Results go to results/
// (markdown, JSON, SVG) and the table is printed; `--readme` also writes it into bench/README.md.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { startProxy } from '../test/support/proxy.mjs';
import { ENGINE, launchBrowser as launchEngine } from '../test/support/engine.mjs';
import { trackNetwork } from '../test/support/network-tracker.mjs';
import { startEchoServer, startStaticServer, repoRoot } from './servers.mjs';
import { buildReport } from './report.mjs';
import { replaceReadmeSection } from './readme-section.mjs';

export const TRANSPORTS = ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling'];
/** Wait after close() before counting what still runs. */
const PENDING_WAIT_MS = 1000;
/** The reconnect scenario's delay before a new attempt, the same for every client. */
const RECONNECT_DELAY_MS = 50;

export const SETTINGS = {
  full: { rounds: 4, roundTripCount: 200, burstCount: 5000, burstSize: 64, bigBytes: 1 << 20, bigTimes: 3 },
  quick: { rounds: 2, roundTripCount: 40, burstCount: 5000, burstSize: 64, bigBytes: 1 << 20, bigTimes: 1 },
};
const SCENARIOS = ['open', 'session', 'fallback', 'reconnect'];

/** The clients that run a transport: the bare WebSocket only knows one. */
const clientsOf = (transport) => (transport === 'websocket' ? ['ws', 'sockjs', 'resock'] : ['sockjs', 'resock']);
/** A B C, then B C A, then C A B…: no client always runs first, or always right after another. */
const rotate = (list, round) => list.map((_, i) => list[(i + round) % list.length]);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function launchBrowser() {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'resock-bench-'));
  // handleSIGINT/SIGTERM off: the bench closes the browser itself, profile directory included.
  const browser = await launchEngine({ userDataDir, handleSIGINT: false, handleSIGTERM: false });
  const close = async () => {
    for (const signal of ['SIGINT', 'SIGTERM']) process.off(signal, onSignal);
    await browser.close().catch(() => {});
    // Chromium may still be writing its profile for a moment after it closed.
    await rm(userDataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  };
  // Interrupted (Ctrl-C): close Chromium and remove its profile rather than leave them behind.
  function onSignal(signal) {
    console.error(`\n${signal}: stopping`);
    close().finally(() => process.exit(130));
  }
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, onSignal);
  return { browser, close };
}

/**
 * Runs `fn({ page, network })` in a new browser context whose page loaded `client`'s library.
 * The context (cookies, sessionStorage, connection pool) is thrown away afterwards.
 */
export async function withPage(browser, staticServer, client, fn) {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    const network = await trackNetwork(page);
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(staticServer.pageUrl(client), { waitUntil: 'load' });
    const ready = await page.evaluate(
      (c) => typeof window.bench === 'object' && (c === 'ws' || (c === 'resock' ? typeof window.Resock : typeof window.SockJS) === 'function'),
      client,
    );
    if (!ready) throw new Error(`the ${client} page did not load its library (npm run build?) ${errors.join('; ')}`);
    const result = await fn({ page, network });
    if (errors.length) result.pageErrors = errors;
    return result;
  } finally {
    await context.close();
  }
}

/** Closes every socket of the page, waits PENDING_WAIT_MS, and returns the URLs still running. */
async function pendingAfterClose(page, network) {
  await page.evaluate(() => window.bench.closeAll());
  await sleep(PENDING_WAIT_MS);
  return network.pendingRequests();
}

const specFor = (server, client, transport) => ({ client, transport, url: server.url('/echo'), wsUrl: server.wsUrl('/echo/websocket') });

async function runOpen(ctx, round, transport, client) {
  return withPage(ctx.browser, ctx.staticServer, client, async ({ page, network }) => {
    const spec = specFor(ctx.server, client, transport);
    const opened = await page.evaluate((s) => window.bench.open(s), spec);
    const pending = await pendingAfterClose(page, network);
    // A second connection in the same page: the library's code is compiled and the platform's
    // objects (fetch, storage…) are warm, so this is the protocol's own cost.
    const warm = await page.evaluate((s) => window.bench.open(s), spec);
    await page.evaluate(() => window.bench.closeAll());
    return { openMs: opened.ms, warmOpenMs: warm.ms, used: opened.transport, pending };
  });
}

async function runSession(ctx, round, transport, client) {
  return withPage(ctx.browser, ctx.staticServer, client, async ({ page, network }) => {
    const result = await page.evaluate((spec, o) => window.bench.session(spec, o), specFor(ctx.server, client, transport), ctx.settings);
    const { transport: used, ...rest } = result;
    return { ...rest, used, pending: await pendingAfterClose(page, network) };
  });
}

async function runFallback(ctx, round, client) {
  return withPage(ctx.browser, ctx.staticServer, client, async ({ page, network }) => {
    const spec = { client, url: ctx.proxy.url('/echo') };
    const [first, remembered] = await page.evaluate((s) => window.bench.fallback(s, 2), spec);
    return { first, remembered, pending: await pendingAfterClose(page, network) };
  });
}

async function runReconnect(ctx, round, transport, client) {
  return withPage(ctx.browser, ctx.staticServer, client, async ({ page }) => {
    const spec = specFor(ctx.restartable, client, transport);
    await page.evaluate((s, delay) => window.bench.startApp(s, delay), spec, RECONNECT_DELAY_MS);
    await sleep(300); // let the link settle (a poll in flight, a stream past its prelude)
    const { stoppedAt, listeningAt } = await ctx.restartable.restart();
    try {
      const { opens, noticed } = await page.evaluate(() => window.bench.appOpened(2));
      const echoed = await page.evaluate(() => window.bench.appEcho());
      return { downMs: listeningAt - stoppedAt, noticedMs: noticed[0] - stoppedAt, reopenMs: opens[1] - stoppedAt, echoed };
    } finally {
      await page.evaluate(() => window.bench.stopApp());
    }
  });
}

/** Runs one measurement, recording its error instead of stopping the run. */
async function measure(ctx, base, run) {
  const startedAt = Date.now();
  let data;
  try {
    data = await run();
  } catch (error) {
    data = { error: error.message.split('\n')[0] };
  }
  const sample = { ...base, at: startedAt, ms: Date.now() - startedAt, ...data };
  ctx.samples.push(sample);
  ctx.progress(sample);
}

async function runRound(ctx, round) {
  const want = (scenario) => ctx.only.includes(scenario);
  for (const transport of TRANSPORTS) {
    for (const client of rotate(clientsOf(transport), round)) {
      if (want('open')) await measure(ctx, { scenario: 'open', round, transport, client }, () => runOpen(ctx, round, transport, client));
    }
  }
  for (const transport of TRANSPORTS) {
    for (const client of rotate(clientsOf(transport), round)) {
      if (want('session')) await measure(ctx, { scenario: 'session', round, transport, client }, () => runSession(ctx, round, transport, client));
    }
  }
  if (want('fallback')) {
    ctx.proxy.blackholeUpgrades(true);
    for (const client of rotate(['sockjs', 'resock'], round)) {
      await measure(ctx, { scenario: 'fallback', round, transport: 'any', client }, () => runFallback(ctx, round, client));
    }
    ctx.proxy.blackholeUpgrades(false);
  }
  for (const transport of TRANSPORTS) {
    for (const client of rotate(clientsOf(transport), round)) {
      if (want('reconnect')) await measure(ctx, { scenario: 'reconnect', round, transport, client }, () => runReconnect(ctx, round, transport, client));
    }
  }
}

/** Sizes of the bundles: resock's and sockjs-client's as served during the run, the STOMP one from disk. */
function bundleSizes(staticServer) {
  const sizes = [];
  const files = [
    ['resock', 'dist/resock.min.js', '/resock.min.js'],
    ['resock/stomp', 'dist/resock-stomp.min.js'],
    ['sockjs-client 1.6.1', 'node_modules/sockjs-client/dist/sockjs.min.js', '/sockjs.min.js'],
  ];
  for (const [name, file, served] of files) {
    const full = path.join(repoRoot, file);
    const body = served ? staticServer.file(served) : existsSync(full) ? readFileSync(full) : null;
    if (!body) continue;
    const sha256 = createHash('sha256').update(body).digest('hex').slice(0, 12);
    sizes.push({ name, file, min: body.length, gzip: gzipSync(body, { level: 9 }).length, sha256 });
  }
  return sizes;
}

function machineInfo(chromium) {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = (cpuinfo.match(/^model name\s*:\s*(.*)$/m) || [])[1] || os.cpus()[0]?.model || 'unknown';
  let nproc = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || nproc;
  } catch {
    // nproc missing: Node's count will do.
  }
  // `chromium` holds the browser's version whatever the engine (the key older results have); `engine` names it.
  return { nproc, cpu: model.trim(), memGiB: Math.round(os.totalmem() / 2 ** 30), engine: ENGINE, chromium, node: process.version, os: `${os.type()} ${os.release()}` };
}

/** Warns when a source of the bundle (per its source map) changed after it was built: the bench would measure old code. */
function warnIfStale() {
  const bundle = path.join(repoRoot, 'dist/resock.min.js');
  if (!existsSync(bundle)) throw new Error('dist/resock.min.js is missing: run npm run build first');
  const builtAt = statSync(bundle).mtimeMs;
  let sources = [];
  try {
    sources = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')).sources.map((s) => path.resolve(repoRoot, 'dist', s));
  } catch {
    return; // no map: nothing to compare with
  }
  const newer = sources.filter((file) => !existsSync(file) || statSync(file).mtimeMs > builtAt).map((file) => path.relative(repoRoot, file));
  if (newer.length) console.warn(`warning: ${newer.slice(0, 4).join(', ')}${newer.length > 4 ? '…' : ''} changed after dist/resock.min.js was built; npm run build to measure the current code`);
}

async function main() {
  const { values: args } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      only: { type: 'string' },
      readme: { type: 'boolean', default: false },
      out: { type: 'string', default: 'results' },
      nice: { type: 'string', default: '-10' },
      'wait-load': { type: 'string' },
      from: { type: 'string' },
      bundle: { type: 'string' },
    },
  });
  const outDir = path.resolve(repoRoot, args.out);
  if (args.from) {
    // Only the reports, again, from the samples of an earlier run (after a change to report.mjs).
    const { summary, targets, samples, ...meta } = JSON.parse(readFileSync(path.resolve(args.from), 'utf8'));
    return writeResults(outDir, meta, samples, args.readme);
  }
  const { meta, samples } = await runBench(args);
  await writeResults(outDir, meta, samples, args.readme);
}

async function runBench(args) {
  const priority = raisePriority(Number(args.nice));
  const settings = { ...(args.quick ? SETTINGS.quick : SETTINGS.full) };
  if (args.rounds) settings.rounds = Number(args.rounds);
  const only = args.only ? args.only.split(',') : SCENARIOS;
  for (const name of only) if (!SCENARIOS.includes(name)) throw new Error(`unknown scenario '${name}' (${SCENARIOS.join(', ')})`);
  if (!args.bundle) warnIfStale();

  const startedAt = new Date();
  const loadBefore = os.loadavg()[0];
  const commit = gitCommit();
  const server = await startEchoServer();
  const restartable = await startEchoServer();
  const proxy = await startProxy({ targetPort: server.port });
  const staticServer = await startStaticServer({ bundle: args.bundle });
  const launched = await launchBrowser();
  const chromium = await launched.browser.version();
  const ctx = {
    browser: launched.browser,
    server,
    restartable,
    proxy,
    staticServer,
    settings,
    only,
    samples: [],
    roundLoads: [],
    progress: (s) => {
      const what = s.error ? `error: ${s.error}` : 'ok';
      process.stderr.write(`  round ${s.round + 1}/${settings.rounds} ${s.scenario.padEnd(9)} ${s.transport.padEnd(13)} ${s.client.padEnd(6)} ${String(s.ms).padStart(6)} ms ${what}\n`);
    },
  };
  try {
    for (let round = 0; round < settings.rounds; round++) {
      if (args['wait-load']) await waitForLoad(Number(args['wait-load']));
      ctx.roundLoads.push(Math.round(os.loadavg()[0] * 100) / 100);
      await runRound(ctx, round);
    }
  } finally {
    await launched.close();
    await Promise.all([staticServer.close(), proxy.close(), restartable.close(), server.close()]);
  }

  const meta = {
    date: startedAt.toISOString(),
    durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
    mode: args.quick ? 'quick' : 'full',
    settings,
    scenarios: only,
    machine: machineInfo(chromium),
    // Other work on the machine shows here: a run at load 10 on 2 cores is not comparable to one at 0.5.
    priority,
    loadAverage: { before: Math.round(loadBefore * 100) / 100, rounds: ctx.roundLoads, after: Math.round(os.loadavg()[0] * 100) / 100 },
    sizes: bundleSizes(staticServer),
    bundle: args.bundle || 'dist/resock.min.js',
    commit,
  };
  return { meta, samples: ctx.samples };
}

/** results/bench-<date>.{md,json,svg} and results/latest.*, the table printed, bench/README.md with --readme. */
function writeResults(outDir, meta, samples, readme) {
  const report = buildReport(meta, samples);
  mkdirSync(outDir, { recursive: true });
  const stamp = meta.date.replace(/[:.]/g, '-').replace(/-\d\d\dZ$/, 'Z');
  const json = JSON.stringify({ ...meta, summary: report.summary, targets: report.targets, samples }, null, 2);
  for (const name of [`bench-${stamp}`, 'latest']) {
    writeFileSync(path.join(outDir, `${name}.json`), json);
    writeFileSync(path.join(outDir, `${name}.md`), report.markdown);
    writeFileSync(path.join(outDir, `${name}.svg`), report.svg);
  }
  if (readme) updateReadme(report.markdown);
  console.log(report.markdown);
  console.log(`written: ${path.relative(repoRoot, outDir)}/bench-${stamp}.{md,json,svg} (and latest.*)${readme ? ', bench/README.md' : ''}`);
}

/** Waits (5 minutes at most) until the 1-minute load average is below `limit`. */
async function waitForLoad(limit) {
  const deadline = Date.now() + 5 * 60 * 1000;
  let said = false;
  while (os.loadavg()[0] >= limit && Date.now() < deadline) {
    if (!said) process.stderr.write(`  waiting for the load average (${os.loadavg()[0].toFixed(1)}) to fall below ${limit}…\n`);
    said = true;
    await sleep(5000);
  }
}

/**
 * The machine is shared (other builds and test runs come and go): the bench and everything it
 * starts (servers in this process, Chromium as a child, which inherits it) run at a higher
 * priority so that others' work disturbs the figures less. Needs root; otherwise it runs as is.
 */
export function raisePriority(nice) {
  try {
    os.setPriority(0, nice);
  } catch {
    // Not allowed: the load average printed with the results tells how disturbed the run was.
  }
  return os.getPriority(0);
}

function gitCommit() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    return dirty ? `${head} + uncommitted src/ changes` : head;
  } catch {
    return 'unknown';
  }
}

const README_START = '<!-- bench:results:start -->';
const README_END = '<!-- bench:results:end -->';

const updateReadme = (markdown) => replaceReadmeSection(README_START, README_END, markdown);

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
