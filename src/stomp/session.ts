import type { Clock } from '../env/env';
import { encodeFrame, escapingOf, type StompFrame, type StompHeaders } from './frame';
import { negotiateHeartbeat, startHeartbeat, type HeartbeatIntervals, type HeartbeatMonitor } from './heartbeat';
import type { ResolvedStompOptions } from './options';
import { createParser, type StompParser } from './parser';
import { isOpen, setFarewell, type StompSocket } from './socket';

/**
 * What a request that awaited a RECEIPT rejects with when the STOMP session or the client it
 * depended on ended first: the client was deactivated or is not active, its given socket closed
 * for good, the session of a transaction was lost, or an ERROR frame named its receipt (the
 * broker refused it: `message` is the ERROR's). `message` says which.
 */
export class StompClosedError extends Error {
  override readonly name = 'StompClosedError';
}

/**
 * A frame on its way out; encoded when written, because escaping depends on the version the
 * broker picks. With `_resolve`, it awaits the RECEIPT named in its `receipt` header.
 */
export interface Outgoing {
  _command: string;
  _headers: Record<string, string | undefined>;
  _body?: string;
  /** Already encoded: a SEND that a lost link did not send, going again as it was. */
  _raw?: string;
  _resolve?: () => void;
  _reject?: (error: Error) => void;
}

/** What a session needs from the long-lived client that made it. */
export interface SessionHost {
  readonly _o: ResolvedStompOptions;
  readonly _clock: Clock;
  /**
   * Transactions by the number in their id (`tx-7`: 7), two numbers instead of an entry each, so
   * that one never ended keeps nothing: `begin()` numbers them in order and their BEGINs go out in
   * that order (at once, or through the queue). `_txBegun`: the last BEGIN written; `_txAborted`:
   * the last one written in a session that has ended, which the broker aborted with every earlier one.
   */
  _txBegun: number;
  _txAborted: number;
  _onConnected(session: StompSession, frame: StompFrame, version: string): void;
  _onMessage(session: StompSession, frame: StompFrame): void;
  _emit(type: 'unhandledReceipt', frame: StompFrame): void;
  _emit(type: 'error', detail: { message: string }): void;
  /** An ERROR frame, a malformed frame or a failed connect. */
  _fail(message: string, frame?: StompFrame): void;
  /** The broker went silent: heart-beats lost, or no CONNECTED in time (`report`: as an 'error' too). */
  _silent(reason: string, report?: boolean): void;
  /** The socket stopped being open: this session is over (unless `resumed`, see the client). */
  _linkEnded(resumed?: boolean): void;
  _log(message: string): void;
}

/**
 * The states of a session, in the order they come: CONNECT sent (or about to be) → CONNECTED
 * received → DISCONNECT sent (MESSAGEs and RECEIPTs still count, nothing else is written) →
 * disposed. Any state may go straight to CLOSED. Numbers, for the bundle's size.
 */
export const CONNECTING = 0;
export const CONNECTED = 1;
export const DISCONNECTING = 2;
export const CLOSED = 3;
export type SessionState = typeof CONNECTING | typeof CONNECTED | typeof DISCONNECTING | typeof CLOSED;

/** How long a DISCONNECT waits for its RECEIPT (or the socket's close) before the socket is closed anyway. */
export const DISCONNECT_TIMEOUT = 5000;

/**
 * One STOMP session on one open socket: CONNECT and CONNECTED, the parser, the heart-beats, and
 * the receipts and transactions of this session. Made when the socket opens, disposed when its
 * link ends; once disposed its parser, timers and pending CONNECT do nothing.
 */
export class StompSession {
  _state: SessionState = CONNECTING;
  /** Frames written and awaiting their RECEIPT, in the order written. */
  readonly _receipts = new Map<string, Outgoing>();
  private readonly _parser: StompParser;
  private _heartbeat?: HeartbeatMonitor;
  /** The heart-beat intervals agreed in CONNECTED. */
  private _beats?: HeartbeatIntervals;
  private _timer: unknown;

