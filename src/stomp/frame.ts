/**
 * STOMP frames: their shape, header escaping, and the encoder.
 * https://stomp.github.io/stomp-specification-1.2.html#STOMP_Frames
 */

export type StompHeaders = Record<string, string>;

/** A frame as it came from the broker. */
export interface StompFrame {
  readonly command: string;
  /** When a header repeats, the first occurrence wins (STOMP 1.2). */
  readonly headers: StompHeaders;
  /** The body decoded as UTF-8. */
  readonly body: string;
  /** The body's bytes, as the broker sent them. */
  readonly binaryBody: Uint8Array;
}

/**
 * How header names and values are escaped: 0 for STOMP 1.0 (not at all), 1 for 1.1 (`\\`, `\n`,
 * `:`), 2 for 1.2 (also `\r`). CONNECT and CONNECTED frames are never escaped, whatever the
 * version, so that a 1.0 server can read the CONNECT that negotiates the version.
 */
export type Escaping = 0 | 1 | 2;

/** The escaping of a negotiated version ('1.0' when the broker named none). */
export const escapingOf = (version: string): Escaping => (version === '1.2' ? 2 : version === '1.1' ? 1 : 0);

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', ':': '\\c' };
const UNESCAPES: Record<string, string> = { '\\': '\\', n: '\n', r: '\r', c: ':' };

export function escapeHeader(text: string, escaping?: Escaping): string {
  return escaping ? text.replace(escaping > 1 ? /[\\\n\r:]/g : /[\\\n:]/g, (c) => ESCAPES[c]) : text;
}

/**
 * Undoes the escaping. The spec calls an unknown escape such as `\t` fatal; it is kept as it is
 * instead, because a broker would redeliver the same message after every reconnect.
 */
export function unescapeHeader(text: string): string {
  return text.replace(/\\([\\nrc])/g, (_, c: string) => UNESCAPES[c]);
}

export const utf8 = new TextEncoder();

/**
 * One frame, ready for `socket.send`: a string when the body is text, bytes when it is binary
 * (which only a native WebSocket can carry; SockJS is text-only). Headers whose value is
 * undefined are left out. A non-empty body gets a `content-length` unless the caller set one, so
 * that a NUL inside it cannot end the frame early.
 */
export function encodeFrame(
  command: string,
  headers: Record<string, string | undefined>,
  body: string | Uint8Array,
  escaping?: Escaping,
): string | Uint8Array {
  const level = command === 'CONNECT' ? 0 : escaping;
  const all = { ...headers };
  if (body.length && all['content-length'] === undefined) all['content-length'] = String(typeof body === 'string' ? utf8.encode(body).length : body.length);
  let head = command + '\n';
  for (const name in all) {
    const value = all[name];
    if (value !== undefined) head += escapeHeader(name, level) + ':' + escapeHeader(String(value), level) + '\n';
  }
  head += '\n';
  if (typeof body === 'string') return head + body + '\0';
  const headBytes = utf8.encode(head);
  const bytes = new Uint8Array(headBytes.length + body.length + 1);
  bytes.set(headBytes);
  bytes.set(body, headBytes.length);
  return bytes;
}
