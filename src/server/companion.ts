import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Clock } from '../env/env';
import { emptyOutbox, lastNumber } from '../resume/outbox';
import { decodeHello, RESUME_QUERY, type FreshReason } from '../resume/wire';
import { ResumableConnection, type SessionSettings } from './connection';
import { MemoryStore, unawaited, type ResumeStore, type SessionRecord } from './store';
import { ResumeCloseCode, type SockjsConnectionLike, type SockjsServerLike } from './types';
import { ensure, readOptions, type Rule } from '../util/options';

export interface ResumeServerOptions {
  /** ms a session waits for its client after its link dropped; then its state is freed. Default 120000. */
  ttl?: number;
  /** Bounds of what a session keeps for its client until acknowledged. Beyond them the session ends (code 3101). Default 1000 messages, 1 MiB. */
  maxMessages?: number;
  maxBytes?: number;
  /** Acks to the client: `ackDelay` ms after the first unacknowledged message (default 200), or at once after `ackEvery` (32). */
  ackDelay?: number;
  ackEvery?: number;
  /** ms a link that asked to resume may take to send its hello before it is handed over as plain. Default 10000. */
  helloTimeout?: number;
  /** Default: a `MemoryStore`. */
  store?: ResumeStore;
  /**
   * Called before a resume is honoured, with the new link and the session: return false (or a
   * promise of it) to start a fresh session instead. Bind the session to your app's auth here.
   */
  verify?: (link: SockjsConnectionLike, session: { id: string }) => boolean | Promise<boolean>;
  clock?: Clock;
}

/** Checked by util/options, as the client's: an unknown name or a wrong type is a TypeError naming it. */
const delay = (fallback: number): Rule<number> => ['m', fallback];
const count = (fallback: number): Rule<number> => ['n', fallback];
const rules = {
  ttl: delay(120000), maxMessages: count(1000), maxBytes: count(1 << 20), ackDelay: delay(200), ackEvery: count(32), helloTimeout: delay(10000),
  store: ['o', undefined] as Rule<ResumeStore | undefined>,
  verify: ['f', undefined] as Rule<ResumeServerOptions['verify']>,
  clock: ['o', undefined] as Rule<Clock | undefined>,
};

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
 * The resume companion for a sockjs-node server. Listen to its `connection` event instead of the
 * sockjs server's: a client that asked to resume (RESUME_QUERY in its URL, then a hello) gets a
 * `ResumableConnection`, once per session however often it reconnects; any other client gets its
 * sockjs-node connection, untouched. `error`: the store or the verify hook failed (that link was
 * closed with 3104, the client tries again); not emitted when nobody listens.
 */
export class ResumeServer extends EventEmitter {
  private readonly _settings: SessionSettings;
  private readonly _helloTimeout: number;
  private readonly _verify: ResumeServerOptions['verify'];
  /** Tokens carry it: a token of another instance means this server restarted (or is another node). */
  private readonly _instance = random(6);
  private readonly _live = new Map<string, ResumableConnection>();
  /** Tokens with a resume under way: a second hello with the same token starts fresh. */
  private readonly _resuming = new Set<string>();
  private readonly _onConnection = (link: SockjsConnectionLike): void => this._accept(link);
  /** `close()` was called: a hello still being answered (or sent later on a link it had) starts no session. */
  private _closed = false;

  constructor(private readonly _sockjs: SockjsServerLike, options: ResumeServerOptions = {}) {
    super();
    const { store, verify, clock, helloTimeout, ...bounds } = readOptions(options, rules);
    for (const [name, value] of Object.entries({ ...bounds, helloTimeout })) ensure(value > 0, name, 'a number > 0');
    this._helloTimeout = helloTimeout;
    this._verify = verify;
    this._settings = {
      clock: clock || nodeClock, store: store || new MemoryStore(), ...bounds,
      forget: (connection) => this._live.delete(connection.id),
    };
    _sockjs.on('connection', this._onConnection);
  }

  /** Sessions alive on this node (with a link or waiting for one). */
  get sessions(): number {
    return this._live.size;
  }

  /** Stops taking connections from the sockjs server and ends every session; a link still in its handshake gets 3105, neither a session nor handed on plain. */
  close(): void {
    this._closed = true;
    this._sockjs.removeListener('connection', this._onConnection);
    for (const connection of [...this._live.values()]) connection.close(ResumeCloseCode.ShuttingDown, 'Server shutting down');
  }

