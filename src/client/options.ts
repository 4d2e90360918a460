import { resolveConnectionOptions, type ConnectionOptions, type ResolvedConnectionOptions } from '../connector/options';
import type { CloseInfo } from '../protocol/codes';
import type { OverflowPolicy, QueueLimits } from './queue';

export interface ReconnectOptions {
  /** Least delay before a reconnect, ms. Default 500. */
  minDelay?: number;
  /** Greatest delay, ms. Default 15000. */
  maxDelay?: number;
  /** Reconnects in a row before giving up (the count resets after `minUptime`). Default Infinity. */
  maxAttempts?: number;
  /** A link that stayed open this long resets the backoff, ms. Default 5000. */
  minUptime?: number;
}

export interface QueueOptions {
  /** Most messages waiting while not open. Default 1000. */
  maxMessages?: number;
  /** Most UTF-8 bytes waiting while not open. Default Infinity. */
  maxBytes?: number;
  /** Full queue: `'reject'` throws QueueOverflowError from `send` (default); `'drop-oldest'` makes room and fires `drop`. */
  overflow?: OverflowPolicy;
}

export interface BeforeConnectContext {
  /** 1 for the first connection, then counting every attempt. */
  attempt: number;
  url: string;
  headers: Record<string, string>;
}

/** What `beforeConnect` may change for one attempt. */
export type ConnectChanges = Partial<Pick<BeforeConnectContext, 'url' | 'headers'>>;

export interface ResockOptions extends ConnectionOptions {
  /**
   * Reconnection, or `false` for none.
   * @example { reconnect: { minDelay: 1000, maxDelay: 30000 } }
   */
  reconnect?: ReconnectOptions | false;
  /** Bounds of the queue of messages sent while not open. */
  queue?: QueueOptions;
  /**
   * Silence, in ms, after which a link whose server sends `h` heartbeats is dead and replaced.
   * Default 35000 (sockjs-node sends one every 25 s). Links without `h` (WebSocket on
   * sockjs-node, which pings instead) are not judged by this.
   */
  heartbeatTimeout?: number;
  /**
   * Called before every connection attempt; may change the URL and headers (fresh tokens).
   * A throw or rejection counts as a failed attempt.
   * @example { beforeConnect: async ({ headers }) => ({ headers: { ...headers, Authorization: await token() } }) }
   */
  beforeConnect?: (context: BeforeConnectContext) => ConnectChanges | void | Promise<ConnectChanges | void>;
  /**
   * Whether a close the app did not ask for leads to a reconnect. Default: all but the
   * application codes 4000–4999, with which a server says "do not come back".
   */
  shouldReconnect?: (close: CloseInfo) => boolean;
  /** Aborting it closes the client for good. */
  signal?: AbortSignal;
}

export interface ResolvedResockOptions {
  connection: ResolvedConnectionOptions;
  reconnect: Required<ReconnectOptions> | null;
  queue: QueueLimits;
  heartbeatTimeout: number;
  beforeConnect: ResockOptions['beforeConnect'];
  shouldReconnect: (close: CloseInfo) => boolean;
  signal: AbortSignal | undefined;
}

const OWN_OPTIONS = ['reconnect', 'queue', 'heartbeatTimeout', 'beforeConnect', 'shouldReconnect', 'signal'];

export const defaultShouldReconnect = (close: CloseInfo) => !(close.code >= 4000 && close.code <= 4999);

function nonNegative(name: string, value: unknown, fallback: number, allowInfinity = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0) || (!allowInfinity && !isFinite(value))) {
    throw new TypeError(`Option '${name}' must be a number ≥ 0${allowInfinity ? ' (or Infinity)' : ''}`);
  }
  return value;
}

function plainObject(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) throw new TypeError(`Option '${name}' must be an object`);
  return value as Record<string, unknown>;
}

function fn<T>(name: string, value: unknown): T | undefined {
  if (value !== undefined && typeof value !== 'function') throw new TypeError(`Option '${name}' must be a function`);
  return value as T | undefined;
}

/** Validates every option, naming the one that is wrong. */
export function resolveResockOptions(options: ResockOptions): ResolvedResockOptions {
  const o = plainObject('options', options) as ResockOptions;
  const connection = resolveConnectionOptions(o, OWN_OPTIONS);

  let reconnect: Required<ReconnectOptions> | null = null;
  if (o.reconnect !== false) {
    const r = plainObject('reconnect', o.reconnect);
    const minDelay = nonNegative('reconnect.minDelay', r.minDelay, 500);
    reconnect = {
      minDelay,
      maxDelay: Math.max(minDelay, nonNegative('reconnect.maxDelay', r.maxDelay, 15000)),
      maxAttempts: nonNegative('reconnect.maxAttempts', r.maxAttempts, Infinity, true),
      minUptime: nonNegative('reconnect.minUptime', r.minUptime, 5000),
    };
  }

  const q = plainObject('queue', o.queue);
  const overflow = q.overflow === undefined ? 'reject' : q.overflow;
  if (overflow !== 'reject' && overflow !== 'drop-oldest') throw new TypeError("Option 'queue.overflow' must be 'reject' or 'drop-oldest'");

  if (o.signal !== undefined && (typeof o.signal !== 'object' || o.signal === null || typeof o.signal.addEventListener !== 'function')) {
    throw new TypeError("Option 'signal' must be an AbortSignal");
  }
  return {
    connection,
    reconnect,
    queue: {
      maxMessages: nonNegative('queue.maxMessages', q.maxMessages, 1000, true),
      maxBytes: nonNegative('queue.maxBytes', q.maxBytes, Infinity, true),
      overflow,
    },
    heartbeatTimeout: nonNegative('heartbeatTimeout', o.heartbeatTimeout, 35000),
    beforeConnect: fn('beforeConnect', o.beforeConnect),
    shouldReconnect: fn<(close: CloseInfo) => boolean>('shouldReconnect', o.shouldReconnect) || defaultShouldReconnect,
    signal: o.signal,
  };
}
