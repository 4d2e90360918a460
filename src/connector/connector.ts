import type { Env } from '../env/env';
import { CloseCode, closeInfo, isUserCloseCode, type CloseInfo } from '../protocol/codes';
import { Session } from '../session/session';
import { errorMessage } from '../util/errors';
import { connectTimeout, raceGrace } from '../protocol/timeout';
import { sessionUrl } from '../protocol/url';
import type { TransportDescriptor, TransportName, TransportOptions } from '../transports/types';
import { candidates } from './detector';
import { fetchInfo, type InfoResult } from './info';
import type { Memory } from '../transports/types';
import type { DebugLogger } from './options';

/**
 * How long an early WebSocket runs alone before `/info` is asked, ms. One that opens sooner
 * (nearly all) saves the request and its main-thread work. Less than the least race grace
 * (100 ms from the WebSocket's start), so a black-holed WebSocket is not given up any later.
 */
export const INFO_DELAY = 50;

export interface ConnectOptions {
  url: string;
  env: Env;
  descriptors: readonly TransportDescriptor[];
  /** The user's `transports` option; null allows all. */
  allowed: readonly TransportName[] | null;
  transportOptions: TransportOptions;
  /** The least time a transport gets to open (the `timeout` option), ms. */
  timeout: number;
  serverId: string;
  sessionId: () => string;
  memory: Memory;
  debug: DebugLogger;
}

export interface ConnectHandlers {
  open(session: Session, transport: TransportName): void;
  fail(info: CloseInfo): void;
}

/**
 * The connector's life. Each state allows only the moves in NEXT, so a late callback (an /info
 * answer after the end, a timer of an abandoned attempt) cannot move it back.
 *  - head-start: a WebSocket runs alone; /info is not asked yet
 *  - asking: /info asked; attempts may run alongside
 *  - trying: /info answered (or failed while an attempt still runs): candidates in order
 *  - done: opened, failed or aborted; nothing more happens
 */
type ConnectorState = 'head-start' | 'asking' | 'trying' | 'done';
const NEXT: Record<ConnectorState, readonly ConnectorState[]> = {
  'head-start': ['asking', 'done'],
  asking: ['trying', 'done'],
  trying: ['done'],
  done: [],
};

interface Attempt {
  descriptor: TransportDescriptor;
  session: Session;
  startedAt: number;
  timer: unknown;
}

/**
 * Opens one SockJS session: asks `/info` (a WebSocket, when it comes first, gets a head start
 * and mostly opens before `/info` is needed), then tries candidates in order. A candidate that
 * has not opened after an RTT-derived grace gets the next one started alongside; the first to
 * open wins, the others are closed and what failed is remembered for the URL. Exactly one of
 * `open` / `fail` is called, unless aborted.
 */
export class Connector {
  private _attempts: Attempt[] = [];
  private _queue: TransportDescriptor[] = [];
  private _tried: TransportName[] = [];
  private _failed: TransportName[] = [];
  private _blocked: TransportName[] = [];
  private _state: ConnectorState = 'head-start';
  /** The /info round trip, the RTT sample of every timeout; set when `trying`. */
  private _rtt = 0;
  private _info: { abort(): void } | null = null;
  /** How /info failed, when it failed while an attempt still ran: the reason if that one fails too. */
  private _infoFailure: CloseInfo | null = null;
  private _raceTimer: unknown = null;
  private _infoTimer: unknown = null;

  constructor(
    private readonly _o: ConnectOptions,
    private readonly _handlers: ConnectHandlers,
  ) {
    const { env, url, descriptors, allowed, memory } = _o;
    // Before /info answers we only know what the platform and the user allow, and what this page
    // learned; sessionStorage is read with /info (in a fresh page its first read costs ms).
    const first = candidates(descriptors, env, {}, allowed, memory.blocked(env, url, false))[0];
    if (first && first.name === 'websocket') {
      // From a microtask, not at once: a connector aborted in the same task (open/close loops)
      // then opens no handshake, and such loops do not trip Chromium's WebSocket throttling.
      void Promise.resolve().then(() => this._state === 'head-start' && this._startEarly(first));
    } else this._askInfo();
  }

