import type { Clock } from '../env/env';

/**
 * Intervals agreed for one session, in ms, 0 for off: how often we must send something (an EOL
 * when there is nothing else), and how often the broker promised to.
 */
export type HeartbeatIntervals = [send: number, receive: number];

/** A link that was silent for this many agreed intervals is dead: the spec asks for some tolerance. */
export const SILENCE_FACTOR = 2;

/**
 * STOMP heart-beat negotiation: we sent `heart-beat:outgoing,incoming` in CONNECT, the broker
 * answered `heart-beat:sx,sy` in CONNECTED. Each side sends at the larger of its offer and the
 * other's wish, and nothing when either says 0. A missing or garbled header means 0,0.
 */
export function negotiateHeartbeat(outgoing: number, incoming: number, serverHeader: string | undefined): HeartbeatIntervals {
  const [sx, sy] = ('' + serverHeader).split(',').map((n) => +n || 0);
  return [outgoing && sy > 0 ? Math.max(outgoing, sy) : 0, incoming && sx > 0 ? Math.max(incoming, sx) : 0];
}

export interface HeartbeatMonitor {
  /** Anything came from the broker. */
  received(): void;
  /** False, after calling `onSilence` once, when the broker has been silent too long. */
  check(): boolean;
  stop(): void;
}

/**
 * Sends an EOL every `send` ms (whether or not other frames went out: simpler, and allowed) and
 * checks every `receive` ms that the broker was heard from within `SILENCE_FACTOR` intervals.
 * Silence is judged by timestamps: a background tab may run timers a minute late, and the client
 * also calls `check()` whenever it is about to send.
 */
export function startHeartbeat(clock: Clock, [send, receive]: HeartbeatIntervals, ping: () => void, onSilence: () => void): HeartbeatMonitor {
  let lastIn = clock.now();
  let stopped: boolean | undefined;
  const timers: unknown[] = [];
  const monitor: HeartbeatMonitor = {
    received: () => {
      lastIn = clock.now();
    },
    check() {
      if (receive && !stopped && clock.now() - lastIn > receive * SILENCE_FACTOR) {
        monitor.stop();
        onSilence();
      }
      return !stopped;
    },
    stop() {
      stopped = true;
      for (const timer of timers) clock.clearTimeout(timer);
    },
  };
  const repeat = (slot: number, interval: number, task: () => unknown) => {
    if (interval) {
      timers[slot] = clock.setTimeout(() => {
        task();
        if (!stopped) repeat(slot, interval, task);
      }, interval);
    }
  };
  repeat(0, send, ping);
  repeat(1, receive, monitor.check);
  return monitor;
}
