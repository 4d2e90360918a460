import { backoffDelay } from '../client/backoff';
import { QueueOverflowError } from '../client/queue';
import type { Clock } from '../env/env';
import { encodeFrame, escapingOf, type Escaping, type StompFrame, type StompHeaders } from './frame';
import { guard } from './guard';
import { resolveStompOptions, type ResolvedStompOptions, type StompClientOptions } from './options';
import { CONNECTED, DISCONNECTING, StompClosedError, StompSession, type Outgoing } from './session';
import { isClosed, isOpen, listen, refuseShared, type StompSocket } from './socket';
import type { MessageHandler, StompSubscription, SubscriptionRegistry } from './subscriptions';

export interface PublishParams {
  destination: string;
  /** Text body. Default ''. */
  body?: string;
  /** Extra headers: `content-type`, `persistent`, `transaction: tx.id`… */
  headers?: StompHeaders;
  /**
   * Ask the broker for a RECEIPT: the promise settles on it, and the SEND is at-least-once: sent
   * again after a reconnect until a RECEIPT confirms it, so the broker may see it twice.
   */
  receipt?: boolean;
}

export interface StompTransaction {
  /** Goes in the `transaction` header of `publish` and `message.ack()`. */
  readonly id: string;
  /** Resolves on the broker's RECEIPT; rejects if the connection was lost since BEGIN (the broker then aborted it). */
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** What each event carries in `event.detail` (and what `on()` listeners receive). */
export interface StompEventMap {
  /** CONNECTED: subscriptions were restored and queued frames sent. */
  connect: { frame: StompFrame; version: string };
  /** A STOMP session ended; unless the client is deactivated, another follows. */
  disconnect: { reason: string };
  /**
   * An ERROR frame (in `frame`), a malformed frame or a failed connect. The link is let go: after
   * a DISCONNECT when the session was connected, at once otherwise.
   */
  error: { message: string; frame?: StompFrame };
  /** A RECEIPT nobody waited for. */
  unhandledReceipt: StompFrame;
}

export type StompEvent<K extends keyof StompEventMap> = Event & { readonly detail: StompEventMap[K] };

/** Reconnect delays grow up to this (or `reconnectDelay` if longer). */
const MAX_RECONNECT_DELAY = 30000;
/** A socket connected this long worked: the next reconnect delay starts over (Resock's `minUptime`). */
const MIN_UPTIME = 5000;

const systemClock: Clock = {
  now: Date.now,
  // Past 2^31 - 1 ms platforms fire at once: a broker's heart-beat of 3000000000 ms would ping
  // without pause. 2e9 ms (23 days) is below, as in the core's Env.
  setTimeout: (fn, ms) => setTimeout(fn, Math.min(ms, 2e9)),
  clearTimeout: (id) => clearTimeout(id as number),
};

/** The argument check of subscribe() and publish(). */
function checkDestination(destination: unknown): void {
  if (!destination || typeof destination !== 'string') throw new TypeError("'destination' must be a non-empty string");
}

/**
 * Whether the client should be connected: `active` from `activate()`, `deactivating` while
 * `deactivate()` says goodbye to the broker, `inactive` before and after.
 */
export type ActivationState = 'active' | 'deactivating' | 'inactive';

/**
 * A STOMP 1.0–1.2 client over anything WebSocket-shaped. Subscriptions live in the client, not
 * in a connection: after every reconnect they are made again with the same ids, before anything
 * queued is sent. Frames sent while not connected wait in a bounded queue.
 *
 * The client is long-lived (activation, reconnects with backoff, the queue, the subscriptions);
 * each socket that opens gets its own `StompSession`, thrown away when that link ends.
 */
export class StompClient extends EventTarget {
  /** @internal */
  readonly _o: ResolvedStompOptions;
  /** @internal */
  readonly _clock: Clock;
  /** @internal */
  _txBegun = -1;
  /** @internal */
  _txAborted = -1;
  private readonly _subs: SubscriptionRegistry = new Map();
  private _state: ActivationState = 'inactive';
  private _socket?: StompSocket;
  private _unlisten?: () => void;
  /** The STOMP session on the open socket, if any. */
  private _session?: StompSession;
  private _queue: Outgoing[] = [];
  private _ids = 0;
  private _retries!: number;
  /** When the last CONNECTED came, until the next reconnect is planned. */
  private _upSince = Infinity;
  private _reconnectTimer: unknown;
  /** The header escaping of the last CONNECTED (1.2 before any), which calls are checked against. */
  private _escaping: Escaping = 2;

