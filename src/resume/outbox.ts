import { utf8Length } from '../util/utf8';

/**
 * The numbered messages one side has sent and the other has not acknowledged yet, as plain data
 * (so a server can keep it in a shared store). Message `base + 1 + i` is `messages[i]`: numbers
 * are implicit, both ends count. Pure functions; the bounds are the caller's to enforce.
 */
export interface Outbox {
  /** How many messages the peer has acknowledged: the first one kept is number `base + 1`. */
  base: number;
  messages: string[];
  /** UTF-8 bytes of the first `measured` messages; the rest are counted in `chars` only. */
  bytes: number;
  measured: number;
  /** UTF-16 code units of the messages not measured yet: at most 3 UTF-8 bytes each. */
  chars: number;
}

export interface OutboxBounds {
  maxMessages: number;
  maxBytes: number;
}

export const emptyOutbox = (): Outbox => ({ base: 0, messages: [], bytes: 0, measured: 0, chars: 0 });

/** The number of the last message put in: acknowledged or not. */
export const lastNumber = (outbox: Outbox): number => outbox.base + outbox.messages.length;

/**
 * Puts `message` in if it fits within `bounds` (none: it does); false when it does not. A message
 * is measured in UTF-8 only when 3 bytes per code unit could reach `maxBytes`: measuring reads
 * every character (and makes V8 copy a string built by concatenation into one piece), which in a
 * burst far from the bound cost more than the rest of the resume path together.
 */
export function add(outbox: Outbox, message: string, bounds?: OutboxBounds): boolean {
  if (bounds) {
    if (outbox.messages.length >= bounds.maxMessages) return false;
    if (outbox.bytes + 3 * (outbox.chars + message.length) > bounds.maxBytes && measure(outbox) + utf8Length(message) > bounds.maxBytes) return false;
  }
  outbox.messages.push(message);
  outbox.chars += message.length;
  return true;
}

/** Measures the messages not measured yet; returns the exact UTF-8 bytes of all. */
function measure(outbox: Outbox): number {
  while (outbox.measured < outbox.messages.length) outbox.bytes += utf8Length(outbox.messages[outbox.measured++]!);
  outbox.chars = 0;
  return outbox.bytes;
}

/**
 * Drops what the peer acknowledged with a cumulative count. Returns how many messages went, or
 * `undefined` for a count the peer cannot honestly send (beyond what was sent); a count below
 * `base` is an old ack that arrived late and changes nothing.
 */
export function acknowledge(outbox: Outbox, count: number): number | undefined {
  if (count > lastNumber(outbox)) return undefined;
  const drop = Math.max(0, count - outbox.base);
  // All of it, the usual case of a cumulative ack: nothing to move, nothing to measure.
  if (drop === outbox.messages.length) {
    outbox.messages = [];
    outbox.bytes = outbox.measured = outbox.chars = 0;
  } else {
    // A part of it (an ack that crossed messages in flight): exact bytes for what stays.
    measure(outbox);
    for (const message of outbox.messages.splice(0, drop)) outbox.bytes -= utf8Length(message);
    outbox.measured -= drop;
  }
  outbox.base = Math.max(outbox.base, count);
  return drop;
}
