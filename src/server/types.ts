/** What the companion needs of sockjs-node 0.3 (and what it offers in return). */
export interface SockjsConnectionLike {
  readonly id?: string;
  readonly url?: string;
  /** sockjs-node's transport name: 'websocket', 'xhr-polling'… */
  readonly protocol?: string;
  readonly readyState?: number;
  write(data: string): unknown;
  close(code?: number, reason?: string): unknown;
  on(event: 'data', listener: (message: string) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  removeListener(event: 'data' | 'close', listener: (...args: never[]) => void): unknown;
  /** A plain client's first message is handed back to the app's own listener this way. */
  emit(event: 'data', message: string): unknown;
}

export interface SockjsServerLike {
  on(event: 'connection', listener: (connection: SockjsConnectionLike) => void): unknown;
  removeListener(event: 'connection', listener: (connection: SockjsConnectionLike) => void): unknown;
}

/** Close codes the companion uses on a link (3000–3999: the client reconnects and resumes or starts fresh). */
export const ResumeCloseCode = {
  /** The session's window was exceeded: it cannot be resumed and has ended. */
  WindowExceeded: 3101,
  /** A newer link took the session over, or the decision of this link's hello (the same token, still being decided). */
  Replaced: 3102,
  /** The client broke the resume protocol: the session has ended. */
  ProtocolError: 3103,
  /** The session store failed: nothing was decided, the client may try again. */
  StoreFailed: 3104,
  /** The companion was closed (the server is shutting down): the session has ended. */
  ShuttingDown: 3105,
  /**
   * The link sent more after its hello than a session's window holds (`maxMessages`, `maxBytes`)
   * while the store or the verify hook answered: that link is closed, nothing decided (no session
   * started; the one it named stays for a correct resume).
   */
  HandshakeOverflow: 3106,
  /**
   * The store or the verify hook did not answer the link's hello within `welcomeTimeout`: that
   * link is closed, nothing decided (no session started; the one it named stays for a correct
   * resume). The client may try again.
   */
  WelcomeTimeout: 3107,
  /** The app's verify hook threw or rejected: nothing was decided, the client may try again. */
  VerifyFailed: 3108,
} as const;

/** What `writeBatch` uses of a sockjs-node 0.3 connection's private session, when it is there. */
interface SockjsSession {
  readyState?: number;
  send_buffer?: unknown;
  recv?: unknown;
  tryFlush?: () => void;
}

/**
 * Writes `messages` to `link` as ONE SockJS frame where possible. sockjs-node 0.3 sends every
 * `write` as its own frame at once (`a["k12"]`, then `a["dhello"]`), and a waiting poll answers
 * with the first alone, so the next message waits for a whole new poll. Its session buffer,
 * filled and flushed once, makes one frame of a batch: exactly what its `write` does per message
 * (push, flush if a receiver is attached). Any other server gets one `write` per message.
 */
export function writeBatch(link: SockjsConnectionLike, messages: readonly string[]): void {
  const session = (link as { _session?: SockjsSession })._session;
  const buffer = session && session.send_buffer;
  if (!session || !Array.isArray(buffer) || typeof session.tryFlush !== 'function') {
    for (const message of messages) link.write(message);
  } else if (session.readyState === 1) {
    buffer.push(...messages);
    if (session.recv) session.tryFlush();
  }
}