  constructor(options: StompClientOptions);
  /** Tests hand in a clock. @internal */
  constructor(options: StompClientOptions, internals: { clock?: Clock });
  constructor(options: StompClientOptions, internals: { clock?: Clock } = {}) {
    super();
    const o = (this._o = resolveStompOptions(options));
    if (typeof o.connectHeaders === 'object') encodeFrame('CONNECT', o.connectHeaders, ''); // throws: 'CONNECT cannot escape header "login"'
    this._clock = internals.clock || systemClock;
  }

  /** CONNECTED received and the link still up. */
  get connected(): boolean {
    return this._session?._state === CONNECTED;
  }

  /** Starts connecting (and reconnecting). Does nothing when active already. */
  activate(): void {
    if (this._state === 'active') return;
    this._setState('active');
    this._retries = 0;
    if (!this._socket) this._open();
  }

  /**
   * Sends DISCONNECT with a receipt, waits for it (at most 5 s), closes the socket and resolves
   * once it is closed. Frames still queued are dropped; promises awaiting a RECEIPT reject with
   * StompClosedError, and so do later ones until `activate()`.
   */
  deactivate(): Promise<void> {
    const socket = this._socket;
    if (this._state === 'active') this._setState('deactivating'); // a pending reconnect is cancelled when the client finishes
    return new Promise<void>((resolve) => {
      if (!socket || isClosed(socket)) return resolve(this._lose('Deactivated'));
      socket.addEventListener('close', () => resolve());
      this._drop('Deactivated');
    });
  }

  /**
   * Subscribes now if connected, and again with the same id after every reconnect. `headers`
   * may set `id` and `ack` (`auto` by default, `client`, `client-individual`). Throws a TypeError
   * for a header the broker's version cannot escape, as `publish` does.
   * @example client.subscribe('/queue/jobs', (m) => { work(m.body); m.ack(); }, { ack: 'client-individual' })
   */
  subscribe(destination: string, onMessage: MessageHandler, headers: StompHeaders = {}): StompSubscription {
    checkDestination(destination);
    const id = headers.id || this._id('sub-');
    const subscribeHeaders = this._check('SUBSCRIBE', { ...headers, id, destination });
    // A given id that is live already replaces that subscription: the broker is told to end it
    // first, since it refuses a SUBSCRIBE with an id in use (RabbitMQ closes the connection).
    if (this._subs.has(id)) this._live()?._write({ _command: 'UNSUBSCRIBE', _headers: { id } });
    const entry = { _headers: subscribeHeaders, _onMessage: onMessage };
    this._subs.set(id, entry);
    this._live()?._write({ _command: 'SUBSCRIBE', _headers: subscribeHeaders });
    return {
      id,
      // Not the subscription that replaced this one.
      unsubscribe: (extra: StompHeaders = {}) => {
        // Checked before it is forgotten: a refused UNSUBSCRIBE would leave the broker delivering.
        const headers = this._check('UNSUBSCRIBE', { ...extra, id });
        if (this._subs.get(id) === entry && this._subs.delete(id)) this._live()?._write({ _command: 'UNSUBSCRIBE', _headers: headers });
      },
    };
  }

  /**
   * Sends a SEND now, or after the next CONNECTED when not connected. Resolves at once, or on the
   * RECEIPT when `receipt: true`; that promise rejects with StompClosedError when the client is
   * not active or stops first. Throws QueueOverflowError when `maxQueue` frames are held, and a
   * TypeError for a header the broker's version cannot escape (a line break under STOMP 1.0: checked
   * against the last CONNECTED; a frame it queued is refused when written, with an 'error' event).
   */
  publish(params: PublishParams): Promise<void> {
    checkDestination(params && params.destination);
    const { destination, body = '', headers = {}, receipt } = params;
    return this._request({ _command: 'SEND', _headers: { ...headers, destination }, _body: body }, receipt);
  }

