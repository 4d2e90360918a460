import { CloseCode, closeInfo } from '../../protocol/codes';
import { appendPath, randomId } from '../../protocol/url';
import { requestReason } from '../../net/request';
import type { StartReceiver } from './receivers';
import { anotherConnectionRetryDelay } from './another-connection';

/** Where JSONP responses call back: `_resockjp.<id>(frame)` on the window that runs the script. */
const REGISTRY = '_resockjp';
type Registry = Record<string, (frame: unknown) => void>;

/**
 * A hidden frame to run the `<script>`s in. Chromium does not cancel the load of a script element
 * that is removed; it does cancel every load of a frame that is removed, so `stop()` leaves no
 * request running. Falls back to the page itself where no frame can be made.
 */
function scriptContainer(document: Document, globalObject: Record<string, unknown>): { window: Record<string, unknown>; document: Document; remove(): void } {
  const frame = document.createElement('iframe');
  // display: none also keeps it out of the accessibility tree: no aria-hidden needed.
  frame.style.display = 'none';
  // Not in <body>: a framework mounting there replaces its content, and a removed frame cancels
  // its script with no event at all (the transport would fall silent).
  document.documentElement.appendChild(frame);
  const win = frame.contentWindow as unknown as (Record<string, unknown> & { document: Document }) | null;
  if (!win || !win.document) {
    frame.remove();
    return { window: globalObject, document, remove: () => undefined };
  }
  return { window: win, document: win.document, remove: () => frame.remove() };
}

/**
 * Long-polling through `<script>` elements: `GET .../jsonp?c=<callback>` answers
 * `/**\/<callback>("<frame>");`. One script at a time; the next is added once the previous ran.
 * Needs `script-src` to allow the server, so it fails under a strict Content-Security-Policy:
 * the script's `error` event then ends the transport and the fallback moves on.
 */
export const jsonpReceiver: StartReceiver = ({ env, sessionUrl, frame, fail }) => {
  const container = scriptContainer(env.document!, env.globalObject);
  const registry = (container.window[REGISTRY] ||= {}) as Registry;
  let script: HTMLScriptElement | null = null;
  let id = '';
  let retryTimer: unknown;

  const cleanUp = () => {
    if (script) {
      script.onload = script.onerror = null;
      script.remove();
    }
    // A script that already arrived may still run: leave a callback that only tidies up.
    if (id && registry[id]) registry[id] = ((key) => () => delete registry[key])(id);
    script = null;
  };
  const stop = () => {
    env.clearTimeout(retryTimer);
    cleanUp();
    container.remove();
  };
  // Every way out removes the frame: a failure that left it would leak one per attempt. `script`
  // is set from the start of a poll until stop().
  const failOnce = (why: string, code: number = CloseCode.Lost) => {
    if (!script) return;
    stop();
    fail(closeInfo(code, requestReason('GET', '/jsonp', why)));
  };

  /** `refusals`: how many polls in a row, just before this one, were refused with 2010 (another-connection.ts). */
  const poll = (refusals: number): void => {
    let received = false;
    let retryIn: number; // set with `received`, read only once it is true
    // A letter first: `_resockjp.5ab(...)` would not parse.
    id = 'c' + randomId(env.randomBytes, 10);
    // Registered until the script has run: a second call would otherwise throw in it, its frames lost.
    registry[id] = (data) => {
      if (typeof data !== 'string') return failOnce('payload is not a string', CloseCode.CannotConnect);
      if (!received && (received = true) && (retryIn = anotherConnectionRetryDelay(data, refusals))) return;
      // The response may carry several newline-separated frames. None: a broken peer, not a
      // reason to poll again at once (as in receivers.ts).
      const lines = data.split('\n').filter(Boolean);
      if (!lines.length) return failOnce('ended without a frame', CloseCode.CannotConnect);
      for (const line of lines) if (script) frame(line);
    };
    const element = (script = container.document.createElement('script'));
    element.async = true;
    element.onload = () => {
      delete registry[id];
      // Loaded and never called back: an answer, not ours (HTML…), as unreadable as over xhr-polling.
      if (!received) return failOnce('no callback', CloseCode.CannotConnect);
      cleanUp();
      if (retryIn) retryTimer = env.setTimeout(() => poll(refusals + 1), retryIn);
      else poll(0);
    };
    element.onerror = () => failOnce('no answer (down? CSP?)');
    try {
      // Throws under a Trusted Types policy (`require-trusted-types-for 'script'`).
      element.src = appendPath(sessionUrl, '/jsonp', `c=${REGISTRY}.${id}`);
      (container.document.head || container.document.documentElement).appendChild(element);
    } catch {
      // Reported from a microtask: the first poll runs while the transport is being built,
      // before anyone listens for its close.
      void Promise.resolve().then(() => failOnce('script refused'));
    }
  };
  poll(0);
  return { stop };
};
