// The browser's own view of a page's requests: which HTTP requests and WebSockets have started
// and not yet finished, failed or closed. This is how a test proves that `close()` left nothing
// running (the server cannot tell: it notices an aborted long poll late).
// - Chromium: the DevTools protocol's Network domain, WebSockets included.
// - Firefox (WebDriver BiDi, which has no CDP and no WebSocket events): puppeteer's request
//   events for HTTP, and for WebSockets a wrapper of the page's `WebSocket` constructor,
//   installed before any script runs, that reports each socket's creation and its 'close'.
import { hasDevTools } from './engine.mjs';
import { withDeadline } from './deadline.mjs';

/** Starts watching the page's network; call before the page loads anything. */
export async function trackNetwork(page) {
  const ledger = createLedger();
  if (hasDevTools()) await feedFromDevTools(page, ledger);
  else await feedFromRequestEvents(page, ledger);
  return ledger.view;
}

/** What is running, keyed by whatever identifies a request for the feeder. */
function createLedger() {
  const pending = new Map(); // key → URL
  const started = []; // URL of every request and WebSocket started, in order
  const idleWaiters = new Set();
  const start = (key, url) => {
    if (!pending.has(key)) started.push(url);
    pending.set(key, url);
  };
  const settle = (key) => {
    pending.delete(key);
    if (pending.size === 0) for (const wake of [...idleWaiters]) wake();
  };
  const view = {
    /** URLs of every request and WebSocket the page started so far, in order (a redirect counts once). */
    startedRequests: () => started.slice(),
    /** URLs of the requests and WebSockets still running. */
    pendingRequests: () => [...pending.values()],
    /** Resolves once nothing is running; fails after the deadline, naming what still runs. */
    waitUntilIdle({ timeoutMs } = {}) {
      let wake;
      const idle = new Promise((resolve) => {
        wake = resolve;
        idleWaiters.add(wake);
        if (pending.size === 0) resolve();
      }).finally(() => idleWaiters.delete(wake));
      return withDeadline(idle, {
        what: 'no request of the page to be pending',
        timeoutMs,
        explain: async () => `still pending: ${[...pending.values()].join(', ')}`,
      });
    },
  };
  return { start, settle, view };
}

async function feedFromDevTools(page, { start, settle }) {
  const cdp = await page.createCDPSession();
  // A redirect reuses the requestId, so `start` simply overwrites the URL.
  cdp.on('Network.requestWillBeSent', ({ requestId, request }) => start(requestId, request.url));
  cdp.on('Network.loadingFinished', ({ requestId }) => settle(requestId));
  cdp.on('Network.loadingFailed', ({ requestId }) => settle(requestId));
  cdp.on('Network.webSocketCreated', ({ requestId, url }) => start(requestId, url));
  cdp.on('Network.webSocketClosed', ({ requestId }) => settle(requestId));
  await cdp.send('Network.enable');
}

/** The page function's name for the WebSocket reports; removed from `window` before the page's scripts run. */
const WEBSOCKET_REPORT = '__resockTestWebSocketReport';

async function feedFromRequestEvents(page, { start, settle }) {
  page.on('request', (request) => {
    // A redirect goes on as a new request: the hops before it are over.
    for (const hop of request.redirectChain()) settle(hop);
    // The WebSocket's handshake request ends at its 101; the socket itself is tracked below.
    if (/^wss?:/.test(request.url()) || isWebSocketHandshake(request)) return;
    start(request, request.url());
  });
  page.on('requestfinished', (request) => settle(request));
  page.on('requestfailed', (request) => settle(request));

  await page.exposeFunction(WEBSOCKET_REPORT, (event, id, url) => {
    if (event === 'created') start(`ws ${id}`, url);
    else settle(`ws ${id}`);
  });
  await page.evaluateOnNewDocument((name) => {
    const report = window[name];
    delete window[name];
    const NativeWebSocket = window.WebSocket;
    if (typeof NativeWebSocket !== 'function') return;
    let count = 0;
    // A Proxy, not a subclass: `new WebSocket()` still throws what the engine throws (a CSP
    // refusal, a bad URL), `instanceof` and the static constants are the native ones.
    window.WebSocket = new Proxy(NativeWebSocket, {
      construct(target, args, newTarget) {
        const socket = Reflect.construct(target, args, newTarget);
        const id = ++count;
        void report('created', id, socket.url);
        socket.addEventListener('close', () => void report('closed', id));
        return socket;
      },
    });
  }, WEBSOCKET_REPORT);
}

/** Firefox shows a WebSocket's handshake as an http(s) GET with `Upgrade: websocket`. */
function isWebSocketHandshake(request) {
  const headers = request.headers();
  return /websocket/i.test(headers.upgrade ?? '') || /\/websocket$/.test(new URL(request.url()).pathname);
}
