// WebKit (Safari's engine) for the cross-engine suite: Debian's WebKitGTK MiniBrowser, driven
// by WebKitWebDriver over classic W3C WebDriver (HTTP + JSON; WebKitGTK has no BiDi and no
// puppeteer driver). MiniBrowser needs a display, so it gets a private Xvfb. Every step that
// waits on another process is bounded: a missing display makes session creation hang forever.
import { spawn } from 'node:child_process';
import { freePort } from '../../demo/proxy-process.mjs';
import { withDeadline } from './deadline.mjs';

export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER_BIN || '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = process.env.MINIBROWSER_BIN || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const XVFB = process.env.XVFB_BIN || '/usr/bin/Xvfb';

/** Bound of starting Xvfb and the driver, and of creating the session. */
const START_TIMEOUT_MS = 30000;
/** Bound of one script run in the page (the driver's own `script` timeout). */
const SCRIPT_TIMEOUT_MS = 60000;

/**
 * Starts Xvfb, WebKitWebDriver and one MiniBrowser session, shared by every test of the run.
 * Resolves with `{ version, navigate(url), execute(source, args), close() }`.
 */
export async function launchWebKit() {
  const processes = [];
  const stopAll = async () => {
    for (const child of processes.reverse()) await stop(child);
  };
  try {
    const display = await startXvfb(processes);
    const port = await freePort();
    const driver = spawn(WEBKIT_DRIVER, [`--port=${port}`, '--host=127.0.0.1'], {
      env: { ...process.env, DISPLAY: `:${display}` },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    processes.push(driver);
    const driverExited = exitOf(driver, 'WebKitWebDriver');
    const base = `http://127.0.0.1:${port}`;
    await withDeadline(Promise.race([waitReady(base), driverExited]), { what: 'WebKitWebDriver to answer /status', timeoutMs: START_TIMEOUT_MS });
    const created = await withDeadline(
      Promise.race([
        command(base, 'POST', '/session', {
          capabilities: {
            alwaysMatch: {
              'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
              timeouts: { script: SCRIPT_TIMEOUT_MS, pageLoad: START_TIMEOUT_MS },
            },
          },
        }),
        driverExited,
      ]),
      { what: `a MiniBrowser session (${MINIBROWSER}, DISPLAY=:${display})`, timeoutMs: START_TIMEOUT_MS },
    );
    const session = `${base}/session/${created.sessionId}`;
    return {
      version: `WebKitGTK ${created.capabilities.browserVersion}`,
      navigate: (url) => command(session, 'POST', '/url', { url }),
      /** Runs `source` (a function body) as an asynchronous script; resolves with what it passed to its callback. */
      execute: (script, args) => command(session, 'POST', '/execute/async', { script, args }),
      async close() {
        await command(session, 'DELETE', '').catch(() => {});
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw new Error(`cannot start WebKit (scripts/ensure-system-deps.sh installs webkit2gtk-driver and xvfb): ${error.message}`);
  }
}

/** One WebDriver command; resolves with its `value`, rejects with the driver's error. */
async function command(base, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const { value } = await response.json();
  if (!response.ok) throw new Error(`WebDriver ${method} ${path || '/'}: ${value?.error}: ${value?.message}`);
  return value;
}

/** Polls /status until the driver is ready; bounded by the caller's deadline and a count. */
async function waitReady(base) {
  for (let i = 0; i < 300; i++) {
    const ready = await command(base, 'GET', '/status').then((v) => v.ready, () => false);
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('WebKitWebDriver never became ready');
}

/** Starts Xvfb on the first free display it finds (-displayfd) and resolves with its number. */
function startXvfb(processes) {
  const xvfb = spawn(XVFB, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  processes.push(xvfb);
  const display = new Promise((resolve) => {
    let text = '';
    xvfb.stdio[3].on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve(text.trim());
    });
  });
  return withDeadline(Promise.race([display, exitOf(xvfb, 'Xvfb')]), { what: 'Xvfb to start', timeoutMs: START_TIMEOUT_MS });
}

/** Rejects when `child` fails to start or exits, with the end of what it wrote to stderr. */
function exitOf(child, name) {
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`${name}: ${error.message}`)));
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (${signal ?? code}): ${stderr.trim()}`)));
  });
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
