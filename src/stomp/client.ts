import { backoffDelay } from '../client/backoff';
import { QueueOverflowError } from '../client/queue';
import type { Clock } from '../env/env';
import { encodeFrame, escapingOf, type StompFrame, type StompHeaders } from './frame';
import { negotiateHeartbeat, startHeartbeat, type HeartbeatMonitor } from './heartbeat';
import { resolveStompOptions, type ResolvedStompOptions, type StompClientOptions } from './options';
import { createParser, type StompParser } from './parser';
import { isClosed, isOpen, listen, type StompSocket } from './socket';
import type { MessageHandler, StompMessage, StompSubscription, SubscriptionRegistry } from './subscriptions';

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
  /** An ERROR frame (in `frame`), a malformed frame or a failed connect. The link is closed. */
  error: { message: string; frame?: StompFrame };
  /** A RECEIPT nobody waited for. */
  unhandledReceipt: StompFrame;
}

export type StompEvent<K extends keyof StompEventMap> = Event & { readonly detail: StompEventMap[K] };

/**
 * A frame on its way out; encoded when written, because escaping depends on the version the
 * broker picks. With `_resolve`, it awaits the RECEIPT named in its `receipt` header.
 */
interface Outgoing {
  _command: string;
  _headers: Record<string, string | undefined>;
  _body?: string;
  _resolve?: () => void;
  _reject?: (error: Error) => void;
}

/** How long `deactivate()` waits for the RECEIPT of its DISCONNECT before closing anyway. */
const DISCONNECT_TIMEOUT = 5000;
/** Reconnect delays grow up to this (or `reconnectDelay` if longer). */
const MAX_RECONNECT_DELAY = 30000;

const systemClock: Clock = {
  now: Date.now,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as number),
};

/** The argument check of subscribe() and publish(). */
function checkDestination(destination: unknown): void {
  if (!destination || typeof destination !== 'string') throw new TypeError("'destination' must be a non-empty string");
}

/**
 * A STOMP 1.0–1.2 client over anything WebSocket-shaped. Subscriptions live in the client, not
 * in a connection: after every reconnect they are made again with the same ids, before anything
 * queued is sent. Frames sent while not connected wait in a bounded queue.
 */
export class StompClient extends EventTarget {
  private readonly _o: ResolvedStompOptions;
  private readonly _clock: Clock;
  private readonly _subs: SubscriptionRegistry = new Map();
  private _active?: boolean;
  private _socket?: StompSocket;
  private _unlisten?: () => void;
  /** Changes when a STOMP session starts or ends; frames and acks of an older one are ignored. */
  private _session = 0;
  /** Set while a STOMP session runs on an open socket (CONNECT sent or about to be). */
  private _parser?: StompParser;
  private _connected?: boolean;
  private _heartbeat?: HeartbeatMonitor;
  private _queue: Outgoing[] = [];
  /** Frames written and awaiting their RECEIPT, in the order written. */
  private readonly _receipts = new Map<string, Outgoing>();
  /**
   * The session in which each transaction's BEGIN went out, until COMMIT or ABORT. A transaction
   * from another session was aborted by the broker when that session ended.
   */
  private readonly _transactions = new Map<string, number>();
  private _ids = 0;
  private _retries!: number;
  private _timer: unknown;

  constructor(options: StompClientOptions);
  /** Tests hand in a clock. @internal */
  constructor(options: StompClientOptions, internals: { clock?: Clock });
  constructor(options: StompClientOptions, internals: { clock?: Clock } = {}) {
    super();
    this._o = resolveStompOptions(options);
    this._clock = internals.clock || systemClock;
  }

  /** CONNECTED received and the link still up. */
  get connected(): boolean {
    return !!this._connected;
  }

  /** Starts connecting (and reconnecting). Does nothing when active already. */
  activate(): void {
    if (this._active) return;
    this._active = true;
    this._retries = 0;
    if (!this._socket) this._open();
  }

  /**
   * Sends DISCONNECT with a receipt, waits for it (at most 5 s), closes the socket and resolves
   * once it is closed. Frames still queued are dropped; promises awaiting a RECEIPT reject.
   */
  deactivate(): Promise<void> {
    const socket = this._socket;
    this._active = false; // a pending reconnect is cancelled by _lose(), as the client finishes
    return new Promise<void>((resolve) => {
      if (!socket || isClosed(socket)) return resolve(this._lose('Deactivated'));
      socket.addEventListener('close', () => resolve());
      const close = () => this._socket === socket && this._lose('Deactivated', true);
      if (!this._connected) return close();
      const receipt = this._id('r-');
      this._write({ _command: 'DISCONNECT', _headers: { receipt }, _resolve: close });
      this._timer = this._clock.setTimeout(close, DISCONNECT_TIMEOUT);
    });
  }

