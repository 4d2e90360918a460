import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Clock } from '../env/env';
import { emptyOutbox, lastNumber, type OutboxBounds } from '../resume/outbox';
import { decodeHello, RESUME_QUERY, type FreshReason } from '../resume/wire';
import { ensure, readOptions, type Rule } from '../util/options';
import { utf8Length } from '../util/utf8';
import { callApp } from './app-call';
import { ResumableConnection, retireToken, type SessionSettings } from './connection';
import { MemoryStore, orderedWrites, unawaited, type ResumeStore, type SessionRecord } from './store';
import { ResumeCloseCode, type SockjsConnectionLike, type SockjsServerLike } from './types';

/** The companion's options. An unknown name or a wrong value is a TypeError naming the option. */
export interface ResumeServerOptions {
  /** ms a session waits for its client after its link dropped; then its state is freed. Default 120000. */
  ttl?: number;
  /**
   * Bounds of what a session keeps for its client until acknowledged. Beyond them the session ends (code 3101). Default 1000 messages, 1 MiB.
   * They also bound what a link may send after its hello while the store or `verify` answers: beyond them that link is closed (3106).
   */
  maxMessages?: number;
  maxBytes?: number;
  /** Acks to the client: `ackDelay` ms after the first unacknowledged message (default 200), or at once after `ackEvery` (32). */
  ackDelay?: number;
  ackEvery?: number;
  /** ms a link that asked to resume may take to send its hello before it is handed over as plain. Default 10000. */
  helloTimeout?: number;
  /**
   * ms the store and the `verify` hook may take to answer a hello, from the hello to its welcome.
   * Beyond it that link is closed with 3107 (`WelcomeTimeout`) and `error` is emitted: nothing is
   * decided (no session starts, the one the hello named stays for a correct resume), and their
   * answer, when it comes, is ignored. Default 2500.
   *
   * Keep it below the clients' own wait for the welcome (a resock client's `helloTimeout`: 3 s):
   * a client closed with 3107 reconnects and resumes, while one whose wait runs out first takes
   * the server for one without the companion and stays plain for its life. A slower store would
   * then turn every client it keeps waiting into a plain one.
   * @example attachResume(sock, { welcomeTimeout: 2000 })
   */
  welcomeTimeout?: number;
  /** Default: a `MemoryStore`. */
  store?: ResumeStore;
  /**
   * Called before a resume is honoured, with the new link and the session: return false (or a
   * promise of it) to start a fresh session instead. Bind the session to your app's auth here.
   * If it throws or rejects, that link is closed with 3108 (`VerifyFailed`) and `error` gets what
   * it threw: nothing is decided, the session stays for a correct resume.
   */
  verify?: (link: SockjsConnectionLike, session: { id: string }) => boolean | Promise<boolean>;
  clock?: Clock;
}

/** The longest delay a Node timer takes: beyond it, it fires after 1 ms (and warns). */
const MAX_TIMER = 2 ** 31 - 1;
const ms = (fallback: number): Rule<number> => ['m', fallback];
const count = (fallback: number): Rule<number> => ['n', fallback];
const optionRules = {
  ttl: ms(120000),
  maxMessages: count(1000),
  maxBytes: count(1 << 20),
  ackDelay: ms(200),
  ackEvery: count(32),
  helloTimeout: ms(10000),
  welcomeTimeout: ms(2500),
  store: ['o', undefined] as Rule<ResumeStore | undefined>,
  verify: ['f', undefined] as Rule<ResumeServerOptions['verify']>,
  clock: ['o', undefined] as Rule<Clock | undefined>,
};

const hasMethods = (value: object, names: readonly string[]): boolean =>
  names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');

/**
 * Reads the companion's options, validated rather than copied: an unknown name (a typo such as
 * `welcomeTimout`, which would silently leave the default) or a value of the wrong kind is a
 * TypeError naming the option, at construction rather than at the first hello.
 */
