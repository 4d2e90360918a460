import type { Connector } from '../connector/connector';
import { openConnector } from '../connector/open';
import { detectEnv, type Env } from '../env/env';
import { parseBaseUrl } from '../protocol/base-url';
import { CloseCode, type CloseInfo } from '../protocol/codes';
import type { Session } from '../protocol/session';
import type { TransportCloseInfo, TransportDescriptor, TransportName } from '../transports/types';
import { InvalidStateError } from '../util/errors';
import { closeEvent, detailEvent, messageEvent, type ResockCloseEvent } from '../util/events';
import { checkCloseArguments, SocketBase } from '../util/socket-base';
import { backoffDelay } from './backoff';
import { resolveResockOptions, type ConnectChanges, type ResockOptions, type ResolvedResockOptions } from './options';
import { OutboundQueue } from './queue';

/** One state and one setter: `state` holds the truth, `readyState` is derived from it. */
export type ResockState = 'connecting' | 'open' | 'reconnecting' | 'closing' | 'closed';

export interface ReconnectingDetail {
  /** Which retry this is, from 1; resets after a link stayed up `minUptime`. */
  attempt: number;
  /** ms until the attempt starts (0 when coming back online). */
  delay: number;
  lastClose: CloseInfo;
}

export interface ResockEventMap {
  open: Event;
  message: MessageEvent<string>;
  close: ResockCloseEvent;
  error: Event;
  reconnecting: Event & { readonly detail: ReconnectingDetail };
  /** `queue.overflow: 'drop-oldest'` dropped these messages to make room. */
  drop: Event & { readonly detail: { messages: string[] } };
  /** `bufferedAmount` came back to 0. */
  drain: Event;
  state: Event & { readonly detail: { prev: ResockState; next: ResockState } };
}

const READY_STATE: Record<ResockState, number> = { connecting: 0, reconnecting: 0, open: 1, closing: 2, closed: 3 };

/**
 * A SockJS connection that comes back by itself: reconnects with backoff, queues what is sent
 * while not open and delivers it in order after the next open, and replaces links that went
 * silent. The W3C WebSocket surface, plus `reconnecting`, `drop` and `drain` events.
 */
export class Resock extends SocketBase {
  state: ResockState = 'connecting';

  private readonly _env: Env;
  private readonly _o: ResolvedResockOptions;
  private readonly _queue: OutboundQueue;
  private readonly _transports: readonly TransportDescriptor[] | undefined;
  private _connector: Connector | null = null;
  private _session: Session | null = null;
  /** Changes whenever the link or attempt changes; callbacks of an older one are ignored. */
  private _attempt = 0;
  /** Connection attempts so far, as `beforeConnect` sees them. */
  private _connects = 0;
  /** Retries since the last link that stayed up; drives the backoff. */
  private _retries = 0;
  private _openedAt = 0;
  private _sawHeartbeat = false;
  private _timer: unknown = null;
  private _watchdog: unknown = null;
  private _lastClose: CloseInfo = { code: CloseCode.Lost, reason: 'Not connected yet', wasClean: false };
  private readonly _unsubscribe: Array<() => void> = [];

  constructor(url: string, options?: ResockOptions);
  /** Tests hand in a platform double and transports. @internal */
  constructor(url: string, options: ResockOptions, internals: { env?: Env; transports?: readonly TransportDescriptor[] });
  constructor(url: string, options: ResockOptions = {}, internals: { env?: Env; transports?: readonly TransportDescriptor[] } = {}) {
    const env = internals.env || detectEnv();
    super(url, env.location && env.location.href);
    this._env = env;
    this._transports = internals.transports;
    this._o = resolveResockOptions(options);
    this._queue = new OutboundQueue(this._o.queue);

    const { lifecycle } = env;
    this._unsubscribe.push(
      lifecycle.on('online', () => this.state === 'reconnecting' && this._connect()),
      lifecycle.on('pagehide', () => this._suspend()),
      lifecycle.on('pageshow', () => this.state === 'reconnecting' && this._connect()),
      lifecycle.on('visibilitychange', () => lifecycle.visible() && this._checkLiveness()),
    );
    const { signal } = this._o;
    if (signal) {
      const onAbort = () => this.close();
      signal.addEventListener('abort', onAbort);
      this._unsubscribe.push(() => signal.removeEventListener('abort', onAbort));
    }
    if (signal && signal.aborted) this.close();
    else this._connect();
  }

