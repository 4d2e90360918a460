import type { Clock } from '../env/env';

/** Intervals agreed for one session, in ms; 0 is off. */
export interface HeartbeatIntervals {
  /** How often we must send something (an EOL when there is nothing else). */
  send: number;
  /** How often the broker promised to send something. */
  receive: number;
}

/** A link that was silent for this many agreed intervals is dead: the spec asks for some tolerance. */
export const SILENCE_FACTOR = 2;

/**
 * STOMP heart-beat negotiation: we sent `heart-beat:outgoing,incoming` in CONNECT, the broker
 * answered `heart-beat:sx,sy` in CONNECTED. Each side sends at the larger of its offer and the
 * other's wish, and nothing when either says 0. A missing or garbled header means 0,0.
 */
export function negotiateHeartbeat(outgoing: number, incoming: number, serverHeader: string | undefined): HeartbeatIntervals {
  const [sx, sy] = (serverHeader || '').split(',').map((n) => (/^\s*\d+\s*$/.test(n) ? +n : 0));
  return {
    send: outgoing && sy ? Math.max(outgoing, sy) : 0,
    receive: incoming && sx ? Math.max(incoming, sx) : 0,
  };
}

/**
 * Sends heart-beats and watches the broker's, by timestamps: a background tab may run timers a
 * minute late, so a late timer compares the clock rather than assuming it fired on time, and the
 * client also calls `check()` whenever it is about to send.
 */
export class HeartbeatMonitor {
  private _lastIn: number;
  private _lastOut: number;
  private _timer: unknown;
  private _stopped?: boolean;

  constructor(
    private readonly _clock: Clock,
    private readonly _intervals: HeartbeatIntervals,
    private readonly _ping: () => void,
    private readonly _onSilence: () => void,
  ) {
    this._lastIn = this._lastOut = _clock.now();
    this._schedule();
  }

  /** Anything came from the broker. */
  received(): void {
    this._lastIn = this._clock.now();
  }

  /** Anything went to the broker. */
  sent(): void {
    this._lastOut = this._clock.now();
  }

  /** False, after calling `onSilence` once, when the broker has been silent too long. */
  check(): boolean {
    const { receive } = this._intervals;
    if (this._stopped) return false;
    if (receive && this._clock.now() - this._lastIn > receive * SILENCE_FACTOR) {
      this.stop();
      this._onSilence();
      return false;
    }
    return true;
  }

  stop(): void {
    this._stopped = true;
    this._clock.clearTimeout(this._timer);
  }

  private _schedule(): void {
    const { send, receive } = this._intervals;
    const due = Math.min(send ? this._lastOut + send : Infinity, receive ? this._lastIn + receive * SILENCE_FACTOR + 1 : Infinity);
    if (due < Infinity) this._timer = this._clock.setTimeout(() => this._tick(), Math.max(0, due - this._clock.now()));
  }

  private _tick(): void {
    if (!this.check()) return;
    const { send } = this._intervals;
    if (send && this._clock.now() - this._lastOut >= send) {
      this._lastOut = this._clock.now();
      this._ping();
    }
    if (!this._stopped) this._schedule();
  }
}