function readServerOptions(options: unknown) {
  const read = readOptions(options, optionRules);
  for (const name of ['ttl', 'ackDelay', 'helloTimeout', 'welcomeTimeout'] as const) {
    ensure(read[name] >= 1 && read[name] <= MAX_TIMER, name, `a number of ms from 1 to ${MAX_TIMER} (what a Node timer takes)`);
  }
  // Whole numbers (or Infinity: no bound): a session counts to ackEvery exactly, so 2.5 would never ack by count.
  for (const name of ['maxMessages', 'maxBytes', 'ackEvery'] as const) {
    ensure(read[name] > 0 && (Number.isInteger(read[name]) || read[name] === Infinity), name, 'a whole number > 0');
  }
  if (read.store) ensure(hasMethods(read.store, ['get', 'set', 'delete']), 'store', 'an object with get, set and delete methods');
  if (read.clock) ensure(hasMethods(read.clock, ['now', 'setTimeout', 'clearTimeout']), 'clock', 'an object with now, setTimeout and clearTimeout methods');
  return read;
}

/** A Node timer that does not keep the process alive by itself. */
const nodeClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const timer: unknown = setTimeout(fn, ms);
    (timer as { unref?: () => void }).unref?.();
    return timer;
  },
  clearTimeout: (timer) => clearTimeout(timer as number),
};

const random = (bytes: number): string => randomBytes(bytes).toString('base64url');

/** A link that `close()` found in its handshake: it gets no session, nor is it handed on. */
const shutOut = (link: SockjsConnectionLike): void => void link.close(ResumeCloseCode.ShuttingDown, 'Server shutting down');

/**
 * What a link sends after its hello until its session takes the link (the store or the verify
 * hook still answering), read then, in order. A resock client sends nothing there (it waits for
 * the welcome), so only a broken or hostile client fills it: it may hold what a session's window
 * would, no more.
 */
class HeldMessages {
  readonly messages: unknown[] = [];
  private _bytes = 0;

  constructor(private readonly _bounds: OutboxBounds) {}

  /** False, and `raw` not held, when it does not fit. */
  add(raw: unknown): boolean {
    // A value that is not a string ends the session when read (a protocol error) whatever it is:
    // held as null, it costs nothing.
    const message = typeof raw === 'string' ? raw : null;
    const bytes = this._bytes + (message === null ? 0 : utf8Length(message));
    if (this.messages.length >= this._bounds.maxMessages || bytes > this._bounds.maxBytes) return false;
    this._bytes = bytes;
    this.messages.push(message);
    return true;
  }

  drop(): void {
    this.messages.length = 0;
  }
}

/** What the verify hook threw, told apart on its way out of a hello's decision from what the store threw. */
class HookFailure {
  constructor(readonly error: unknown) {}
}

/** Asks the app's verify hook. */
async function askHook(verify: NonNullable<ResumeServerOptions['verify']>, link: SockjsConnectionLike, id: string): Promise<boolean> {
  try {
    return await verify(link, { id });
  } catch (error) {
    throw new HookFailure(error);
  }
}

/** One link's handshake, as its hello's decision sees it. */
interface Handshake {
  /** The link closed (by its client, or here): the decision, when it ends, does nothing with it. */
  closed(): boolean;
  /** The session takes the link: from here its own listeners read it. Returns what came after the hello. */
  take(): readonly unknown[];
  /** Closes the link undecided: no session starts, the one the hello named stays for a correct resume. */
  abandon(code: number, reason: string): void;
  /** The decision claimed a token (see `_claim`): `release` lets it go when the link closes, as the decision may never end (a hung store). */
  claimed(release: () => void): void;
}

/**
 * The resume companion for a sockjs-node server. Listen to its `connection` event instead of the
 * sockjs server's: a client that asked to resume (RESUME_QUERY in its URL, then a hello) gets a
 * `ResumableConnection`, once per session however often it reconnects; any other client gets its
 * sockjs-node connection, untouched. `error`: the store failed (that link was closed with 3104,
 * the client tries again), the verify hook threw (3108: the same, with what it threw), or either
 * did not answer within `welcomeTimeout` (3107); or the store failed after a resume's welcome went
 * out (telling it the new token, forgetting the old one), which closes nothing: the session is
 * live on that link, and the store is told again later; or the store failed to take a session's
 * record when its link dropped (the session waits for its client all the same). Not emitted when
 * nobody listens. What the app's own `connection` and `data` listeners throw is not reported there: it propagates as from any
 * EventEmitter (see `callApp`), and the session goes on.
 */
