/**
 * The one thing the STOMP client depends on: an object shaped like a WebSocket. A native
 * `WebSocket`, a `SockJS` and a `Resock` all fit. Frames go out as text (SockJS is text-only);
 * frames may come in as text or, on a native WebSocket, as binary messages.
 */
export interface StompSocket {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  /** `open`, `message`, `close`, and Resock's `reconnecting`. */
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
  /**
   * Resock's: drops the link now and makes another (`reconnecting`, then `open`). Called on a
   * given socket whose broker went silent, since closing it would end it for good.
   */
  reconnect?(): void;
  /** Resock's: what its link sends last if Resock drops that link itself (reconnect(), pagehide…). */
  farewell?: string | null;
  /** Resock's: takes what a link had not sent when it ended, instead of its queue. */
  reclaim?: ((messages: string[]) => void) | null;
  /** A native WebSocket's; set to 'arraybuffer' so that binary frames can be read synchronously. */
  binaryType?: string;
  /**
   * Resock's with `resume`: true once its server resumes sessions. Its server session, and the
   * broker's STOMP session in it, then outlive a link: a `resumefailed` event says when they did not.
   */
  readonly resumable?: boolean | null;
  /** Resock's: `'leader'` or `'follower'` when its link is shared between tabs. */
  readonly sharing?: string | null;
}

/**
 * A STOMP session is per connection, with subscriptions and receipts that belong to one tab: over
 * a link shared between tabs, every tab would speak for the others. So it is refused, clearly.
 */
export function refuseShared(socket: StompSocket): void {
  if (socket.sharing && socket.sharing !== 'unavailable') {
    throw new TypeError('resock/stomp needs a Resock of its own, not a shared one');
  }
}

/**
 * Over a Resock, a connecting or connected STOMP session leaves a DISCONNECT as its link's farewell
 * (null once it sent its own): dropped without one, a link on an HTTP transport lives on at the
 * SockJS server for its disconnect_delay, and so does the broker session, with its subscriptions.
 */
export function setFarewell(socket: StompSocket, frame: string | null): void {
  if ('farewell' in socket) socket.farewell = frame;
}

export const isOpen = (socket: StompSocket) => socket.readyState === 1;
export const isClosed = (socket: StompSocket) => socket.readyState === 3;

/**
 * Adds the listeners (`open`, `message`, `close`, and Resock's `reconnecting`, which says that the
 * link is lost and another is coming) and, on a Resock, `reclaim`; returns the function that
 * removes them.
 */
export function listen(socket: StompSocket, listeners: Record<string, (event: Event) => void>, reclaim: (frames: string[]) => void): () => void {
  if ('binaryType' in socket) socket.binaryType = 'arraybuffer';
  const resock = 'reclaim' in socket;
  if (resock) socket.reclaim = reclaim;
  for (const type in listeners) socket.addEventListener(type, listeners[type]);
  return () => {
    if (resock) socket.reclaim = null;
    for (const type in listeners) socket.removeEventListener(type, listeners[type]);
  };
}
