import { Stream } from 'node:stream';
import type { Clock } from '../env/env';
import { acknowledge, add, emptyOutbox, lastNumber, type OutboxBounds } from '../resume/outbox';
import { decodeHello, decodeMessage, encodeAck, encodeData, encodeNext, encodeWelcome, type Welcome } from '../resume/wire';
import { callApp } from './app-call';
import { unawaited, type ResumeStore, type SessionRecord } from './store';
import { ResumeCloseCode, writeBatch, type SockjsConnectionLike } from './types';

/** 'd', the tag of a data message. */
const DATA_TAG = 100;

export interface SessionSettings extends OutboxBounds {
  clock: Clock;
  store: ResumeStore;
  ttl: number;
  ackDelay: number;
  ackEvery: number;
  /** Called once when the session has ended and its state is gone. */
  forget(connection: ResumableConnection): void;
  /** A store call failed where the session goes on regardless (after a welcome): the companion's `error`. Never throws. */
  report(error: unknown): void;
  /**
   * The live sessions of this node by the tokens that resume them, kept by the sessions: what a
   * hello falls back to when the store misses its token (it failed to take it after a welcome).
   */
  tokens: Map<string, ResumableConnection>;
}

/**
 * One client session that outlives its links: the sockjs-node connection surface (a Node Stream:
 * `write`, `end`, `close`, `pipe`, events `data`, `end` and `close`), while links come and go
 * underneath. `end` then `close` are emitted once: on `close()`, TTL expiry, window exceeded, or a
 * protocol error.
 */
export class ResumableConnection extends Stream {
  /** 1 while the session lives (with a link or waiting for one), 3 once it ended. */
  readyState = 1;
  private _link: SockjsConnectionLike | null = null;
  private _lastLink: SockjsConnectionLike | null = null;
  private _unlisten = (): void => undefined;
  private _ackedIn = 0;
  /** The owed ack is half due (`ackDelay / 2` old, by the ack timer's first half): it rides on the next write. */
  private _halfDue = false;
  private _skip = 0;
  /** Whether every write carries its `next` marker (HTTP links), or only the link's first (WebSocket). */
  private _markAll = true;
  private _marked = false;
  /** The client spoke on a link of this session after its welcome: it read the welcome (see `_detach`). */
  private _heard = false;
  private _ackTimer: unknown;
  private _ttlTimer: unknown;

  /** @internal */
  constructor(private readonly _record: SessionRecord, private readonly _s: SessionSettings) {
    super();
    _s.tokens.set(_record.token, this);
    this._armTtl();
  }

  get id(): string {
    return this._record.id;
  }

  /** @internal the token that resumes this session now. */
  get token(): string {
    return this._record.token;
  }

  /**
   * @internal Whether a hello with `token` resumes this session: its latest token, or the one
   * before while the client has not shown that it holds the latest (see `rotate`).
   */
  resumesWith(token: string): boolean {
    const { token: latest, previous } = this._record;
    return this.readyState === 1 && (token === latest || token === previous);
  }

  /**
   * @internal Gives the session the token `next` for a resume presented with `presented`, whose
   * welcome goes out next. Returns the token that no longer resumes it, if any, for the store to
   * forget. `presented` stays good until the client speaks on the link that gets the welcome
   * (`attach`): the welcome may die with that link, and its client, which holds `presented` only,
   * would be told `unknown` and lose the session. The other token goes: the latest, if the client
   * presented the previous one (it never read the welcome that carried the latest); the previous,
   * if it presented the latest (it read that one, so it holds it).
   */
  rotate(presented: string, next: string): string | null {
    const record = this._record;
    const retired = presented === record.token ? record.previous : record.token;
    record.previous = presented;
    record.token = next;
    this._s.tokens.set(next, this);
    if (retired !== null) this._unindex(retired);
    return retired;
  }

  /** @internal the session's state, kept here while it lives; the store holds it too (maybe as a copy). */
  get record(): SessionRecord {
    return this._record;
  }

