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
  /** UTF-8 bytes of `messages`. */
  bytes: number;
}

export interface OutboxBounds {
  maxMessages: number;
  maxBytes: number;
}

export const emptyOutbox = (): Outbox => ({ base: 0, messages: [], bytes: 0 });

/** The number of the last message put in: acknowledged or not. */
export const lastNumber = (outbox: Outbox): number => outbox.base + outbox.messages.length;

/** Puts `message` in if it fits within `bounds` (none: it does); false when it does not. One UTF-8 pass. */
export function add(outbox: Outbox, message: string, bounds?: OutboxBounds): boolean {
  const bytes = utf8Length(message);
  if (bounds && (outbox.messages.length >= bounds.maxMessages || outbox.bytes + bytes > bounds.maxBytes)) return false;
  outbox.messages.push(message);
  outbox.bytes += bytes;
  return true;
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
  if (drop === outbox.messages.length) (outbox.messages = []), (outbox.bytes = 0);
  else for (const message of outbox.messages.splice(0, drop)) outbox.bytes -= utf8Length(message);
  outbox.base = Math.max(outbox.base, count);
  return drop;
}