  /** BEGIN; `commit()` or `abort()` end it. A transaction does not survive a reconnect (the broker aborts it). */
  begin(headers: StompHeaders = {}): StompTransaction {
    const id = this._id('tx-'); // its number tells the sessions' transactions apart: see SessionHost._txAborted
    this._request({ _command: 'BEGIN', _headers: { ...headers, transaction: id } });
    const end = (command: string) => this._request({ _command: command, _headers: { transaction: id } }, true);
    return { id, commit: () => end('COMMIT'), abort: () => end('ABORT') };
  }

  /** Listens to an event with its detail; returns the function that stops listening. */
  on<K extends keyof StompEventMap>(type: K, listener: (detail: StompEventMap[K]) => void): () => void {
    const handler = (event: Event) => listener((event as StompEvent<K>).detail);
    this.addEventListener(type, handler);
    return () => this.removeEventListener(type, handler);
  }

  /**
   * Throws a TypeError, at the app's call, for a header the broker's version cannot escape (a line
   * break under 1.0; 1.2 escapes all that matters: nothing built).
   */
  private _check<H extends Record<string, string | undefined>>(command: string, headers: H): H {
    if (this._escaping < 2) encodeFrame(command, headers, '', this._escaping);
    return headers;
  }

  /** @internal */
  _onConnected(session: StompSession, frame: StompFrame, version: string): void {
    this._upSince = this._clock.now();
    this._escaping = escapingOf(version);
    // Subscriptions first, then the at-least-once re-sends and what was queued, in order.
    // A restore leaves out the receipt the first SUBSCRIBE may have asked for. It stops when the
    // session does (the debug hook or an 'error' listener called deactivate(), or the link died):
    // nothing goes after a DISCONNECT, and what was not written stays queued, after what the
    // session's end put back (`_finish` rejects it if the client is no longer active).
    const queue = this._queue;
    this._queue = [];
    for (const { _headers } of this._subs.values()) {
      if (session._state === CONNECTED) session._write({ _command: 'SUBSCRIBE', _headers: { ..._headers, receipt: undefined } });
    }
    while (queue.length && session._state === CONNECTED) session._write(queue.shift()!);
    this._queue = this._queue.concat(queue);
    if (session._state === CONNECTED) this._emit('connect', { frame, version });
  }

  /** A MESSAGE to its subscription, with ack()/nack(), which only make sense in the session that delivered it. @internal */
  _onMessage(session: StompSession, frame: StompFrame): void {
    const acknowledge = (command: string) => (extra: StompHeaders = {}) => {
      // The broker redelivers what was not acknowledged in a lost session.
      if (!session._live()) return;
      // 1.2 names the message by its `ack` header; 1.0 and 1.1 by message-id and subscription.
      const { ack: id, 'message-id': messageId, subscription } = frame.headers;
      session._write({ _command: command, _headers: this._check(command, { ...extra, id, 'message-id': messageId, subscription }) });
    };
    const entry = this._subs.get(frame.headers.subscription);
    if (entry) guard(entry._onMessage, { ...frame, ack: acknowledge('ACK'), nack: acknowledge('NACK') });
  }

  /** An ERROR frame, a malformed frame or a failed connect: tell, and let go of the link. @internal */
  _fail(message: string, frame?: StompFrame): void {
    const socket = this._socket;
    this._emit('error', { message, frame });
    // Unless an 'error' listener let go of that socket already: deactivate(), then activate(),
    // leaves a fresh socket that this error is not about.
    if (this._socket === socket) this._drop(message);
  }

