import { appendPath, randomId } from '../../protocol/url';
import type { StartReceiver } from './receivers';

/** The one global that JSONP responses can reach: `_resockjp.<id>(frame)`. */
const REGISTRY = '_resockjp';
type Registry = Record<string, (frame: unknown) => void>;

/**
 * Long-polling through `<script>` elements: `GET .../jsonp?c=<callback>` answers
 * `/**\/<callback>("<frame>");`. One script at a time; the next is added once the previous ran.
 * Needs `script-src` to allow the server, so it fails under a strict Content-Security-Policy:
 * the script's `error` event then ends the transport and the fallback moves on.
 */
export const jsonpReceiver: StartReceiver = ({ env, sessionUrl, frame, fail }) => {
  const document = env.document!;
  const registry = (env.globalObject[REGISTRY] ||= {}) as Registry;
  let script: HTMLScriptElement | null = null;
  let id = '';

  const cleanUp = () => {
    if (script) {
      script.onload = script.onerror = null;
      script.remove();
    }
    // A removed script may still run: leave a callback that only tidies up after itself.
    if (id && registry[id]) registry[id] = ((key) => () => delete registry[key])(id);
    script = null;
  };
  const failOnce = (reason: string, code = 1006) => {
    if (!script) return;
    cleanUp();
    fail({ code, reason, wasClean: false });
  };

  const poll = (): void => {
    let received = false;
    id = randomId(env.randomBytes, 10);
    registry[id] = (data) => {
      received = true;
      delete registry[id];
      if (typeof data !== 'string') return failOnce('JSONP payload is not a string', 1002);
      // The response may carry several newline-separated frames.
      for (const line of data.split('\n')) if (line && script) frame(line);
    };
    const element = (script = document.createElement('script'));
    element.async = true;
    element.src = appendPath(sessionUrl, '/jsonp', { c: `${REGISTRY}.${id}` });
    element.onload = () => {
      if (!received) return failOnce('JSONP response did not call back');
      cleanUp();
      poll();
    };
    element.onerror = () => failOnce('JSONP request failed');
    (document.head || document.documentElement).appendChild(element);
  };
  poll();
  return { stop: cleanUp };
};