  constructor(
    private readonly _host: SessionHost,
    private readonly _socket: StompSocket,
  ) {
    this._parser = createParser(
      (frame) => this._onFrame(frame),
      (reason) => _host._fail(`Frame ${reason}`),
    );
    const { connectHeaders, heartbeat } = _host._o;
    // Armed before the CONNECT is written: a Resock may find its link dead as it sends, and the
    // session that then ends clears it (armed after, it would outlive the session and end the next one).
    this._watch();
    new Promise<StompHeaders>((resolve) => resolve(typeof connectHeaders === 'function' ? connectHeaders() : connectHeaders)).then(
      (headers) => {
        // Nor on a socket that stopped being open meanwhile (closed by a connectHeaders that called
        // deactivate(), or put away): it would throw, or hold the CONNECT for the next link.
        if (this._state !== CONNECTING || !isOpen(_socket)) return;
        const heartBeat = heartbeat.outgoing + ',' + heartbeat.incoming;
        this._write({ _command: 'CONNECT', _headers: { ...headers, 'accept-version': '1.0,1.1,1.2', 'heart-beat': heartBeat } });
        // From CONNECT on: the broker session may exist before its CONNECTED arrives. Unless the
        // write ended this session (a dead link): the DISCONNECT would go out on the next link.
        if (this._state === CONNECTING) setFarewell(_socket, 'DISCONNECT\n\n\0');
      },
      (error: unknown) => this._state === CONNECTING && _host._fail(`connectHeaders: ${error}`),
    );
  }

  /**
   * Arms the judge of the broker's silence: the connect timeout while connecting (a silent answer to
   * CONNECT, or a connectHeaders that never settles, would leave the client connecting for ever:
   * SockJS heart-beats keep the link itself alive), the heart-beats once connected. Again when a
   * resumable Resock's next link opens and this session goes on with the server's.
   */
  _watch(): void {
    const host = this._host;
    const { connectTimeout } = host._o;
    if (this._state === CONNECTED) {
      this._heartbeat = startHeartbeat(host._clock, this._beats!, () => this._live() && this._socket.send('\n'), () => host._silent('Heart-beat lost'));
    } else if (connectTimeout) {
      this._timer = host._clock.setTimeout(() => host._silent(`No CONNECTED within ${connectTimeout} ms`, true), connectTimeout);
    }
  }

  /**
   * Stops judging the broker's silence while a resumable Resock's link is down: that is no silent
   * broker, and its reconnect() every two intervals would defeat the Resock's backoff.
   */
  _pause(): void {
    this._heartbeat?.stop();
    this._host._clock.clearTimeout(this._timer);
  }

  _push(data: string | ArrayBuffer): void {
    this._host._log('<<< ' + data);
    this._heartbeat?.received();
    this._parser.push(data);
  }

  /**
   * Connected, on a link that still works: the socket is open (a Resock put away on pagehide
   * stops being open without a 'reconnecting' event, and what it is given then would go out
   * before the next CONNECT) and the broker was heard from lately. Ends the session otherwise.
   */
  _live(): boolean {
    if (this._state === CONNECTED) {
      if (isOpen(this._socket)) this._heartbeat!.check();
      // A resuming Resock keeps the frame for the session's next link.
      else this._host._linkEnded(true);
    }
    return this._state === CONNECTED;
  }

