/**
 * SockJS frames, server → client, decoded by one pure function.
 * `o` open · `h` heartbeat · `a[...]` messages · `m"..."` one message (old servers) · `c[code,"reason"]` close.
 */
export type Frame =
  | { kind: 'open' }
  | { kind: 'heartbeat' }
  | { kind: 'messages'; messages: string[] }
  | { kind: 'close'; code: number; reason: string }
  | { kind: 'error'; reason: string };

const OPEN: Frame = { kind: 'open' };
const HEARTBEAT: Frame = { kind: 'heartbeat' };
const invalid = (reason: string): Frame => ({ kind: 'error', reason });

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** Decodes one raw frame. Never throws: what it cannot read comes back as `{ kind: 'error' }`. */
export function decodeFrame(raw: string): Frame {
  const type = raw.charAt(0);
  if (raw.length === 1 && type === 'o') return OPEN;
  if (raw.length === 1 && type === 'h') return HEARTBEAT;
  if (type !== 'a' && type !== 'm' && type !== 'c') return invalid(`Unknown frame: ${raw.slice(0, 32)}`);

  let value: unknown;
  try {
    value = JSON.parse(raw.slice(1));
  } catch {
    return invalid(`Invalid JSON in '${type}' frame`);
  }

  if (type === 'a') return isStringArray(value) ? { kind: 'messages', messages: value } : invalid("'a' frame is not an array of strings");
  if (type === 'm') return typeof value === 'string' ? { kind: 'messages', messages: [value] } : invalid("'m' frame is not a string");
  if (!Array.isArray(value) || value.length !== 2 || typeof value[1] !== 'string') return invalid("'c' frame is not [code, reason]");
  // One code for everything downstream: the reconnect decision and the close event must agree.
  const code: unknown = value[0];
  return typeof code === 'number' && code % 1 === 0 && code >= 0 && code <= 65535
    ? { kind: 'close', code, reason: value[1] }
    : invalid(`'c' frame has an invalid close code: ${String(code).slice(0, 16)}`);
}