  get readyState(): number {
    return READY_STATE[this.state];
  }

  /** UTF-8 bytes of the messages waiting for an open link. */
  get bufferedAmount(): number {
    return this._queue.bytes;
  }

  /**
   * Sends `String(data)`. While not open the message waits in the queue and goes out, in order,
   * right after the next open. Throws QueueOverflowError when the queue is full and its policy is
   * `'reject'`, and InvalidStateError once `close()` was called.
   */
  send(data: unknown): void {
    const message = typeof data === 'string' ? data : String(data);
    if (this.state === 'closing' || this.state === 'closed') throw new InvalidStateError('InvalidStateError: The connection is closed');
    this._checkLiveness();
    if (this._session && !this._queue.length) return this._session.send([message]);
    const dropped = this._queue.push(message);
    if (dropped.length) this.dispatchEvent(detailEvent('drop', { messages: dropped }));
    if (this._session) this._flush();
  }

  /** Closes for good: no more reconnects, requests or timers. Queued messages are discarded. */
  close(code?: number, reason?: string): void {
    checkCloseArguments(code, reason);
    this._finish({ code: code || CloseCode.Normal, reason: reason || 'Normal closure', wasClean: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<string> {
    return messageIterator(this);
  }

  private _setState(next: ResockState): void {
    const prev = this.state;
    if (prev === next) return;
    this.state = next;
    this.dispatchEvent(detailEvent('state', { prev, next }));
  }

  private _connect(): void {
    this._stopLink();
    this._setState('connecting');
    const attempt = ++this._attempt;
    const { connection, beforeConnect } = this._o;
    const context = { attempt: ++this._connects, url: this.url, headers: connection.headers() };
    // A throwing or rejecting beforeConnect is a failed attempt like any other.
    new Promise<ConnectChanges | void>((resolve) => resolve(beforeConnect && beforeConnect(context)))
      .then((changes) => {
        if (attempt !== this._attempt) return;
        const url = changes && changes.url ? parseBaseUrl(changes.url, this._env.location && this._env.location.href) : this.url;
        this._connector = openConnector(url, this._env, connection, (changes && changes.headers) || context.headers, {
          open: (session, transport) => this._onOpen(session, transport),
          fail: (info) => this._onLinkLost(info),
        }, this._transports);
      })
      .catch((error: unknown) => {
        if (attempt === this._attempt) this._onLinkLost({ code: CloseCode.CannotConnect, reason: `beforeConnect failed: ${String(error)}`, wasClean: false });
      });
  }

  private _onOpen(session: Session, transport: TransportName): void {
    this._connector = null;
    this._session = session;
    this.transport = transport;
    this._openedAt = this._env.now();
    this._sawHeartbeat = false;
    session.on('messages', (messages) => {
      for (const data of messages) if (this._session === session) this.dispatchEvent(messageEvent(data));
    });
    session.on('heartbeat', () => (this._sawHeartbeat = true));
    session.on('close', (info) => this._onLinkLost(info));
    this._setState('open');
    this._armWatchdog();
    this._flush();
    this.dispatchEvent(new Event('open'));
  }

  /** Hands every queued message to the open link, in one batch, in order. */
  private _flush(): void {
    if (!this._session || !this._queue.length) return;
    this._session.send(this._queue.drain());
    this.dispatchEvent(new Event('drain'));
  }

  private _onLinkLost(info: TransportCloseInfo): void {
    if (info.unsent) this._queue.unshift(info.unsent);
    this._stopLink();
    this._lastClose = { code: info.code, reason: info.reason, wasClean: info.wasClean };
    const { reconnect } = this._o;
    if (reconnect && this._openedAt && this._env.now() - this._openedAt >= reconnect.minUptime) this._retries = 0;
    this._openedAt = 0;
    if (!reconnect || this._retries >= reconnect.maxAttempts || !this._o.shouldReconnect(this._lastClose)) {
      this.dispatchEvent(new Event('error'));
      return this._finish(this._lastClose);
    }
    // Offline, attempts would only burn: none is counted, and the `online` event starts the next.
    const online = this._env.lifecycle.online();
    const delay = online ? backoffDelay(this._retries++, reconnect.minDelay, reconnect.maxDelay) : 0;
    this._setState('reconnecting');
    this._o.connection.debug('reconnect', { attempt: this._retries, delay, code: info.code, reason: info.reason });
    this.dispatchEvent(detailEvent('reconnecting', { attempt: this._retries, delay, lastClose: this._lastClose }));
    if (online && this.state === 'reconnecting') this._timer = this._env.setTimeout(() => this._connect(), delay);
  }

  /** The page goes into the back/forward cache or away: close the link cleanly, come back on pageshow. */
  private _suspend(): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this._stopLink();
    this._setState('reconnecting');
  }

  /** Liveness by timestamp: works even when background timers were throttled for minutes. */
  private _checkLiveness(): void {
    const session = this._session;
    if (session && this._sawHeartbeat && this._env.now() - session.lastFrameAt > this._o.heartbeatTimeout) {
      this._onLinkLost({ code: CloseCode.Lost, reason: 'Heartbeat timeout', wasClean: false });
    }
  }

  private _armWatchdog(): void {
    const interval = Math.max(50, this._o.heartbeatTimeout / 4);
    const tick = () => {
      this._checkLiveness();
      if (this._session) this._watchdog = this._env.setTimeout(tick, interval);
    };
    this._watchdog = this._env.setTimeout(tick, interval);
  }

  /** Ends the current link or attempt and every timer; no event. */
  private _stopLink(): void {
    const env = this._env;
    this._attempt++;
    env.clearTimeout(this._timer);
    env.clearTimeout(this._watchdog);
    this._timer = this._watchdog = null;
    if (this._connector) this._connector.abort();
    // Replaced by choice (silent heartbeats, pagehide): what the link had not sent goes back first.
    if (this._session) this._queue.unshift(this._session.close());
    this._connector = this._session = null;
    this.transport = null;
  }

  private _finish(info: CloseInfo): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this._stopLink();
    for (const unsubscribe of this._unsubscribe.splice(0)) unsubscribe();
    this._queue.drain();
    this._o.connection.debug('close', { code: info.code, reason: info.reason });
    this._setState('closing');
    this._env.setTimeout(() => {
      this._setState('closed');
      this.dispatchEvent(closeEvent(info.code, info.reason, info.wasClean));
    }, 0);
  }
}

export interface Resock {
  addEventListener<K extends keyof ResockEventMap>(
    type: K,
    listener: (this: Resock, event: ResockEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof ResockEventMap>(
    type: K,
    listener: (this: Resock, event: ResockEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

/** Messages as an async iterator: buffered from its creation, ending when the client closes. */
function messageIterator(client: Resock): AsyncIterableIterator<string> {
  const buffered: string[] = [];
  let ended = client.state === 'closed';
  let wake: (() => void) | null = null;
  const onMessage = (event: MessageEvent<string>) => {
    buffered.push(event.data);
    if (wake) wake();
  };
  const onClose = () => {
    ended = true;
    if (wake) wake();
  };
  client.addEventListener('message', onMessage);
  client.addEventListener('close', onClose);
  const stop = (): IteratorResult<string> => {
    ended = true;
    client.removeEventListener('message', onMessage);
    client.removeEventListener('close', onClose);
    return { value: undefined, done: true };
  };
  return {
    async next() {
      while (!buffered.length && !ended) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      return buffered.length ? { value: buffered.shift()!, done: false } : stop();
    },
    async return() {
      return stop();
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
