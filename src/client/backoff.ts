/**
 * Reconnect delay for retry number `attempt` (0-based): exponential, capped at `max`, with full
 * jitter so that a server restart is not met by every client at the same instant.
 */
export function backoffDelay(attempt: number, min: number, max: number, rand: () => number = Math.random): number {
  // From 1 ms when min is 0: a ceiling of 0 · 2^n would retry at once for ever against a server that is down.
  const ceiling = Math.min(max, (min || 1) * 2 ** Math.min(attempt, 30));
  return Math.round(min + rand() * (ceiling - min));
}
