/**
 * Reconnect delay for retry number `attempt` (0-based): exponential, capped at `max`, with full
 * jitter so that a server restart is not met by every client at the same instant.
 */
export function backoffDelay(attempt: number, min: number, max: number, rand: () => number = Math.random): number {
  const ceiling = Math.min(max, min * 2 ** Math.min(attempt, 30));
  return Math.round(min + rand() * (ceiling - min));
}
