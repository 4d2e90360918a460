import type { Clock } from '../env/env';
import type { Transport, TransportCloseInfo } from '../transports/types';
import { Emitter } from '../util/emitter';
import { CloseCode, closeInfo } from '../protocol/codes';
import { decodeFrame } from '../protocol/frame';

export interface SessionEvents extends Record<string, unknown> {
  open: void;
  messages: string[];
  heartbeat: void;
  sent: number;
  /** A frame ended the session; its `close` waits for the transport's request in flight (`settle`). */
  closing: void;
  /** Exactly once, unless the owner closed the session itself. */
  close: TransportCloseInfo;
}

/**
 * One SockJS session over one transport: expects `o` first, turns `a[...]` into messages,
 * notes when the last frame arrived, and reports one close. Knows nothing of reconnection.
 */
export class Session extends Emitter<SessionEvents> {
  /** `settling`: a frame ended the session, the transport's request in flight has yet to answer. */
  private _state: 'connecting' | 'open' | 'settling' | 'closed' = 'connecting';
  /** When the last frame of any kind arrived: liveness is judged by timestamps, not timers. */
  lastFrameAt: number;

  constructor(
    private readonly _transport: Transport,
    private readonly _clock: Pick<Clock, 'now'>,
  ) {
    super();
    this.lastFrameAt = _clock.now();
    _transport.on('frame', (raw) => this._onFrame(raw));
    _transport.on('close', (info) => this._end(info));
    _transport.on('sent', (count) => this.emit('sent', count));
  }

  send(messages: readonly string[]): void {
    // While settling, the transport keeps them: they come back with the close, in order.
    if (this._state === 'open' || this._state === 'settling') this._transport.send(messages);
  }

  /** Closes without a `close` event (the owner knows why); returns what the transport had not sent. */
  close(last?: readonly string[]): string[] {
    if (this._state === 'closed') return [];
    this._state = 'closed';
    this.clear();
    return this._transport.close(last);
  }

  private _onFrame(raw: string): void {
    if (this._state === 'closed' || this._state === 'settling') return;
    this.lastFrameAt = this._clock.now();
    const frame = decodeFrame(raw);
    switch (frame.kind) {
      case 'open':
        if (this._state === 'open') return this._fail(CloseCode.Lost, 'Server lost session');
        this._state = 'open';
        return this.emit('open', undefined);
      case 'close':
        // A close frame may come first: the server answers a dead or duplicate session with it.
        return this._endByFrame(closeInfo(frame.code, frame.reason, true));
      case 'error':
        return this._fail(CloseCode.CannotConnect, frame.reason);
    }
    if (this._state !== 'open') return this._fail(CloseCode.CannotConnect, 'Expected an open frame first');
    if (frame.kind === 'heartbeat') this.emit('heartbeat', undefined);
    else this.emit('messages', frame.messages);
  }

  private _fail(code: number, reason: string): void {
    this._endByFrame(closeInfo(code, reason));
  }

  /** Ended by a frame: the transport may still have a request to hear out (`Transport.settle`). */
  private _endByFrame(info: TransportCloseInfo): void {
    if (!this._transport.settle || this._state !== 'open') return this._end(info);
    this._state = 'settling';
    // close() meanwhile: the owner took what was left, and wants no event.
    void this._transport.settle().then((unsent) => this._end(info, unsent));
    this.emit('closing', undefined);
  }

  /** `settled`: what a settling transport handed back; else what it still holds is taken now. */
  private _end(info: TransportCloseInfo, settled?: string[]): void {
    if (this._state === 'closed') return;
    this._state = 'closed';
    // Ended by a frame (`c[…]`, a protocol error): what the transport still held was never sent.
    const unsent = settled || (info.unsent || []).concat(this._transport.close());
    this.emit('close', unsent.length ? { ...info, unsent } : info);
    this.clear();
  }
}
