import type { StompFrame, StompHeaders } from './frame';

/** A MESSAGE, with the acknowledgement that belongs to it. */
export interface StompMessage extends StompFrame {
  /**
   * ACK for subscriptions in `client` or `client-individual` mode. A message received before a
   * reconnect cannot be acknowledged afterwards (the broker redelivers it): the call is then ignored.
   * @example message.ack({ transaction: tx.id })
   */
  ack(headers?: StompHeaders): void;
  /** NACK (STOMP 1.1+): the broker redelivers or dead-letters the message. Ignored after a reconnect, like `ack`. */
  nack(headers?: StompHeaders): void;
}

export type MessageHandler = (message: StompMessage) => void;

/** What `subscribe()` returns. */
export interface StompSubscription {
  readonly id: string;
  /** Ends the subscription; the broker is told when connected (and needs no telling otherwise). */
  unsubscribe(headers?: StompHeaders): void;
}

export interface SubscriptionEntry {
  readonly id: string;
  readonly destination: string;
  readonly headers: StompHeaders;
  readonly onMessage: MessageHandler;
}

/**
 * Live subscriptions by id, in the order they were made. The registry, not a log of SUBSCRIBE
 * frames, is the truth: after a reconnect every entry is subscribed again with the same id, so
 * MESSAGE frames keep finding their handler.
 */
export class SubscriptionRegistry {
  private readonly _entries = new Map<string, SubscriptionEntry>();
  private _count = 0;

  /** Adds an entry; its id is `headers.id` when given, else `sub-<n>`. Throws TypeError on a duplicate id. */
  add(destination: string, headers: StompHeaders, onMessage: MessageHandler): SubscriptionEntry {
    let id = headers.id;
    if (id === undefined) do id = 'sub-' + this._count++; while (this._entries.has(id));
    else if (this._entries.has(id)) throw new TypeError(`Subscription id '${id}' is in use`);
    const entry = { id, destination, headers: { ...headers, id }, onMessage };
    this._entries.set(id, entry);
    return entry;
  }

  /** True when the id was live. */
  remove(id: string): boolean {
    return this._entries.delete(id);
  }

  get(id: string | undefined): SubscriptionEntry | undefined {
    return id === undefined ? undefined : this._entries.get(id);
  }

  all(): SubscriptionEntry[] {
    return [...this._entries.values()];
  }
}
