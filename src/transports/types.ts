import type { Env } from '../env/env';
import type { Requester } from '../net/request';
import type { CloseInfo } from '../protocol/codes';
import type { ServerInfo } from '../protocol/info';

/** sockjs-client's names, so its `transports` option keeps its meaning. */
export type TransportName = 'websocket' | 'xhr-streaming' | 'eventsource' | 'xhr-polling' | 'jsonp-polling';

// Defined beside the pure /info parsing, which may not import from this layer.
export type { ServerInfo };

export type Headers = Record<string, string>;

export interface TransportOptions {
  /** Headers for every HTTP request; WebSocket cannot carry them. */
  headers: Headers;
  /** Send cookies (and HTTP auth) on cross-origin requests. */
  withCredentials: boolean;
  /** A frame, or a polling response, longer than this many characters is a protocol error. */
  maxFrameLength: number;
  /**
   * HTTP: what a POST that continues a batch split over several (the sender's bound, a 413's
   * halves) says first, given the POST before it and its own first message; none, nothing. Resume
   * numbers its batches (`n<number>`): a browser may send a POST twice, and every copy must say
   * where it starts for the server to drop it.
   */
  mark?(post: readonly string[], next: string): string | undefined;
}

/** Why a transport closed; `unsent` holds messages it accepted but could not deliver. */
export interface TransportCloseInfo extends CloseInfo {
  unsent?: string[];
  /**
   * No loss of the app's connection: a shared tab's view ended because its leader changed (or the
   * browser refused the lock). Its client connects again at once, whatever its reconnect policy.
   */
  handover?: boolean;
  /** The message the server refused as too large (a 413 for it alone), dropped: it can never go. */
  tooLarge?: string;
}

export interface TransportEvents extends Record<string, unknown> {
  /** One raw SockJS frame: `o`, `h`, `a[...]`, `c[...]`. */
  frame: string;
  /** So many of the messages sent, the oldest, went out (a WebSocket frame written, a POST answered 2xx). */
  sent: number;
  close: TransportCloseInfo;
}

/**
 * One way of carrying one SockJS session. `close()` is idempotent; `close` is emitted exactly once
 * (not when the owner itself called `close()`), and after it no request of the transport runs.
 */
export interface Transport {
  send(messages: readonly string[]): void;
  /**
   * Returns the messages it had not started to send: none of them can have reached the server.
   * With `last` (an HTTP transport: see Resock's `farewell`), they and then `last` are still sent,
   * unless `settle()` began: the session is over, `last` is dropped and they are returned.
   */
  close(last?: readonly string[]): string[];
  /**
   * Ends like `close()` when a frame ended the session, but lets a request in flight answer first
   * (HTTP: see `BatchSender.settle`); resolves with what never reached the server, in order.
   * Sends meanwhile are kept for that answer. Absent: `close()` is used.
   */
  settle?(): Promise<string[]>;
  on<K extends keyof TransportEvents>(type: K, fn: (value: TransportEvents[K]) => void): () => void;
}

export interface TransportDescriptor {
  name: TransportName;
  /** Round trips before `o` arrives, for the connect timeout. */
  roundTrips: number;
  isSupported(env: Env, info: ServerInfo): boolean;
  create(sessionUrl: string, env: Env, options: TransportOptions): Transport;
  /**
   * What falling back to HTTP takes, carried by the HTTP transports so that an app that only uses
   * WebSocket bundles none of it. `request`: how they make requests (XHR, and fetch for streams);
   * `/info` is asked the same way where one of them is bundled, else through fetch alone.
   * `memory`: what failed per URL, to try it last next time; without one, nothing is remembered.
   */
  request?: Requester;
  memory?: Memory;
}

/** What the connector learns per URL: the transports that failed there, to try them last next time. */
export interface Memory {
  /** Blocked transports of `url`; only what this page learned when `stored` is false. */
  blocked(env: Env, url: string, stored?: boolean): TransportName[];
  remember(env: Env, url: string, blocked: TransportName[]): void;
}
