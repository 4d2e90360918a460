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
export const escapingOf = (version: string) => (+version.slice(2) || 0) as Escaping; // '1.2' → 2

/** The characters that are escaped, and their escapes, in the same order. */
const RAW = '\\\n\r:';
const ESCAPES = ['\\\\', '\\n', '\\r', '\\c'];

export function escapeHeader(text: string, escaping?: Escaping): string {
  return escaping ? text.replace(escaping > 1 ? /[\\\n\r:]/g : /[\\\n:]/g, (c) => ESCAPES[RAW.indexOf(c)]) : text;
}

/**
 * Undoes the escaping. The spec calls an unknown escape such as `\t` fatal; it is kept as it is
 * instead, because a broker would redeliver the same message after every reconnect.
 */
export function unescapeHeader(text: string): string {
  return text.replace(/\\[\\nrc]/g, (escape) => RAW[ESCAPES.indexOf(escape)]);
}

export const utf8 = new TextEncoder();

/**
 * One frame, ready for `socket.send`. Headers whose value is undefined are left out. A non-empty
 * body gets a `content-length` unless the caller set one, so that a NUL inside it cannot end the
 * frame early. Throws a TypeError for a header it cannot escape (CONNECT and STOMP 1.0 escape
 * nothing, 1.1 no CR): written raw, a line break would end it and start a header the app never
 * set, and a ':' in a name would move where the value starts.
 */
export function encodeFrame(command: string, headers: Record<string, string | undefined>, body: string, escaping?: Escaping): string {
  const level = command === 'CONNECT' ? 0 : escaping;
  const all = { ...headers };
  if (body && all['content-length'] === undefined) all['content-length'] = '' + utf8.encode(body).length;
  let frame = command + '\n';
  for (const name in all) {
    const value = all[name];
    if (value === undefined) continue;
    if (level ? level < 2 && /\r/.test(name + value) : /[\r\n]/.test(name + value) || name.includes(':')) {
      throw new TypeError(`${command} cannot escape header ${JSON.stringify(name)}`);
    }
    frame += escapeHeader(name, level) + ':' + escapeHeader('' + value, level) + '\n';
  }
  return frame + '\n' + body + '\0';
}