export class ResumeServer extends EventEmitter {
  private readonly _settings: SessionSettings;
  private readonly _helloTimeout: number;
  private readonly _welcomeTimeout: number;
  private readonly _verify: ResumeServerOptions['verify'];
  /** Tokens carry it: a token of another instance means this server restarted (or is another node). */
  private readonly _instance = random(6);
  private readonly _live = new Map<string, ResumableConnection>();
  /** Tokens with a resume under way, each with what closes the link whose hello decides it (see `_claim`). */
  private readonly _resuming = new Map<string, () => void>();
  /** Links accepted and neither handed on nor taken by a session yet, each with what closes it undecided. */
  private readonly _handshakes = new Set<(code: number, reason: string) => void>();
  private readonly _onConnection = (link: SockjsConnectionLike): void => this._accept(link);
  /** `close()` was called: a hello still being answered (or sent later on a link it had) starts no session. */
  private _closed = false;

  constructor(private readonly _sockjs: SockjsServerLike, options: ResumeServerOptions = {}) {
    super();
    const { ttl, maxMessages, maxBytes, ackDelay, ackEvery, helloTimeout, welcomeTimeout, store, verify, clock } = readServerOptions(options);
    this._helloTimeout = helloTimeout;
    this._welcomeTimeout = welcomeTimeout;
    this._verify = verify;
    this._settings = {
      clock: clock || nodeClock, store: orderedWrites(store || new MemoryStore()), ttl, maxMessages, maxBytes, ackDelay, ackEvery,
      forget: (connection) => this._live.delete(connection.id),
      tokens: new Map(),
      // Reported from a store's answer: what the app's 'error' listener throws is the app's.
      report: (error) => callApp(() => this._report(error)),
    };
    _sockjs.on('connection', this._onConnection);
  }

  /** Sessions alive on this node (with a link or waiting for one); not the tombstones of ended ones, which only the store keeps. */
  get sessions(): number {
    return this._live.size;
  }

  /** Stops taking connections from the sockjs server and ends every session; a link still in its handshake (its hello not sent yet, or being decided) is closed at once with 3105, neither a session nor handed on plain, and nothing is reported afterwards. */
  close(): void {
    this._closed = true;
    this._sockjs.removeListener('connection', this._onConnection);
    // One app 'close' listener that throws must not leave the other sessions and handshakes open.
    for (const connection of [...this._live.values()]) callApp(() => connection.close(ResumeCloseCode.ShuttingDown, 'Server shutting down'));
    // At once, not when their store answers (maybe never) or their timer fires: a link left
    // waiting would get 3107 (and 'error' from a closed companion), or be handed on plain.
    for (const abandon of [...this._handshakes]) abandon(ResumeCloseCode.ShuttingDown, 'Server shutting down');
  }

