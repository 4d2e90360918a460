import { CloseCode } from '../protocol/codes';
import type { TransportCloseInfo, TransportName } from '../transports/types';
import { Emitter } from '../util/emitter';
import type { LinkEvents } from '../link/link';
import type { LinkLike } from './types';
import type { TabMessage } from './wire';

/** What a tab's link needs of its hub. */
export interface TabHub {
  readonly id: string;
  readonly leading: boolean;
  post(message: TabMessage): void;
  /** A new link id for this leader's next open link. */
  nextLid(): string;
  now(): number;
  /** The link ended: the hub routes nothing more to it. */
  forget(link: TabLink): void;
  /** Messages of this tab given back too late for the view they were meant for: they go first on the next open link. */
  takeOwed(): string[];
}

/**
 * The leader left or changed: the server session of the followers' link is gone. 1012 makes
 * `Resock` come back at once (within `minDelay`, no backoff), as after a server restart.
 */
const LEADER_CHANGED: TransportCloseInfo = { code: CloseCode.ServiceRestart, reason: 'Leader tab changed', wasClean: true };
/** Origins of the last messages handed to the real link, kept to give back what it never sent. */
const HANDED_LIMIT = 1024;

/**
 * One attempt's link in a tab that shares: the `Link` surface, whichever tab runs the real link.
 * Leading, it runs the link made by `create()` and relays it: every server message to every tab,
 * every follower's messages into the link (acknowledged once handed over). Following, it mirrors
 * the leader's link: it opens when that link is open, delivers its messages, and keeps what it
 * sends until the leader acknowledges it, so that `close()` (and the `close` event) give back
 * everything a leader that died never took.
 */
export class TabLink extends Emitter<LinkEvents> implements LinkLike {
  transport: TransportName | null = null;
  private _real: LinkLike | null = null;
  /** The link this tab uses (the leader's, or its own once open); null until open. */
  private _lid: string | null = null;
  private _leader: string | null = null;
  private _closed = false;
  private _heardAt = 0;
  private _seq = 0;
  /** Following: sent to the leader and not acknowledged yet, oldest first. */
  private _pending: Array<{ seq: number; data: readonly string[] }> = [];
  /** Following: what the leaving leader gave back, to go out before the pending ones. */
  private _returned: string[] = [];
  /** Leading: who sent each of the last messages handed to the link (null: this tab). */
  private _handed: Array<string | null> = [];
  /** Leading, after a retirement the owner did not ask for: its own unsent, for its `close()`. */
  private _own: string[] = [];

  constructor(
    private readonly _hub: TabHub,
    private readonly _create: () => LinkLike,
  ) {
    super();
    if (_hub.leading) this._lead();
    else _hub.post({ t: 'hello', from: _hub.id });
  }

  get isOpen(): boolean {
    return !this._closed && (this._real ? this._real.isOpen : !!this._lid);
  }

  get lastFrameAt(): number {
    return this._real ? this._real.lastFrameAt : this._heardAt;
  }

  send(messages: readonly string[]): void {
    if (!this.isOpen) return;
    const hub = this._hub;
    if (this._real) {
      this._real.send(messages);
      this._remember(null, messages);
    } else {
      const seq = ++this._seq;
      this._pending.push({ seq, data: messages });
      hub.post({ t: 'send', from: hub.id, lid: this._lid!, seq, data: messages.slice() });
    }
  }

  close(): string[] {
    if (!this._closed) this._own = this._retire();
    const own = this._own;
    this._own = [];
    this.clear();
    return own;
  }

  /** This tab now holds the lock. */
  promote(): void {
    if (this._closed) return;
    // A link that is open belongs to a session that died with its leader; one still waiting becomes the real one.
    if (this._lid) this._end(LEADER_CHANGED);
    else this._lead();
  }

  /** Leaves without an event (the page hides, the client closes); what the owner sent and did not go out waits for its `close()`. */
  retire(): void {
    if (!this._closed) this._own = this._retire();
  }

  /** Takes back what a leaving leader had not sent, if it is this view's link's; else the hub keeps it. */
  takeReturn(m: TabMessage & { t: 'return' }): boolean {
    if (this._closed || this._real || m.lid !== this._lid) return false;
    this._returned.push(...m.data);
    return true;
  }

