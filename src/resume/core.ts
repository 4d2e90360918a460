/**
 * The client side of resumable sessions (docs/resume-protocol.md), with no I/O: the caller owns
 * the links and hands the core what happens to them. One core lives as long as the logical
 * session; links come and go.
 *
 *   const core = new ResumeCore({ clock, send: (wire) => link.send(wire), onEvent });
 *   // a link opened (its URL carried RESUME_QUERY unless core.plain):
 *   core.linkUp();                         // sends the hello through `send`
 *   link.onmessages = (raw) => raw.forEach((m) => core.receive(m).forEach(deliverToApp));
 *   const taken = core.send(appMessages);  // keeps and numbers them; the rest stays with you
 *   core.send(appMessages, true); … core.flush(); // the same, gathered: one batch for many sends
 *   core.linkLost();                       // the link died: what is unacknowledged is re-sent on the next
 *
 * `send` takes messages while the buffer of unacknowledged ones is within its bounds and returns
 * how many it took; the caller keeps the rest and offers them again on the `drain` event. Taken
 * messages go on the wire at once when the link is open, else after the next handshake.
 * Events (`onEvent`): `resumed`; `fresh` (the server started over: its reason, and `unconfirmed`,
 * the messages sent earlier that the old session may or may not have received — the app resyncs);
 * `unsupported` (the server has no companion: the core turns transparent for good, `plain` is true,
 * and drop RESUME_QUERY from later URLs); `drain`; `dead` (an ack request went unanswered: drop the
 * link); `error` (the server broke the protocol: drop the link).
 */
import type { Clock } from '../env/env';
import { acknowledge, add, emptyOutbox, lastNumber, type Outbox } from './outbox';
import { decodeMessage, decodeWelcome, encodeAck, encodeData, encodeHello, encodeNext, encodePing, type Welcome } from './wire';

/**
 * The server broke the wire extension. The message is a short code: `malformed` (not a message
 * of the extension, or a welcome that breaks its grammar), `gap` (a `next` beyond what was
 * received), `ack` (an ack of more than was sent), `resumed` (a welcome whose count does not
 * match what was sent).
 */
export class ResumeProtocolError extends Error {
  override readonly name = 'ResumeProtocolError';
}

/** How a link's handshake ended: the session resumed, started fresh, or the server is plain. */
export type ResumeOutcome =
  | { kind: 'resumed'; token: string }
  | { kind: 'fresh'; reason: Extract<Welcome, { kind: 'fresh' }>['reason']; unconfirmed: string[]; token: string }
  | { kind: 'unsupported'; why: 'echo' | 'message' | 'timeout'; unconfirmed: string[] };

/**
 * What a resumable session's state is made of, as plain data: what a tab that shares the link
 * hands to the core of the tab that leads it next (`adopt`).
 */
export interface ResumeState {
  token: string | null;
  /** Data messages received from the server. */
  received: number;
  /** The server acknowledged our first `base` messages; `messages` are the next ones, numbered on. */
  base: number;
  messages: string[];
  plain: boolean;
}

export type ResumeEvent =
  | ResumeOutcome
  | { kind: 'drain' }
  /** The server acknowledged our messages up to `count` (a shared link's tabs keep the count). */
  | { kind: 'acked'; count: number }
  | { kind: 'dead' }
  | { kind: 'error'; error: ResumeProtocolError };

export interface ResumeCoreOptions {
  clock: Clock;
  /** Puts wire messages on the current link, as one batch (one WebSocket frame or one POST). */
  send(wire: string[]): void;
  onEvent(event: ResumeEvent): void;
  /** Bounds of the messages kept until the server acknowledges them. Default 1000 and 1 MiB. */
  maxMessages?: number;
  maxBytes?: number;
  /** Acks are sent `ackDelay` ms after the first unacknowledged message (default 200), or at once after `ackEvery` (32). */
  ackDelay?: number;
  ackEvery?: number;
  /** ms to wait for the welcome before deciding the server has no companion (default 3000). */
  helloTimeout?: number;
  /** ms of silence before an ack request (default 10000), and ms more before the link is dead (default 10000). */
  pingInterval?: number;
  pingTimeout?: number;
}

// The current link: none (or lost), waiting for the welcome, open.
const DOWN = 0;
const HELLO = 1;
const OPEN = 2;
type LinkState = typeof DOWN | typeof HELLO | typeof OPEN;

