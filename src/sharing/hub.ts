import type { DebugLogger } from '../connector/options';
import type { ChannelLike, Env } from '../env/env';
import type { ResumeOutcome } from '../resume/core';
import type { ResumeSeam } from '../resume/plugin';
import { acknowledged, emptyReplica, numbered, unsettled, welcomed, type Replica } from './session';
import { TabLink, type TabHub } from './tab-link';
import type { LinkLike, SharedOption, Sharing, SharingRole } from './types';
import { ensure, refuseUnknown } from '../util/options';
import { channelName, LINK_KINDS, OWN_PAIR_KINDS, PAIR_KINDS, pairName, readMessage, type TabMessage } from './wire';

/**
 * Resuming: server messages a tab holds for its client while it has no open view (between a
 * leader's departure and its client's next view). Beyond it the oldest are dropped, and the
 * client is told (`resumefailed`, reason `missed`).
 */
const UNREAD_LIMIT = 10000;
/**
 * Following: messages this tab keeps that no leader confirmed. A leader that confirms nothing (a
 * page the browser froze keeps its lock; a hung one) would otherwise have it keep all it sends:
 * past this its view takes no more, and closes (see `TabLink.send`). Far above what a healthy
 * leader leaves unconfirmed, even under a burst sent in one task (confirmations cannot arrive
 * within it), so that only a silent leader reaches it.
 */
const KEPT_LIMIT = 100000;

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => (b + 256).toString(16).slice(1)).join('');

/**
 * One client's membership of a shared link. The tab that holds the Web Lock named after the
 * link leads: its client runs the real link. The others wait for the lock — the browser grants
 * it to one of them as soon as the leader's page closes, crashes or hides — and meanwhile use
 * the leader's link over BroadcastChannels (the link's, and a pair channel per follower: see
 * `wire.ts`). Nothing to host, no script URL: works under a strict Content-Security-Policy.
 */
class Hub implements Sharing, TabHub {
  readonly id: string;
  role: SharingRole = 'follower';
  private readonly _channel: ChannelLike;
  /** This tab's pair channel: following, what it says to the leader and hears from it alone. */
  private readonly _pair: ChannelLike;
  /**
   * Leading: the pair channel of each tab that said `hello`, by tab id, until it says `bye`. A tab
   * that crashed says nothing: its idle channel stays until this tab stops leading.
   */
  private readonly _pairs = new Map<string, ChannelLike>();
  private _link: TabLink | null = null;
  private _links = 0;
  /**
   * Following: what this tab asked a leader to send and no leader confirmed yet, by the number of
   * each batch's last message (this tab counts every message it sends: `_seq`). Kept here, not in
   * a view, so that a confirmation a leaving (or dying) leader posted still counts when the lock
   * reached this tab first; sent again on every next link until confirmed. Resuming, confirmed
   * means acknowledged by the server, and the leader's own messages are kept here too.
   */
  private _kept: Array<{ seq: number; data: string[] }> = [];
  private _seq = 0;
  /**
   * With resume: the session as this tab keeps it (null until a leader's session reached it);
   * the number of the last server message this tab has, and those of them its client has not
   * been given yet (no view was open).
   */
  private _session: Replica | null = null;
  private _in = 0;
  /**
   * Leading a resumable session: the number of the last message its link handed up. The link
   * counts from what `_in` was when this tab adopted the session, and `_in` may have moved on
   * since: the old leader's last messages can reach this tab after it adopted (BroadcastChannel
   * and Web Locks are separate pipes), and the server, told they had not arrived, sends them again.
   */
  private _heard = 0;
  /**
   * Leading, since its core adopted the session: the session changes by this tab's link alone. A
   * late change told by the previous leader (its page went between telling and writing, and the
   * channel delivered after the lock) would make the copy differ from the core: a message taken as
   * numbered that the core never sends, and every number told from then on off by one.
   */
  private _adopted = false;
  /**
   * The tab whose copy of the session this tab has (the leader whose welcome or `open` it took):
   * its news alone is taken, and a welcome of the last tab that said it leads (`_leader`), which
   * starts that tab's copy. A dead leader's news can reach a tab after the next leader's welcome
   * (BroadcastChannel and Web Locks are separate pipes): taken, a numbered message of it would be
   * in this copy and in no session (never sent again, its tab's copy dropped at the next ack), a
   * server message of it would pass for one of a fresh session's (whose own were then dropped).
   */
  private _teller: string | null = null;
  private _leader: string | null = null;
  private _unread: string[] = [];
  /**
   * Resuming, leading: what waits for the browser to have passed on this tab's earlier messages to
   * the other tabs (`_relay`), oldest first, and the second instance of this tab's pair channel
   * that posts the marks its first instance hears back.
   */
  private _marks: Array<() => void> = [];
  private _echo: ChannelLike | null = null;
  /** The pending or granted lock request; null while not a candidate (hidden, closed). */
  private _abort: AbortController | null = null;
  private _release: (() => void) | null = null;
  private readonly _unsubscribe: Array<() => void>;

