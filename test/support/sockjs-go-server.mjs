// The second server peer of the browser tests: sockjs-go (Debian's golang-github-igm-sockjs-go-dev)
// running test/support/sockjs-go/main.go, with the endpoints of sockjs-server.mjs.
// Built offline against Debian's Go sources (GOPATH mode, no module download), once per source:
// the binary is cached under build/ by the hash of its source and of the Go toolchain.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { withDeadline } from './deadline.mjs';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOURCE = fileURLToPath(new URL('./sockjs-go/main.go', import.meta.url));
const BUILD_DIR = path.join(ROOT, 'build', 'sockjs-go');
// Debian installs the sources of Go libraries here (golang-github-igm-sockjs-go-dev and its
// dependency golang-github-gorilla-websocket-dev).
const DEBIAN_GOPATH = '/usr/share/gocode';
const GO_ENV = {
  ...process.env,
  GO111MODULE: 'off',
  GOPATH: DEBIAN_GOPATH,
  GOFLAGS: '',
  GOPROXY: 'off',
  GOCACHE: path.join(BUILD_DIR, 'cache'),
};

let built; // Promise<string>: this process builds (or finds) the binary once

/** Path of the server binary, built when this source and toolchain have not been built before. */
export function buildSockjsGoServer() {
  return (built ??= build());
}

async function build() {
  const [source, goVersion] = await Promise.all([
    readFile(SOURCE),
    run('go', ['version'], { env: GO_ENV }).then(
      ({ stdout }) => stdout,
      (error) => {
        throw new Error(`no Go toolchain (scripts/ensure-system-deps.sh installs golang-go): ${error.message}`);
      },
    ),
  ]);
  const hash = createHash('sha256').update(source).update(goVersion).digest('hex').slice(0, 16);
  const binary = path.join(BUILD_DIR, `sockjs-go-echo-${hash}`);
  if (await exists(binary)) return binary;

  await mkdir(BUILD_DIR, { recursive: true });
  // Built under a name of its own, then renamed: two suites building at once both end with a whole binary.
  const partial = `${binary}.${process.pid}.partial`;
  try {
    await run('go', ['build', '-o', partial, SOURCE], { env: GO_ENV, cwd: ROOT });
    await rename(partial, binary);
  } catch (error) {
    await rm(partial, { force: true });
    throw new Error(`cannot build the sockjs-go test server (needs golang-github-igm-sockjs-go-dev): ${error.stderr || error.message}`);
  }
  return binary;
}

const exists = (file) => access(file).then(() => true, () => false);

/**
 * Starts sockjs-go on 127.0.0.1, on a random port unless `port` is given. Same shape as
 * `startSockjsServer()`: `{ port, origin, url(prefix), close() }`. Endpoints: `/echo`, `/close`,
 * `/push`, `/disabled_websocket_echo`, `/cookie_needed_echo` (see sockjs-server.mjs).
 */
export async function startSockjsGoServer({ heartbeatDelay = 25000, port: wantedPort = 0 } = {}) {
  const binary = await buildSockjsGoServer();
  // stdin stays a pipe: the server exits when it closes, so it cannot outlive this process.
  const child = spawn(binary, ['-port', String(wantedPort), '-heartbeat-delay-ms', String(heartbeatDelay)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const listening = new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (text) => {
      stdout += text;
      const match = /^listening 127\.0\.0\.1:(\d+)$/m.exec(stdout);
      if (match) resolve(Number(match[1]));
    });
    child.once('error', reject);
    void exited.then(({ code, signal }) => reject(new Error(`sockjs-go exited (${signal || code}) before listening: ${stderr.trim()}`)));
  });
  const port = await withDeadline(listening, { what: 'the sockjs-go server to listen' }).catch((error) => {
    child.kill();
    throw error;
  });

  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    url: (prefix) => `http://127.0.0.1:${port}${prefix}`,
    /** Stops the server; every connection ends with it. */
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      await exited;
    },
  };
}
