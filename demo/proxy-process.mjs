// A load balancer (HAProxy, nginx) as an ordinary child process of the demo or the tests, never a
// system service: its configuration in a temporary directory of its own, its output to `log`, on
// 127.0.0.1. demo/haproxy.mjs and demo/nginx.mjs say what to run.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A free port of 127.0.0.1 (a balancer cannot tell which port it got, so it is chosen first). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves once 127.0.0.1:`port` accepts a connection; rejects after `timeoutMs`. */
export async function waitForPort(port, { timeoutMs = 10000, exited = null } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; Date.now() < deadline && i < 1000; i++) {
    if (exited && exited.done) throw new Error(`the process exited before listening on ${port}`);
    const ok = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

/** Debian puts daemons in /usr/sbin, which a non-root PATH may lack. */
const sbin = (name) => (existsSync(`/usr/sbin/${name}`) ? `/usr/sbin/${name}` : name);

/**
 * Writes `files(dir)` (name → text) into a new temporary directory, runs `command` in the
 * foreground with `args(dir)`, and resolves once it listens on `port`. Resolves with
 * `{ dir, pid, close() }`; `close()` stops it and removes the directory.
 */
export async function startProxyProcess({ command, args, files, port, log = () => {} }) {
  const dir = await mkdtemp(path.join(os.tmpdir(), `resock-${command}-`));
  // Readable by a balancer's workers when it runs as root and they switch to another user.
  await chmod(dir, 0o755);
  for (const [name, text] of Object.entries(files(dir))) await writeFile(path.join(dir, name), text);
  const child = spawn(sbin(command), args(dir), { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = { done: false };
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exited.done = true, { code, signal }))));
  child.once('error', (error) => log(`${command}: ${error.message} (scripts/ensure-system-deps.sh installs it)`));
  const lastLines = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (text) =>
      text
        .split('\n')
        .filter(Boolean)
        .forEach((line) => {
          lastLines.push(line);
          if (lastLines.length > 10) lastLines.shift();
          log(`${command}: ${line}`);
        }),
    );
  }
  try {
    await waitForPort(port, { exited });
  } catch (error) {
    child.kill('SIGKILL');
    await exit;
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${command} did not start: ${error.message}\n${lastLines.join('\n')}`);
  }
  return {
    dir,
    pid: child.pid,
    async close() {
      if (!exited.done) child.kill('SIGTERM');
      await exit;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
