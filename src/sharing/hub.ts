import type { DebugLogger } from '../connector/options';
import type { ChannelLike, Env } from '../env/env';
import { TabLink, type TabHub } from './tab-link';
import type { LinkLike, SharedOption, Sharing, SharingRole } from './types';
import { channelName, pairName, type TabMessage } from './wire';

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
   * Following: what this tab asked a leader to send and no leader confirmed yet, by batch number.
   * Kept here, not in a view, so that a confirmation a leaving (or dying) leader posted still
   * counts when the lock reached this tab first; sent again on every next link until confirmed.
   */
  private _kept: Array<{ seq: number; data: string[] }> = [];
  private _seq = 0;
  /** The pending or granted lock request; null while not a candidate (hidden, closed). */
  private _abort: AbortController | null = null;
  private _release: (() => void) | null = null;
  private readonly _unsubscribe: Array<() => void>;

  constructor(
    private readonly _name: string,
    /** Has `locks`, `BroadcastChannel` and `AbortController`: `shared()` checked. */
    private readonly _env: Env,
    private readonly _debug: DebugLogger,
  ) {
    this.id = hex(_env.randomBytes(8));
    this._channel = this._listen(_name);
    this._pair = this._listen(pairName(_name, this.id));
    const { lifecycle } = _env;
    // A page in the back/forward cache cannot relay: it hands the lock over and comes back a candidate.
    this._unsubscribe = [lifecycle.on('pagehide', () => this._resign()), lifecycle.on('pageshow', () => this._stand())];
    this._stand();
  }

  get leading(): boolean {
    return this.role === 'leader';
  }

  link<L extends LinkLike>(create: () => L): L {
    if (this._link) this._link.retire();
    // The view has the surface of `create()`'s link, which is all its caller uses.
    return (this._link = new TabLink(this, create)) as unknown as L;
  }

  close(): void {
    this._kept = [];
    this._resign();
    for (const unsubscribe of this._unsubscribe.splice(0)) unsubscribe();
    this._pair.postMessage({ t: 'bye', from: this.id });
    for (const channel of [this._channel, this._pair]) quit(channel);
  }

  post(message: TabMessage): void {
    this._channel.postMessage(message);
  }

  tell(message: TabMessage, to?: string): void {
    const pairs = this._pairs;
    for (const pair of to ? [pairs.get(to)] : pairs.values()) if (pair) pair.postMessage(message);
  }

  nextLid(): string {
    return `${this.id}:${++this._links}`;
  }

  now(): number {
    return this._env.now();
  }

  offer(lid: string, data: readonly string[]): void {
    const batch = { seq: ++this._seq, data: data.slice() };
    this._kept.push(batch);
    this._ask(lid, batch);
  }

  resend(lid: string): void {
    for (const batch of this._kept) this._ask(lid, batch);
  }

  takeKept(): string[] {
    return ([] as string[]).concat(...this._kept.splice(0).map((k) => k.data));
  }

  forget(link: TabLink): void {
    if (this._link === link) this._link = null;
  }

  private _ask(lid: string, { seq, data }: { seq: number; data: string[] }): void {
    this._pair.postMessage({ t: 'send', from: this.id, lid, seq, data });
  }

  private _listen(name: string): ChannelLike {
    const channel = new this._env.BroadcastChannel!(name);
    channel.onmessage = (event) => this._receive(event.data as TabMessage);
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
          this.post({ t: 'leader', from: this.id });
          if (this._link) this._link.promote();
        }),
      )
      // Aborted while waiting (the tab left or hid): nothing was held.
      .catch(() => undefined);
  }

  /** Stops leading or waiting: the link this tab runs ends (its followers' messages go back to them), the lock is freed. */
  private _resign(): void {
    if (this.leading && this._link) this._link.retire();
    this._pairs.forEach(quit);
    this._pairs.clear();
    if (this._abort) this._abort.abort();
    if (this._release) this._release();
    this._abort = this._release = null;
    this._setRole('follower');
  }

  private _setRole(role: SharingRole): void {
    if (this.role === role) return;
    this.role = role;
    this._debug('shared:role', { role });
  }

  private _receive(message: TabMessage): void {
    const link = this._link;
    const { t, from } = message;
    // From whichever leader, on this tab's pair channel: it confirms batches up to `seq`, sent in order on its link.
    if (t === 'ack') this._kept = this._kept.filter((k) => k.seq > message.seq);
    else if (t === 'bye') {
      const pair = this._pairs.get(from);
      if (pair) quit(pair);
      this._pairs.delete(from);
    } else {
      if (t === 'hello' && this.leading && !this._pairs.has(from)) this._pairs.set(from, this._listen(pairName(this._name, from)));
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
export function shared({ key = '' }: { key?: string } = {}): SharedOption {
  if (typeof key !== 'string') throw new TypeError("Option 'shared.key' must be a string");
  return {
    attach(url: string, env: Env, debug: DebugLogger): Sharing {
      if (!env.locks || !env.BroadcastChannel || !env.AbortController) {
        debug('shared:unavailable', { reason: !env.locks ? 'no Web Locks in this context (or a worker)' : 'no BroadcastChannel' });
        return alone;
      }
      return new Hub(channelName(url, key), env, debug);
    },
  };
}
