import type { Outbox } from '../resume/outbox';

/** One session's state, plain data so that a shared store (Redis…) can hold it. */
export interface SessionRecord {
  /** Stable for the session's life: the logical connection's `id`. */
  id: string;
  /** The token that resumes the session now (rotated on every resume). */
  token: string;
  /**
   * The token the latest resume was presented with, while the client has not shown that it holds
   * `token` (it has said nothing yet on the link that got the welcome): it resumes too, as that
   * welcome may have died with its link. null once shown, and in a fresh session.
   */
  previous: string | null;
  /** Data messages received from the client. */
  received: number;
  /** Messages written to the client and not acknowledged yet. */
  out: Outbox;
  /** The window was exceeded: kept until its TTL only so that a resume learns why it failed. */
  overflowed: boolean;
}

/**
 * Where sessions live between links, keyed by their current token. Every method may return a
 * promise. On its own node the companion lets one resume of a token act (a newer hello with the
 * token takes over one under way); a store shared by several nodes must make get-then-delete of a
 * token atomic for the same guarantee.
 */
export interface ResumeStore {
  get(token: string): SessionRecord | undefined | Promise<SessionRecord | undefined>;
  set(token: string, record: SessionRecord): void | Promise<void>;
  delete(token: string): void | Promise<void>;
}

/**
 * Runs a store call that nobody waits for (a detach, an expiry, a cleanup). Its failure, thrown
 * (a synchronous store: SQLite…) or rejected, must neither stop its caller halfway (the session
 * ended, its 'close' never emitted) nor reach the process (an uncaught exception in a timer or a
 * sockjs-node event, an unhandled rejection): the TTL or the next resume tells the store again.
 * `onFailure` gets what failed, where that is worth reporting; it must not throw.
 */
export function unawaited(call: () => void | Promise<void>, onFailure: (error: unknown) => void = () => undefined): void {
  try {
    void Promise.resolve(call()).catch(onFailure);
  } catch (error) {
    // As a rejection: see above.
    onFailure(error);
  }
}

/** The default store: a Map in this process. */
export class MemoryStore implements ResumeStore {
  private readonly _records = new Map<string, SessionRecord>();

  get size(): number {
    return this._records.size;
  }

  get(token: string): SessionRecord | undefined {
    return this._records.get(token);
  }

  set(token: string, record: SessionRecord): void {
    this._records.set(token, record);
  }

  delete(token: string): void {
    this._records.delete(token);
  }
}
