/** What a caught `error` says, for a close reason or an event. */
export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Errors with names, as the W3C WebSocket API and sockjs-client raise them. */
export class InvalidStateError extends Error {
  override readonly name = 'InvalidStateError';
}
export class InvalidAccessError extends Error {
  override readonly name = 'InvalidAccessError';
}
