/** Refusals in a row that are retried; the next one is passed on and closes the session. */
const MAX_RETRIES = 6;
/** The frame as sockjs-node, sockjs-go and Spring write it (JSON without spaces). */
const REFUSAL = /^c\[2010,/;

/**
 * sockjs-go (like Spring) answers a receiving request that reaches it before it has released the
 * previous one of the same session with `c[2010,"Another connection still open"]`. That refuses
 * the second request only: the session lives on. A client that polls again at once can be that
 * second request, and must not lose its session to its own speed. So a receiving loop does not
 * pass that frame on: it asks again after a short, growing delay (10, 20, … 320 ms), a few times
 * in a row; past that the frame goes to the session, which closes with 2010 as before.
 *
 * Returns that delay when `raw` is a refusal and `refusals` (how many came just before it, in a
 * row) still allows a retry, else 0.
 */
export const anotherConnectionRetryDelay = (raw: string, refusals: number): number =>
  refusals < MAX_RETRIES && REFUSAL.test(raw) ? 10 << refusals : 0;
