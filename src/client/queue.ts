import { utf8Length } from '../util/utf8';

export { utf8Length };

/** `send` found the queue full and the overflow policy is `'reject'`. */
export class QueueOverflowError extends Error {
  override readonly name = 'QueueOverflowError';
}

export type OverflowPolicy = 'reject' | 'drop-oldest';

export interface QueueLimits {
  maxMessages: number;
  maxBytes: number;
  overflow: OverflowPolicy;
}

/**
 * Messages waiting for an open link, in order, bounded by count and bytes. `push` returns what
 * had to be dropped to make room (drop-oldest) or throws QueueOverflowError (reject).
 */
export interface OutboundQueue {
  readonly length: number;
  /** UTF-8 bytes of the messages held. */
  readonly bytes: number;
  push(message: string): string[];
  /** Puts messages back in front, beyond the limits if need be: they are older than the rest. */
  unshift(messages: readonly string[]): void;
  /** Empties the queue, returning everything in order. */
  drain(): string[];
}

/** A closure rather than a class: its state is local variables, which minify to one letter. */
export function outboundQueue({ maxMessages, maxBytes, overflow }: QueueLimits): OutboundQueue {
  let items: string[] = [];
  let bytes = 0;
  return {
    get length() {
      return items.length;
    },
    get bytes() {
      return bytes;
    },
    push(message) {
      const size = utf8Length(message);
      if (size > maxBytes) throw new QueueOverflowError(`Message of ${size} bytes exceeds queue.maxBytes (${maxBytes})`);
      const fits = () => items.length < maxMessages && bytes + size <= maxBytes;
      const dropped: string[] = [];
      if (!fits()) {
        if (overflow === 'reject') throw new QueueOverflowError(`Queue full (${items.length} messages, ${bytes} bytes): message rejected`);
        while (!fits()) {
          // Nothing left to make room from (maxMessages 0): the new message is dropped too.
          if (!items.length) return dropped.concat(message);
          const oldest = items.shift()!;
          bytes -= utf8Length(oldest);
          dropped.push(oldest);
        }
      }
      items.push(message);
      bytes += size;
      return dropped;
    },
    unshift(messages) {
      items = messages.concat(items);
      for (const message of messages) bytes += utf8Length(message);
    },
    drain() {
      const all = items;
      items = [];
      bytes = 0;
      return all;
    },
  };
}
