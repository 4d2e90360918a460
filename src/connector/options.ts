import type { Env, WebSocketConstructor } from '../env/env';
import { randomId } from '../protocol/url';
import type { TransportName } from '../transports/types';

export type HeadersOption = Record<string, string> | (() => Record<string, string>);

/** Options of one SockJS connection; names and meanings follow sockjs-client 1.6.1. */
export interface ConnectionOptions {
  /**
   * Transports that may be used, by sockjs-client's names, as a string or an array.
   * Unknown names (`iframe-eventsource`, `xdr-streaming`…) are ignored. Default: all.
   * @example { transports: ['websocket', 'xhr-streaming'] }
   */
  transports?: TransportName | string | ReadonlyArray<TransportName | string> | null;
  /** The 3-digit server id that load balancers route on. Default: random 000–999. */
  server?: string;
  /** Session id length, or a function returning the id. Default: 8 random characters. */
  sessionId?: number | (() => string);
  /** The least time, in ms, a transport gets to open; the RTT-derived timeout may be longer. Default: 0. */
  timeout?: number;
  /**
   * Headers sent with every HTTP request (`/info`, streams, polls, sends), or a function called
   * before each connection (fresh tokens). WebSocket cannot carry headers. Default: none.
   */
  headers?: HeadersOption;
  /** Send cookies on cross-origin requests (sticky sessions). Default: true, as sockjs-client. */
  withCredentials?: boolean;
  /**
   * Reports transport choices, fallbacks, reconnects and closes: `true` logs with
   * `console.debug`, a function receives each event. Default: silent.
   * Events: `info` {rtt, websocket}, `transport:start` {transport}, `transport:open` {transport},
   * `transport:fail` {transport, code, reason}, `transport:drop` {transport} (an early WebSocket
   * that an earlier page of the tab found blocked), `reconnect` {attempt, delay, code, reason}, `close` {code, reason}.
   * @example { debug: (event, detail) => console.log(event, detail) }
   */
  debug?: boolean | DebugLogger;
  /**
   * The WebSocket class to use where there is no global one (Node 20: `ws`). Default: the global.
   * @example { WebSocket: require('ws') }
   */
  WebSocket?: WebSocketConstructor;
}

export type DebugLogger = (event: string, detail: Record<string, unknown>) => void;

export interface ResolvedConnectionOptions {
  allowed: TransportName[] | null;
  server: string | undefined;
  sessionId: (env: Env) => string;
  timeout: number;
  headers: () => Record<string, string>;
  withCredentials: boolean;
  debug: DebugLogger;
  WebSocket: WebSocketConstructor | undefined;
}

/** Longest frame or polling body accepted before the link is closed as a protocol error. */
export const MAX_FRAME_LENGTH = 64 * 1024 * 1024;

/** sockjs-client options that are accepted and ignored, so existing code keeps working. */
const TOLERATED = ['transportOptions', 'protocols_whitelist', 'devel', 'info', 'rtt', 'jsessionid', 'cookie'];
const CONNECTION_OPTIONS = ['transports', 'server', 'sessionId', 'timeout', 'headers', 'withCredentials', 'debug', 'WebSocket'];

const silent: DebugLogger = () => undefined;
const toConsole: DebugLogger = (event, detail) => console.debug('[resock]', event, detail);

/**
 * Throws a TypeError naming `name` unless `value` is undefined or passes `valid`; returns the
 * value, or `fallback` when undefined.
 */
export function checked<T>(name: string, value: unknown, valid: (value: never) => boolean, expected: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (!valid(value as never)) throw new TypeError(`Option '${name}' must be ${expected}`);
  return value as T;
}

/** Throws a TypeError for the first key of `options` that is not in `known`. */
export function checkKnown(options: object, known: readonly string[], prefix = ''): void {
  for (const key of Object.keys(options)) if (known.indexOf(key) === -1) throw new TypeError(`Unknown option '${prefix}${key}'`);
}

export const isNonNegative = (value: number) => typeof value === 'number' && value >= 0;
export const isFunction = (value: unknown) => typeof value === 'function';

/** Checks every option, naming the one that is wrong; `own` lists the caller's further options. */
export function resolveConnectionOptions(options: ConnectionOptions, own: readonly string[] = []): ResolvedConnectionOptions {
  checkKnown(options, CONNECTION_OPTIONS.concat(TOLERATED, own));
  const { transports, server, sessionId } = options;
  // As sockjs-client: null, '' and [] mean "no restriction".
  const unrestricted = transports === null || transports === '' || (Array.isArray(transports) && !transports.length);
  const list = unrestricted ? undefined : typeof transports === 'string' ? [transports] : transports;
  checked('transports', list, (l: unknown[]) => Array.isArray(l) && l.every((t) => typeof t === 'string'), 'a transport name or an array of them', 0);
  checked('server', server, (s: string) => typeof s === 'string' && !!s, 'a non-empty string', 0);
  const id = checked<number | (() => string)>('sessionId', sessionId, (n: number) => isFunction(n) || (n >= 1 && n <= 64), 'a length from 1 to 64 or a function', 8);
  const headers = checked<HeadersOption>('headers', options.headers, (h: object) => !!h && (typeof h === 'object' || isFunction(h)), 'an object or a function returning one', {});
  return {
    allowed: list ? (list as TransportName[]) : null,
    server,
    sessionId: typeof id === 'function' ? () => String(id()) : (env) => randomId(env.randomBytes, id),
    timeout: checked('timeout', options.timeout, isNonNegative, 'a number of ms ≥ 0', 0),
    headers: typeof headers === 'function' ? headers : () => headers,
    withCredentials: checked('withCredentials', options.withCredentials, (b) => typeof b === 'boolean', 'a boolean', true),
    WebSocket: checked('WebSocket', options.WebSocket, isFunction, 'a WebSocket class', undefined),
    debug: ((d) => (d === true ? toConsole : d || silent))(
      checked<boolean | DebugLogger>('debug', options.debug, (d) => typeof d === 'boolean' || isFunction(d), 'a boolean or a function', false),
    ),
  };
}