  /**
   * The broker went silent. A given socket that can reconnect (a Resock) is asked to, since
   * closing it would end the client for good; any other socket is closed. With `report`, an
   * 'error' tells it first (a connect that timed out). @internal
   */
  _silent(reason: string, report?: boolean): void {
    const socket = this._socket!;
    if (report) this._emit('error', { message: reason });
    // Unless an 'error' or 'disconnect' listener let go of that socket meanwhile (deactivate()).
    if (this._socket !== socket) return;
    if (this._o.webSocketFactory || typeof socket.reconnect !== 'function') return this._lose(reason, true);
    // Resumable, the broker's session goes on in the server's: only the link is replaced, and the
    // session judged anew when the next one opens (ended here, its next CONNECT would be a second
    // one for the broker).
    if (!socket.resumable) this._endSession(reason);
    if (this._socket === socket) socket.reconnect();
  }

  /**
   * The socket's link ended (Resock's `reconnecting`, an `open` without one, or no longer open):
   * so did its STOMP session — unless `resumed` and the socket is a Resock whose server resumes:
   * the broker's session lives on in the server's, which the next link continues (a CONNECT there
   * would be a second one; `resumefailed` ends it). A DISCONNECT in progress is over: the socket goes. @internal
   */
  _linkEnded(resumed?: boolean): void {
    const socket = this._socket;
    if (this._session?._state === DISCONNECTING) this._lose('Link lost', true);
    else if (resumed && socket!.resumable && socket!.readyState < 2) this._session?._pause();
    else this._endSession('Link lost');
  }

  /** @internal */
  _log(message: string): void {
    guard(this._o.debug, message);
  }

  /** The one place the activation state changes. */
  private _setState(next: ActivationState): void {
    this._state = next;
  }

  private _open(): void {
    const { webSocketFactory } = this._o;
    let socket: StompSocket;
    try {
      socket = webSocketFactory ? webSocketFactory() : this._o.socket!;
      // Else it would throw below, out of activate() or a timer, and leave the client active for ever.
      if (!socket) throw 'returned ' + socket;
    } catch (error) {
      return this._fail(`webSocketFactory: ${error}`);
    }
    // A factory that called deactivate() meanwhile, and maybe activate(), which made another socket.
    if (this._state !== 'active' || this._socket) return socket.close();
    this._socket = socket;
    try {
      refuseShared(socket);
    } catch (error) {
      // The first socket is made by activate(), which throws it: the app learns at once, nothing
      // stays active (a later one throws from the timer), and nothing waits for a receipt.
      socket.close();
      this._socket = undefined;
      this._finish('' + error);
      throw error;
    }
    const onOpen = () => {
      // A second open without a 'reconnecting' in between, unless resumed: then the session goes
      // on, judged again from now (not while the link was down: see `StompSession._pause`).
      this._linkEnded(true);
      if (this._socket === socket) this._session ? this._session._watch() : (this._session = new StompSession(this, socket));
    };
    this._unlisten = listen(socket, {
      open: onOpen,
      message: (event) => this._session?._push((event as MessageEvent).data),
      close: (event) => this._lose(`Socket closed ${(event as CloseEvent).code || ''}`),
      // A Resock lost its link and is making another: this session is over (unless resumed), the socket lives on.
      reconnecting: () => this._linkEnded(true),
      // The server could not resume: the broker's session is gone; the SENDs it may not have had go again.
      resumefailed: (event) => (this._linkEnded(), this._reclaim((event as CustomEvent).detail.unconfirmed)),
    }, (frames) => this._reclaim(frames));
    if (isOpen(socket)) onOpen();
    else if (isClosed(socket)) this._lose('Socket closed');
  }

  /**
   * The frames a Resock's link had not sent when it ended: they belong to the session on that
   * link, and replayed on the next one they would reach the broker before its CONNECT. A SEND goes
   * again after the next CONNECTED, unless it has a receipt (`_endSession` sends those again) or
   * a transaction (aborted with its session); the rest (CONNECT, SUBSCRIBE, ACK…) are dropped.
   */
  private _reclaim(frames: string[]): void {
    const resend = frames.filter((frame) => frame.startsWith('SEND\n') && !/\n(receipt|transaction):/.test(frame.split('\n\n')[0]));
    this._queue = resend.map((frame): Outgoing => ({ _command: 'SEND', _headers: {}, _raw: frame })).concat(this._queue);
  }

