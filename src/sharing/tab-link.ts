import { CloseCode, closeInfo } from '../protocol/codes';
import type { ResumeOutcome } from '../resume/core';
import type { TransportCloseInfo, TransportName } from '../transports/types';
import { Emitter } from '../util/emitter';
import type { LinkEvents } from '../link/link';
import type { Replica } from './session';
import type { LinkLike } from './types';
import type { TabMessage } from './wire';

/** What a tab's link needs of its hub. */
export interface TabHub {
  readonly id: string;
  readonly leading: boolean;
  /** With resume, once a session reached this tab and its server resumes: the tabs keep the session. */
  readonly resuming: boolean;
  /** To every tab, on the link's channel. */
  post(message: TabMessage): void;
  /** Leading: to the tab `to`, or to every tab that said `hello`, on their pair channels. */
  tell(message: TabMessage, to?: string): void;
  /** A new link id for this leader's next open link. */
  nextLid(): string;
  now(): number;
  /** The link ended: the hub routes nothing more to it. */
  forget(link: TabLink): void;
  /** Following: asks the leader to send these on its link `lid`, and keeps them until it confirms they went out; hands them back when it keeps too many already. */
  offer(lid: string, messages: readonly string[]): readonly string[] | void;
  /** Following, a view of the link `lid` opened: everything still kept goes to its leader again, in order. */
  resend(lid: string): void;
  /** Leading now: what this tab kept as a follower, to go first on its own link. */
  takeKept(): string[];
  /** Leading, resuming: keeps this tab's own messages as a follower's are kept; returns the number of the last. */
  keep(messages: readonly string[]): number;
  /** Resuming: what this tab keeps (its own messages not acknowledged yet), to take first when it leads. */
  kept(): ReadonlyArray<{ seq: number; data: string[] }>;
  /** Resuming: the last message of tab `from` numbered in the session. */
  took(from: string): number;
  /** About to lead a link: this tab's resume core takes the session as the tabs kept it. */
  adopt(): void;
  /** Leading, resuming: the link took tab `from`'s messages up to its `seq` into the session. */
  numbered(from: string, seq: number, data: readonly string[]): void;
  /** Leading: the server acknowledged our messages up to `count`. */
  acked(count: number): void;
  /** Leading, resuming: the link made room; what this tab's client keeps for it may come now. */
  drain(): void;
  /** Leading: how the handshake of the link ended. */
  welcome(outcome: ResumeOutcome): void;
  /** Leading, resuming: a server message, numbered, for every tab. */
  heard(lid: string, data: string): void;
  /** A view opened: it delivers the server messages this tab has and did not deliver yet. */
  opened(link: TabLink): void;
  /** Resuming: the session, for a tab that has none yet. */
  snapshot(): Replica | undefined;
}

/**
 * The leader left or changed: the server session of the followers' link is gone (unless it
 * resumes). A handover: `Resock` comes back at once, even with `reconnect: false`, since the
 * app's own connection was not lost.
 */
const LEADER_CHANGED: TransportCloseInfo = { ...closeInfo(CloseCode.ServiceRestart, 'Leader tab changed', true), handover: true };
/** The browser refused the lock: the client comes back at once, with a link of its own. */
const REFUSED: TransportCloseInfo = { ...closeInfo(CloseCode.ServiceRestart, 'Web Locks refused', true), handover: true };
/** The leader confirmed none of the many messages this tab asked it to send: a lost link (with backoff), not a restart. */
const UNCONFIRMED: TransportCloseInfo = closeInfo(CloseCode.Lost, 'Leader tab not confirming');
/** A message handed to the leader's link and not confirmed out yet: who sent it, and for a follower's batch's last message, its number. */
interface Handed {
  from: string | null;
  seq: number;
}
/** Resuming, leading: a tab's messages the link had no room for yet, up to that tab's number `seq`. */
interface Waiting {
  from: string;
  seq: number;
  data: readonly string[];
}

/**
 * One attempt's link in a tab that shares: the `Link` surface, whichever tab runs the real link.
 * Leading, it runs the link made by `create()` and relays it: every server message to every tab,
 * every follower's messages into the link, confirmed to their tab once the link says they went out
 * (`sent`). Following, it mirrors the leader's link: it opens when that link is open and delivers
 * its messages; what it sends, its hub keeps until confirmed, across links and leaders.
 *
 * With resume (the link is resumable and its server has the companion) a message is confirmed
 * only when the server acknowledged it: every tab's messages, the leader's own too, are kept by
 * their hub until then, numbered in the session when the link takes them, and sent again by
 * whichever tab leads next under the same numbers (see `session.ts`).
 */