  receive(m: TabMessage): void {
    if (this._closed) return;
    const hub = this._hub;
    if (this._real) {
      if (m.t === 'hello' && this._lid) hub.post({ t: 'open', from: hub.id, lid: this._lid, transport: this.transport });
      // A send for a link that ended is not acknowledged: its tab sends it again on its next link.
      if (m.t === 'send' && m.lid === this._lid && this._real.isOpen) {
        this._real.send(m.data);
        this._remember(m.from, m.data);
        hub.post({ t: 'ack', from: hub.id, to: m.from, seq: m.seq });
      }
      return;
    }
    switch (m.t) {
      case 'open':
        if (this._lid) return;
        this._lid = m.lid;
        this._leader = m.from;
        this.transport = m.transport as TransportName | null;
        this._heardAt = hub.now();
        return this._opened();
      case 'msg':
        if (m.lid !== this._lid) return;
        this._heardAt = hub.now();
        return this.emit('message', m.data);
      case 'ack':
        if (m.to === hub.id && m.from === this._leader) this._pending = this._pending.filter((p) => p.seq > m.seq);
        return;
      case 'close':
        if (m.lid === this._lid) this._end({ code: m.code, reason: m.reason, wasClean: m.wasClean });
        return;
      case 'leader':
        // Another tab holds the lock: the leader this tab followed is gone (it may have crashed, saying nothing).
        if (this._lid && m.from !== this._leader) this._end(LEADER_CHANGED);
    }
  }

  private _lead(): void {
    const hub = this._hub;
    const real = (this._real = this._create());
    real.on('open', () => {
      const lid = (this._lid = hub.nextLid());
      this.transport = real.transport;
      hub.post({ t: 'open', from: hub.id, lid, transport: this.transport });
      this._opened();
    });
    real.on('message', (data) => {
      hub.post({ t: 'msg', from: hub.id, lid: this._lid!, data });
      this.emit('message', data);
    });
    real.on('heartbeat', () => this.emit('heartbeat', undefined));
    real.on('close', ({ unsent, ...info }) => {
      this._real = null;
      const own = this._settle(unsent || []);
      if (this._lid) hub.post({ t: 'close', from: hub.id, lid: this._lid, ...info });
      this._end({ ...info, unsent: own });
    });
  }

  private _opened(): void {
    const owed = this._hub.takeOwed();
    if (owed.length) this.send(owed);
    this.emit('open', undefined);
  }

  private _remember(origin: string | null, messages: readonly string[]): void {
    for (let i = 0; i < messages.length; i++) this._handed.push(origin);
    if (this._handed.length > 2 * HANDED_LIMIT) this._handed = this._handed.slice(-HANDED_LIMIT);
  }

  /**
   * Leading, the link ended with `unsent` (the last messages handed to it): the followers' ones go
   * back to their tabs, ahead of the link's `close`; this tab's own are returned.
   */
  private _settle(unsent: string[]): string[] {
    const hub = this._hub;
    const origins = unsent.length ? this._handed.slice(-unsent.length) : [];
    const skipped = unsent.length - origins.length;
    const own: string[] = [];
    const back = new Map<string, string[]>();
    unsent.forEach((text, i) => {
      const origin = i < skipped ? null : origins[i - skipped]!;
      if (origin === null) own.push(text);
      else back.set(origin, (back.get(origin) || []).concat(text));
    });
    back.forEach((data, to) => hub.post({ t: 'return', from: hub.id, to, lid: this._lid!, data }));
    this._handed = [];
    return own;
  }

  /** Ends this tab's part without an event; returns what this tab sent and never went out. */
  private _retire(): string[] {
    this._closed = true;
    this._hub.forget(this);
    const real = this._real;
    if (!real) return this._unsent();
    this._real = null;
    const own = this._settle(real.close());
    if (this._lid) this._hub.post({ t: 'close', from: this._hub.id, lid: this._lid, ...LEADER_CHANGED });
    return own;
  }

  /** Following: what the leader gave back, then what it never acknowledged, in the order sent. */
  private _unsent(): string[] {
    const unsent = this._returned.slice();
    for (const { data } of this._pending) unsent.push(...data);
    return unsent;
  }

  private _end(info: TransportCloseInfo): void {
    if (this._closed) return;
    this._closed = true;
    this._hub.forget(this);
    const unsent = (info.unsent || []).concat(this._unsent());
    this.emit('close', unsent.length ? { ...info, unsent } : info);
    this.clear();
  }
}