  /**
   * Subscribes now if connected, and again with the same id after every reconnect. `headers`
   * may set `id` and `ack` (`auto` by default, `client`, `client-individual`).
   * @example client.subscribe('/queue/jobs', (m) => { work(m.body); m.ack(); }, { ack: 'client-individual' })
   */
  subscribe(destination: string, onMessage: MessageHandler, headers: StompHeaders = {}): StompSubscription {
    checkDestination(destination);
    // A given id that is live already replaces that subscription.
    const id = headers.id || this._id('sub-');
    const subscribeHeaders = { ...headers, id, destination };
    this._subs.set(id, { _headers: subscribeHeaders, _onMessage: onMessage });
    if (this._live()) this._write({ _command: 'SUBSCRIBE', _headers: subscribeHeaders });
    return {
      id,
      unsubscribe: (extra: StompHeaders = {}) => {
        if (this._subs.delete(id) && this._live()) this._write({ _command: 'UNSUBSCRIBE', _headers: { ...extra, id } });
      },
    };
  }

  /**
   * Sends a SEND now, or after the next CONNECTED when not connected. Resolves at once, or on the
   * RECEIPT when `receipt: true`. Throws QueueOverflowError when `maxQueue` frames are held.
   */
  publish(params: PublishParams): Promise<void> {
    checkDestination(params && params.destination);
    const { destination, body = '', headers = {}, receipt } = params;
    return this._request({ _command: 'SEND', _headers: { ...headers, destination }, _body: body }, receipt);
  }

