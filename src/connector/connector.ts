import type { Env } from '../env/env';
import { CloseCode, closeInfo, isUserCloseCode, type CloseInfo } from '../protocol/codes';
import { Session } from '../session/session';
import { errorMessage } from '../util/errors';
import { connectTimeout, raceGrace } from '../protocol/timeout';
import { sessionUrl } from '../protocol/url';
import type { TransportDescriptor, TransportName, TransportOptions } from '../transports/types';
import { candidates } from './detector';
import { fetchInfo, INFO_TIMEOUT, type InfoResult } from './info';
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
  /**
   * Failed attempts in a row before this one (Resock's retries). Each doubles the RTO-derived
   * connect timeouts, as TCP backs off its RTO after a timeout (RFC 6298, 5.5): a device or
   * network too slow for the first estimate (a loaded phone opening JSONP) connects on a later
   * attempt instead of timing out at the same point every time. Only up to 4×: an attempt that
   * hangs on a dead path should still give way soon to a fresh one once the network is back.
   */
  retry?: number;
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

/** One candidate being tried. Its fields start with `_` so that the minifier shortens them. */
interface Attempt {
  _descriptor: TransportDescriptor;
  _session: Session;
  _startedAt: number;
  _timer: unknown;
}

/** A running connector: `abort()` stops it without a handler call. */
export interface Connector {
  /** True until `/info` has answered, or the connector ended. */
  readonly infoPending: boolean;
  /** Stops every attempt and request; no handler is called. */
  abort(): void;
}

/**
 * Opens one SockJS session: asks `/info` (a WebSocket, when it comes first, gets a head start
 * and mostly opens before `/info` is needed), then tries candidates in order. A candidate that
 * has not opened after an RTT-derived grace gets the next one started alongside; the first to
 * open wins, the others are closed and what failed is remembered for the URL. Exactly one of
 * `open` / `fail` is called, unless aborted. A closure rather than a class: its state is local
 * variables, which minify to one letter.
 */