  private _accept(link: SockjsConnectionLike): void {
    const query = (link.url || '').split('?')[1] || '';
    if (!query.split('&').includes(RESUME_QUERY)) return void this.emit('connection', link);
    const { clock } = this._settings;
    const held = new HeldMessages(this._settings);
    let hello: ReturnType<typeof decodeHello>;
    let closed = false;
    let taken = false;
    let expired = false;
    const onData = (raw: string): void => {
      if (hello !== undefined) {
        if (!held.add(raw)) abandon(ResumeCloseCode.HandshakeOverflow, 'Too much sent before the welcome');
        return;
      }
      clock.clearTimeout(timer);
      // sockjs-node hands on any JSON value of the client's array: only a string can be a hello.
      hello = typeof raw === 'string' ? decodeHello(raw) : undefined;
      if (hello === undefined) return plain(raw);
      timer = clock.setTimeout(expire, this._welcomeTimeout);
      this._hello(link, hello, handshake).then(stop, (error: unknown) => {
        stop();
        // Given up on already, and reported, or the companion is closed: a late failure is nobody's any more.
        if (expired || this._closed) return;
        // The client is told and tries again. What the app's 'error' listener throws is the app's
        // (see `callApp`): here it would be an unhandled rejection.
        if (error instanceof HookFailure) {
          link.close(ResumeCloseCode.VerifyFailed, 'Resume verify hook failed');
          callApp(() => this._report(error.error));
        } else {
          link.close(ResumeCloseCode.StoreFailed, 'Resume store failed');
          callApp(() => this._report(error));
        }
      });
    };
    // The store or the hook did not answer in time. Their answer, when it comes, finds the link
    // closed: it writes nothing back (a fresh session's record is taken back) and welcomes no one.
    const expire = (): void => {
      expired = true;
      abandon(ResumeCloseCode.WelcomeTimeout, 'Resume not decided in time');
      callApp(() => this._report(new Error(`resock/server: the store or the verify hook did not answer a hello within ${this._welcomeTimeout} ms (welcomeTimeout)`)));
    };
    let release = (): void => undefined;
    const onClose = (): void => {
      closed = true;
      stop();
      // The claim too: a store that never answers would keep it (a client-chosen key) for ever.
      release();
    };
    // Nothing is decided: no session starts, the one the hello named (if any) stays for a correct
    // resume, and what was held goes unacknowledged (a real client would send it again).
    const abandon = (code: number, reason: string): void => {
      if (closed || taken) return;
      onClose();
      held.drop();
      link.close(code, reason);
    };
    const stop = (): void => {
      this._handshakes.delete(abandon);
      clock.clearTimeout(timer);
      link.removeListener('data', onData);
      link.removeListener('close', onClose);
    };
    // The session has the link: from here its own listeners read it (these would keep a copy of
    // every message until the store answered), after what came with the hello.
    const take = (): readonly unknown[] => ((taken = true), stop(), held.messages);
    const handshake: Handshake = { closed: () => closed, take, abandon, claimed: (claim) => void (release = claim) };
    // No hello, or another first message: a client that does not resume after all.
    const plain = (first?: string): void => {
      stop();
      if (this._closed) return shutOut(link);
      this.emit('connection', link);
      if (first !== undefined) link.emit('data', first);
    };
    // Until the hello, its timeout (then the link is plain); from the hello, the decision's (see `expire`).
    let timer = clock.setTimeout(() => plain(), this._helloTimeout);
    this._handshakes.add(abandon);
    link.on('data', onData);
    link.on('close', onClose);
  }

  private async _hello(link: SockjsConnectionLike, hello: NonNullable<ReturnType<typeof decodeHello>>, handshake: Handshake): Promise<void> {
    if (hello === 'invalid') return this._fresh(link, 'invalid', handshake);
    const { token, received } = hello;
    if (!token) return this._fresh(link, 'new', handshake);
    const release = this._claim(token, handshake);
    try {
      // Awaited here, the fresh session's store write included: released earlier, a newer hello
      // with this token would not take over, and the older link would get a welcome of its own.
      await this._decideResume(link, token, received, handshake, release);
    } finally {
      release();
    }
  }

  /** Decides a hello that presented `token`, claimed by `handshake` until `release` (see `_claim`). */
  private async _decideResume(link: SockjsConnectionLike, token: string, received: number, handshake: Handshake, release: () => void): Promise<void> {
    const { store } = this._settings;
    const stored = await store.get(token);
    // Replaced by a newer hello, or dropped: that hello decides; this one writes nothing back.
    if (handshake.closed()) return;
    // A miss may be the store's own failure to take a token after its welcome (reported then),
    // while the session lives here: the client would be told unknown, and lose it.
    const session = stored ? this._live.get(stored.id) : this._settings.tokens.get(token);
    // Not deleted here: a client whose answer is lost with its link asks again with the same
    // token, and learns why again. The tombstone goes at the TTL (see `leaveTombstone`).
    if (stored?.overflowed) return this._fresh(link, 'window', handshake);
    if (!session || !session.resumesWith(token)) {
      return this._fresh(link, token.split('.')[0] === this._instance ? 'unknown' : 'restarted', handshake);
    }
    // The session's own record from here: a shared store (Redis…) hands back a copy, whose new
    // token the session would not know (the next resume failing, the old token resuming again)
    // and whose counts are those of the last detach.
    const record = session.record;
    // A count the session cannot honour (messages it no longer has, or never sent): the hello
    // is broken, but its token is the real one; the session stays for a correct resume.
    if (received < record.out.base || received > lastNumber(record.out)) return this._fresh(link, 'invalid', handshake);
    if (this._verify && !(await askHook(this._verify, link, record.id))) return this._fresh(link, 'refused', handshake);
    if (handshake.closed()) return;
    // It may have ended while the hook decided (closed by the app, window exceeded, TTL): resumed,
    // the client would speak to a session nobody reads, its messages acknowledged and lost.
    if (session.readyState !== 1) return this._fresh(link, record.overflowed ? 'window' : 'unknown', handshake);
    // Or the token stopped resuming it meanwhile: the client spoke on the link of its latest resume
    // (the previous token retired), or a hello with its other token resumed it (see `rotate`).
    if (!session.resumesWith(token)) return this._fresh(link, 'unknown', handshake);
    // Rotated and attached at once, before the store is told: from here the new token resumes,
    // and the presented one until the client speaks on this link (see `rotate`).
    release();
    const retired = session.rotate(token, this._token());
    const pending = handshake.take();
    session.attach(link, received, { kind: 'resumed', token: record.token, received: record.received });
    session.replay(link, pending);
    this._storeRotation(session, retired);
  }

