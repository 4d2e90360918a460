import type { Env } from '../env/env';
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
  transports?: TransportName | string | ReadonlyArray<TransportName | string>;
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
}

/** sockjs-client options that are accepted and ignored, so existing code keeps working. */
const TOLERATED = ['transportOptions', 'protocols_whitelist', 'debug', 'devel', 'info', 'rtt', 'jsessionid', 'cookie'];

export interface ResolvedConnectionOptions {
  allowed: TransportName[] | null;
  server: string | undefined;
  sessionId: (env: Env) => string;
  timeout: number;
  headers: () => Record<string, string>;
  withCredentials: boolean;
}

const OPTION_NAMES: Record<keyof ConnectionOptions, true> = {
  transports: true,
  server: true,
  sessionId: true,
  timeout: true,
  headers: true,
  withCredentials: true,
};

const typeError = (name: string, expected: string) => new TypeError(`Option '${name}' must be ${expected}`);

/** Checks every option, naming the one that is wrong; `known` lists the caller's own options. */
export function resolveConnectionOptions(options: object, known: readonly string[] = []): ResolvedConnectionOptions {
  const o = options as ConnectionOptions & Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!(key in OPTION_NAMES) && TOLERATED.indexOf(key) === -1 && known.indexOf(key) === -1) {
      throw new TypeError(`Unknown option '${key}'`);
    }
  }
  const { transports, server, sessionId = 8, timeout = 0, headers = {}, withCredentials = true } = o;
  const list = typeof transports === 'string' ? [transports] : transports;
  if (list !== undefined && (!Array.isArray(list) || list.some((t) => typeof t !== 'string'))) {
    throw typeError('transports', 'a transport name or an array of them');
  }
  if (server !== undefined && (typeof server !== 'string' || !server)) throw typeError('server', 'a non-empty string');
  if (typeof sessionId === 'number' ? !(sessionId >= 1 && sessionId <= 64) : typeof sessionId !== 'function') {
    throw typeError('sessionId', 'a length from 1 to 64 or a function');
  }
  if (typeof timeout !== 'number' || !(timeout >= 0)) throw typeError('timeout', 'a number of ms ≥ 0');
  if (typeof headers !== 'function' && (typeof headers !== 'object' || headers === null)) {
    throw typeError('headers', 'an object or a function returning one');
  }
  if (typeof withCredentials !== 'boolean') throw typeError('withCredentials', 'a boolean');
  return {
    allowed: list ? (list as TransportName[]) : null,
    server,
    sessionId: typeof sessionId === 'function' ? () => String(sessionId()) : (env) => randomId(env.randomBytes, sessionId),
    timeout,
    headers: typeof headers === 'function' ? headers : () => headers,
    withCredentials,
  };
}

/** Longest frame or polling body accepted before the link is closed as a protocol error. */
export const MAX_FRAME_LENGTH = 64 * 1024 * 1024;
