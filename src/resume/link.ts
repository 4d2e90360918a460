import type { LinkEvents, LinkLike } from '../link/link';
import type { TransportCloseInfo, TransportName } from '../transports/types';
import { Emitter } from '../util/emitter';
import type { ResumeCore, ResumeOutcome } from './core';

/** What a resumable link says beyond a `Link`, for the tabs of a shared link, which keep its session. */
export interface ResumeLinkEvents extends LinkEvents {
  /** The server acknowledged our messages up to this count. */
  acked: number;
  /** With the seam's `shared`: how the handshake ended, right before `open` (instead of the seam reporting it). */
  welcome: ResumeOutcome;
}

/**
 * One link seen through the resume core: the surface of a `Link`, owning nothing but the
 * translation. The inner link's `open` starts the handshake, and this link says `open` only once
 * the core has settled it (resumed, fresh or plain), so its owner never hands the core messages
 * on a link that cannot carry them yet. Messages in and out go through the core; on a close the
 * core is told, and what the inner link had not sent is NOT handed back: the core keeps its
 * messages and re-sends them on the next link — unless the server turned out plain, where the
 * core passes messages through and the owner's queue takes them back as it always did.
 */
export class ResumeLink extends Emitter<ResumeLinkEvents> implements LinkLike {
  isOpen = false;
  private _closed = false;
  /** Messages of the app put on the inner link in plain mode: the tail of what it may hand back. */
  private _plainSent = 0;
  /** Messages of the extension (the hello) put on the inner link and not reported `sent` yet. */
  private _ours = 0;
  /** A flush of the core is due at the end of this task. */
  private _flushing = false;

  constructor(private readonly _inner: LinkLike, private readonly _core: ResumeCore) {
    super();
    _inner.on('open', () => {
      // A WebSocket frame cannot be sent twice by the browser: the markers once per link do.
      _core.linkUp(_inner.transport !== 'websocket');
      // A plain core (the server has no companion) has no handshake: the link is usable at once.
      if (_core.plain) this.opened();
    });
    _inner.on('message', (raw) => {
      // The link stamped the frame as it came: the core needs no clock read of its own.
      for (const message of _core.receive(raw, _inner.lastFrameAt)) {
        if (this._closed) return;
        this.emit('message', message);
      }
    });
    _inner.on('heartbeat', () => this.emit('heartbeat', undefined));
    // Plain, the app's messages go out as they are: a shared link's leader confirms them to their
    // tabs by this count, which must not count the hello sent before the server turned out plain.
    _inner.on('sent', (count) => {
      const ours = Math.min(count, this._ours);
      this._ours -= ours;
      if (this._core.plain && count > ours) this.emit('sent', count - ours);
    });
    _inner.on('close', (info) => this._end(info));
  }

  /** That of the open link: none during the handshake, which the owner does not see as open yet. */
  get transport(): TransportName | null {
    return this.isOpen ? this._inner.transport : null;
  }

  get infoPending(): boolean {
    return this._inner.infoPending;
  }

  get lastFrameAt(): number {
    return this._inner.lastFrameAt;
  }

  /**
   * Offers messages to the core; returns those it had no room for (they stay with the owner until
   * `drain`). The core keeps them at once but writes them at the end of the task (a microtask):
   * a burst of sends is one batch, not a batch per message (as the WebSocket transport gathers
   * its frames), which is what keeps resume's bursts near plain ones.
   */
  send(messages: readonly string[]): string[] | void {
    const taken = this._core.send(messages, true);
    if (!this._flushing) {
      this._flushing = true;
      void Promise.resolve().then(() => {
        this._flushing = false;
        this._core.flush();
      });
    }
    if (taken < messages.length) return messages.slice(taken);
  }

  /** The core's wire messages, onto the inner link. */
  put(wire: string[]): void {
    if (this._core.plain) this._plainSent += wire.length;
    else this._ours += wire.length;
    this._inner.send(wire);
  }

  /** The core settled the handshake: the owner may use the link. */
  opened(): void {
    if (this._closed) return;
    this.isOpen = true;
    this.emit('open', undefined);
  }

  /** The core judged the link dead or broken: close it, and say so as a close of the link. */
  drop(info: TransportCloseInfo): void {
    this._end(info);
  }

  close(): string[] {
    if (this._closed) return [];
    // What this task sent goes before the close, as on a plain link.
    this._core.flush();
    this._stop();
    this.clear();
    return this._ownersOf(this._inner.close());
  }

  private _end(info: TransportCloseInfo): void {
    if (this._closed) return;
    // Resuming would send that message again on every link, and meet the same 413, for ever.
    if (info.tooLarge) this._core.forget(info.tooLarge);
    this._stop();
    const unsent = this._ownersOf(this._inner.close().concat(info.unsent || []));
    this.emit('close', { code: info.code, reason: info.reason, wasClean: info.wasClean, unsent });
    this.clear();
  }

  private _stop(): void {
    this._closed = true;
    this.isOpen = false;
    this._core.linkLost();
  }

  /** Of what the inner link did not send, what the owner must take back: app messages in plain mode only. */
  private _ownersOf(unsent: string[]): string[] {
    return this._core.plain ? unsent.slice(Math.max(0, unsent.length - this._plainSent)) : [];
  }
}
