import type { DebugLogger } from '../connector/options';
import type { Env } from '../env/env';
import type { ResumeLinkEvents } from '../resume/link';
import type { ResumeSeam } from '../resume/plugin';
import type { TransportName } from '../transports/types';

/**
 * What `Resock` uses of a link: the surface of `Link`, which a tab's view of a shared link also
 * has. A resumable link (resume/link.ts) says more (`acked`, `welcome`), which a leader relays.
 */
export interface LinkLike {
  on<K extends keyof ResumeLinkEvents>(type: K, fn: (value: ResumeLinkEvents[K]) => void): () => void;
  /** May hand back messages it did not take (resume's buffer is full): they stay with the caller. */
  send(messages: readonly string[]): readonly string[] | void;
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
  /** `resume`: the client's resume seam, when it has one; the tabs then keep the session between them. */
  attach(url: string, env: Env, debug: DebugLogger, resume?: ResumeSeam | null): Sharing;
}
