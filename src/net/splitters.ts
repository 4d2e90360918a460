/**
 * Incremental splitters: they take text in chunks of any size (a frame may be split across
 * chunks, several frames may share one) and hand on whole frames. Memory stays bounded: a
 * partial frame longer than `maxLength` is reported as `onOverflow`, not buffered forever.
 */
export type ChunkSink = (chunk: string) => void;

/** Newline-separated lines, as `xhr_streaming` and `xhr` send frames. */
export function lineSplitter(onLine: (line: string) => void, maxLength: number, onOverflow: () => void): ChunkSink {
  let buffer = '';
  return (chunk) => {
    // Only the new chunk can hold a newline: the buffered rest was searched already.
    const offset = buffer.length;
    let end = chunk.indexOf('\n');
    buffer += chunk;
    if (end !== -1) end += offset;
    let start = 0;
    for (; end !== -1; end = buffer.indexOf('\n', start)) {
      onLine(buffer.slice(start, end));
      start = end + 1;
    }
    buffer = buffer.slice(start);
    if (buffer.length > maxLength) {
      buffer = '';
      onOverflow();
    }
  };
}

/**
 * Server-sent events: `data:` lines up to a blank line make one event. sockjs-node %-escapes
 * `%`, CR, LF and NUL inside the data (JavaScript `escape` style); undo exactly those, so a stray
 * `%` can never throw (sockjs-client's `decodeURI` does).
 */
export function eventStreamSplitter(onData: (data: string) => void, maxLength: number, onOverflow: () => void): ChunkSink {
  let data: string[] = [];
  return lineSplitter(
    (rawLine) => {
      const line = rawLine.charAt(rawLine.length - 1) === '\r' ? rawLine.slice(0, -1) : rawLine;
      if (!line) {
        if (data.length) onData(data.join('\n'));
        data = [];
      } else if (line.slice(0, 5) === 'data:') {
        data.push(unescapeEventData(line.slice(line.charAt(5) === ' ' ? 6 : 5)));
      }
    },
    maxLength,
    onOverflow,
  );
}

export const unescapeEventData = (data: string): string =>
  data.indexOf('%') === -1 ? data : data.replace(/%(25|0[0AD])/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