  /** True until `/info` has answered, or the connector ended. */
  get infoPending(): boolean {
    return this._state === 'head-start' || this._state === 'asking';
  }

  private _setState(next: ConnectorState): boolean {
    if (NEXT[this._state].indexOf(next) === -1) return false;
    this._state = next;
    return true;
  }

  /** The WebSocket alone first: when it opens soon, `/info` is never asked. */
  private _startEarly(websocket: TransportDescriptor): void {
    this._start(websocket);
    if (this._attempts.length) this._infoTimer = this._o.env.setTimeout(() => this._askInfo(), INFO_DELAY);
    else this._askInfo();
  }

  /** Asks `/info` once, any time before it answered, and reads what earlier pages of the tab learned. */
  private _askInfo(): void {
    const { env, url, transportOptions, memory, descriptors } = this._o;
    env.clearTimeout(this._infoTimer);
    if (!this._setState('asking')) return;
    this._blocked = memory.blocked(env, url);
    // An early WebSocket an earlier page found blocked gives way at once, and comes last again.
    for (const attempt of this._attempts.slice()) {
      const { name } = attempt.descriptor;
      if (this._blocked.indexOf(name) === -1) continue;
      this._drop(attempt);
      this._tried = this._tried.filter((tried) => tried !== name);
      this._o.debug('transport:drop', { transport: name });
    }
    const askedAt = env.now();
    const info = (this._info = fetchInfo(env, url, transportOptions, descriptors.map((d) => d.request).find(Boolean)));
    void info.done.then((result) => this._onInfo(result, env.now() - askedAt));
  }

  /** Stops every attempt and request; no handler is called. */
  abort(): void {
    if (!this._setState('done')) return;
    this._o.env.clearTimeout(this._raceTimer);
    this._o.env.clearTimeout(this._infoTimer);
    for (const attempt of this._attempts.slice()) this._drop(attempt);
    if (this._info) this._info.abort();
    this._info = null;
  }

  private _onInfo(result: InfoResult, elapsed: number): void {
    if (this._state !== 'asking') return;
    this._info = null;
    if (!result.ok && !this._attempts.length) return this._fail(result.close);
    this._setState('trying');
    const { env, descriptors, allowed, debug } = this._o;
    if (!result.ok) {
      // A WebSocket still handshaking may work although /info did not (a 503 from a busy HTTP
      // path, a proxy that only passes upgrades): let it finish, timed by this round trip.
      this._infoFailure = result.close;
      this._rtt = elapsed;
      for (const attempt of this._attempts) this._armTimeout(attempt);
      return;
    }
    this._rtt = result.rtt;
    debug('info', { rtt: result.rtt, websocket: result.info.websocket !== false });
    const usable = candidates(descriptors, env, result.info, allowed, this._blocked);
    // The server may rule out what was started early (`websocket: false`): not a failure.
    for (const attempt of this._attempts.slice()) {
      if (usable.indexOf(attempt.descriptor) === -1) this._drop(attempt);
      else this._armTimeout(attempt);
    }
    this._queue = usable.filter((d) => this._tried.indexOf(d.name) === -1);
    this._advance();
  }

  /** Keeps one attempt running (two while racing), or gives up when nothing is left. */
  private _advance(): void {
    if (this._state !== 'trying') return;
    if (!this._attempts.length) {
      const next = this._queue.shift();
      if (!next) return this._fail(this._infoFailure || closeInfo(CloseCode.AllTransportsFailed, 'All transports failed'));
      this._start(next);
      if (this._state !== 'trying') return;
    }
    this._armRace();
  }

