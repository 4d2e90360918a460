// The demo as a cluster: RabbitMQ (scripts/rabbitmq.sh), N demo nodes (demo/server.mjs, one
// process each, a name and a port each) and HAProxy on one port in front of them. The chat's
// rooms span the nodes through RabbitMQ; the page shows which node serves it and can kill it.
//
//   npm run demo:cluster                   # builds dist/, then http://127.0.0.1:8090/
//   PORT=9000 NODES=5 node demo/cluster.mjs
//
// `startCluster()` is what the command line, the cluster tests and the storm benchmark use.
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startHaproxy } from './haproxy.mjs';

const DEMO_DIR = fileURLToPath(new URL('.', import.meta.url));
const SERVER = path.join(DEMO_DIR, 'server.mjs');
const RABBITMQ = path.join(DEMO_DIR, '..', 'scripts', 'rabbitmq.sh');
const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
const NODE_START_MS = 15000;

/** Runs `scripts/rabbitmq.sh start` (finds a running one, or starts it and waits for it). */
export function startRabbitMQ() {
  return new Promise((resolve, reject) => {
    execFile('bash', [RABBITMQ, 'start'], { timeout: 150000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`scripts/rabbitmq.sh start failed: ${error.message}\n${stdout}${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

/** One demo node as a child process. Resolves once it listens and its bus is connected. */
function spawnNode({ name, port = 0, amqp, allowKill, maxBodyBytes, jsessionid, log }) {
  const env = {
    ...process.env,
    PORT: String(port),
    RESOCK_DEMO_NODE: name,
    RESOCK_DEMO_AMQP: amqp,
    RESOCK_DEMO_ALLOW_KILL: allowKill ? '1' : '',
    RESOCK_DEMO_MAX_BODY: maxBodyBytes ? String(maxBodyBytes) : '',
    RESOCK_DEMO_JSESSIONID: jsessionid ? '1' : '',
  };
  const child = spawn(process.execPath, [SERVER], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${name} did not start within ${NODE_START_MS} ms`)), NODE_START_MS);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`node ${name} exited (${signal || code}) before it was ready`));
    });
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text) => {
      buffered += text;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) {
        log(`[${name}] ${line}`);
        const match = / node \S+: http:\/\/127\.0\.0\.1:(\d+)\//.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      }
    });
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => text.split('\n').filter(Boolean).forEach((line) => log(line)));
  ready.catch(() => {}); // the caller awaits it; this keeps a late rejection from going unhandled
  return { child, exited, ready };
}

/**
 * Starts RabbitMQ, `nodes` demo nodes named n1…nN and HAProxy on `port` (0: a free one).
 * `balance`: see demo/haproxy.mjs ('jsessionid' makes the nodes set the cookie). `restartKilledAfterMs`: a node that dies is started again after
 * that long (the demo's "kill this node" button), else it stays down until `restart(name)`.
 * `log(line)` hears every process's output. Resolves with the cluster's handle.
 */