  /** The connected session, or none (after ending one whose link turned out to be dead). */
  private _live(): StompSession | undefined {
    return this._session?._live() ? this._session : undefined;
  }

  /** Sends or queues a frame; with `receipt`, the promise settles on its RECEIPT. */
  private _request(item: Outgoing, receipt?: boolean): Promise<void> {
    this._check(item._command, item._headers);
    // Nothing would ever connect to answer it.
    if (receipt && this._state !== 'active') return Promise.reject(new StompClosedError('Client not active'));
    const session = this._live();
    if ((receipt || !session) && this._queue.length + (this._session?._receipts.size || 0) >= this._o.maxQueue) {
      throw new QueueOverflowError('maxQueue reached');
    }
    const promise = receipt
      ? new Promise<void>((resolve, reject) => {
          item._headers.receipt = this._id('r-');
          item._resolve = resolve;
          item._reject = reject;
        })
      : Promise.resolve();
    if (session) session._write(item);
    else this._queue.push(item);
    return promise;
  }

  /**
   * Lets go of the link. A connected broker is sent DISCONNECT first, and the socket is closed
   * on its RECEIPT (or its close, or after 5 s): closing a SockJS socket on a polling transport
   * tells the server nothing, so the broker's session and its subscriptions would live on until
   * the server's disconnect_delay (5 s in sockjs-node), taking messages that nobody reads.
   */
  private _drop(reason: string): void {
    const session = this._live();
    if (!session) return this._lose(reason, true);
    session._disconnect(this._id('r-'), () => this._lose(reason, true));
    this._emit('disconnect', { reason });
  }

  /** The STOMP session on the current socket is over; the socket itself may live on (Resock). */
  private _endSession(reason: string): void {
    const session = this._session;
    if (!session) return;
    const wasConnected = session._state === CONNECTED;
    this._session = undefined;
    // At-least-once: SENDs without their RECEIPT go back in front of the queue, in order.
    this._queue = session._dispose(reason).concat(this._queue);
    if (wasConnected) this._emit('disconnect', { reason });
  }

  /**
   * The socket closed (or, with `close`, must be closed: we stop listening at once). A factory
   * makes the next one after a backoff; a given socket cannot come back, and the client stops.
   */
  private _lose(reason: string, close?: boolean): void {
    const socket = this._socket;
    this._unlisten?.();
    this._unlisten = this._socket = undefined;
    if (close && socket && !isClosed(socket)) socket.close();
    this._endSession(reason);
    // A 'disconnect' listener may have called deactivate(), or activate() after it, already.
    if (this._socket) return;
    if (this._state === 'active' && this._o.webSocketFactory) this._reconnectLater();
    else this._finish(reason);
  }

  private _reconnectLater(): void {
    const delay = this._o.reconnectDelay || 1;
    // Not after any CONNECTED: a broker that ends each session at once (an ERROR about a restored
    // SUBSCRIBE, refused for ever) would be reconnected to at the least delay, for ever.
    if (this._clock.now() - this._upSince >= MIN_UPTIME) this._retries = 0;
    this._upSince = Infinity;
    this._clock.clearTimeout(this._reconnectTimer);
    this._reconnectTimer = this._clock.setTimeout(() => this._open(), backoffDelay(this._retries++, delay, Math.max(delay, MAX_RECONNECT_DELAY)));
  }

  /** Inactive: nothing queued, nothing awaited. */
  private _finish(reason: string): void {
    this._setState('inactive');
    this._clock.clearTimeout(this._reconnectTimer);
    for (const item of this._queue) item._reject?.(new StompClosedError(reason));
    this._queue = [];
  }

  private _id(prefix: string): string {
    return prefix + this._ids++;
  }

  /** @internal */
  _emit<K extends keyof StompEventMap>(type: K, detail: StompEventMap[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

export interface StompClient {
  addEventListener<K extends keyof StompEventMap>(
    type: K,
    listener: (this: StompClient, event: StompEvent<K>) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof StompEventMap>(
    type: K,
    listener: (this: StompClient, event: StompEvent<K>) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}