  /** Writes one frame: CONNECT while connecting, the rest while connected. */
  _write(item: Outgoing): void {
    const { _command: command, _headers: headers } = item;
    const host = this._host;
    // The broker aborted a transaction with the session it began in. (NaN without one of begin()'s
    // ids, `tx-7`: no comparison holds, and the frame goes as the app wrote it.)
    const tx = +(/^tx-(\d+)$/.exec(headers.transaction!) || [])[1]!;
    if (tx <= host._txAborted) return item._reject?.(new StompClosedError('Transaction aborted by a reconnect'));
    let data: string;
    try {
      data = item._raw || encodeFrame(command, headers, item._body || '', this._parser.escaping);
    } catch (error) {
      // A header the app's call was checked for against the last version (1.2 before any), and
      // this broker speaks 1.0; or a connectHeaders function's: refused, rather than sent broken.
      if (command === 'CONNECT') return host._fail(`connectHeaders: ${error}`);
      item._reject?.(error as Error);
      return host._emit('error', { message: '' + error });
    }
    if (command === 'BEGIN') host._txBegun = tx;
    if (item._resolve) this._receipts.set(headers.receipt!, item);
    try {
      this._socket.send(data);
    } catch (error) {
      // Unless sending ended this session: a Resock found its link dead, and the client let go of
      // it (a DISCONNECT in progress, or a listener's deactivate()); then the frame goes with it.
      if (this._state !== CLOSED) throw error;
    }
    // After the send: a hook that calls deactivate() must find this frame written, not write its
    // DISCONNECT before it.
    host._log('>>> ' + (command === 'CONNECT' ? command : data)); // not the passcode
  }

  /**
   * Sends DISCONNECT and calls `done` on its RECEIPT, or after DISCONNECT_TIMEOUT. Until then
   * MESSAGE frames are still delivered: the broker may send some before it reads the DISCONNECT,
   * and with `ack: auto` it counts them as delivered.
   */
  _disconnect(receipt: string, done: () => void): void {
    this._heartbeat?.stop();
    setFarewell(this._socket, null);
    // Before the write: a Resock may find its link dead as it sends, and the session that then
    // ends is a DISCONNECTING one, whose socket goes, with no timer left.
    this._state = DISCONNECTING;
    this._timer = this._host._clock.setTimeout(done, DISCONNECT_TIMEOUT);
    this._write({ _command: 'DISCONNECT', _headers: { receipt }, _resolve: done });
  }

  /**
   * Ends the session for good. Returns the SENDs still awaiting their RECEIPT, in order, for the
   * client to send again (at-least-once); the other requests awaiting one reject.
   */
  _dispose(reason: string): Outgoing[] {
    const host = this._host;
    this._state = CLOSED;
    host._txAborted = host._txBegun;
    this._parser.stop();
    this._pause();
    const resend: Outgoing[] = [];
    for (const item of this._receipts.values()) {
      if (item._command === 'SEND') resend.push(item);
      else item._reject?.(new StompClosedError(reason));
    }
    this._receipts.clear();
    return resend;
  }

  private _onFrame(frame: StompFrame): void {
    const { command, headers } = frame;
    const host = this._host;
    const id = headers['receipt-id'];
    const item = this._receipts.get(id);
    if (command === 'MESSAGE') host._onMessage(this, frame);
    else if (command === 'RECEIPT') {
      if (!item) return host._emit('unhandledReceipt', frame);
      this._receipts.delete(id);
      item._resolve!();
    } else if (this._state === CONNECTING && command === 'CONNECTED') {
      const version = headers.version || '1.0';
      this._parser.escaping = escapingOf(version);
      this._state = CONNECTED;
      host._clock.clearTimeout(this._timer);
      const { outgoing, incoming } = host._o.heartbeat;
      this._beats = negotiateHeartbeat(outgoing, incoming, headers['heart-beat']);
      this._watch();
      host._onConnected(this, frame, version);
    } else if (command === 'ERROR' && this._state !== DISCONNECTING) {
      const message = headers.message || 'ERROR frame';
      // The broker refused the frame that asked for this receipt: sent again after the reconnect,
      // a SEND would be refused again, for ever, and its promise would never settle.
      this._receipts.delete(id);
      item?._reject?.(new StompClosedError(message));
      host._fail(message, frame);
    }
  }
}
