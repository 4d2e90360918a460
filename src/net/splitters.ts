/**
 * Incremental splitters: they take text in chunks of any size (a frame may be split across
 * chunks, several frames may share one) and hand on whole frames. Memory stays bounded: a
 * partial frame longer than `maxLength` is reported as `onOverflow`, not buffered forever.
 */
export type ChunkSink = (chunk: string) => void;

/**
 * Lines ending with LF, CRLF or a bare CR: `xhr_streaming` and `xhr` end frames with LF, and all
 * three are valid in server-sent events. A frame's JSON never holds a raw CR or LF, and receivers
 * skip empty lines, so one splitter serves every stream.
 */
export function lineSplitter(onLine: (line: string) => void, maxLength: number, onOverflow: () => void): ChunkSink {
  let rest = '';
  // The last chunk ended with a CR: an LF that starts this one ends the same line, not another.
  let afterCR = false;
  return (chunk) => {
    if (!chunk) return;
    // Only the new chunk can hold a line end: the rest was searched already.
    const eol = /\r\n?|\n/g;
    let start = (eol.lastIndex = afterCR && chunk.charAt(0) === '\n' ? 1 : 0);
    for (let match; (match = eol.exec(chunk)); start = eol.lastIndex) {
      const line = rest + chunk.slice(start, match.index);
      rest = '';
      // A line that came whole in one chunk is held to the limit too.
      if (line.length > maxLength) onOverflow();
      else onLine(line);
    }
    afterCR = chunk.charAt(chunk.length - 1) === '\r';
    rest += chunk.slice(start);
    if (rest.length > maxLength) {
      rest = '';
      onOverflow();
    }
  };
}

/**
 * Server-sent events: `data:` lines up to a blank line make one event. sockjs-node %-escapes
 * `%`, CR, LF and NUL inside the data (JavaScript `escape` style); undo exactly those, so a stray
 * `%` can never throw (sockjs-client's `decodeURI` does). `maxLength` bounds the whole event, not
 * only one line: an event of endless short `data:` lines must not grow the heap without bound.
 */
export function eventStreamSplitter(onData: (data: string) => void, maxLength: number, onOverflow: () => void): ChunkSink {
  let data: string[] = [];
  let size = 0;
  const onLine = (line: string) => {
    if (!line) {
      if (data.length) onData(data.join('\n'));
      data = [];
      size = 0;
    } else if (line.slice(0, 5) === 'data:') {
      const value = unescapeEventData(line.slice(line.charAt(5) === ' ' ? 6 : 5));
      if ((size += value.length + 1) > maxLength) {
        data = [];
        size = 0;
        return onOverflow();
      }
      data.push(value);
    }
  };
  return lineSplitter(onLine, maxLength, onOverflow);
}

export const unescapeEventData = (data: string): string =>
  data.indexOf('%') === -1 ? data : data.replace(/%(25|0[0AD])/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