// Slots of `_timers`. The watch is the hello timeout until the welcome, then the liveness watch.
// An owed ack is due when ACK fires; half due once HALF, armed with it for half its delay, fired.
const ACK = 0;
const WATCH = 1;
const HALF = 2;
type Timer = typeof ACK | typeof WATCH | typeof HALF;

export class ResumeCore {
  private _o: Required<ResumeCoreOptions>;
  private _plain = false;
  private _link: LinkState = DOWN;
  private _hello = '';
  private _token: string | null = null;
  private _out: Outbox = emptyOutbox();
  /** The last number written on the current link, and on any link. */
  private _onWire = 0;
  private _everSent = 0;
  private _received = 0;
  private _ackedIn = 0;
  /** Data messages still to drop as duplicates after a `next` marker. */
  private _skip = 0;
  private _refused = false;
  /** Whether every data batch of this link carries its `next` marker, or only the first one. */
  private _markAll = true;
  private _marked = false;
  /** A word is owed on this link: a fresh welcome came, and nothing was written since (see `_welcome`). */
  private _owed = false;
  private _lastHeard = 0;
  private _pinged = false;
  private _timers: unknown[] = [];

  constructor(options: ResumeCoreOptions) {
    this._o = {
      maxMessages: 1000, maxBytes: 1 << 20, ackDelay: 200, ackEvery: 32, helloTimeout: 3000, pingInterval: 10000, pingTimeout: 10000,
      ...options,
    };
  }

  /** True once the server turned out to have no companion: the core passes messages through. */
  get plain(): boolean {
    return this._plain;
  }

  /**
   * `markAll`: every batch says where it starts (default), for links whose requests a browser may
   * send twice (HTTP); false for a WebSocket, where a frame cannot be repeated: once per link.
   */
  linkUp(markAll = true): void {
    this._markAll = markAll;
    this._lastHeard = this._o.clock.now();
    if (this._plain) return this._open();
    this._link = HELLO;
    // The hello says what was received: that is the ack.
    this._ackedIn = this._received;
    this._hello = encodeHello(this._token, this._received);
    this._o.send([this._hello]);
    this._arm(WATCH, this._o.helloTimeout, () => this._fallBack('timeout'));
  }

  /**
   * Keeps and numbers what fits (returns how many) and writes it at once as one batch; `later`:
   * writes nothing yet, `flush` then writes every message taken since the last batch as ONE
   * batch. Sends gathered over a task and flushed once cost one batch (one marker, one call down
   * the link) instead of one per message. In plain mode nothing is kept: the messages go through.
   */
  send(messages: readonly string[], later?: boolean): number {
    let taken = 0;
    if (this._plain) {
      if (this._link === OPEN) this._o.send(messages.slice()), (taken = messages.length);
    } else {
      // An empty buffer takes any message: one beyond maxBytes would otherwise wait at the head of
      // the caller's queue for good (no ack can make room), and every message behind it.
      while (taken < messages.length && add(this._out, messages[taken]!, this._out.messages.length ? this._o : undefined)) taken++;
      if (!later) this.flush();
    }
    if (taken < messages.length) this._refused = true;
    return taken;
  }

  /**
   * Takes over a session another core (another tab's) spoke, with the link down: its next
   * hello presents `token` and `received`, and a resume re-sends `messages` under their numbers.
   * All may have been sent: on a fresh start they count as unconfirmed.
   */
  adopt({ token, received, base, messages, plain }: ResumeState): void {
    this._token = token;
    this._received = this._ackedIn = received;
    this._plain = plain;
    const out = (this._out = emptyOutbox());
    out.base = base;
    for (const message of messages) add(out, message);
    this._everSent = lastNumber(out);
  }