  constructor(
    private readonly _name: string,
    /** Has `locks`, `BroadcastChannel` and `AbortController`: `shared()` checked. */
    private readonly _env: Env,
    private readonly _debug: DebugLogger,
    /** The client's resume seam: its core speaks only when this tab leads, on the session the tabs keep. */
    private readonly _seam: ResumeSeam | null,
  ) {
    if (_seam) _seam.relay = (then) => this._relay(then);
    this.id = hex(_env.randomBytes(8));
    this._channel = this._listen(_name, LINK_KINDS);
    this._pair = this._listen(pairName(_name, this.id), OWN_PAIR_KINDS);
    const { lifecycle } = _env;
    // A page in the back/forward cache cannot relay: it hands the lock over and comes back a candidate.
    this._unsubscribe = [lifecycle.on('pagehide', () => this._resign()), lifecycle.on('pageshow', () => this._stand())];
    this._stand();
  }

  get leading(): boolean {
    return this.role === 'leader';
  }

  get resuming(): boolean {
    const session = this._session;
    return !!session && !session.plain;
  }

  link<L extends LinkLike>(create: () => L): L {
    if (this.role === 'unavailable') return create();
    if (this._link) this._link.retire();
    // The view has the surface of `create()`'s link, which is all its caller uses.
    return (this._link = new TabLink(this, create)) as unknown as L;
  }

  close(): void {
    this._kept = [];
    this._session = null;
    this._unread = [];
    this._resign();
    for (const unsubscribe of this._unsubscribe.splice(0)) unsubscribe();
    this._marks = [];
    for (const channel of [this._channel, this._pair, this._echo]) if (channel) quit(channel);
  }

  post(message: TabMessage): void {
    // Closed by its client's listener mid-step (a `resumefailed` one, in `welcome`): a closed channel throws.
    if (this._unsubscribe.length) this._channel.postMessage(message);
  }

  tell(message: TabMessage, to?: string): void {
    const pairs = this._pairs;
    // A tab that hid said `bye` but still hears its channel: the confirmation of a batch it sent
    // before goes there, on a channel opened for it alone (what it posted is delivered after its
    // close), or the tab keeps the batch and the next leader sends it again.
    const once = to && !pairs.has(to) && new this._env.BroadcastChannel!(pairName(this._name, to));
    for (const pair of once ? [once] : to ? [pairs.get(to)!] : pairs.values()) pair.postMessage(message);
    if (once) once.close();
  }

  nextLid(): string {
    return `${this.id}:${++this._links}`;
  }

  now(): number {
    return this._env.now();
  }

  offer(lid: string, data: readonly string[]): readonly string[] | void {
    const kept = this._kept;
    // Acks drop the oldest: what is kept is the first batch and every message after it.
    if (kept.length && this._seq - kept[0]!.seq >= KEPT_LIMIT) return data;
    this.keep(data);
    this._ask(lid, kept[kept.length - 1]!);
  }

  /** Each message counts: a batch's `seq` is the number of its last message in this tab. */
  keep(data: readonly string[]): number {
    const seq = (this._seq += data.length);
    this._kept.push({ seq, data: data.slice() });
    return seq;
  }

  kept(): ReadonlyArray<{ seq: number; data: string[] }> {
    return this._kept;
  }

  resend(lid: string): void {
    // Resuming, what the session numbered already is the leader's to send again, by number.
    const took = this.took(this.id);
    for (const batch of this._kept) if (!this.resuming || batch.seq > took) this._ask(lid, batch);
  }

  took(from: string): number {
    return (this._session && this._session.took.get(from)) || 0;
  }

  adopt(): void {
    const session = this._session;
    this._heard = this._in;
    this._adopted = true;
    if (session && this._seam) {
      const { token, base, out, plain } = session;
      this._seam.adopt({ token, received: this._in, base, messages: out, plain: !!plain });
    }
  }

  numbered(from: string, seq: number, data: readonly string[]): void {
    const session = this._session!;
    const n = session.base + session.out.length + 1;
    numbered(session, n, from, seq, data);
    this.post({ t: 'out', from: this.id, n, who: from, seq, data: data.slice() });
  }

  acked(count: number): void {
    if (!this._session) return;
    this.post({ t: 'acked', from: this.id, n: count });
    this._acked(count);
  }

  drain(): void {
    if (this._seam) this._seam.drain();
  }