  /**
   * The properties sockjs-node documents for a connection: those of the latest link, as it has
   * them (the request's URL, the client's address, its transport…). Kept once the session ended.
   */
  get url(): string | undefined {
    return this._fromLink('url');
  }
  get pathname(): string | undefined {
    return this._fromLink('pathname');
  }
  get prefix(): string | undefined {
    return this._fromLink('prefix');
  }
  get protocol(): string | undefined {
    return this._fromLink('protocol');
  }
  get remoteAddress(): string | undefined {
    return this._fromLink('remoteAddress');
  }
  get remotePort(): number | undefined {
    return this._fromLink('remotePort');
  }
  get address(): { address: string; port: number } | undefined {
    return this._fromLink('address');
  }
  get headers(): Record<string, string> | undefined {
    return this._fromLink('headers');
  }
  /** As sockjs-node's: whether the session is open (it is while it waits for its client). */
  get readable(): boolean {
    return this.readyState === 1;
  }
  get writable(): boolean {
    return this.readyState === 1;
  }

  private _fromLink<T>(name: string): T | undefined {
    return (this._lastLink as Record<string, T> | null)?.[name];
  }

  /** Queues `data` for the client: sent now if a link is up, else on resume. False once ended. */
  write(data: unknown): boolean {
    if (this.readyState !== 1) return false;
    const message = String(data);
    const out = this._record.out;
    if (!add(out, message, this._s)) {
      this._end(ResumeCloseCode.WindowExceeded, 'Resume window exceeded', true);
      return false;
    }
    if (this._link) writeBatch(this._link, this._batch([message]));
    return true;
  }

  /** As sockjs-node's: writes `data` if truthy (not '', 0 or false), then closes. */
  end(data?: unknown): void {
    if (data) this.write(data);
    this.close();
  }

  /** As sockjs-node's (its Stream API): ends the session, then drops every listener. */
  destroy(): void {
    this.end();
    this.removeAllListeners();
  }
  destroySoon(): void {
    this.destroy();
  }

  close(code = 1000, reason = 'Normal closure'): boolean {
    if (this.readyState !== 1) return false;
    this._end(code, reason, false);
    return true;
  }

  /** @internal Puts the session on `link`: welcome, then what the client has not acknowledged. */
  attach(link: SockjsConnectionLike, clientReceived: number, welcome: Welcome): void {
    this._unlisten();
    this._link?.close(ResumeCloseCode.Replaced, 'Replaced by a newer link');
    this._s.clock.clearTimeout(this._ttlTimer);
    this._link = this._lastLink = link;
    this._markAll = link.protocol !== 'websocket';
    this._marked = false;
    // A resume proves the client holds a token of this session: it read a welcome (see `_detach`).
    if (welcome.kind === 'resumed') this._heard = true;
    this._skip = 0;
    // The welcome says what was received: that is the ack.
    this._ackedIn = this._record.received;
    this._stopAckTimer();
    acknowledge(this._record.out, clientReceived);
    const onData = (raw: string): void => {
      if ((!this._heard || this._record.previous !== null) && !isHello(raw)) {
        this._heard = true;
        if (this._record.previous !== null) this._retirePrevious();
      }
      this._receive(raw);
    };
    const onClose = (): void => this._detach();
    link.on('data', onData);
    link.on('close', onClose);
    this._unlisten = () => {
      link.removeListener('data', onData);
      link.removeListener('close', onClose);
    };
    writeBatch(link, [encodeWelcome(welcome), ...this._batch(this._record.out.messages)]);
  }

  /**
   * @internal Reads what the client sent on `link` after its hello, before the session took the
   * link. Each message on its own, as sockjs-node emits them: a listener that throws on one is
   * the app's error, not the end of the others.
   */
  replay(link: SockjsConnectionLike, pending: readonly unknown[]): void {
    for (const raw of pending) if (this._link === link) callApp(() => this._receive(raw));
  }