  /**
   * Returns the application messages `raw` carried (none, one, or `raw` itself in plain mode).
   * `at`: when it arrived, if the caller knows (a link stamps each frame): no clock read per message.
   */
  receive(raw: string, at = this._o.clock.now()): string[] {
    this._lastHeard = at;
    this._pinged = false;
    if (this._plain) return [raw];
    if (this._link === HELLO) return this._welcome(raw);
    if (this._link === DOWN) return []; // a late message of a link reported lost
    const message = decodeMessage(raw);
    if (!message) return this._fail('malformed');
    if (message.kind === 'data') {
      if (this._skip) return this._skip--, [];
      // Owed in full: at the end of this task, so that a frame of many messages costs one ack.
      if (++this._received - this._ackedIn === this._o.ackEvery) void Promise.resolve().then(() => this._sendAck());
      else if (!this._timers[ACK]) this._arm(ACK, this._o.ackDelay, () => this._sendAck()), this._arm(HALF, this._o.ackDelay / 2);
      return [message.data];
    }
    if (message.kind === 'next') {
      // n0 names no message (numbers start at 1): it would drop a new one as a duplicate.
      if (message.count > this._received + 1 || !message.count) return this._fail('gap');
      this._skip = this._received + 1 - message.count;
      return [];
    }
    if (message.count > this._everSent || !this._acknowledge(message.count)) return this._fail('ack');
    if (message.kind === 'ping') this._sendAck(true);
    return [];
  }

  /**
   * Gives the session up, for the message `dropped` (on the wire) that the server refused as too
   * large: the next link starts a fresh one, and `fresh` hands the app the other messages sent and
   * not acknowledged as unconfirmed, none of them sent again. That one is gone, as without resume
   * (the close reason says so): handed back, an app that sends again what is unconfirmed (the
   * STOMP client does) would meet the same refusal on every link.
   */
  forget(dropped: string): void {
    const { messages } = this._out;
    const at = messages.indexOf(dropped.slice(1));
    this._token = null;
    // Once, should the app have sent it twice. The outbox's bytes stay as they were until the
    // fresh session rebuilds it: stricter, never looser.
    if (at >= 0) messages.splice(at, 1), this._everSent--;
  }

  linkLost(): void {
    this._link = DOWN;
    this._skip = 0;
    this._clear(ACK), this._clear(WATCH), this._clear(HALF);
  }

  private _welcome(raw: string): string[] {
    if (raw === this._hello) return this._fallBack('echo'), [];
    const welcome = decodeWelcome(raw);
    if (!welcome) return this._fallBack('message'), [raw];
    if (welcome === 'invalid') return this._fail('malformed');
    // The hello's timeout is replaced by the liveness watch when the link opens.
    const presented = this._token;
    this._token = welcome.token;
    if (welcome.kind === 'resumed') {
      // Fewer than it acknowledged before: the server lost messages it had confirmed; more than
      // were sent: it counted some twice; no token presented: it resumed someone else's. This
      // session cannot be trusted: the next link starts a fresh one (the token is forgotten), or
      // every reconnect would meet the same count.
      if (!presented || welcome.received < this._out.base || welcome.received > this._everSent || !this._acknowledge(welcome.received)) {
        this._token = null;
        return this._fail('resumed');
      }
      this._open(false);
      // Told before this link carries anything after the welcome: the tabs of a shared link learn
      // the new token (a leader that crashed in between would leave them one that resumes no more).
      this._o.onEvent({ kind: 'resumed', token: welcome.token });
    } else {
      const unconfirmed = this._forgetSent();
      this._received = this._ackedIn = 0;
      this._open(false);
      this._o.onEvent({ kind: 'fresh', reason: welcome.reason, unconfirmed, token: welcome.token });
    }
    // The server takes our previous token until we speak on this link (its welcome may have died
    // with the link), and ends a fresh session whose link drops before we spoke: we do at once,
    // unless the event's listeners dropped the link. A batch says we hold the new token; with
    // nothing to send, an ack of what the hello said. After a fresh welcome, at the end of this
    // task (`flush`): what the app sends as it opens (a subscription, a greeting) says it, no ack.
    if (this._link !== OPEN) return [];
    if (lastNumber(this._out) > this._onWire) this.flush();
    else if (welcome.kind === 'resumed') this._o.send([this._ack()]);
    else (this._owed = true), void Promise.resolve().then(() => this.flush());
    return [];
  }

  private _fallBack(why: 'echo' | 'message' | 'timeout'): void {
    this._plain = true;
    this._clear(WATCH);
    const unconfirmed = this._forgetSent();
    // After a timeout the welcome may still come (a slow store or verify hook), and the server
    // would read plain messages as tagged ones: this link carries none, the plugin drops it, and
    // what is held goes on the next link, which asks for no resume.
    if (why !== 'timeout') this._open();
    this._o.onEvent({ kind: 'unsupported', why, unconfirmed });
  }

