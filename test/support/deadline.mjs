// Every wait in the tests is for an event, bounded by a deadline that fails with a clear message.

/** Default bound of one wait: generous, since a failure only costs time when something is broken. */
export const DEFAULT_WAIT_MS = 20000;

/**
 * Resolves or rejects like `promise`, or rejects after `timeoutMs` with
 * "timed out after … waiting for <what>" and what `explain()` adds (the state at that moment).
 */
export async function withDeadline(promise, { what, timeoutMs = DEFAULT_WAIT_MS, explain = async () => '' }) {
  let timer;
  const expired = new Promise((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  const timedOut = Symbol('timed out');
  try {
    const result = await Promise.race([promise, expired.then(() => timedOut)]);
    if (result !== timedOut) return result;
  } finally {
    clearTimeout(timer);
  }
  const details = await explain().catch((error) => `(could not tell more: ${error.message})`);
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${details ? `; ${details}` : ''}`);
}