  welcome(outcome: ResumeOutcome): void {
    const session = (this._session ||= emptyReplica());
    this._welcome(outcome, session);
    session.received = this._in;
    this.post({ t: 'welcome', from: this.id, w: outcome, s: session });
  }

  heard(lid: string, data: string): void {
    const n = ++this._heard;
    if (n <= this._in) return;
    this._in = n;
    this.post({ t: 'msg', from: this.id, lid, data, n });
    this._deliver(data);
  }

  opened(link: TabLink): void {
    const unread = this._unread;
    let i = 0;
    while (i < unread.length && link.isOpen && this._link === link) link.deliver(unread[i++]!);
    unread.splice(0, i);
  }

  snapshot(): Replica | undefined {
    const session = this._session;
    if (session) session.received = this._in;
    return session || undefined;
  }

  takeKept(): string[] {
    return ([] as string[]).concat(...this._kept.splice(0).map((k) => k.data));
  }

  forget(link: TabLink): void {
    if (this._link === link) this._link = null;
  }

  /**
   * Runs `then` once the browser has passed on every message this tab posted before: a mark posted
   * now on this tab's pair channel comes back to it after them, since one tab's messages leave it,
   * on all its channels, in the order they were posted.
   */
  private _relay(then: () => void): void {
    this._marks.push(then);
    (this._echo ||= new this._env.BroadcastChannel!(pairName(this._name, this.id))).postMessage({ t: 'mark', from: this.id });
  }

  private _ask(lid: string, { seq, data }: { seq: number; data: string[] }): void {
    this._pair.postMessage({ t: 'send', from: this.id, lid, seq, data });
  }

  private _listen(name: string, kinds: string): ChannelLike {
    const channel = new this._env.BroadcastChannel!(name);
    channel.onmessage = (event) => {
      const message = readMessage(event.data, kinds);
      // Another page's, or another version's: named, never applied.
      if (message) this._receive(message);
      else this._debug('shared:malformed', { data: event.data });
    };
    return channel;
  }

  /** Asks for the lock; the browser grants it when no other tab holds it. */
  private _stand(): void {
    if (this._abort || !this._unsubscribe.length) return;
    const abort = (this._abort = new this._env.AbortController!());
    this._env.locks!
      .request(this._name, { signal: abort.signal }, () =>
        new Promise<void>((release) => {
          if (this._abort !== abort) return release();
          this._release = release;
          this._setRole('leader');
          this._teller = this._leader = this.id;
          this.post({ t: 'leader', from: this.id });
          if (this._link) this._link.promote();
        }),
      )
      // Aborted while waiting (the tab left or hid): nothing was held. Else refused.
      .catch((error) => this._abort === abort && this._refused(error));
  }

  /**
   * The browser refuses the lock (Firefox in a third-party iframe: "request() is not allowed in
   * this context"): no tab here can lead. The client runs its own link, as without Web Locks.
   */
  private _refused(error: unknown): void {
    this._debug('shared:unavailable', { reason: String(error) });
    const link = this._link;
    this.close();
    this.role = 'unavailable';
    if (this._seam) this._seam.relay = null;
    if (link) link.promote(true);
  }

  /**
   * Stops leading or waiting: the link this tab runs ends (its followers' messages go back to them),
   * the lock is freed. Says `bye`, on the link's channel: most tabs leave by pagehide, with no
   * close(), and a leader that opened a pair on a `hello` posted just before must hear it too.
   */
  private _resign(): void {
    if (this._abort) this.post({ t: 'bye', from: this.id });
    if (this.leading && this._link) this._link.retire();
    this._pairs.forEach(quit);
    this._pairs.clear();
    if (this._abort) this._abort.abort();
    if (this._release) this._release();
    this._abort = this._release = null;
    this._adopted = false;
    this._setRole('follower');
  }

  private _setRole(role: SharingRole): void {
    if (this.role === role) return;
    this.role = role;
    this._debug('shared:role', { role });
  }

  /** Resuming: the server's messages, by number: each once, in order, to this tab's client. */
  private _inbound(n: number, data: string): void {
    if (n <= this._in) return;
    if (n > this._in + 1) this._missed();
    this._in = n;
    this._deliver(data);
  }

  private _deliver(data: string): void {
    const link = this._link;
    if (link && link.isOpen && !this._unread.length) link.deliver(data);
    else if (this._unread.push(data) > UNREAD_LIMIT) {
      this._unread = [];
      this._missed();
    }
  }

  /** This tab's client did not get some of the session's messages: said as a failed resume, never silently. */
  private _missed(): void {
    const token = this._session && this._session.token;
    if (this._seam && token) this._seam.settle({ kind: 'fresh', reason: 'missed', unconfirmed: [], token });
  }

  /** The server acknowledged our messages up to `count`: this tab's batches among them are settled. */
  private _acked(count: number): void {
    acknowledged(this._session!, count);
    this._settled();
  }

