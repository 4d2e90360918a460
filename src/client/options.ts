import { resolveConnectionOptions, type ConnectionOptions, type ResolvedConnectionOptions } from '../connector/options';
import type { CloseInfo } from '../protocol/codes';
import type { ResumePlugin } from '../resume/plugin';
import { ensure, readOptions, type Rule } from '../util/options';
import type { SharedOption } from '../sharing/types';
import type { OverflowPolicy, QueueLimits } from './queue';

export interface ReconnectOptions {
  /** Least delay before a reconnect, ms. Default 500. */
  minDelay?: number;
  /** Greatest delay, ms. Default 15000. */
  maxDelay?: number;
  /** Reconnects in a row before giving up (the count resets after `minUptime`; one lost while offline does not count). Default Infinity. */
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
  /**
   * 0 for the first connection, then which retry this is (1, 2, …), as in the `reconnecting`
   * event; it counts from 1 again after a link that stayed up `minUptime`.
   */
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
   * sockjs-node, which pings instead) are not judged by this. 0 turns the check off.
   */
  heartbeatTimeout?: number;
  /**
   * Called before every connection attempt; may change the URL and headers (fresh tokens).
   * A throw or rejection counts as a failed attempt; so does a promise still unsettled after 8 s
   * (`/info`'s limit), or after `timeout` if that is longer.
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
  /**
   * One link for every tab of this origin whose client has this option, for the same URL (and
   * key): `shared()` from `resock/shared`. See `sharing` for this client's part.
   * @example import { shared } from 'resock/shared'; { shared: shared({ key: 'chat' }) }
   */
  shared?: SharedOption;
  /**
   * Resumable sessions (the server needs the companion, `resock/server`): nothing lost or
   * duplicated across reconnects, in either direction. Opt-in, so apps without it do not carry it.
   * @example import { resume } from 'resock/resume'; new Resock(url, { resume })
   */
  resume?: ResumePlugin | false;
}

export interface ResolvedResockOptions {
  connection: ResolvedConnectionOptions;
  reconnect: Required<ReconnectOptions> | null;
  queue: QueueLimits;
  heartbeatTimeout: number;
  beforeConnect: ResockOptions['beforeConnect'];
  shouldReconnect: (close: CloseInfo) => boolean;
  signal: AbortSignal | undefined;
  shared: SharedOption | undefined;
  resume: ResumePlugin | null;
}

export const defaultShouldReconnect = (close: CloseInfo) => !(close.code >= 4000 && close.code <= 4999);

const reconnectRules = {
  minDelay: ['m', 500] as Rule<number>,
  maxDelay: ['m', 15000] as Rule<number>,
  maxAttempts: ['n', Infinity] as Rule<number>,
  minUptime: ['m', 5000] as Rule<number>,
};
const queueRules = {
  maxMessages: ['n', 1000] as Rule<number>,
  maxBytes: ['n', Infinity] as Rule<number>,
  overflow: ['s', 'reject'] as Rule<OverflowPolicy>,
};
const resockRules = {
  reconnect: ['Fo', undefined] as Rule<unknown>,
  queue: ['o', undefined] as Rule<unknown>,
  heartbeatTimeout: ['m', 35000] as Rule<number>,
  beforeConnect: ['f', undefined] as Rule<ResockOptions['beforeConnect']>,
  shouldReconnect: ['f', defaultShouldReconnect] as Rule<(close: CloseInfo) => boolean>,
  signal: ['o', undefined] as Rule<AbortSignal | undefined>,
  shared: ['*', undefined] as Rule<SharedOption | undefined>,
  resume: ['*', undefined] as Rule<ResumePlugin | false | undefined>,
};

/** Validates every option, naming the one that is wrong. */
export function resolveResockOptions(options: ResockOptions): ResolvedResockOptions {
  const connection = resolveConnectionOptions(options, resockRules);
  const { own } = connection;
  const reconnect = own.reconnect === false ? null : readOptions(own.reconnect, reconnectRules, 'reconnect.');
  if (reconnect) reconnect.maxDelay = Math.max(reconnect.minDelay, reconnect.maxDelay);
  const queue = readOptions(own.queue, queueRules, 'queue.');
  ensure(queue.overflow === 'reject' || queue.overflow === 'drop-oldest', 'queue.overflow', "'reject' or 'drop-oldest'");
  ensure(!own.signal || typeof own.signal.addEventListener === 'function', 'signal', 'an AbortSignal');
  ensure(!own.shared || typeof own.shared.attach === 'function', 'shared', "shared() from 'resock/shared'");
  ensure(!own.resume || typeof own.resume.start === 'function', 'resume', "resume from 'resock/resume' (Resock.resume with a <script> tag)");
  return {
    ...own,
    connection,
    reconnect,
    queue,
    // 0 turns the check off (as a STOMP heart-beat of 0): never a link dropped at its first `h`.
    heartbeatTimeout: own.heartbeatTimeout || Infinity,
    resume: own.resume || null,
  };
}