export class TabLink extends Emitter<LinkEvents> implements LinkLike {
  transport: TransportName | null = null;
  private _real: LinkLike | null = null;
  /** The link this tab uses (the leader's, or its own once open); null until open. */
  private _lid: string | null = null;
  /** The tab whose link this view uses; waiting, the last one that said it leads. */
  private _leader: string | null = null;
  private _closed = false;
  private _heardAt = 0;
  /** Leading: the messages handed to the link and not confirmed out, oldest first. */
  private _handed: Handed[] = [];
  /** Leading: the last batch number of each follower handed to this link (a view reopened on it sends them again). */
  private _took: Record<string, number> = {};
  /** Leading, after a retirement the owner did not ask for: its own unsent, for its `close()`. */
  private _own: string[] = [];
  /** Leading, resuming: messages the link had no room for, in the order they came; tried again on each ack. */
  private _waiting: Waiting[] = [];

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

  send(messages: readonly string[]): readonly string[] | void {
    if (!this.isOpen) return;
    const hub = this._hub;
    if (!this._real) {
      const left = hub.offer(this._lid!, messages);
      // Its hub keeps too many: these stay with the client, in its bounded queue, until a view opens again.
      if (left) this._end(UNCONFIRMED);
      return left;
    }
    if (hub.resuming) {
      // As on a link of its own: what the session has no room for stays with the client, in its
      // bounded queue, until `drain`; so does what would pass messages that wait for room.
      if (this._waiting.length) return messages;
      const left = this._real.send(messages) || [];
      const taken = messages.slice(0, messages.length - left.length);
      if (taken.length) hub.numbered(hub.id, hub.keep(taken), taken);
      return left;
    }
    const left = this._real.send(messages) || [];
    this._remember(null, 0, messages.length - left.length);
    return left;
  }

  /** Leading: returns what this tab sent and its link never did. Following, nothing: the hub keeps it for the next link. */
  close(): string[] {
    if (!this._closed) this._own = this._retire();
    const own = this._own;
    this._own = [];
    this.clear();
    return own;
  }

  /** This tab now holds the lock; or (`refused`) no tab here can: its client makes a link of its own next. */
  promote(refused?: boolean): void {
    if (this._closed) return;
    // A link that is open belongs to a session that died with its leader; one still waiting becomes the real one.
    if (this._lid || refused) this._end(refused ? REFUSED : LEADER_CHANGED);
    else this._lead();
  }

  /** Leaves without an event (the page hides, the client closes); what the owner sent and did not go out waits for its `close()`. */
  retire(): void {
    if (!this._closed) this._own = this._retire();
  }

  /** A server message for this tab's client. */
  deliver(data: string): void {
    this._heardAt = this._hub.now();
    this.emit('message', data);
  }

  receive(m: TabMessage): void {
    if (this._closed) return;
    const hub = this._hub;
    if (this._real) {
      if (m.t === 'hello' && this._lid) hub.tell({ t: 'open', from: hub.id, lid: this._lid, transport: this.transport, s: hub.snapshot() }, m.from);
      // A send for a link that ended is not confirmed: its tab sends it again on its next link.
      if (m.t === 'send' && m.lid === this._lid && this._real.isOpen) {
        if (hub.resuming) this._take(m.from, m.seq, m.data);
        else if (m.seq > (this._took[m.from] || 0)) {
          this._took[m.from] = m.seq;
          this._real.send(m.data);
          this._remember(m.from, m.seq, m.data.length);
        }
      }
      return;
    }
    switch (m.t) {
      case 'open':
        // Once a tab said it leads, only its link: a crashed leader's last `open` may come after that (two tabs' messages can cross).
        if (this._lid || (this._leader && m.from !== this._leader)) return;
        this._lid = m.lid;
        this._leader = m.from;
        this.transport = m.transport as TransportName | null;
        this._heardAt = hub.now();
        return this._opened();
      case 'msg':
        if (m.lid === this._lid) this.deliver(m.data);
        return;
      case 'close':
        // A leader that hid or closed (`_retire`) hands its followers over, as a leader change does.
        if (m.lid === this._lid) this._end(m.handover ? LEADER_CHANGED : { code: m.code, reason: m.reason, wasClean: m.wasClean });
        return;
      case 'leader':
        // Another tab holds the lock: the leader this tab followed is gone (it may have crashed, saying nothing).
        if (this._lid && m.from !== this._leader) this._end(LEADER_CHANGED);
        // Waiting: the new leader has no pair channel to this tab yet.
        else if (!this._lid) (this._leader = m.from), hub.post({ t: 'hello', from: hub.id });
    }
  }