  /** Keeps only what the session this tab has now leaves unsettled. */
  private _settled(): void {
    this._kept = unsettled(this._session!, this.id, this._kept);
  }

  /**
   * A handshake of the session's link ended so: `session` as it is after it, and this tab's part,
   * reported here. A follower's copy is the leader's (`next`) from then on: what it keeps is settled by it.
   */
  private _welcome(outcome: ResumeOutcome, session: Replica, next = session): void {
    const unconfirmed = welcomed(session, outcome, this.id);
    this._session = next;
    this._settled();
    // A new session numbers the server's messages from 1 again: what this tab had not delivered is gone with the old one.
    if (outcome.kind !== 'resumed') (this._in = this._heard = 0), (this._unread = []);
    if (this._seam) this._seam.settle(outcome.kind === 'resumed' ? outcome : { ...outcome, unconfirmed });
  }

  /** A tab without the session gets one from the leader `from`: it takes the session from the leader's count on. */
  private _join(session: Replica, from: string): void {
    this._teller = from;
    this._session = session;
    this._in = session.received;
    if (this._seam) {
      this._seam.settle(session.plain ? { kind: 'unsupported', why: session.plain, unconfirmed: [] } : { kind: 'resumed', token: session.token || '' });
    }
  }

  /** Whether this tab takes `m`, news of the session (see `_teller`): never while it leads, its core's copy is the session. */
  private _told({ t, from }: TabMessage): boolean {
    return !this._adopted && (!this._teller || from === this._teller || (t === 'welcome' && from === this._leader));
  }

  private _receive(message: TabMessage): void {
    const link = this._link;
    const { t, from } = message;
    const session = this._session;
    // This tab's own mark, back: what it posted before it has left the tab.
    if (t === 'mark') {
      const then = from === this.id && this._marks.shift();
      if (then) then();
    }
    // From whichever leader, on this tab's pair channel: it confirms batches up to `seq`, sent in order on its link.
    else if (t === 'ack') this._kept = this._kept.filter((k) => k.seq > message.seq);
    // The leader's session, told to every tab, whatever this tab is doing (it may lead it next).
    else if ((t === 'out' || t === 'acked' || t === 'welcome' || (t === 'msg' && message.n !== undefined)) && !this._told(message)) return;
    else if (t === 'out') {
      if (session) numbered(session, message.n, message.who, message.seq, message.data);
    } else if (t === 'acked') {
      if (session) this._acked(message.n);
    } else if (t === 'welcome') {
      if (session) this._welcome(message.w, session, message.s), (this._teller = from);
      else this._join(message.s, from);
    } else if (t === 'msg' && message.n !== undefined) {
      if (session) this._inbound(message.n, message.data);
    } else if (t === 'bye') {
      const pair = this._pairs.get(from);
      if (pair) quit(pair);
      this._pairs.delete(from);
    } else {
      if (t === 'leader') this._leader = from;
      if (t === 'hello' && this.leading && !this._pairs.has(from)) this._pairs.set(from, this._listen(pairName(this._name, from), PAIR_KINDS));
      if (t === 'open' && message.s && !session && (!this._leader || from === this._leader)) this._join(message.s, from);
      if (this._abort && link) link.receive(message);
    }
  }
}

const quit = (channel: ChannelLike) => {
  channel.onmessage = null;
  channel.close();
};

/** Where the platform cannot share: the client runs its own link, and says so. */
const alone: Sharing = { role: 'unavailable', link: (create) => create(), close: () => undefined };

/**
 * The `shared` option of `Resock`: every same-origin tab, window or iframe whose client has it,
 * for the same URL and `key`, uses one link, run by one of them. Without Web Locks or
 * BroadcastChannel, or in a worker, each client runs its own link (`client.sharing` is
 * `'unavailable'`, and a `shared:unavailable` debug event says why).
 *
 *   import { Resock } from 'resock';
 *   import { shared } from 'resock/shared';
 *   const chat = new Resock('/chat', { shared: shared() });
 */
export function shared(options: { key?: string } = {}): SharedOption {
  const { key = '' } = options;
  refuseUnknown(options, ['key'], 'shared.');
  ensure(typeof key === 'string', 'shared.key', 'a string');
  return {
    attach(url: string, env: Env, debug: DebugLogger, resume?: ResumeSeam | null): Sharing {
      if (!env.locks || !env.BroadcastChannel || !env.AbortController) {
        debug('shared:unavailable', { reason: !env.locks ? 'no Web Locks in this context (or a worker)' : 'no BroadcastChannel' });
        return alone;
      }
      return new Hub(channelName(url, key, !!resume), env, debug, resume || null);
    },
  };
}