  /**
   * The wire messages that put `messages` (the last ones of the outbox) on the link: the owed ack
   * when it is half due (so two-way traffic carries its acks in frames that leave anyway, and a
   * round trip does not pay one), the `next` marker, the data. One batch: one SockJS frame.
   */
  private _batch(messages: readonly string[]): string[] {
    const wire: string[] = [];
    if (!messages.length) return wire;
    const { received } = this._record;
    if (received - this._ackedIn >= this._s.ackEvery || (received > this._ackedIn && this._halfDue)) wire.push(this._ack());
    // Every write says where it starts, not only a link's first: a poll whose response was lost to
    // a reset connection is sent again by the browser (Chromium does) and sockjs-node, which
    // thinks the lost frame delivered, answers with the next ones. The client sees the gap by
    // number, drops the link and resumes from what it really has.
    // On a WebSocket a frame cannot be repeated: the marker once per link does.
    if (this._markAll || !this._marked) wire.push(encodeNext(lastNumber(this._record.out) - messages.length + 1)), (this._marked = true);
    for (const message of messages) wire.push(encodeData(message));
    return wire;
  }

  /**
   * The client spoke on the link that got the welcome, so it read it (a resock client sends
   * nothing there before it, and writes at once after it) and holds the latest token: the one it
   * resumed with resumes no more. Not told by what came before the session took the link
   * (`replay`: sent before the welcome), nor by a copy of the hello (a POST sent again).
   */
  private _retirePrevious(): void {
    const previous = this._record.previous!;
    this._record.previous = null;
    this._unindex(previous);
    retireToken(this._s, previous);
  }

  private _receive(raw: unknown): void {
    // sockjs-node hands on any JSON value of the client's array: a number is not a message of ours.
    if (typeof raw !== 'string') return this._fail();
    // Data first, without decoding it into an object: a burst is thousands of these per frame.
    if (raw.charCodeAt(0) === DATA_TAG) return this._data(raw.slice(1));
    const message = decodeMessage(raw);
    const record = this._record;
    // A hello after the handshake is the hello of this link once more: a POST the browser sent
    // again on a new connection (Chromium does when the one it reused was reset). Nothing to do.
    if (!message && decodeHello(raw) !== undefined) return;
    if (!message || message.kind === 'data') return this._fail();
    if (message.kind === 'next') {
      // A gap, or n0: it names no message (numbers start at 1), and would drop a new one as a duplicate.
      if (message.count > record.received + 1 || !message.count) return this._fail();
      this._skip = record.received + 1 - message.count;
    } else {
      if (acknowledge(record.out, message.count) === undefined) return this._fail();
      if (message.kind === 'ping') this._sendAck(true);
    }
  }

  private _data(data: string): void {
    const record = this._record;
    if (this._skip) return void this._skip--;
    // Owed in full: at the end of this turn, so that the rest of the frames read in the same
    // chunk (a burst arrives as hundreds of frames per read) share one ack, not one per ackEvery.
    if (++record.received - this._ackedIn === this._s.ackEvery) queueMicrotask(() => this._sendAck());
    else if (this._ackTimer === undefined) this._armAck();
    // Counted above: a listener that throws, thrown on from here, would stop sockjs-node's loop
    // over the frame, the rest unread yet numbered by the client (lost, and what follows misnumbered).
    callApp(() => this.emit('data', data));
  }

  /**
   * The ack timer, in two halves: after the first the owed ack is half due and rides on the next
   * write (a flag, so that no write reads the clock); after the second it goes alone.
   */
  private _armAck(): void {
    const { clock, ackDelay } = this._s;
    this._ackTimer = clock.setTimeout(() => {
      this._halfDue = true;
      this._ackTimer = clock.setTimeout(() => this._sendAck(), ackDelay / 2);
    }, ackDelay / 2);
  }

  /** An ack on its own: due (its delay passed, or `ackEvery` messages owed), or asked for by a ping. */
  private _sendAck(asked?: boolean): void {
    if (this._link && (asked || this._record.received > this._ackedIn)) this._link.write(this._ack());
    else this._stopAckTimer();
  }

  /** The ack of everything received; nothing is owed after it. */
  private _ack(): string {
    this._stopAckTimer();
    return encodeAck((this._ackedIn = this._record.received));
  }

  private _stopAckTimer(): void {
    this._s.clock.clearTimeout(this._ackTimer);
    this._ackTimer = undefined;
    this._halfDue = false;
  }

