import { unescapeHeader, utf8, type Escaping, type StompFrame } from './frame';

const LF = 10;
const CR = 13;
const decoder = new TextDecoder();

/** Frames past this many bytes (head and body) are an error unless told otherwise: 16 MiB. */
export const DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;

export interface StompParser {
  /** Header escaping of the session; the client sets it from the version in CONNECTED. Default 2 (STOMP 1.2). */
  escaping: Escaping;
  /** Text (a WebSocket or SockJS message) or bytes (a binary WebSocket message). */
  push(chunk: string | ArrayBuffer | Uint8Array): void;
  /** Ignores all further input; a frame callback may call it to stop the loop. */
  stop(): void;
}

/**
 * An incremental STOMP parser. Chunks may split a frame anywhere (even inside a UTF-8 sequence)
 * or hold several frames; EOLs between frames (heart-beats) are skipped. It works on bytes
 * because `content-length` counts bytes, and a body with a `content-length` may contain NULs.
 *
 * It never throws on bad input: a malformed frame, or one larger than `maxFrameSize`, is reported
 * once through `onError` (with the reason `too large`, or `malformed: ` and the command, header
 * line or header at fault) and the parser then ignores everything. It holds at most one
 * unfinished frame, which `maxFrameSize` bounds, and the chunk being parsed.
 *
 * Linear in its input: each byte is scanned once for the end of the head or of the body, even
 * when the frame comes in many chunks (the scan resumes where it stopped), only the head is
 * decoded, and the unfinished bytes live in a buffer that grows by doubling, so a frame split
 * into many chunks is not copied again for each. A closure rather than a class: its state is
 * local variables, which the minifier shortens (the bundle has a size budget).
 */
export function createParser(
  onFrame: (frame: StompFrame) => void,
  onError: (reason: string) => void,
  maxFrameSize = DEFAULT_MAX_FRAME_SIZE,
): StompParser {
  /** Room for the bytes not parsed yet, which are `buf.subarray(start, end)`. */
  let buf = new Uint8Array(256);
  let start = 0;
  let end = 0;
  /** How far (from `start`) the search for the end of the head, then of the body, has gone. */
  let scanned = 0;
  /** The head of the frame whose body has not all arrived, if any. */
  let command: string | undefined;
  let headers: Record<string, string>;
  /** Where the body starts and ends (its NUL), from `start`; the end is -1 until known. */
  let bodyStart: number;
  let bodyEnd: number;
  let stopped: boolean | undefined;

  const fail = (reason: string): void => {
    stopped = true;
    onError(reason);
  };

  /**
   * Adds a chunk after the unparsed bytes. When there is no room, they move to a buffer twice as
   * large as they and the chunk: each byte is copied a bounded number of times.
   */
  const append = (bytes: Uint8Array): void => {
    const length = end - start;
    if (end + bytes.length > buf.length) {
      const next = new Uint8Array(2 * (length + bytes.length));
      next.set(buf.subarray(start, end));
      buf = next;
      start = 0;
      end = length;
    }
    buf.set(bytes, end);
    end += bytes.length;
  };

  /**
   * Parses the head, the `length` bytes from `start`, when `scanned` is at the LF of the blank line
   * after it; sets `command`, or returns what is at fault: the command, a header line without a
   * colon, or `content-length`.
   */
  const readHead = (length: number): string | void => {
    const [first, ...lines] = decoder.decode(buf.subarray(start, start + length)).split(/\r?\n/);
    const unescape = parser.escaping && first !== 'CONNECTED';
    const entries: Array<[string, string]> = [];
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon < 0) return line;
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1);
      entries.push(unescape ? [unescapeHeader(name), unescapeHeader(value)] : [name, value]);
    }
    // Reversed, so that the first of a repeated header wins (unshift above would be quadratic in
    // the headers: 200,000 of them froze the page for 20 s); fromEntries keeps __proto__ a header.
    headers = Object.fromEntries(entries.reverse());
    const contentLength = headers['content-length'];
    if (!/^[A-Za-z]+$/.test(first)) return first;
    if (contentLength !== undefined && !/^\d+$/.test(contentLength)) return 'content-length';
    command = first;
    bodyStart = scanned + 1; // after the LF that ends the blank line
    bodyEnd = contentLength ? bodyStart + +contentLength : -1;
  };

  /** Parses the next frame if all of it is there; false when it needs more bytes (or failed). */
  const next = (): boolean | void => {
    // Heart-beat EOLs before a frame: a frame never starts with one.
    if (!scanned) while (start < end && (buf[start] === LF || buf[start] === CR)) start++;
    const length = end - start;
    for (; command === undefined && scanned < length; scanned++) {
      // The head ends at the first empty line: an LF after an LF, or after CR LF.
      let at = start + scanned;
      if (buf[at] !== LF) continue;
      if (buf[--at] === CR) at--;
      if (buf[at] !== LF) continue;
      const fault = readHead(at - start - (buf[at - 1] === CR ? 1 : 0));
      // Named, cut short: a line may be as long as a frame.
      if (command === undefined) return fail('malformed: ' + fault!.slice(0, 32));
    }
    if (command === undefined) return;
    if (bodyEnd < 0) {
      const nul = buf.subarray(start + scanned, end).indexOf(0);
      if (nul < 0) return void (scanned = length);
      bodyEnd = scanned + nul;
    }
    if (bodyEnd >= length) return;
    if (buf[start + bodyEnd]) return fail('malformed: content-length');
    const body = buf.slice(start + bodyStart, start + bodyEnd);
    const frame = { command, headers, body: decoder.decode(body), binaryBody: body };
    start += bodyEnd + 1;
    command = undefined;
    scanned = 0;
    onFrame(frame);
    return true;
  };

  const parser: StompParser = {
    escaping: 2,
    push(chunk) {
      if (stopped) return;
      append(typeof chunk === 'string' ? utf8.encode(chunk) : new Uint8Array(chunk));
      while (!stopped && next());
      if (start === end) start = end = 0;
      if (!stopped && end - start > maxFrameSize) fail('too large');
    },
    stop: () => {
      stopped = true;
    },
  };
  return parser;
}
