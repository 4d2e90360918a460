// The browser's own view of a page's requests, through the DevTools protocol: which HTTP
// requests and WebSockets have started and not yet finished, failed or closed. This is how a
// test proves that `close()` left nothing running (the server cannot tell: it notices an
// aborted long poll late).
import { withDeadline } from './deadline.mjs';

/** Starts watching the page's network; call before the page loads anything. */
export async function trackNetwork(page) {
  const cdp = await page.createCDPSession();
  const pending = new Map(); // requestId → URL
  const started = []; // URL of every request and WebSocket started, in order
  const idleWaiters = new Set();

  const start = (requestId, url) => {
    if (!pending.has(requestId)) started.push(url);
    pending.set(requestId, url);
  };
  const settle = ({ requestId }) => {
    pending.delete(requestId);
    if (pending.size === 0) for (const wake of [...idleWaiters]) wake();
  };
  // A redirect reuses the requestId, so `start` simply overwrites the URL.
  cdp.on('Network.requestWillBeSent', ({ requestId, request }) => start(requestId, request.url));
  cdp.on('Network.loadingFinished', settle);
  cdp.on('Network.loadingFailed', settle);
  cdp.on('Network.webSocketCreated', ({ requestId, url }) => start(requestId, url));
  cdp.on('Network.webSocketClosed', settle);
  await cdp.send('Network.enable');

  return {
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
}