  private _lead(): void {
    const hub = this._hub;
    hub.adopt();
    const real = (this._real = this._create());
    real.on('open', () => {
      const lid = (this._lid = hub.nextLid());
      this.transport = real.transport;
      hub.tell({ t: 'open', from: hub.id, lid, transport: this.transport, s: hub.snapshot() });
      this._opened();
    });
    real.on('message', (data) => {
      if (hub.resuming) return hub.heard(this._lid!, data);
      hub.post({ t: 'msg', from: hub.id, lid: this._lid!, data });
      this.emit('message', data);
    });
    real.on('heartbeat', () => this.emit('heartbeat', undefined));
    real.on('sent', (count) => this._confirm(this._handed.splice(0, count)));
    real.on('welcome', (outcome) => hub.welcome(outcome));
    real.on('acked', (count) => {
      hub.acked(count);
      // Room was made: what waited goes first, in order.
      for (const { from, seq, data } of this._waiting.splice(0)) this._take(from, seq, data);
      // Then the client's own, which `send` handed back while others waited: the core says `drain`
      // only after refusing something, and what waited may all have fitted now.
      hub.drain();
    });
    real.on('close', ({ unsent, ...info }) => {
      this._real = null;
      const own = this._settle(unsent || []);
      if (this._lid) hub.post({ t: 'close', from: hub.id, lid: this._lid, ...info });
      this._end({ ...info, unsent: own });
    });
  }

  private _opened(): void {
    const hub = this._hub;
    if (!this._real) hub.resend(this._lid!);
    else if (hub.resuming) for (const { seq, data } of hub.kept()) this._take(hub.id, seq, data);
    else {
      const kept = hub.takeKept();
      if (kept.length) this.send(kept);
    }
    this.emit('open', undefined);
    hub.opened(this);
  }

  /**
   * Leading, resuming: puts tab `from`'s messages, up to its number `seq`, into the session —
   * those the session does not have yet (a tab sends again what no ack confirmed to it), in each
   * tab's order; what the link has no room for waits for the next ack. Nothing to hand back: the
   * hubs keep every message until the server acknowledges it.
   */
  private _take(from: string, seq: number, data: readonly string[]): void {
    const hub = this._hub;
    if (this._waiting.length) return void this._waiting.push({ from, seq, data });
    const first = seq - data.length + 1;
    const took = hub.took(from);
    // Taken already; or a hole before it (an earlier message of that tab comes again first).
    if (seq <= took || first > took + 1 || !this._real) return;
    const rest = data.slice(took + 1 - first);
    const left = this._real.send(rest) || [];
    const taken = rest.length - left.length;
    if (taken) hub.numbered(from, seq - left.length, rest.slice(0, taken));
    if (left.length) this._waiting.push({ from, seq, data: left });
  }

  private _remember(from: string | null, seq: number, count: number): void {
    for (let i = 1; i <= count; i++) this._handed.push({ from, seq: i === count ? seq : 0 });
  }

  /** These messages went out: each follower learns the last of its batches among them. */
  private _confirm(out: Handed[]): void {
    const last: Record<string, number> = {};
    for (const { from, seq } of out) if (from !== null && seq) last[from] = seq;
    for (const to in last) this._hub.tell({ t: 'ack', from: this._hub.id, seq: last[to]! }, to);
  }

  /**
   * Leading, the link ended with `unsent`, the tail of what was handed to it: this tab's own go
   * back to its client. Nothing more is confirmed: a follower's batch in a POST in flight when the
   * link ended may or may not have arrived (Chromium delivers an aborted POST whose body left,
   * Firefox often does not), and its tab sends it again — at least once, never lost.
   */
  private _settle(unsent: string[]): string[] {
    const handed = this._handed;
    const out = handed.length - unsent.length;
    this._handed = [];
    return unsent.filter((_, i) => {
      const entry = handed[out + i];
      return !entry || entry.from === null;
    });
  }

  /** Ends this tab's part without an event; returns what this tab sent and never went out. */
  private _retire(): string[] {
    this._closed = true;
    this._hub.forget(this);
    const real = this._real;
    if (!real) return [];
    this._real = null;
    const own = this._settle(real.close());
    if (this._lid) this._hub.post({ t: 'close', from: this._hub.id, lid: this._lid, ...LEADER_CHANGED });
    return own;
  }

  private _end(info: TransportCloseInfo): void {
    if (this._closed) return;
    this._closed = true;
    this._hub.forget(this);
    this.emit('close', info);
    this.clear();
  }
}
