/**
 * The resume extension's messages (docs/resume-protocol.md), carried inside ordinary SockJS
 * messages. Pure: encode and decode only. Once the handshake is done every message in both
 * directions starts with one tag character; before it, only the hello and the welcome pass.
 */

/** Added to the base URL's query by a client that wants to resume: the server knows at open time. */
export const RESUME_QUERY = 'resock-resume=1';

const HELLO = '~resume1 ';
const RESUMED = '~resumed ';
const FRESH = '~fresh ';

/** Why the server started a fresh session instead of resuming. */
export type FreshReason =
  | 'new' // the client presented no token
  | 'unknown' // the token is not known here: expired (TTL), replaced by a later resume, or never issued
  | 'restarted' // the token was issued by another server instance: the state is gone
  | 'window' // the session's window was exceeded while the client was away
  | 'refused' // the app's verify hook refused the resume
  | 'invalid'; // the hello was malformed or its count impossible

export type Welcome =
  | { kind: 'resumed'; token: string; received: number }
  // A reason this version does not know is passed on as it is (a newer server may add some).
  | { kind: 'fresh'; token: string; reason: FreshReason | (string & Record<never, never>) };

/** A message after the handshake: data, or a control message carrying a count. */
export type WireMessage =
  | { kind: 'data'; data: string }
  | { kind: 'ack'; count: number } // k<n>: I have received your data messages 1..n
  | { kind: 'ping'; count: number } // p<n>: the same ack, and answer with yours at once
  | { kind: 'next'; count: number }; // n<n>: my next data message has number n

const TOKEN = /^[A-Za-z0-9_.-]{1,128}$/;
const COUNT = /^(0|[1-9][0-9]{0,15})$/;
const REASON = /^[a-z-]{1,32}$/;

function parseCount(text: string): number | undefined {
  if (!COUNT.test(text)) return undefined;
  const count = Number(text);
  return count <= Number.MAX_SAFE_INTEGER ? count : undefined;
}

export const encodeData = (data: string): string => 'd' + data;
export const encodeAck = (count: number): string => 'k' + count;
export const encodePing = (count: number): string => 'p' + count;
export const encodeNext = (count: number): string => 'n' + count;

/**
 * The marker a POST needs first when it continues a batch another POST began (`next`, a data
 * message): the number of the first marker before it, plus the data messages after that marker.
 * None when `next` is no data message, or `post` numbers nothing (the hello).
 */
export function continuation(post: readonly string[], next: string): string | undefined {
  for (let i = post.length, count = 0; next[0] === 'd' && i--; ) {
    const tag = post[i]![0];
    if (tag === 'n') return 'n' + (+post[i]!.slice(1) + count);
    if (tag === 'd') count++;
  }
}

const TAGS: Record<string, WireMessage['kind']> = { k: 'ack', p: 'ping', n: 'next' };

/** Decodes a message after the handshake, or `undefined` when it breaks the protocol. */
export function decodeMessage(raw: string): WireMessage | undefined {
  const tag = raw.charAt(0);
  if (tag === 'd') return { kind: 'data', data: raw.slice(1) };
  const kind = TAGS[tag];
  const count = kind && parseCount(raw.slice(1));
  return kind && count !== undefined ? ({ kind, count } as WireMessage) : undefined;
}

/** The client's first message on every link: its token (none on the first link) and its count. */
export const encodeHello = (token: string | null, received: number): string => `${HELLO}${token || '-'} ${received}`;

/** `undefined` when `raw` is not a hello at all; `'invalid'` when it is one, but malformed. */
export function decodeHello(raw: string): { token: string | null; received: number } | 'invalid' | undefined {
  if (!raw.startsWith(HELLO)) return undefined;
  const [token, count, extra] = raw.slice(HELLO.length).split(' ');
  const received = parseCount(count || '');
  if (extra !== undefined || received === undefined || !token || (token !== '-' && !TOKEN.test(token))) return 'invalid';
  return { token: token === '-' ? null : token, received };
}

export const encodeWelcome = (welcome: Welcome): string =>
  welcome.kind === 'resumed' ? `${RESUMED}${welcome.token} ${welcome.received}` : `${FRESH}${welcome.token} ${welcome.reason}`;

/**
 * `undefined` when `raw` is not a welcome at all; `'invalid'` when it is one, but malformed (a
 * broken companion, not a plain server: its answer must not turn the client plain for good).
 */
export function decodeWelcome(raw: string): Welcome | 'invalid' | undefined {
  const resumed = raw.startsWith(RESUMED);
  if (!resumed && !raw.startsWith(FRESH)) return undefined;
  const [token = '', value = '', extra] = raw.slice(resumed ? RESUMED.length : FRESH.length).split(' ');
  const received = parseCount(value);
  return extra !== undefined || !TOKEN.test(token) || (resumed ? received === undefined : !REASON.test(value))
    ? 'invalid'
    : resumed
      ? { kind: 'resumed', token, received: received! }
      : { kind: 'fresh', token, reason: value };
}