  /**
   * The link dropped: wait for the client for `ttl` ms, with the state in the store. A failure is
   * reported: the session waits regardless, but a resume may find nothing under its token (the
   * store may have missed this token already, when it failed at the resume's welcome).
   */
  private _detach(): void {
    this._unlisten();
    this._link = null;
    // A fresh session whose client never spoke (a resock client writes at once after a welcome):
    // the welcome most likely died with the link, and with it the only way to its token. Kept until
    // the TTL, it would be a phantom for the app, while the client asks for another one.
    if (!this._heard) return void this.close();
    this._stopAckTimer();
    this._armTtl();
    unawaited(() => this._s.store.set(this._record.token, this._record), this._s.report);
  }

  private _armTtl(): void {
    this._s.clock.clearTimeout(this._ttlTimer);
    this._ttlTimer = this._s.clock.setTimeout(() => this._expire(), this._s.ttl);
  }

  private _fail(): void {
    this._end(ResumeCloseCode.ProtocolError, 'Resume protocol error', false);
  }

  /** Ends the session for the app: it is no longer live, whatever stays of it in the store. */
  private _end(code: number, reason: string, overflowed: boolean): void {
    this.readyState = 3;
    this._unlisten();
    const link = this._link;
    this._link = null;
    this._stopAckTimer();
    const record = this._record;
    record.out = emptyOutbox();
    record.overflowed = overflowed;
    this._s.clock.clearTimeout(this._ttlTimer);
    if (overflowed) {
      this._leave();
      leaveTombstone(this._s, record);
    } else {
      this._forget();
    }
    link?.close(code, reason);
    this._emitEnd();
  }

  /**
   * As sockjs-node: 'end' (what `pipe` listens to), then 'close'. 'close' whatever an 'end'
   * listener throws (the app's: see `callApp`), as it is emitted exactly once.
   */
  private _emitEnd(): void {
    callApp(() => this.emit('end'));
    this.emit('close');
  }

  private _expire(): void {
    this._forget();
    this.readyState = 3;
    this._emitEnd();
  }

  private _forget(): void {
    this._leave();
    for (const token of tokensOf(this._record)) unawaited(() => this._s.store.delete(token));
  }

  /** No longer live on this node: no hello finds it here any more. */
  private _leave(): void {
    this._s.forget(this);
    for (const token of tokensOf(this._record)) this._unindex(token);
  }

  private _unindex(token: string): void {
    if (this._s.tokens.get(token) === this) this._s.tokens.delete(token);
  }
}

/** The tokens a session's record is stored under: the latest, and the previous one while it still resumes. */
const tokensOf = ({ token, previous }: SessionRecord): string[] => (previous === null ? [token] : [token, previous]);

/** Whether `raw` is a hello: on a session's link, the link's own, sent again (see `_receive`). */
const isHello = (raw: unknown): boolean => typeof raw === 'string' && decodeHello(raw) !== undefined;

/**
 * Makes the store forget a token that no longer resumes a live session, once its welcome went out:
 * the session goes on whatever the store does. A failure is reported, and the delete tried once
 * more a TTL later (by a timer that holds nothing of the session), so that a store that failed
 * for a moment keeps no record for ever. One down for longer keeps it, as it keeps the record of
 * a session whose end it failed to delete.
 */
export function retireToken({ store, clock, ttl, report }: SessionSettings, token: string): void {
  const attempt = (last: boolean): void =>
    unawaited(
      () => store.delete(token),
      (error) => {
        report(error);
        if (!last) clock.setTimeout(() => attempt(true), ttl);
      },
    );
  attempt(false);
}

/**
 * After a window overflow the ended session's record stays in the store until the TTL, so that
 * the client's resume is told `window` rather than `unknown`. A tombstone is small (no messages)
 * and lives one TTL at most; a function of its own so that its timer holds neither the session
 * (its last link, the app's listeners) nor anything else of it.
 */
function leaveTombstone({ store, clock, ttl }: SessionSettings, record: SessionRecord): void {
  // Under the previous token too, while it resumes: its client may not have read the latest.
  for (const token of tokensOf(record)) {
    unawaited(() => store.set(token, record));
    clock.setTimeout(() => unawaited(() => store.delete(token)), ttl);
  }
}
