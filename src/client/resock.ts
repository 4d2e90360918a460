import { returned, type DebugLogger } from '../connector/options';
import { detectEnv, type Env } from '../env/env';
import { INFO_TIMEOUT } from '../connector/info';
import { Link } from '../link/link';
import { parseBaseUrl } from '../protocol/base-url';
import { CloseCode, closeInfo, type CloseInfo } from '../protocol/codes';
import type { Sharing, SharingRole } from '../sharing/types';
import type { ResumeFailedDetail, ResumeSeam } from '../resume/plugin';
import type { TransportCloseInfo, TransportDescriptor } from '../transports/types';
import { errorMessage, InvalidStateError } from '../util/errors';
import { ensure } from '../util/options';
import { closeEvent, detailEvent, messageEvent, type ResockCloseEvent } from '../util/events';
import { backoffDelay } from './backoff';
import { defaultShouldReconnect, resolveResockOptions, type ConnectChanges, type ResockOptions, type ResolvedResockOptions } from './options';
import { outboundQueue, QueueOverflowError, type OutboundQueue } from './queue';
import { checkCloseArguments, SocketBase } from './socket-base';

/** One state and one setter: `state` holds the truth, `readyState` is derived from it. */
export type ResockState = 'connecting' | 'open' | 'reconnecting' | 'closing' | 'closed';

export interface ReconnectingDetail {
  /** Which retry comes next, from 1, as `beforeConnect` will see it; from 1 again after a link stayed up `minUptime`. */
  attempt: number;
  /** ms until the attempt starts; 0 when it waits for `pageshow` (the page was hidden) or was asked for by `reconnect()`. */
  delay: number;
  lastClose: CloseInfo;
}

/** What a user callback that threw is reported with, in an `error` event's `detail`. */
export interface CallbackErrorDetail {
  /** Which callback threw: `headers`, `beforeConnect`, `sessionId`, `shouldReconnect`, `debug` or `reclaim`; `link` when a plugin (`shared`, `resume`) could not make the attempt's link. */
  callback: string;
  error: unknown;
}

export interface ResockEventMap extends Record<string, Event> {
  open: Event;
  message: MessageEvent<string>;
  close: ResockCloseEvent;
  /**
   * Before `close` when the client gives up; and, with a `detail`, when a callback of the options
   * threw (the client goes on as if the callback had not been given).
   */
  error: Event & { readonly detail?: CallbackErrorDetail };
  reconnecting: Event & { readonly detail: ReconnectingDetail };
  /** `queue.overflow: 'drop-oldest'` dropped these messages to make room. */
  drop: Event & { readonly detail: { messages: string[] } };
  /** `bufferedAmount` came back to 0. */
  drain: Event;
  state: Event & { readonly detail: { prev: ResockState; next: ResockState } };
  /**
   * With `resume`: the server could not resume (restarted, token expired, window exceeded) and a
   * fresh session starts; `detail.unconfirmed` may be missing on the server. Before its `open`.
   */
  resumefailed: Event & { readonly detail: ResumeFailedDetail };
}

const READY_STATE: Record<ResockState, number> = { connecting: 0, reconnecting: 0, open: 1, closing: 2, closed: 3 };
/** Messages an async iterator holds for a reader that does not keep up. */
export const ITERATOR_LIMIT = 10000;

/**
 * A SockJS connection that comes back by itself: reconnects with backoff, queues what is sent
 * while not open and delivers it in order after the next open, and replaces links that went
 * silent. The W3C WebSocket surface, plus `reconnecting`, `drop` and `drain` events.
 *
 * No callback of the app can break its state machine: what one throws is reported as an `error`
 * event and the machine goes on. Every timer is armed before anything of the app is called.
 */