  /** Takes the messages sent on an earlier link out of the buffer; the rest start again from 1. */
  private _forgetSent(): string[] {
    const { messages, base } = this._out;
    const unconfirmed = messages.slice(0, Math.max(0, this._everSent - base));
    this._out = emptyOutbox();
    for (const message of messages.slice(unconfirmed.length)) add(this._out, message);
    this._onWire = this._everSent = 0;
    return unconfirmed;
  }

  /** `write`: false when the caller writes what the link takes first itself. */
  private _open(write = true): void {
    this._link = OPEN;
    this._marked = false;
    this._onWire = this._out.base;
    if (this._plain) {
      // What the core held when the server turned out plain goes first, as plain messages.
      const held = this._out.messages;
      this._out = emptyOutbox();
      if (held.length) this._o.send(held);
    } else {
      this._watch();
      if (write) this.flush();
    }
    this._drained();
  }

  /** Writes every message taken and not yet on the open link as one batch, the owed ack in it. */
  flush(): void {
    const last = lastNumber(this._out);
    if (this._link !== OPEN) return;
    if (last === this._onWire) return void (this._owed && this._o.send([this._ack()]));
    this._owed = false;
    // The owed ack rides along once half due: two-way traffic then carries its acks in frames
    // that leave anyway, without one in every frame (bytes) nor one frame of its own. Told by the
    // timers, not by reading the clock in every batch.
    const wire = this._received > this._ackedIn && !this._timers[HALF] ? [this._ack()] : [];
    // On HTTP links every batch says where it starts, not only the link's first: a browser may
    // send a POST again on a new connection when the one it reused was reset (Chromium does), and
    // the server must be able to drop the copy by number.
    if (this._markAll || !this._marked) wire.push(encodeNext(this._onWire + 1)), (this._marked = true);
    const { messages, base } = this._out;
    for (let i = this._onWire - base; i < messages.length; i++) wire.push(encodeData(messages[i]!));
    this._onWire = last;
    // Never below what an earlier link carried: acks drop messages but do not lower the last number.
    this._everSent = last;
    this._o.send(wire);
  }

  private _acknowledge(count: number): boolean {
    const dropped = acknowledge(this._out, count);
    if (dropped) this._o.onEvent({ kind: 'acked', count }), this._drained();
    return dropped !== undefined;
  }

  private _drained(): void {
    if (this._refused) {
      this._refused = false;
      this._o.onEvent({ kind: 'drain' });
    }
  }

  private _sendAck(asked?: boolean): void {
    // Nothing to clear otherwise: the ack timer has fired, or an ack went since (that cleared it).
    if (this._link === OPEN && (asked || this._received > this._ackedIn)) this._o.send([this._ack()]);
  }

  /** The ack of everything received; nothing is owed after it. */
  private _ack(): string {
    this._clear(ACK);
    this._owed = false;
    return encodeAck((this._ackedIn = this._received));
  }

  /** Liveness by timestamp: a throttled timer that fires late still judges the real silence. */
  private _watch(): void {
    const { pingInterval, pingTimeout, clock } = this._o;
    const now = clock.now();
    let silent = now - this._lastHeard;
    if (this._pinged && silent >= pingInterval + pingTimeout) {
      this.linkLost();
      return this._o.onEvent({ kind: 'dead' });
    }
    if (silent >= pingInterval && !this._pinged) {
      this._pinged = true;
      // Judged from this ping: silence alone proves nothing (the server speaks when asked), and a
      // ping timer that fired late (an idle, throttled background tab) would drop a healthy link.
      // The silence is counted as if the ping went out at the interval, on time.
      silent = pingInterval;
      this._lastHeard = now - silent;
      this._o.send([encodePing((this._ackedIn = this._received))]);
    }
    this._arm(WATCH, (silent >= pingInterval ? pingInterval + pingTimeout : pingInterval) - silent, () => this._watch());
  }

  private _fail(why: 'malformed' | 'gap' | 'ack' | 'resumed'): string[] {
    this.linkLost();
    this._o.onEvent({ kind: 'error', error: new ResumeProtocolError(why) });
    return [];
  }

  private _arm(timer: Timer, ms: number, fn?: () => void): void {
    this._clear(timer);
    this._timers[timer] = this._o.clock.setTimeout(() => {
      this._timers[timer] = undefined;
      fn?.();
    }, ms);
  }

  private _clear(timer: Timer): void {
    // As Resock's own timers: clearing one that is not set (undefined) does nothing.
    this._o.clock.clearTimeout(this._timers[timer]);
    this._timers[timer] = undefined;
  }
}