  /**
   * Tells the store of a resume whose welcome went out: the new token in, `old` (if any) out. From the
   * welcome on the session is live on its link, which a store failure here must not close: it is
   * reported (`error`), and the store told again later: the new token when the link drops (the
   * session stores itself then), the old one's delete a TTL later (`retireToken`).
   */
  private _storeRotation(session: ResumableConnection, old: string | null): void {
    const record = session.record;
    // It may have ended already (a broken message among those that came with the hello) and
    // deleted its record: stored again, that would stay for ever, as no session would delete it.
    if (session.readyState === 1) unawaited(() => this._settings.store.set(record.token, record), this._settings.report);
    if (old !== null) retireToken(this._settings, old);
  }

  /**
   * Makes `handshake` the one that decides `token`. A hello whose token is still being decided for
   * another link is its client's, reconnected before that link got its welcome (it dropped, or the
   * client gave up on it before sockjs-node saw it go): no welcome was written, so the token was
   * not rotated and is still the latest one (and whoever else holds it could resume anyway). The
   * newer link takes the decision over; the older is closed (3102) and its decision, when it ends,
   * does nothing. Returns the release, to call once the token is rotated or the decision is over:
   * after that a hello with this token decides anew (once rotated, it resumes only until the
   * client speaks on the link that got the welcome: see `ResumableConnection.rotate`).
   */
  private _claim(token: string, handshake: Handshake): () => void {
    this._resuming.get(token)?.();
    const replace = (): void => handshake.abandon(ResumeCloseCode.Replaced, 'Replaced by a newer link');
    this._resuming.set(token, replace);
    const release = (): void => {
      if (this._resuming.get(token) === replace) this._resuming.delete(token);
    };
    handshake.claimed(release);
    return release;
  }

  private async _fresh(link: SockjsConnectionLike, reason: FreshReason, handshake: Handshake): Promise<void> {
    const { closed, take } = handshake;
    if (closed()) return;
    if (this._closed) return shutOut(link);
    const record: SessionRecord = { id: random(12), token: this._token(), previous: null, received: 0, out: emptyOutbox(), overflowed: false };
    await this._settings.store.set(record.token, record);
    if (closed() || this._closed) {
      unawaited(() => this._settings.store.delete(record.token));
      if (!closed()) shutOut(link);
      return;
    }
    const session = new ResumableConnection(record, this._settings);
    this._live.set(record.id, session);
    const pending = take();
    session.attach(link, 0, { kind: 'fresh', token: record.token, reason });
    // The app gets the session before anything that happens to it: the rest of the hello's frame
    // may be data (emitted to no listener: lost) or a broken message ('close' to no listener).
    callApp(() => this.emit('connection', session));
    session.replay(link, pending);
  }

  /** With no listener, an 'error' event would throw where it is emitted (in a promise: an unhandled rejection, which ends the server's process). */
  private _report(error: unknown): void {
    if (this.listenerCount('error')) this.emit('error', error);
  }

  private _token(): string {
    return `${this._instance}.${random(16)}`;
  }
}

/** Wraps the app's sockjs-node server: see `ResumeServer`. */
export const attachResume = (sockjsServer: SockjsServerLike, options?: ResumeServerOptions): ResumeServer =>
  new ResumeServer(sockjsServer, options);
