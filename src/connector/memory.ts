import type { Env } from '../env/env';
import type { TransportName } from '../transports/types';

/** How long a transport that failed on a URL stays demoted: networks change, so do proxies. */
export const MEMORY_TTL = 10 * 60 * 1000;
const STORAGE_PREFIX = 'resock:blocked:';

interface Entry {
  blocked: TransportName[];
  at: number;
}

/**
 * What failed per URL, in memory and in `sessionStorage` (so a reload skips a WebSocket that a
 * proxy eats). Blocked transports are tried last, not never.
 */
export class TransportMemory {
  private readonly _entries = new Map<string, Entry>();

  /** Blocked transports of `url`; only what this page learned when `stored` is false. */
  blocked(env: Env, url: string, stored = true): TransportName[] {
    const entry = this._entries.get(url) || (stored ? readStored(env, url) : null);
    return entry && env.now() - entry.at < MEMORY_TTL ? entry.blocked : [];
  }

  remember(env: Env, url: string, blocked: TransportName[]): void {
    const entry: Entry = { blocked, at: env.now() };
    this._entries.set(url, entry);
    // Storage in a later task: in a fresh page its first access costs ms, which an open must not
    // wait for. Nothing blocked, now or before: nothing to write (most opens write nothing).
    env.setTimeout(() => {
      try {
        const stored = readStored(env, url);
        if (blocked.length || (stored && stored.blocked.length)) env.sessionStorage?.setItem(STORAGE_PREFIX + url, JSON.stringify(entry));
      } catch {
        // Storage full or denied: memory alone will do.
      }
    }, 0);
  }
}

function readStored(env: Env, url: string): Entry | null {
  try {
    const entry = JSON.parse(env.sessionStorage?.getItem(STORAGE_PREFIX + url) || 'null') as Entry | null;
    return entry && Array.isArray(entry.blocked) && typeof entry.at === 'number' ? entry : null;
  } catch {
    return null;
  }
}

/** One memory per page (or worker): every connection to a URL learns from the others. */
export const sharedMemory = new TransportMemory();