export class Resock extends SocketBase<ResockEventMap> {
  private _state: ResockState = 'connecting';
  private readonly _env: Env;
  private readonly _o: ResolvedResockOptions;
  private readonly _queue: OutboundQueue;
  /** The transports of the entry point: all five for `resock`, none for `resock/core`. */
  private readonly _transports: readonly TransportDescriptor[];
  private readonly _debug: DebugLogger;
  /**
   * Fences stale callbacks: it changes whenever the link, the pending attempt or the state's
   * owner changes, and a callback that captured an older value does nothing.
   */
  private _generation = 0;
  /** Failed attempts in a row: the next attempt's number; drives the backoff. */
  private _retries = 0;
  /** Of those, the ones lost while online: what `maxAttempts` bounds (offline, no attempt is spent). */
  private _spent = 0;
  /** Attempts in a row that timed out or failed before opening: lengthens the next one's connect timeouts. */
  private _unopened = 0;
  private _openedAt = 0;
  private _sawHeartbeat = false;
  private _timer: unknown = null;
  private _watchdog: unknown = null;
  private readonly _unsubscribe: Array<() => void> = [];
  private readonly _sharing: Sharing | null = null;
  /** With `resume`: one core for the client's life, wrapping every link. */
  private readonly _resume: ResumeSeam | null;
  /**
   * A last message for the open link, sent if Resock drops that link itself (`reconnect()`, a
   * heartbeat timeout, `pagehide`, `close()`), after what the link had not sent yet, instead of
   * handing those back to the queue: a protocol's goodbye on the session it leaves (resock/stomp
   * sets its DISCONNECT). On xhr-streaming, eventsource and the polling transports the server
   * cannot see a client go until its `disconnect_delay` (5 s in sockjs-node) without it; a
   * WebSocket's close ends the session at once. Reset to null whenever a link ends; not sent with
   * `resume` (the server keeps that session on purpose) or `shared`.
   */
  farewell: string | null = null;
  /**
   * Takes what a link had not sent when it ended, instead of the queue: for a protocol whose
   * messages belong to the session on that link (resock/stomp sets it: a CONNECT or SUBSCRIBE
   * replayed on the next link would reach the broker before that link's own CONNECT). Null: they
   * go back to the queue and out on the next link, in order. With `resume`, the queue goes there
   * too when the server could not resume: it was meant for the session that is gone.
   */
  reclaim: ((messages: string[]) => void) | null = null;

