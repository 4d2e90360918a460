/**
 * Validates a SockJS base URL as sockjs-client does: http(s) only, no fragment. A relative URL is
 * resolved against the page (as sockjs-client does in browsers); with no page to resolve against
 * it is a SyntaxError. Trailing slashes are dropped.
 */
export function parseBaseUrl(url: string, base?: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    // Node and workers without a location have no page to resolve a relative URL against.
    throw new SyntaxError(`The URL '${url}' is invalid` + (base ? '' : ': an absolute http(s) URL is needed here (no page to resolve it against)'));
  }
  if (!url || !parsed.host) throw new SyntaxError(`The URL '${url}' is invalid`);
  if (parsed.hash || url.indexOf('#') !== -1) throw new SyntaxError('The URL must not contain a fragment');
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new SyntaxError(`The URL's scheme must be either 'http:' or 'https:'. '${parsed.protocol}' is not allowed.`);
  }
  return parsed.origin + parsed.pathname.replace(/\/+$/, '') + parsed.search;
}
