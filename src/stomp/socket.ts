/**
 * The one thing the STOMP client depends on: an object shaped like a WebSocket. A native
 * `WebSocket`, a `SockJS` and a `Resock` all fit.
 */
export interface StompSocket {
  readonly readyState: number;
  /** Text frames; a Uint8Array only for `binaryBody`, which only a native WebSocket can carry. */
  send(data: string): void;
  close(): void;
  /** `open`, `message`, `close`, and Resock's `reconnecting`. */
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
  /** A native WebSocket's; set to 'arraybuffer' so that binary frames can be read synchronously. */
  binaryType?: string;
}

export const isOpen = (socket: StompSocket) => socket.readyState === 1;
export const isClosed = (socket: StompSocket) => socket.readyState === 3;

export interface SocketHandlers {
  open(): void;
  message(data: unknown): void;
  /** Closed for good. */
  close(event: { code?: number }): void;
  /** A Resock lost its link and will open a new one: the STOMP session is over, the socket is not. */
  reconnecting(): void;
}

/** Listens to the socket; returns the function that stops listening. */
export function listen(socket: StompSocket, handlers: SocketHandlers): () => void {
  const listeners: Record<string, (event: Event) => void> = {
    open: () => handlers.open(),
    message: (event) => handlers.message((event as MessageEvent).data),
    close: (event) => handlers.close(event as CloseEvent),
    reconnecting: () => handlers.reconnecting(),
  };
  if ('binaryType' in socket) socket.binaryType = 'arraybuffer';
  for (const type in listeners) socket.addEventListener(type, listeners[type]);
  return () => {
    for (const type in listeners) socket.removeEventListener(type, listeners[type]);
  };
}
