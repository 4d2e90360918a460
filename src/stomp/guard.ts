/**
 * Calls an application's callback (a message handler, the debug hook) so that it cannot break the
 * client: what it throws is reported as an uncaught error, as an event listener's would be, and
 * the frames and timers behind it go on.
 */
export function guard<T>(callback: ((value: T) => void) | undefined, value: T): void {
  try {
    callback?.(value);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
