/**
 * SockJS URLs. Paths are appended to the base URL's path and a query string on the base stays a
 * query string: `/echo?a=1` → `/echo/123/abcd/xhr?a=1`.
 */

/** Appends path segments to `url`'s path, keeping its query; `param` (`name=value`, URL-safe) is added to it. */
export function appendPath(url: string, path: string, param?: string): string {
  const parsed = new URL(url);
  parsed.pathname = parsed.pathname.replace(/\/+$/, '') + path;
  // Appended, not through searchParams: that would re-encode the app's query as a form ('a' → 'a=',
  // '%20' → '+', '~' → '%7E'), so /info and jsonp would carry another query than the rest.
  if (param) parsed.search += (parsed.search ? '&' : '') + param;
  return parsed.href;
}

/** `<base>/<server>/<session>`: every transport endpoint of one session hangs below it. */
export const sessionUrl = (base: string, serverId: string, sessionId: string): string =>
  appendPath(base, `/${serverId}/${sessionId}`);

export const infoUrl = (base: string, now: number): string => appendPath(base, '/info', 't=' + now);

/** http(s) → ws(s), for the `websocket` endpoint. */
export const toWebSocketUrl = (url: string): string => url.replace(/^http/, 'ws');

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz012345';

/** A random id of `length` characters from 32 URL-safe symbols. */
export function randomId(randomBytes: (count: number) => Uint8Array, length: number): string {
  let id = '';
  for (const byte of randomBytes(length)) id += ALPHABET[byte & 31];
  return id;
}

/** The 3-digit server id that load balancers route on: 000–999. */
export function randomServerId(randomBytes: (count: number) => Uint8Array): string {
  const [high, low] = randomBytes(2);
  return String((((high! << 8) | low!) % 1000) + 1000).slice(1);
}