  private _accept(link: SockjsConnectionLike): void {
    const query = (link.url || '').split('?')[1] || '';
    if (!query.split('&').includes(RESUME_QUERY)) return void this.emit('connection', link);
    const { clock } = this._settings;
    const pending: string[] = [];
    let hello: ReturnType<typeof decodeHello>;
    let closed = false;
    const onData = (raw: string): void => {
      if (hello !== undefined) return void pending.push(raw);
      clock.clearTimeout(timer);
      // sockjs-node hands on any JSON value of the client's array: only a string can be a hello.
      hello = typeof raw === 'string' ? decodeHello(raw) : undefined;
      if (hello === undefined) return plain(raw);
      this._hello(link, hello, take, () => closed).then(stop, (error: unknown) => {
        stop();
        link.close(ResumeCloseCode.StoreFailed, 'Resume store failed');
        // The client was told and tries again. With no listener, an 'error' event would throw
        // here, in a promise: an unhandled rejection, which ends the server's process.
        if (this.listenerCount('error')) this.emit('error', error);
      });
    };
    const onClose = (): void => {
      closed = true;
      stop();
    };
    const stop = (): void => {
      clock.clearTimeout(timer);
      link.removeListener('data', onData);
      link.removeListener('close', onClose);
    };
    // The session has the link: from here its own listeners read it (these would keep a copy of
    // every message until the store answered), after what came with the hello.
    const take = (): string[] => (stop(), pending);
    // No hello, or another first message: a client that does not resume after all.
    const plain = (first?: string): void => {
      stop();
      if (this._closed) return shutOut(link);
      this.emit('connection', link);
      if (first !== undefined) link.emit('data', first);
    };
    const timer = clock.setTimeout(() => plain(), this._helloTimeout);
    link.on('data', onData);
    link.on('close', onClose);
  }

  private async _hello(link: SockjsConnectionLike, hello: NonNullable<ReturnType<typeof decodeHello>>, take: () => string[], closed: () => boolean): Promise<void> {
    if (hello === 'invalid') return this._fresh(link, 'invalid', take, closed);
    const { token, received } = hello;
    if (!token) return this._fresh(link, 'new', take, closed);
    if (this._resuming.has(token)) return this._fresh(link, 'unknown', take, closed);
    this._resuming.add(token);
    try {
      const { store } = this._settings;
      const stored = await store.get(token);
      const session = stored && this._live.get(stored.id);
      if (stored?.overflowed) {
        await store.delete(token);
        return this._fresh(link, 'window', take, closed);
      }
      if (!stored || !session || session.token !== token || session.readyState !== 1) {
        return this._fresh(link, token.split('.')[0] === this._instance ? 'unknown' : 'restarted', take, closed);
      }
      // The session's own record from here: a shared store (Redis…) hands back a copy, whose new
      // token the session would not know (the next resume failing, the old token resuming again)
      // and whose counts are those of the last detach.
      const record = session.record;
      // A count the session cannot honour (messages it no longer has, or never sent): the hello
      // is broken, but its token is the real one; the session stays for a correct resume.
      if (received < record.out.base || received > lastNumber(record.out)) return this._fresh(link, 'invalid', take, closed);
      if (this._verify && !(await this._verify(link, { id: record.id }))) return this._fresh(link, 'refused', take, closed);
      if (closed()) return;
      // It may have ended while the hook decided (closed by the app, window exceeded, TTL): resumed,
      // the client would speak to a session nobody reads, its messages acknowledged and lost.
      if (session.readyState !== 1) return this._fresh(link, record.overflowed ? 'window' : 'unknown', take, closed);
      // Rotated and attached at once, before the store is told: from here only the new token resumes.
      record.token = this._token();
      const pending = take();
      session.attach(link, received, { kind: 'resumed', token: record.token, received: record.received });
      session.replay(link, pending);
      await store.delete(token);
      // It may have ended meanwhile (a broken message, the app's close()) and deleted its record:
      // stored again, that would stay for ever, as no session would delete it any more.
      if (session.readyState === 1) await store.set(record.token, record);
    } finally {
      this._resuming.delete(token);
    }
  }

  private async _fresh(link: SockjsConnectionLike, reason: FreshReason, take: () => string[], closed: () => boolean): Promise<void> {
    if (closed()) return;
    if (this._closed) return shutOut(link);
    const record: SessionRecord = { id: random(12), token: this._token(), received: 0, out: emptyOutbox(), overflowed: false };
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
    this.emit('connection', session);
    session.replay(link, pending);
  }

  private _token(): string {
    return `${this._instance}.${random(16)}`;
  }
}

/** Wraps the app's sockjs-node server: see `ResumeServer`. */
export const attachResume = (sockjsServer: SockjsServerLike, options?: ResumeServerOptions): ResumeServer =>
  new ResumeServer(sockjsServer, options);