  constructor(url: string, options?: ResockOptions);
  /** The entry point hands in its transports; tests a platform double. @internal */
  constructor(url: string, options: ResockOptions | undefined, internals: { env?: Env; transports?: readonly TransportDescriptor[] });
  constructor(url: string, options: ResockOptions = {}, internals: { env?: Env; transports?: readonly TransportDescriptor[] } = {}) {
    const env = internals.env || detectEnv();
    super(url, env.location && env.location.href);
    this._env = env;
    this._transports = internals.transports || [];
    this._o = resolveResockOptions(options);
    const { allowed, given } = this._o.connection;
    for (const name of allowed || []) {
      ensure(this._transports.some((d) => d.name === name), 'transports', `a transport of this build (not '${name}'); with resock/core, the transport itself from resock/transports`);
    }
    // resock/core carries none: without one handed in, every attempt would fail, for ever.
    ensure(this._transports.length + given.length > 0, 'transports', 'given, from resock/transports');
    this._queue = outboundQueue(this._o.queue);
    const debug = this._o.connection.debug;
    this._debug = (event, detail) => this._guard('debug', () => debug(event, detail), undefined);
    const { resume, shared } = this._o;
    const failed = (detail: ResumeFailedDetail) => {
      // What waits in the queue was sent for the session that is gone: `reclaim`'s, as a lost link's.
      if (this.reclaim) this._takeBack(this._queue.drain());
      this.dispatchEvent(detailEvent('resumefailed', detail));
    };
    this._resume = resume && resume.start({ clock: env, drain: () => this._flush(), failed, debug: this._debug });
    // Sharing, the tabs keep the resumable session between them: only the leader's core speaks.
    const sharing = (this._sharing = shared ? shared.attach(this.url, env, this._debug, this._resume) : null);
    if (sharing) this._unsubscribe.push(() => sharing.close());

    const { lifecycle } = env;
    const comeBack = () => this._state === 'reconnecting' && this._connect();
    this._unsubscribe.push(
      lifecycle.on('online', comeBack),
      lifecycle.on('pagehide', () => this._suspend()),
      lifecycle.on('pageshow', comeBack),
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

  get state(): ResockState {
    return this._state;
  }

  /** With the `shared` option, this client's part: `'leader'`, `'follower'` or `'unavailable'` (it runs its own link); else null. */
  get sharing(): SharingRole | null {
    return this._sharing && this._sharing.role;
  }

  get readyState(): number {
    return READY_STATE[this._state];
  }

  /** With `resume`: null until a server answered, then whether it resumes (false against a plain server). */
  get resumable(): boolean | null {
    return this._resume ? this._resume.resumable : false;
  }

  /** `close()` was called, or the client gave up: closing or closed. */
  private get _ended(): boolean {
    return READY_STATE[this._state] > 1;
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
    const text = String(data);
    const link = this._link;
    // After the liveness check, which may give up on the client (no reconnect, maxAttempts).
    this._checkLiveness();
    if (this._ended) throw new InvalidStateError('InvalidStateError: The connection is closed');
    // The check found the open link dead: the message was meant for it, and goes where what it
    // did not send went (queued, resock/stomp's SEND would reach the next link before its CONNECT).
    if (link !== this._link && this.reclaim) return this._takeBack([text]);
    const open = this._state === 'open' && this._link;
    // A link may not take it (resume's buffer is full): then it waits in the queue like the rest.
    if (open && !this._queue.length && !(open.send([text]) || []).length) return;
    const dropped = this._queue.push(text);
    if (open) this._flush();
    if (dropped.length) this.dispatchEvent(detailEvent('drop', { messages: dropped }));
  }

  /**
   * Drops the current link (or attempt, or wait) now and connects again at once, with the backoff
   * reset: for an app that knows the link is bad (a STOMP heart-beat lost, a token refreshed).
   * Fires `reconnecting` (delay 0). Does nothing once `close()` was called.
   */
  reconnect(): void {
    if (this._ended) return;
    this._retries = this._spent = 0;
    this._lose(closeInfo(CloseCode.Normal, 'reconnect() called', true), 'now');
  }

  /** Closes for good: no more reconnects, requests or timers. Queued messages are discarded. */
  close(code?: number, reason?: string): void {
    checkCloseArguments(code, reason);
    this._finish(closeInfo(code || CloseCode.Normal, reason || 'Normal closure', true));
  }

  /** Messages as an async iterator, from now until the client closes; see `messages()`. */
  [Symbol.asyncIterator](): AsyncIterableIterator<string> {
    return this.messages();
  }

  /**
   * Messages as an async iterator, buffered from its creation and ending when the client closes.
   * A reader that falls `limit` messages behind (default 10,000) gets a QueueOverflowError from
   * `next()` once it has read what was buffered: it knows it missed messages, and can resync.
   */
  messages({ limit = ITERATOR_LIMIT }: { limit?: number } = {}): AsyncIterableIterator<string> {
    return messageIterator(this, limit);
  }

  private _setState(next: ResockState): boolean {
    const prev = this._state;
    if (prev === next) return true;
    const generation = this._generation;
    this._state = next;
    this.dispatchEvent(detailEvent('state', { prev, next }));
    // A listener may have closed or reconnected: then the caller must stop where it is.
    return generation === this._generation;
  }

  /** Calls a callback of the options; what it throws becomes an `error` event and `fallback`. */
  private _guard<T>(callback: string, fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch (error) {
      this._report(callback, error);
      return fallback;
    }
  }

  /** In a microtask: the state machine finishes its step before any listener runs. */
  private _report(callback: string, error: unknown): void {
    void Promise.resolve().then(() => this.dispatchEvent(detailEvent<CallbackErrorDetail>('error', { callback, error })));
  }

  private _connect(): void {
    this._stopLink();
    if (!this._setState('connecting')) return;
    const generation = this._generation;
    const { connection, beforeConnect } = this._o;
    const failed = (callback: string) => (error: unknown) => {
      if (generation !== this._generation) return;
      this._report(callback, error);
      this._lose(closeInfo(CloseCode.CannotConnect, `${callback} failed: ${errorMessage(error)}`));
    };
    let headers: Record<string, string>;
    try {
      headers = connection.headers();
    } catch (error) {
      // In a microtask, as a failing beforeConnect: the first attempt's `state`, `reconnecting`
      // or `error` then reach the listeners added right after the constructor.
      return void Promise.reject(error).catch(failed('headers'));
    }
    // A throwing or rejecting beforeConnect is a failed attempt like any other; so is one still
    // unsettled after /info's limit or `timeout` if longer (a token fetch on a stalled network).
    const fail = failed('beforeConnect');
    this._timer = this._env.setTimeout(() => fail(new Error('timed out')), Math.max(INFO_TIMEOUT, connection.timeout));
    new Promise<ConnectChanges | void>((resolve) => resolve(beforeConnect && beforeConnect({ attempt: this._retries, url: this.url, headers })))
      .then((changes) => {
        const url = changes && changes.url ? parseBaseUrl(changes.url, this._env.location && this._env.location.href) : this.url;
        // Headers given as a Promise (`{ headers: fetchHeaders() }`, not awaited) would go as none.
        const given = changes && changes.headers && returned('beforeConnect', changes.headers);
        return () => (this._env.clearTimeout(this._timer), this._startLink(url, given || headers, failed('sessionId')));
      })
      // Not if a close(), reconnect() or pagehide came meanwhile (even in the microtask between).
      .then((start) => generation === this._generation && start(), fail)
      // A link that cannot be made (a plugin's bug) is a failed attempt too, never a wedge.
      .catch(failed('link'));
  }

  private _startLink(url: string, headers: Record<string, string>, fail: (error: unknown) => void): void {
    const generation = this._generation;
    const resume = this._resume;
    // Resumable inside, shared outside: a shared link's leader alone runs the resume handshake.
    const { connection } = this._o;
    const create = () => {
      const link = new Link({
        url: resume ? resume.url(url) : url,
        env: this._env,
        options: {
          ...connection,
          debug: this._debug,
          mark: resume?.mark,
          // What it throws fails the attempt, reported, as a throwing `headers` does: not each
          // transport in turn (the thrown error then stops the connector's next step, all ended).
          sessionId: (env) => {
            try {
              return connection.sessionId(env);
            } catch (error) {
              fail(error);
              throw error;
            }
          },
        },
        headers: () => headers,
        descriptors: this._transports,
        retry: this._unopened,
      });
      return resume ? resume.wrap(link) : link;
    };
    const link = (this._link = this._sharing ? this._sharing.link(create) : create());
    link.on('open', () => this._onOpen(generation));
    link.on('message', (data) => this.dispatchEvent(messageEvent(data)));
    link.on('heartbeat', () => (this._sawHeartbeat = true));
    link.on('close', (info) => this._lose(info, info.handover ? 'now' : 'timer'));
  }

  private _onOpen(generation: number): void {
    this._openedAt = this._env.now();
    this._unopened = 0;
    this._sawHeartbeat = false;
    this._armWatchdog();
    if (!this._setState('open')) return;
    this._flush();
    if (generation === this._generation) this.dispatchEvent(new Event('open'));
  }

  /** Hands every queued message to the open link, in one batch, in order. */
  private _flush(): void {
    const link = this._link;
    if (!link || !link.isOpen || !this._queue.length) return;
    // What the link did not take (resume's buffer is full) goes back in front, until its `drain`.
    this._queue.unshift(link.send(this._queue.drain()) || []);
    if (!this._queue.length) this.dispatchEvent(new Event('drain'));
  }

  /**
   * The link or attempt is over: reconnect after the backoff, or give up. `next` says when the
   * next attempt starts: after the backoff (`timer`), at once (`now`), or at `pageshow`.
   */
  private _lose(info: TransportCloseInfo, next: 'timer' | 'now' | 'pageshow' = 'timer'): void {
    // `reclaim` may have closed or reconnected: that stands.
    if (!this._stopLink(info.unsent)) return;
    const generation = this._generation;
    const lastClose = closeInfo(info.code, info.reason, info.wasClean);
    const { reconnect, shouldReconnect } = this._o;
    // A node drained for a restart (1012) sends its clients elsewhere at once: no backoff to wait.
    // Not an attempt it refused before open (a `c` frame): that node is still there, draining.
    const restart = info.code === CloseCode.ServiceRestart && this._openedAt;
    if (restart || (reconnect && this._openedAt && this._env.now() - this._openedAt >= reconnect.minUptime)) this._retries = this._spent = 0;
    // Only an attempt that failed on its own counts; a drain, reconnect() or pagehide starts afresh.
    this._unopened = next === 'timer' && !this._openedAt && !restart ? this._unopened + 1 : 0;
    this._openedAt = 0;
    // reconnect() is the app's own word; a hidden page comes back unless reconnection is off
    // (_suspend does not come here then), however many attempts failed before it.
    const again =
      next !== 'timer' ||
      (!!reconnect && this._spent < reconnect.maxAttempts && this._guard('shouldReconnect', () => shouldReconnect(lastClose), defaultShouldReconnect(lastClose)));
    if (!again) this.dispatchEvent(new Event('error'));
    // shouldReconnect or an error listener may have closed or reconnected: that stands.
    if (generation !== this._generation) return;
    if (!again) return this._finish(lastClose);
    const attempt = ++this._retries;
    const online = this._env.lifecycle.online();
    if (online) this._spent++;
    // Offline, attempts would mostly burn: wait the longest delay (`online` cuts it short; and
    // navigator.onLine is known to lie, so never wait for it alone).
    // Retry n waits minDelay..minDelay·2^n (the first wave of a herd is spread too). After a drain,
    // a delay below minDelay, spread at random: a node's clients do not all land at once.
    const { minDelay, maxDelay } = reconnect || { minDelay: 0, maxDelay: 0 };
    const delay =
      next !== 'timer' ? 0 : restart ? Math.round(this._env.random() * minDelay) : online ? backoffDelay(attempt, minDelay, maxDelay, this._env.random) : maxDelay;
    if (!this._setState('reconnecting')) return;
    // Armed before anything of the app runs: a throwing listener or logger cannot skip it.
    if (next !== 'pageshow') this._timer = this._env.setTimeout(() => this._connect(), delay);
    this._debug('reconnect', { attempt, delay, code: info.code, reason: info.reason });
    this.dispatchEvent(detailEvent<ReconnectingDetail>('reconnecting', { attempt, delay, lastClose }));
  }

  /**
   * The page goes into the back/forward cache or away: the link closes cleanly and the client
   * comes back on `pageshow` — or, with `reconnect: false`, closes for good (1001, going away).
   */
  private _suspend(): void {
    if (this._ended) return;
    const hidden = closeInfo(1001, 'Page hidden', true);
    if (this._o.reconnect) this._lose(hidden, 'pageshow');
    else this._finish(hidden);
  }

  /** Liveness by timestamp: works even when background timers were throttled for minutes. */
  private _checkLiveness(): void {
    const link = this._link;
    if (link && link.isOpen && this._sawHeartbeat && this._env.now() - link.lastFrameAt > this._o.heartbeatTimeout) {
      this._lose(closeInfo(CloseCode.Lost, 'Heartbeat timeout'));
    }
  }

  private _armWatchdog(): void {
    const interval = Math.max(50, this._o.heartbeatTimeout / 4);
    const generation = this._generation;
    const tick = () => {
      if (generation !== this._generation) return;
      this._watchdog = this._env.setTimeout(tick, interval);
      this._checkLiveness();
    };
    this._watchdog = this._env.setTimeout(tick, interval);
  }

  /**
   * Ends the current link or attempt and every timer, and fences their callbacks; no event. Hands
   * back what the link had not sent, then `unsent`; false if `reclaim` closed or reconnected meanwhile.
   */
  private _stopLink(unsent: string[] = []): boolean {
    const env = this._env;
    const generation = ++this._generation;
    env.clearTimeout(this._timer);
    env.clearTimeout(this._watchdog);
    const link = this._link;
    const last = this.farewell;
    this._timer = this._watchdog = this._link = this.farewell = null;
    // Replaced by choice (silent heartbeats, pagehide, reconnect()): what the link had not sent goes
    // back first. The link is gone before: a send() from `reclaim` must not go to it (lost).
    this._takeBack(link ? link.close(last ? [last] : undefined).concat(unsent) : unsent);
    return generation === this._generation;
  }

  /** What a link did not send: to `reclaim` if set, else back in front of the queue. */
  private _takeBack(unsent: string[]): void {
    const reclaim = this.reclaim;
    if (!reclaim) this._queue.unshift(unsent);
    else if (unsent.length) this._guard('reclaim', () => reclaim(unsent), undefined);
  }

  private _finish(info: CloseInfo): void {
    if (this._ended) return;
    // `reclaim` may have closed (that close stands) or reconnected (this close ends that again).
    if (!this._stopLink()) return this._finish(info);
    for (const unsubscribe of this._unsubscribe.splice(0)) unsubscribe();
    this._queue.drain();
    // Armed first, so whatever a listener does, `closed` and `close` follow.
    this._env.setTimeout(() => {
      this._setState('closed');
      this.dispatchEvent(closeEvent(info.code, info.reason, info.wasClean));
    }, 0);
    this._debug('close', { code: info.code, reason: info.reason });
    this._setState('closing');
  }
}

/**
 * Messages as an async iterator: buffered from its creation (the listeners are added at once, not
 * at the first `next()`), ending when the client closes. An async generator settles concurrent
 * `next()` calls in order by itself. Past `limit` unread messages the buffer stops growing and,
 * once drained, the iterator throws QueueOverflowError.
 */
function messageIterator(client: Resock, limit: number): AsyncIterableIterator<string> {
  const buffered: string[] = [];
  let overflowed = false;
  let ended = client.state === 'closed';
  let wake = () => {};
  const onMessage = (event: MessageEvent<string>) => {
    if (buffered.length < limit) buffered.push(event.data);
    else overflowed = true;
    wake();
  };
  const onClose = () => {
    ended = true;
    wake();
  };
  const stop = () => {
    client.removeEventListener('message', onMessage);
    client.removeEventListener('close', onClose);
  };
  client.addEventListener('message', onMessage);
  client.addEventListener('close', onClose);
  const iterator = (async function* () {
    try {
      for (;;) {
        if (buffered.length) yield buffered.shift()!;
        else if (overflowed) throw new QueueOverflowError(`More than ${limit} messages were not read`);
        else if (ended) return;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      stop();
    }
  })();
  // A return() before the first next() ends a generator without running its `finally`.
  const end = iterator.return.bind(iterator);
  iterator.return = (value) => (stop(), end(value));
  return iterator;
}
