import { unescapeHeader, utf8, type Escaping, type StompFrame } from './frame';

const LF = 10;
const CR = 13;
const decoder = new TextDecoder();

/** Frames past this many bytes (head and body) are an error unless told otherwise: 16 MiB. */
export const DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;

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
 * once through `onError` and the parser then ignores everything. Memory stays within about
 * twice the largest frame allowed plus one chunk.
 */
export class StompParser {
  /** Header escaping of the session; the client sets it from the version in CONNECTED. */
  escaping: Escaping = 2;
  /**
   * Bytes not parsed yet, at the start of a larger buffer that has room to grow. Parsed bytes are
   * cut off the front with `subarray` (no copy); the memory goes when the buffer is next replaced.
   */
  private _buf = new Uint8Array(4096);
  private _end = 0;
  /** Where the search for the end of the head, or of the body, goes on: bytes before it were looked at. */
  private _scan = 0;
  private _head?: Head | void;
  private _stopped?: boolean;

  constructor(
    private readonly _onFrame: (frame: StompFrame) => void,
    private readonly _onError: (reason: string) => void,
    private readonly _maxFrameSize = DEFAULT_MAX_FRAME_SIZE,
  ) {}

  /** Text (a WebSocket or SockJS message) or bytes (a binary WebSocket message). */
  push(chunk: string | ArrayBuffer | ArrayBufferView): void {
    if (this._stopped) return;
    const bytes =
      typeof chunk === 'string'
        ? utf8.encode(chunk)
        : ArrayBuffer.isView(chunk)
          ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
          : new Uint8Array(chunk);
    const end = this._end + bytes.length;
    if (end > this._buf.length) {
      const grown = new Uint8Array(Math.max(end, this._buf.length * 2));
      grown.set(this._buf.subarray(0, this._end));
      this._buf = grown;
    }
    this._buf.set(bytes, this._end);
    this._end = end;
    this._parse();
  }

  /** Ignores all further input and frees the buffer; a frame callback may call it to stop the loop. */
  stop(): void {
    this._stopped = true;
    this._buf = new Uint8Array(0);
    this._end = this._scan = 0;
  }

  private _parse(): void {
    while (!this._stopped) {
      let buf = this._buf;
      let head = this._head;
      if (!head) {
        let skip = 0;
        while (skip < this._end && (buf[skip] === LF || buf[skip] === CR)) skip++;
        this._drop(skip);
        buf = this._buf;
        const blankLine = this._findBlankLine();
        if (blankLine < 0) break;
        head = this._head = this._readHead(blankLine);
        if (!head) return;
        this._scan = head._bodyStart;
      }
      let stop = head._bodyStart + head._length;
      if (head._length >= 0) {
        if (stop >= this._end) break;
        if (buf[stop]) return this._fail('body longer than its content-length');
      } else {
        stop = buf.subarray(0, this._end).indexOf(0, this._scan);
        if (stop < 0) {
          this._scan = this._end;
          break;
        }
      }
      const body = buf.slice(head._bodyStart, stop);
      this._head = undefined;
      this._drop(stop + 1);
      this._onFrame({ command: head._command, headers: head._headers, body: decoder.decode(body), binaryBody: body });
    }
    if (this._end > this._maxFrameSize) this._fail('frame too large');
  }

  /** Cuts `count` parsed bytes off the front. */
  private _drop(count: number): void {
    this._buf = this._buf.subarray(count);
    this._end -= count;
    this._scan = Math.max(0, this._scan - count);
  }

  /** The index of the LF that ends the last header line (an empty line follows it), or -1. */
  private _findBlankLine(): number {
    const buf = this._buf;
    for (let i = this._scan; i < this._end; i++) {
      if (buf[i] !== LF) continue;
      // Undecided until the bytes after this LF arrive: look here again next time.
      if (i + 1 >= this._end || (buf[i + 1] === CR && i + 2 >= this._end)) return (this._scan = i), -1;
      if (buf[i + 1] === LF || (buf[i + 1] === CR && buf[i + 2] === LF)) return i;
    }
    this._scan = this._end;
    return -1;
  }

  private _readHead(blankLine: number): Head | void {
    const buf = this._buf;
    const [command, ...lines] = decoder.decode(buf.subarray(0, blankLine)).split('\n').map((line) => line.replace(/\r$/, ''));
    if (!/^[A-Za-z]+$/.test(command)) return this._fail('bad command');
    const unescape = this.escaping && command !== 'CONNECTED';
    const entries: Array<[string, string]> = [];
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon < 0) return this._fail('bad header line');
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1);
      // In reverse, so that the first of a repeated header wins; fromEntries keeps __proto__ a header.
      entries.unshift(unescape ? [unescapeHeader(name), unescapeHeader(value)] : [name, value]);
    }
    const headers = Object.fromEntries(entries);
    const contentLength = headers['content-length'];
    if (contentLength !== undefined && !/^\d+$/.test(contentLength)) return this._fail('bad content-length');
    return { _command: command, _headers: headers, _bodyStart: blankLine + (buf[blankLine + 1] === LF ? 2 : 3), _length: contentLength ? +contentLength : -1 };
  }

  private _fail(reason: string): void {
    this.stop();
    this._onError(reason);
  }
}
