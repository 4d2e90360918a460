/**
 * What this platform has. The only module that reads `globalThis`: everything else receives an
 * `Env`, so tests hand in doubles and workers or Node run the same code.
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: Event) => unknown) | null;
  onmessage: ((ev: MessageEvent) => unknown) | null;
  onclose: ((ev: CloseEvent) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/** The page's lifecycle signals, where there is a page (or a worker with `online`/`offline`). */
export interface Lifecycle {
  online(): boolean;
  visible(): boolean;
  /** `online`, `offline`, `pagehide`, `pageshow`, `visibilitychange`; returns the unsubscribe. */
  on(type: string, fn: (event: Event) => void): () => void;
}

/** The part of the Web Locks API that elects one tab (`navigator.locks`). */
export interface LockManagerLike {
  request(name: string, options: { signal?: AbortSignal }, callback: () => Promise<void>): Promise<unknown>;
}

/** The part of `BroadcastChannel` that carries messages between tabs of one origin. */
export interface ChannelLike {
  onmessage: ((event: MessageEvent) => unknown) | null;
  postMessage(data: unknown): void;
  close(): void;
}

export interface Env extends Clock {
  WebSocket?: WebSocketConstructor;
  fetch?: typeof fetch;
  /** `fetch` whose response bodies can be read as they arrive (`ReadableStream`). */
  fetchStreams: boolean;
  XMLHttpRequest?: typeof XMLHttpRequest;
  /** A document whose `<head>` accepts `<script>` elements (JSONP). */
  document?: Document;
  /** Where JSONP callbacks are published, so a `<script>` can reach them. */
  globalObject: Record<string, unknown>;
  /** Cryptographically random bytes. */
  randomBytes(count: number): Uint8Array;
  /** A random number in [0, 1) for jitter: tests hand in a fixed one. */
  random(): number;
  sessionStorage?: Pick<Storage, 'getItem' | 'setItem'>;
  /** The page's own URL, for telling same-origin from cross-origin requests. */
  location?: { href: string };
  lifecycle: Lifecycle;
  /** Web Locks, in a page only: a worker has no `pagehide` to hand its leadership over with. */
  locks?: LockManagerLike;
  BroadcastChannel?: new (name: string) => ChannelLike;
  AbortController?: typeof AbortController;
}

function safeSessionStorage(g: typeof globalThis): Env['sessionStorage'] {
  try {
    // Reading sessionStorage throws in sandboxed iframes and with storage blocked.
    return g.sessionStorage || undefined;
  } catch {
    return undefined;
  }
}

function lifecycleOf(g: typeof globalThis, doc: Document | undefined): Lifecycle {
  return {
    online: () => !g.navigator || g.navigator.onLine !== false,
    visible: () => !doc || doc.visibilityState !== 'hidden',
    on: (type, fn) => {
      const target: EventTarget | undefined = type === 'visibilitychange' ? doc : typeof g.addEventListener === 'function' ? g : undefined;
      if (!target) return () => undefined;
      target.addEventListener(type, fn);
      return () => target.removeEventListener(type, fn);
    },
  };
}

/** Reads the running platform. Called once per connection, never at import time. */
export function detectEnv(g: typeof globalThis = globalThis): Env {
  const fetchFn = typeof g.fetch === 'function' ? g.fetch.bind(g) : undefined;
  const crypto = g.crypto;
  // A worker or Node has none: read as a property of the global, it is then undefined.
  const doc = g.document as Document | undefined;
  return {
    WebSocket: g.WebSocket as unknown as WebSocketConstructor | undefined,
    fetch: fetchFn,
    fetchStreams:
      !!fetchFn && typeof g.ReadableStream === 'function' && typeof g.TextDecoder === 'function' && typeof g.AbortController === 'function',
    XMLHttpRequest: g.XMLHttpRequest,
    document: doc && typeof doc.createElement === 'function' ? doc : undefined,
    globalObject: g as unknown as Record<string, unknown>,
    randomBytes: (count) => {
      const bytes = new Uint8Array(count);
      if (crypto && crypto.getRandomValues) crypto.getRandomValues(bytes);
      else for (let i = 0; i < count; i++) bytes[i] = Math.floor(Math.random() * 256);
      return bytes;
    },
    random: Math.random,
    // Read when needed, not here: in a fresh page the first read costs Chromium ms.
    get sessionStorage() {
      return safeSessionStorage(g);
    },
    location: g.location,
    lifecycle: lifecycleOf(g, doc),
    locks: doc && g.navigator ? g.navigator.locks : undefined,
    BroadcastChannel: g.BroadcastChannel,
    AbortController: g.AbortController,
    now: () => Date.now(),
    // Past 2^31 - 1 ms platforms fire at once (browsers) or after 1 ms (Node): a `timeout` of
    // Infinity would time every transport out at once, a huge heartbeatTimeout spin the watchdog.
    // 2e9 ms (23 days) is below, and costs the bundle 40 B less than 2147483647.
    setTimeout: (fn, ms) => g.setTimeout(fn, Math.min(ms, 2e9)),
    clearTimeout: (id) => g.clearTimeout(id as ReturnType<typeof setTimeout>),
  };
}
