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

interface Head {
  _command: string;
  _headers: Record<string, string>;
  /** Offset of the body in the buffer. */
  _bodyStart: number;
  /** From `content-length`, or -1: the body then ends at the first NUL. */
  _length: number;
}

/**
 * An incremental STOMP parser. Chunks may split a frame anywhere (even inside a UTF-8 sequence)
 * or hold several frames; EOLs between frames (heart-beats) are skipped. It works on bytes
 * because `content-length` counts bytes, and a body with a `content-length` may contain NULs.
 *
 * It never throws on bad input: a malformed frame, or one larger than `maxFrameSize`, is reported
 * once through `onError` (with the reason `malformed` or `too large`) and the parser then ignores
 * everything. It holds at most one unfinished frame, which `maxFrameSize` bounds, and the chunk
 * being parsed.
 *
 * Each chunk restarts the search from the frame's start: heads are short, and bodies are searched
 * with the native `indexOf`, so the simplicity costs little. A closure rather than a class: its
 * state is local variables, which the minifier shortens (the bundle has a size budget).
 */
export function createParser(
  onFrame: (frame: StompFrame) => void,
  onError: (reason: string) => void,
  maxFrameSize = DEFAULT_MAX_FRAME_SIZE,
): StompParser {
  /** Bytes not parsed yet; parsed ones are cut off the front with `subarray`, without a copy. */
  let buf = new Uint8Array(0);
  /** The head of the frame whose body has not all arrived. */
  let head: Head | void;
  let stopped: boolean | undefined;

  const fail = (reason: string): void => {
    stopped = true;
    onError(reason);
  };

  /** Parses the head if the buffer holds all of it: a frame starts the buffer, and the first empty line ends its head. */
  const readHead = (): Head | void => {
    const text = decoder.decode(buf);
    const blankLine = /\r?\n\r?\n/.exec(text);
    if (!blankLine) return;
    const headText = text.slice(0, blankLine.index);
    const [command, ...lines] = headText.split(/\r?\n/);
    if (!/^[A-Za-z]+$/.test(command)) return fail('malformed');
    const unescape = parser.escaping && command !== 'CONNECTED';
    const entries: Array<[string, string]> = [];
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon < 0) return fail('malformed');
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1);
      // In reverse, so that the first of a repeated header wins; fromEntries keeps __proto__ a header.
      entries.unshift(unescape ? [unescapeHeader(name), unescapeHeader(value)] : [name, value]);
    }
    const headers = Object.fromEntries(entries);
    const contentLength = headers['content-length'];
    if (contentLength !== undefined && !/^\d+$/.test(contentLength)) return fail('malformed');
    // The head is text: its length in bytes is that of its UTF-8 encoding.
    const bodyStart = utf8.encode(headText).length + blankLine[0].length;
    return { _command: command, _headers: headers, _bodyStart: bodyStart, _length: contentLength ? +contentLength : -1 };
  };

  const parser: StompParser = {
    escaping: 2,
    push(chunk) {
      if (stopped) return;
      const bytes = typeof chunk === 'string' ? utf8.encode(chunk) : new Uint8Array(chunk);
      const joined = new Uint8Array(buf.length + bytes.length);
      joined.set(buf);
      joined.set(bytes, buf.length);
      buf = joined;
      while (!stopped) {
        if (!head) {
          let skip = 0;
          while (buf[skip] === LF || buf[skip] === CR) skip++;
          buf = buf.subarray(skip);
          if (!(head = readHead())) break;
        }
        const { _bodyStart: bodyStart, _length: length } = head;
        const stop = length < 0 ? buf.indexOf(0, bodyStart) : bodyStart + length;
        if (stop < 0 || stop >= buf.length) break;
        if (buf[stop]) return fail('malformed');
        const body = buf.slice(bodyStart, stop);
        const frame = { command: head._command, headers: head._headers, body: decoder.decode(body), binaryBody: body };
        head = undefined;
        buf = buf.subarray(stop + 1);
        onFrame(frame);
      }
      if (!stopped && buf.length > maxFrameSize) fail('too large');
    },
    stop: () => {
      stopped = true;
    },
  };
  return parser;
}