  /** BEGIN; `commit()` or `abort()` end it. A transaction does not survive a reconnect (the broker aborts it). */
  begin(headers: StompHeaders = {}): StompTransaction {
    const id = this._id('tx-');
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

  private _open(): void {
    const { webSocketFactory } = this._o;
    let socket: StompSocket;
    try {
      socket = this._socket = webSocketFactory ? webSocketFactory() : this._o.socket!;
    } catch (error) {
      this._emit('error', { message: `webSocketFactory: ${error}` });
      return this._reconnectLater();
    }
    this._unlisten = listen(socket, {
      open: () => this._onOpen(),
      message: (event) => this._onData((event as MessageEvent).data),
      close: (event) => this._lose(`Socket closed ${(event as CloseEvent).code || ''}`),
      // A Resock lost its link and is making another: this session is over, the socket lives on.
      reconnecting: () => this._endSession('Link lost'),
    });
    if (isOpen(socket)) this._onOpen();
    else if (isClosed(socket)) this._lose('Socket closed');
  }

  private _onOpen(): void {
    this._endSession('Link lost'); // a second open without a 'reconnecting' in between
    const session = ++this._session;
    const { connectHeaders, heartbeat } = this._o;
    this._parser = createParser(
      (frame) => session === this._session && this._onFrame(frame),
      (reason) => session === this._session && this._fail(`Frame ${reason}`),
    );
    new Promise<StompHeaders>((resolve) => resolve(typeof connectHeaders === 'function' ? connectHeaders() : connectHeaders)).then(
      (headers) => {
        if (session !== this._session) return;
        const heartBeat = heartbeat.outgoing + ',' + heartbeat.incoming;
        this._write({ _command: 'CONNECT', _headers: { ...headers, 'accept-version': '1.0,1.1,1.2', 'heart-beat': heartBeat } });
      },
      (error: unknown) => session === this._session && this._fail(`connectHeaders: ${error}`),
    );
  }

  private _onData(data: unknown): void {
    if (!this._parser) return;
    this._log('<<< ' + data);
    this._heartbeat?.received();
    this._parser.push(data as string | ArrayBuffer);
  }

  private _onFrame(frame: StompFrame): void {
    const { command, headers } = frame;
    if (command === 'CONNECTED') return this._onConnected(frame);
    if (command === 'MESSAGE') {
      const message = this._message(frame, this._session);
      const entry = this._subs.get(headers.subscription!);
      try {
        entry?._onMessage(message);
      } catch (error) {
        // Reported like an event listener's error, without stopping the frames behind it.
        queueMicrotask(() => {
          throw error;
        });
      }
    } else if (command === 'RECEIPT') {
      const id = headers['receipt-id'];
      const item = this._receipts.get(id);
      if (!item) return this._emit('unhandledReceipt', frame);
      this._receipts.delete(id);
      item._resolve!();
    } else if (command === 'ERROR') {
      this._fail(headers.message || 'ERROR frame', frame);
    }
  }

  private _onConnected(frame: StompFrame): void {
    if (this._connected) return;
    const version = frame.headers.version || '1.0';
    this._parser!.escaping = escapingOf(version);
    this._connected = true;
    this._retries = 0;
    const { outgoing, incoming } = this._o.heartbeat;
    this._heartbeat = startHeartbeat(
      this._clock,
      negotiateHeartbeat(outgoing, incoming, frame.headers['heart-beat']),
      () => this._socket!.send('\n'),
      () => this._lose('Heart-beat lost', true),
    );
    // Subscriptions first, then the at-least-once re-sends and what was queued, in order.
    // A restore leaves out the receipt the first SUBSCRIBE may have asked for.
    for (const { _headers } of this._subs.values()) this._write({ _command: 'SUBSCRIBE', _headers: { ..._headers, receipt: undefined } });
    const queue = this._queue;
    this._queue = [];
    for (const item of queue) this._write(item);
    this._emit('connect', { frame, version });
  }

  /** A MESSAGE with its ack()/nack(), which only make sense in the session that delivered it. */
  private _message(frame: StompFrame, session: number): StompMessage {
    const acknowledge = (command: string) => (extra: StompHeaders = {}) => {
      // The broker redelivers what was not acknowledged in a lost session.
      if (session !== this._session || !this._live()) return;
      // 1.2 names the message by its `ack` header; 1.0 and 1.1 by message-id and subscription.
      const { ack: id, 'message-id': messageId, subscription } = frame.headers;
      this._write({ _command: command, _headers: { ...extra, id, 'message-id': messageId, subscription } });
    };
    return { ...frame, ack: acknowledge('ACK'), nack: acknowledge('NACK') };
  }

  /** Sends or queues a frame; with `receipt`, the promise settles on its RECEIPT. */
  private _request(item: Outgoing, receipt?: boolean): Promise<void> {
    const live = this._live();
    if ((receipt || !live) && this._queue.length + this._receipts.size >= this._o.maxQueue) {
      throw new QueueOverflowError('maxQueue reached');
    }
    const promise = receipt
      ? new Promise<void>((resolve, reject) => {
          item._headers.receipt = this._id('r-');
          item._resolve = resolve;
          item._reject = reject;
        })
      : Promise.resolve();
    if (live) this._write(item);
    else this._queue.push(item);
    return promise;
  }

  /**
   * Connected, on a link that still works: the socket is open (a Resock put away on pagehide
   * stops being open without a 'reconnecting' event, and what it is given then would go out
   * before the next CONNECT) and the broker was heard from lately. Ends the session otherwise.
   */
  private _live(): boolean | undefined {
    if (this._connected && !isOpen(this._socket!)) this._endSession('Link lost');
    this._heartbeat?.check();
    return this._connected;
  }

  /** Writes one frame to the socket of the connected (or connecting, for CONNECT) session. */
  private _write(item: Outgoing): void {
    const { _command: command, _headers: headers } = item;
    const tx = headers.transaction!;
    const session = this._session;
    const began = this._transactions.get(tx) ?? session;
    if (command === 'COMMIT' || command === 'ABORT') this._transactions.delete(tx);
    if (began !== session) {
      item._reject?.(new Error('Transaction aborted by a reconnect'));
      return;
    }
    if (command === 'BEGIN') this._transactions.set(tx, session);
    if (item._resolve) this._receipts.set(headers.receipt!, item);
    const data = encodeFrame(command, headers, item._body || '', this._parser!.escaping);
    this._log('>>> ' + (command === 'CONNECT' ? command : data)); // not the passcode
    this._socket!.send(data);
  }

  /** The STOMP session on the current socket is over; the socket itself may live on (Resock). */
  private _endSession(reason: string): void {
    if (!this._parser) return;
    this._parser.stop();
    this._heartbeat?.stop();
    this._parser = this._heartbeat = undefined;
    this._session++;
    const wasConnected = this._connected;
    this._connected = false;
    // At-least-once: SENDs without their RECEIPT go back in front of the queue, in order.
    const resend: Outgoing[] = [];
    for (const item of this._receipts.values()) {
      if (item._command === 'SEND') resend.push(item);
      else item._reject?.(new Error(reason));
    }
    this._receipts.clear();
    this._queue = resend.concat(this._queue);
    if (wasConnected) this._emit('disconnect', { reason });
  }

  /** An ERROR frame, a malformed frame or a failed connect: tell, and close the link. */
  private _fail(message: string, frame?: StompFrame): void {
    this._emit('error', { message, frame });
    this._lose(message, true);
  }

  /**
   * The socket closed (or, with `close`, must be closed: we stop listening at once). A factory
   * makes the next one after a backoff; a given socket cannot come back, and the client stops.
   */
  private _lose(reason: string, close?: boolean): void {
    const socket = this._socket;
    this._endSession(reason);
    this._unlisten?.();
    this._unlisten = this._socket = undefined;
    if (close && socket && !isClosed(socket)) socket.close();
    if (this._active && this._o.webSocketFactory) this._reconnectLater();
    else this._finish(reason);
  }

  private _reconnectLater(): void {
    const delay = this._o.reconnectDelay || 1;
    this._timer = this._clock.setTimeout(() => this._open(), backoffDelay(this._retries++, delay, Math.max(delay, MAX_RECONNECT_DELAY)));
  }

  /** Idle: nothing queued, nothing awaited, `close` told. */
  private _finish(reason: string): void {
    this._active = false;
    this._clock.clearTimeout(this._timer);
    for (const item of this._queue) item._reject?.(new Error(reason));
    this._queue = [];
  }

  private _id(prefix: string): string {
    return prefix + this._ids++;
  }

  private _emit<K extends keyof StompEventMap>(type: K, detail: StompEventMap[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  private _log(message: string): void {
    if (this._o.debug) this._o.debug(message);
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
