import type { Env } from '../env/env';
import type { Memory, TransportName } from './types';

/** How long a transport that failed on a URL stays demoted: networks change, so do proxies. */
export const MEMORY_TTL = 10 * 60 * 1000;
/** Most URLs remembered; the least recently learned goes first. */
export const MEMORY_ENTRIES = 16;
const STORAGE_KEY = 'resock:blocked';

interface Entry {
  blocked: TransportName[];
  at: number;
}
type Entries = Record<string, Entry>;

/**
 * Remembered by origin and path: the query often carries a token rotated per attempt, and a key
 * holding it would both leak it into storage and never be found again.
 */
export const memoryKey = (url: string): string => url.split(/[?#]/)[0]!;

/**
 * What failed per URL, in memory and in `sessionStorage` (so a reload skips a WebSocket that a
 * proxy eats). Blocked transports are tried last, not never. Both hold at most MEMORY_ENTRIES URLs.
 * The HTTP transports bring it (`TransportDescriptor.memory`): with a WebSocket alone there is no
 * order to learn.
 */
export class TransportMemory implements Memory {
  private _entries: Entries = {};

  blocked(env: Env, url: string, stored = true): TransportName[] {
    const key = memoryKey(url);
    const entry = this._entries[key] || (stored ? readStored(env)[key] : undefined);
    const now = env.now();
    // One from the future (a clock set back, a storage edited by hand) would stay fresh for ever.
    return isEntry(entry) && entry.at <= now && now - entry.at < MEMORY_TTL ? entry.blocked : [];
  }

  remember(env: Env, url: string, blocked: TransportName[]): void {
    const key = memoryKey(url);
    const entry: Entry = { blocked, at: env.now() };
    this._entries = withEntry(this._entries, key, entry);
    // Storage in a later task: in a fresh page its first access costs ms, which an open must not
    // wait for. Nothing blocked, now or before: nothing to write (most opens write nothing).
    env.setTimeout(() => {
      try {
        const stored = readStored(env);
        const before = stored[key];
        if (blocked.length || (isEntry(before) && before.blocked.length)) env.sessionStorage?.setItem(STORAGE_KEY, JSON.stringify(withEntry(stored, key, entry)));
      } catch {
        // Storage full or denied: memory alone will do.
      }
    }, 0);
  }
}

/** `entries` with `key` set to `entry`, as the newest (keys keep insertion order), less the oldest beyond MEMORY_ENTRIES. */
function withEntry(entries: Entries, key: string, entry: Entry): Entries {
  const result: Entries = { ...entries };
  delete result[key];
  result[key] = entry;
  const keys = Object.keys(result);
  for (const old of keys.slice(0, Math.max(0, keys.length - MEMORY_ENTRIES))) delete result[old];
  return result;
}

/** What earlier pages of the tab stored; entries are checked where read (`isEntry`). */
function readStored(env: Env): Entries {
  try {
    const entries = JSON.parse(env.sessionStorage?.getItem(STORAGE_KEY) || '{}') as unknown;
    return entries && typeof entries === 'object' ? (entries as Entries) : {};
  } catch {
    return {};
  }
}

const isEntry = (entry: Entry | undefined): entry is Entry => !!entry && Array.isArray(entry.blocked) && typeof entry.at === 'number';

/** One memory per page (or worker): every connection to a URL learns from the others. */
export const sharedMemory = new TransportMemory();