export function connector(o: ConnectOptions, handlers: ConnectHandlers): Connector {
  const { env, url, descriptors, allowed, memory, transportOptions, debug } = o;
  let attempts: Attempt[] = [];
  let queue: TransportDescriptor[] = [];
  let tried: TransportName[] = [];
  const failed: TransportName[] = [];
  let blocked: TransportName[] = [];
  let state: ConnectorState = 'head-start';
  /** The /info round trip, the RTT sample of every timeout; set when `trying`. */
  let rtt = 0;
  let info: { abort(): void } | null = null;
  /** How /info failed, when it failed while an attempt still ran: the reason if that one fails too. */
  let infoFailure: CloseInfo | null = null;
  let raceTimer: unknown = null;
  let infoTimer: unknown = null;

  const setState = (next: ConnectorState): boolean => {
    if (NEXT[state].indexOf(next) === -1) return false;
    state = next;
    return true;
  };

  /** Asks `/info` once, any time before it answered, and reads what earlier pages of the tab learned. */
  const askInfo = (): void => {
    env.clearTimeout(infoTimer);
    if (!setState('asking')) return;
    blocked = memory.blocked(env, url);
    // An early WebSocket an earlier page found blocked gives way at once, and comes last again.
    for (const attempt of attempts.slice()) {
      const { name } = attempt._descriptor;
      if (blocked.indexOf(name) === -1) continue;
      drop(attempt);
      tried = tried.filter((t) => t !== name);
      debug('transport:drop', { transport: name });
    }
    const askedAt = env.now();
    const request = (info = fetchInfo(env, url, transportOptions, descriptors.map((d) => d.request).find(Boolean)));
    void request.done.then((result) => onInfo(result, env.now() - askedAt));
  };

  const abort = (): void => {
    if (!setState('done')) return;
    env.clearTimeout(raceTimer);
    env.clearTimeout(infoTimer);
    for (const attempt of attempts.slice()) drop(attempt);
    if (info) info.abort();
    info = null;
  };

  const onInfo = (result: InfoResult, elapsed: number): void => {
    if (state !== 'asking') return;
    info = null;
    // Timed out, /info measured no round trip: an attempt timed by 8 s as the RTT would hang on a
    // black hole for 64 s (4 × RTO × 2 round trips), 256 s on a retry. It had as long as /info.
    if (!result.ok && (!attempts.length || elapsed >= INFO_TIMEOUT)) return fail(result.close);
    setState('trying');
    if (!result.ok) {
      // A WebSocket still handshaking may work although /info did not (a 503 from a busy HTTP
      // path, a proxy that only passes upgrades): let it finish, timed by this round trip.
      infoFailure = result.close;
      rtt = elapsed;
      for (const attempt of attempts) armTimeout(attempt);
      return;
    }
    rtt = result.rtt;
    debug('info', { rtt, websocket: result.info.websocket !== false });
    const usable = candidates(descriptors, env, result.info, allowed, blocked);
    // The server may rule out what was started early (`websocket: false`): not a failure.
    for (const attempt of attempts.slice()) {
      if (usable.indexOf(attempt._descriptor) === -1) drop(attempt);
      else armTimeout(attempt);
    }
    queue = usable.filter((d) => tried.indexOf(d.name) === -1);
    advance();
  };

  /** Keeps one attempt running (two while racing), or gives up when nothing is left. */
  const advance = (): void => {
    if (state !== 'trying') return;
    if (!attempts.length) {
      const next = queue.shift();
      if (!next) return fail(infoFailure || closeInfo(CloseCode.AllTransportsFailed, 'All transports failed'));
      start(next);
      if (state !== 'trying') return;
    }
    armRace();
  };

  const armRace = (): void => {
    env.clearTimeout(raceTimer);
    raceTimer = null;
    if (attempts.length !== 1 || !queue.length) return;
    const alone = env.now() - attempts[0]!._startedAt;
    raceTimer = env.setTimeout(() => {
      raceTimer = null;
      if (state !== 'trying' || attempts.length !== 1) return;
      const next = queue.shift();
      if (next) start(next);
    }, Math.max(0, raceGrace(rtt) - alone));
  };

  const start = (descriptor: TransportDescriptor): void => {
    const { name } = descriptor;
    tried.push(name);
    debug('transport:start', { transport: name });
    let session: Session;
    try {
      session = new Session(descriptor.create(sessionUrl(url, o.serverId, o.sessionId()), env, transportOptions), env);
    } catch (error) {
      // e.g. a WebSocket constructor refusing the URL, or Firefox refusing a WebSocket that the
      // page's CSP blocks (it throws where Chromium fails asynchronously): this candidate failed,
      // reported as any other failure, and the next is tried.
      failed.push(name);
      debug('transport:fail', { transport: name, code: CloseCode.CannotConnect, reason: errorMessage(error) });
      return advance();
    }
    const attempt: Attempt = { _descriptor: descriptor, _session: session, _startedAt: env.now(), _timer: null };
    attempts.push(attempt);
    session.on('open', () => onOpen(attempt));
    session.on('close', (closed) => onClose(attempt, closed));
    if (state === 'trying') armTimeout(attempt);
  };

  const armTimeout = (attempt: Attempt): void => {
    const limit = connectTimeout(rtt, attempt._descriptor.roundTrips * 2 ** Math.min(o.retry || 0, 2), o.timeout);
    env.clearTimeout(attempt._timer);
    attempt._timer = env.setTimeout(() => {
      attempt._session.close();
      onClose(attempt, closeInfo(CloseCode.TransportTimeout, 'Transport timed out'));
    }, Math.max(0, limit - (env.now() - attempt._startedAt)));
  };

  const onOpen = (winner: Attempt): void => {
    if (state === 'done') return;
    const { name } = winner._descriptor;
    // Blocked: what failed, what started earlier and is still trying, and what was blocked
    // before and not tried this time. The winner is cleared.
    const slower = attempts.filter((a) => a !== winner && a._startedAt <= winner._startedAt).map((a) => a._descriptor.name);
    const untried = blocked.filter((b) => tried.indexOf(b) === -1);
    const nowBlocked = untried.concat(failed, slower).filter((b) => b !== name);
    memory.remember(env, url, nowBlocked);
    debug('transport:open', { transport: name, blocked: nowBlocked });
    remove(winner);
    abort();
    handlers.open(winner._session, name);
  };

  const onClose = (attempt: Attempt, closed: CloseInfo): void => {
    if (state === 'done' || !remove(attempt)) return;
    const { name } = attempt._descriptor;
    failed.push(name);
    debug('transport:fail', { transport: name, code: closed.code, reason: closed.reason });
    // The server said no (its `c` frame, the only clean close, any code: sockjs-client's _close)
    // or a transport closed with 1000 or an app code: other transports would hear the same.
    if (closed.wasClean || isUserCloseCode(closed.code)) return fail(closed);
    askInfo();
    advance();
  };

  const fail = (closed: CloseInfo): void => {
    abort();
    handlers.fail(closed);
  };

  const drop = (attempt: Attempt): void => {
    remove(attempt);
    attempt._session.close();
  };

  const remove = (attempt: Attempt): boolean => {
    const index = attempts.indexOf(attempt);
    if (index === -1) return false;
    attempts.splice(index, 1);
    env.clearTimeout(attempt._timer);
    return true;
  };

  // Before /info answers we only know what the platform and the user allow, and what this page
  // learned; sessionStorage is read with /info (in a fresh page its first read costs ms).
  const first = candidates(descriptors, env, {}, allowed, memory.blocked(env, url, false))[0];
  if (first && first.name === 'websocket') {
    // From a microtask, not at once: a connector aborted in the same task (open/close loops)
    // then opens no handshake, and such loops do not trip Chromium's WebSocket throttling.
    // The WebSocket alone first: when it opens soon, `/info` is never asked.
    void Promise.resolve().then(() => {
      if (state !== 'head-start') return;
      start(first);
      if (attempts.length) infoTimer = env.setTimeout(askInfo, INFO_DELAY);
      else askInfo();
    });
  } else askInfo();

  return {
    get infoPending() {
      return state === 'head-start' || state === 'asking';
    },
    abort,
  };
}
