/**
 * Calls the app (its listeners) from the companion's own async code: a store's or the verify
 * hook's answer. What the app throws is the app's: it must neither pass for a failure of the
 * store, which that code catches and reports (3104 and 'error'), nor be swallowed, nor stop the
 * companion halfway (the rest of a frame unread, the store not told the new token). It is thrown
 * again, unchanged, from a microtask of its own: an uncaught exception, as a throwing 'data'
 * listener of a plain sockjs-node connection is on a WebSocket (or of any Node stream).
 */
export function callApp(call: () => void): void {
  try {
    call();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
