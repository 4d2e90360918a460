import { checked, checkKnown, isFunction, isNonNegative, resolveConnectionOptions, type ConnectionOptions, type ResolvedConnectionOptions } from '../connector/options';
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

export const defaultShouldReconnect = (close: CloseInfo) => !(close.code >= 4000 && close.code <= 4999);

const isObject = (value: unknown) => typeof value === 'object' && value !== null;
const NUMBER = 'a number ≥ 0';
const isFiniteNonNegative = (n: number) => isNonNegative(n) && n < Infinity;

/** The numeric fields of a nested option object, each checked against `known` and its defaults. */
function numbers<T extends Record<string, number>>(name: string, value: unknown, defaults: T, finite: boolean): T {
  const given = checked<Record<string, unknown>>(name, value, isObject, 'an object', {});
  checkKnown(given, Object.keys(defaults).concat(name === 'queue' ? ['overflow'] : []), name + '.');
  const result = { ...defaults };
  for (const key in defaults) {
    result[key] = checked(`${name}.${key}`, given[key], finite && key !== 'maxAttempts' ? isFiniteNonNegative : isNonNegative, NUMBER, defaults[key]);
  }
  return result;
}

/** Validates every option, naming the one that is wrong. */
export function resolveResockOptions(options: ResockOptions): ResolvedResockOptions {
  const o = checked<ResockOptions & Record<string, unknown>>('options', options, isObject, 'an object', {});
  const connection = resolveConnectionOptions(o, ['reconnect', 'queue', 'heartbeatTimeout', 'beforeConnect', 'shouldReconnect', 'signal']);
  const reconnect = o.reconnect === false ? null : numbers('reconnect', o.reconnect, { minDelay: 500, maxDelay: 15000, maxAttempts: Infinity, minUptime: 5000 }, true);
  if (reconnect) reconnect.maxDelay = Math.max(reconnect.minDelay, reconnect.maxDelay);
  const queue = numbers('queue', o.queue, { maxMessages: 1000, maxBytes: Infinity }, false);
  const overflow = checked<OverflowPolicy>('queue.overflow', o.queue && o.queue.overflow, (p) => p === 'reject' || p === 'drop-oldest', "'reject' or 'drop-oldest'", 'reject');
  return {
    connection,
    reconnect,
    queue: { ...queue, overflow },
    heartbeatTimeout: checked('heartbeatTimeout', o.heartbeatTimeout, isFiniteNonNegative, NUMBER, 35000),
    beforeConnect: checked('beforeConnect', o.beforeConnect, isFunction, 'a function', undefined),
    shouldReconnect: checked('shouldReconnect', o.shouldReconnect, isFunction, 'a function', defaultShouldReconnect),
    signal: checked('signal', o.signal, (s: AbortSignal) => isObject(s) && isFunction(s.addEventListener), 'an AbortSignal', undefined),
  };
}
