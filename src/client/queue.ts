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
export class OutboundQueue {
  private _items: string[] = [];
  private _bytes = 0;

  constructor(private readonly _limits: QueueLimits) {}

  get length(): number {
    return this._items.length;
  }

  get bytes(): number {
    return this._bytes;
  }

  push(message: string): string[] {
    const size = utf8Length(message);
    const { maxMessages, maxBytes, overflow } = this._limits;
    if (size > maxBytes) throw new QueueOverflowError(`Message of ${size} bytes exceeds queue.maxBytes (${maxBytes})`);
    const fits = () => this._items.length < maxMessages && this._bytes + size <= maxBytes;
    const dropped: string[] = [];
    if (!fits()) {
      if (overflow === 'reject') {
        throw new QueueOverflowError(`Queue full (${this._items.length} messages, ${this._bytes} bytes): message rejected`);
      }
      while (!fits()) dropped.push(this._take()!);
    }
    this._items.push(message);
    this._bytes += size;
    return dropped;
  }

  /** Puts messages back in front, beyond the limits if need be: they are older than the rest. */
  unshift(messages: readonly string[]): void {
    this._items = messages.concat(this._items);
    for (const message of messages) this._bytes += utf8Length(message);
  }

  /** Empties the queue, returning everything in order. */
  drain(): string[] {
    const items = this._items;
    this._items = [];
    this._bytes = 0;
    return items;
  }

  private _take(): string | undefined {
    const message = this._items.shift();
    if (message !== undefined) this._bytes -= utf8Length(message);
    return message;
  }
}
