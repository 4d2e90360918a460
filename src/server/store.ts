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

/**
 * The store as the companion calls it: its writes on one token (`set`, `delete`) applied in the
 * order they were made, each after the one before has answered (failed or not). A store over a
 * pool of connections may apply a later call first: a detach's slow `set` landing after the
 * token's `delete` (its session resumed and retired it, or ended) would keep that record for
 * ever, as nothing deletes that token again. A synchronous store (MemoryStore) is called at once,
 * as before; reads are not held back (a resume would wait for a slow write it does not need: the
 * node's live sessions answer a miss).
 */
export function orderedWrites(store: ResumeStore): ResumeStore {
  const pending = new Map<string, Promise<unknown>>();
  const write = (token: string, call: () => void | Promise<void>): void | Promise<void> => {
    const before = pending.get(token);
    const result = before ? before.then(call) : call();
    if (!result || typeof result.then !== 'function') return result;
    const settled = result.then(undefined, () => undefined);
    pending.set(token, settled);
    void settled.then(() => pending.get(token) === settled && pending.delete(token));
    return result;
  };
  return {
    get: (token) => store.get(token),
    set: (token, record) => write(token, () => store.set(token, record)),
    delete: (token) => write(token, () => store.delete(token)),
  };
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
