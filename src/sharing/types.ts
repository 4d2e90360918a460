import type { DebugLogger } from '../connector/options';
import type { Env } from '../env/env';
import type { LinkEvents } from '../link/link';
import type { TransportName } from '../transports/types';

/** What `Resock` uses of a link: the surface of `Link`, which a tab's view of a shared link also has. */
export interface LinkLike {
  on<K extends keyof LinkEvents>(type: K, fn: (value: LinkEvents[K]) => void): () => void;
  send(messages: readonly string[]): void;
  /** Ends it without a `close` event; returns what it accepted and never sent. */
  close(): string[];
  readonly transport: TransportName | null;
  readonly isOpen: boolean;
  readonly lastFrameAt: number;
}

/**
 * This client's part in a shared link: `leader` runs the link, `follower` uses the leader's,
 * `unavailable` runs its own because the platform lacks Web Locks or BroadcastChannel (or is a worker).
 */
export type SharingRole = 'leader' | 'follower' | 'unavailable';

/** One client's membership of a shared link, for as long as the client lives. */
export interface Sharing {
  readonly role: SharingRole;
  /**
   * The link for one attempt: `create()`'s own when this tab leads (or cannot share), else a view
   * of the leader's. Typed as `create()`'s link because the caller uses only the `LinkLike` surface.
   */
  link<L extends LinkLike>(create: () => L): L;
  /** Leaves: hands the leadership over, frees the lock and the channel. */
  close(): void;
}

/** The value of Resock's `shared` option: made by `shared()` of `resock/shared`. */
export interface SharedOption {
  attach(url: string, env: Env, debug: DebugLogger): Sharing;
}