  private _armRace(): void {
    const { env } = this._o;
    env.clearTimeout(this._raceTimer);
    this._raceTimer = null;
    if (this._attempts.length !== 1 || !this._queue.length) return;
    const alone = env.now() - this._attempts[0]!.startedAt;
    this._raceTimer = env.setTimeout(() => {
      this._raceTimer = null;
      if (this._state !== 'trying' || this._attempts.length !== 1) return;
      const next = this._queue.shift();
      if (next) this._start(next);
    }, Math.max(0, raceGrace(this._rtt) - alone));
  }

  private _start(descriptor: TransportDescriptor): void {
    const { env, url, serverId, sessionId, transportOptions, debug } = this._o;
    this._tried.push(descriptor.name);
    debug('transport:start', { transport: descriptor.name });
    let session: Session;
    try {
      session = new Session(descriptor.create(sessionUrl(url, serverId, sessionId()), env, transportOptions), env);
    } catch (error) {
      // e.g. a WebSocket constructor refusing the URL, or Firefox refusing a WebSocket that the
      // page's CSP blocks (it throws where Chromium fails asynchronously): this candidate failed,
      // reported as any other failure, and the next is tried.
      this._failed.push(descriptor.name);
      debug('transport:fail', { transport: descriptor.name, code: CloseCode.CannotConnect, reason: errorMessage(error) });
      return this._advance();
    }
    const attempt: Attempt = { descriptor, session, startedAt: env.now(), timer: null };
    this._attempts.push(attempt);
    session.on('open', () => this._onOpen(attempt));
    session.on('close', (info) => this._onClose(attempt, info));
    if (this._state === 'trying') this._armTimeout(attempt);
  }

  private _armTimeout(attempt: Attempt): void {
    const { env, timeout } = this._o;
    const limit = connectTimeout(this._rtt, attempt.descriptor.roundTrips, timeout);
    env.clearTimeout(attempt.timer);
    attempt.timer = env.setTimeout(() => {
      attempt.session.close();
      this._onClose(attempt, closeInfo(CloseCode.TransportTimeout, 'Transport timed out'));
    }, Math.max(0, limit - (env.now() - attempt.startedAt)));
  }

  private _onOpen(winner: Attempt): void {
    if (this._state === 'done') return;
    const { env, url, memory } = this._o;
    // Blocked: what failed, what started earlier and is still trying, and what was blocked
    // before and not tried this time. The winner is cleared.
    const slower = this._attempts.filter((a) => a !== winner && a.startedAt <= winner.startedAt).map((a) => a.descriptor.name);
    const untried = this._blocked.filter((name) => this._tried.indexOf(name) === -1);
    const blocked = untried.concat(this._failed, slower).filter((name) => name !== winner.descriptor.name);
    memory.remember(env, url, blocked);
    this._o.debug('transport:open', { transport: winner.descriptor.name, blocked });
    this._remove(winner);
    this.abort();
    this._handlers.open(winner.session, winner.descriptor.name);
  }

  private _onClose(attempt: Attempt, info: CloseInfo): void {
    if (this._state === 'done' || !this._remove(attempt)) return;
    this._failed.push(attempt.descriptor.name);
    this._o.debug('transport:fail', { transport: attempt.descriptor.name, code: info.code, reason: info.reason });
    // The server said no in words of its own (or a clean 1000): other transports will hear the same.
    if (isUserCloseCode(info.code)) return this._fail(info);
    this._askInfo();
    this._advance();
  }

  private _fail(info: CloseInfo): void {
    this.abort();
    this._handlers.fail(info);
  }

  private _drop(attempt: Attempt): void {
    this._remove(attempt);
    attempt.session.close();
  }

  private _remove(attempt: Attempt): boolean {
    const index = this._attempts.indexOf(attempt);
    if (index === -1) return false;
    this._attempts.splice(index, 1);
    this._o.env.clearTimeout(attempt.timer);
    return true;
  }
}
