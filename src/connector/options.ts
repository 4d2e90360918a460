import type { Env, WebSocketConstructor } from '../env/env';
import { randomId } from '../protocol/url';
import type { TransportDescriptor, TransportName, TransportOptions } from '../transports/types';
import { ensure, readOptions, type Resolved, type Rule } from '../util/options';

export type HeadersOption = Record<string, string> | (() => Record<string, string>);

/** Options of one SockJS connection; names and meanings follow sockjs-client 1.6.1. */
export interface ConnectionOptions {
  /**
   * Transports that may be used, by sockjs-client's names, as a string or an array. For `Resock`
   * a name it does not have is a TypeError naming it; `SockJS` ignores it, as sockjs-client does
   * (`iframe-eventsource`, `xdr-streaming`…). Transports may also be given as objects from `resock/transports`:
   * with `resock/core`, only those are bundled. Default: all that are bundled.
   * @example { transports: ['websocket', 'xhr-streaming'] }
   * @example import { websocket, xhrPolling } from 'resock/transports'; { transports: [websocket, xhrPolling] }
   */
  transports?: TransportChoice | ReadonlyArray<TransportChoice> | null;
  /** The 3-digit server id that load balancers route on. Default: random 000–999. */
  server?: string;
  /** Session id length, or a function returning the id. Default: 8 random characters. */
  sessionId?: number | (() => string);
  /** The least time, in ms, a transport gets to open; the RTT-derived timeout may be longer. Default: 0. */
  timeout?: number;
  /**
   * Headers sent with every HTTP request (`/info`, streams, polls, sends), or a function called
   * before each connection (fresh tokens), which must not return a Promise (a TypeError naming
   * `headers`; Resock's `beforeConnect` may be async). WebSocket cannot carry headers. Default: none.
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

/** A transport by its name, or the transport itself (`resock/transports`). */
export type TransportChoice = TransportName | LegacyTransportName | TransportDescriptor;

/** sockjs-client transports for old browsers: the SockJS drop-in accepts and ignores them. */
export type LegacyTransportName = 'xdr-streaming' | 'xdr-polling' | 'iframe-eventsource' | 'iframe-htmlfile' | 'iframe-xhr-polling' | 'htmlfile';
export const TRANSPORT_NAMES: readonly TransportName[] = ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling'];

export type DebugLogger = (event: string, detail: Record<string, unknown>) => void;

export interface ResolvedConnectionOptions {
  /** Transports asked for by name; null allows every bundled one. */
  allowed: TransportName[] | null;
  /** Transports handed in as objects. */
  given: TransportDescriptor[];
  server: string | undefined;
  sessionId: (env: Env) => string;
  timeout: number;
  headers: () => Record<string, string>;
  withCredentials: boolean;
  debug: DebugLogger;
  WebSocket: WebSocketConstructor | undefined;
  /** Not a user option: resume's, for the HTTP transports (see `TransportOptions.mark`). */
  mark?: TransportOptions['mark'];
}

/** Longest frame or polling body accepted before the link is closed as a protocol error. */
export const MAX_FRAME_LENGTH = 64 * 1024 * 1024;

/** sockjs-client options that are accepted and ignored, so existing code keeps working. */
const TOLERATED = ['transportOptions', 'protocols_whitelist', 'devel', 'info', 'rtt', 'jsessionid', 'cookie'];

const silent: DebugLogger = () => undefined;

const toConsole: DebugLogger = (event, detail) => console.debug('[resock]', event, detail);

/**
 * What a function option returned, refused with a TypeError naming it when it is a Promise (an
 * async function: JS has no types to stop it) or empty: no headers sent, every client the session
 * "[object Promise]". Resock reports the throw as the callback's error, a failed attempt.
 */
export const returned = <T>(name: string, value: T): T => (ensure(!!value && !(value as Partial<PromiseLike<unknown>>).then, name, 'a function returning its value, not a Promise'), value);

const isDescriptor = (t: unknown): t is TransportDescriptor => typeof t === 'object' && !!t && typeof (t as TransportDescriptor).create === 'function';

/**
 * Names and objects apart. As sockjs-client: null, '' and [] mean "no restriction". With
 * `strict` (Resock) a name nobody knows is a mistake, named; the SockJS drop-in ignores it, as
 * sockjs-client does.
 */
function chosenTransports(transports: unknown, strict: boolean): Pick<ResolvedConnectionOptions, 'allowed' | 'given'> {
  if (transports == null || transports === '' || (Array.isArray(transports) && !transports.length)) return { allowed: null, given: [] };
  const list: unknown[] = Array.isArray(transports) ? transports : [transports];
  const given = list.filter(isDescriptor);
  const names = list.filter((t) => !isDescriptor(t));
  for (const name of names) {
    ensure(typeof name === 'string', 'transports', 'transport names or objects');
    if (strict) ensure(TRANSPORT_NAMES.indexOf(name as TransportName) >= 0, 'transports', `one or more of ${TRANSPORT_NAMES.join(', ')} (not '${name}')`);
  }
  return { allowed: names as TransportName[], given };
}

const connectionRules = {
  transports: ['*', undefined] as Rule<unknown>,
  server: ['s', undefined] as Rule<string | undefined>,
  sessionId: ['nf', 8] as Rule<number | (() => string)>,
  timeout: ['n', 0] as Rule<number>,
  headers: ['of', {}] as Rule<HeadersOption>,
  withCredentials: ['b', true] as Rule<boolean>,
  debug: ['bf', false] as Rule<boolean | DebugLogger>,
  WebSocket: ['f', undefined] as Rule<WebSocketConstructor | undefined>,
};

/**
 * Checks every option, naming the one that is wrong. `own` holds the caller's further rules
 * (`Resock`'s); their values come back in `own`.
 */
export function resolveConnectionOptions(options: ConnectionOptions): ResolvedConnectionOptions;
export function resolveConnectionOptions<R extends Record<string, Rule<unknown>>>(options: unknown, own: R): ResolvedConnectionOptions & { own: Resolved<R> };
export function resolveConnectionOptions(options: unknown, own?: Record<string, Rule<unknown>>): ResolvedConnectionOptions & { own: Record<string, unknown> } {
  const all = readOptions(options, { ...connectionRules, ...own }, '', TOLERATED);
  const { sessionId: id, headers, debug } = all;
  ensure(typeof id !== 'number' || (id >= 1 && id <= 64), 'sessionId', 'a length from 1 to 64 or a function');
  // The checked values themselves, with the few that need it turned into their working form.
  return Object.assign(all, chosenTransports(all.transports, !!own), {
    sessionId: typeof id === 'function' ? () => String(returned('sessionId', id())) : (env: Env) => randomId(env.randomBytes, id),
    headers: typeof headers === 'function' ? () => returned('headers', headers()) : () => headers,
    debug: debug === true ? toConsole : debug || silent,
    own: all,
  });
}