export async function startCluster({
  nodes: count = 3,
  port = 0,
  balance = 'server-id',
  allowKill = false,
  restartKilledAfterMs = 0,
  maxBodyBytes = undefined,
  rabbitmq = true,
  log = () => {},
} = {}) {
  if (rabbitmq) await startRabbitMQ();
  const nodes = new Map(); // name → { name, port, process }
  let closing = false;

  async function launch(name, nodePort = 0) {
    const launched = spawnNode({ name, port: nodePort, amqp: AMQP_URL, allowKill, maxBodyBytes, jsessionid: balance === 'jsessionid', log });
    const entry = { name, port: nodePort, process: launched };
    nodes.set(name, entry);
    entry.port = await launched.ready;
    launched.exited.then(({ code, signal }) => {
      if (closing || nodes.get(name) !== entry) return;
      log(`[${name}] exited (${signal || code})`);
      entry.process = null;
      if (restartKilledAfterMs) {
        setTimeout(() => {
          if (closing || entry.process) return;
          log(`[${name}] restarting on port ${entry.port}`);
          launch(name, entry.port).catch((error) => log(`[${name}] restart failed: ${error.message}`));
        }, restartKilledAfterMs);
      }
    });
    return entry;
  }

  const names = Array.from({ length: count }, (_, i) => `n${i + 1}`);
  try {
    await Promise.all(names.map((name) => launch(name)));
  } catch (error) {
    for (const entry of nodes.values()) entry.process?.child.kill('SIGKILL');
    throw error;
  }
  const haproxy = await startHaproxy({
    port,
    balance,
    maxBodyBytes,
    nodes: names.map((name) => ({ name, port: nodes.get(name).port })),
    log,
  }).catch((error) => {
    for (const entry of nodes.values()) entry.process?.child.kill('SIGKILL');
    throw error;
  });

  /** Resolves when HAProxy's health checks see `name` as `state` ('UP' or 'DOWN'); bounded. */
  async function whenHaproxySees(name, state, timeoutMs = 10000) {
    const deadline = Date.now() + timeoutMs;
    let seen = null;
    for (let i = 0; i < 400 && Date.now() < deadline; i++) {
      seen = (await haproxy.serverStates())[name];
      if (seen && seen.startsWith(state)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`HAProxy still sees node ${name} as ${seen} after ${timeoutMs} ms (waiting for ${state})`);
  }

  return {
    url: `http://127.0.0.1:${haproxy.port}/`,
    port: haproxy.port,
    haproxy,
    names,
    /** Ports of the nodes, by name: a test may talk to one node without HAProxy. */
    nodePort: (name) => nodes.get(name).port,
    isRunning: (name) => !!nodes.get(name)?.process,
    /** Sends `signal` to a node; resolves when its process has exited. */
    async kill(name, signal = 'SIGKILL') {
      const entry = nodes.get(name);
      if (!entry?.process) throw new Error(`node ${name} is not running`);
      const { exited, child } = entry.process;
      child.kill(signal);
      return exited;
    },
    /** Starts a stopped node again on its port; resolves when HAProxy routes to it. */
    async restart(name) {
      const entry = nodes.get(name);
      if (entry.process) throw new Error(`node ${name} is running`);
      await launch(name, entry.port);
      await whenHaproxySees(name, 'UP');
    },
    whenHaproxySees,
    /** Resolves when the node's process is gone (at once if it is not running). */
    whenExited: async (name) => {
      await nodes.get(name).process?.exited;
    },
    async close() {
      closing = true;
      await haproxy.close();
      await Promise.all(
        [...nodes.values()].map(async (entry) => {
          if (!entry.process) return;
          entry.process.child.kill('SIGKILL');
          await entry.process.exited;
        }),
      );
    },
  };
}

async function main() {
  const port = process.env.PORT === undefined ? 8090 : Number(process.env.PORT);
  const count = process.env.NODES === undefined ? 3 : Number(process.env.NODES);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !Number.isInteger(count) || count < 1 || count > 20) {
    console.error('PORT must be a port number and NODES a count from 1 to 20');
    process.exit(2);
  }
  console.log('Starting RabbitMQ (scripts/rabbitmq.sh), 3 nodes and HAProxy…');
  let cluster;
  try {
    cluster = await startCluster({ port, nodes: count, allowKill: true, restartKilledAfterMs: 5000, log: (line) => console.log(line) });
  } catch (error) {
    console.error(`cannot start the cluster demo: ${error.message}`);
    process.exit(1);
  }
  console.log(`\nresock cluster demo: ${cluster.url}  (HAProxy → ${cluster.names.map((n) => `${n} :${cluster.nodePort(n)}`).join(', ')})`);
  console.log('Open it in several windows: each shows the node that serves it; "Kill this node" SIGKILLs it (restarted 5 s later).');
  console.log('RabbitMQ keeps running after Ctrl-C: `bash scripts/rabbitmq.sh stop` stops it.');
  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(130);
    stopping = true;
    await cluster.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
