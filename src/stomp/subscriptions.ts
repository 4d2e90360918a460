import type { StompFrame, StompHeaders } from './frame';

/** A MESSAGE, with the acknowledgement that belongs to it. */
export interface StompMessage extends StompFrame {
  /**
   * ACK for subscriptions in `client` or `client-individual` mode. A message received before a
   * reconnect cannot be acknowledged afterwards (the broker redelivers it): the call is then ignored.
   * Throws a TypeError for a header the broker's version cannot escape, as `publish` does.
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
  /**
   * Ends the subscription; the broker is told when connected (and needs no telling otherwise).
   * Throws a TypeError for a header the broker's version cannot escape, and the subscription stays.
   */
  unsubscribe(headers?: StompHeaders): void;
}

/** One live subscription: the SUBSCRIBE to send after every CONNECTED, and who gets its messages. */
export interface SubscriptionEntry {
  /** With `id` and `destination`. */
  readonly _headers: StompHeaders;
  readonly _onMessage: MessageHandler;
}

/**
 * Live subscriptions by id, in the order they were made. The registry, not a log of SUBSCRIBE
 * frames, is the truth: after a reconnect every entry is subscribed again with the same id, so
 * MESSAGE frames keep finding their handler.
 */
export type SubscriptionRegistry = Map<string, SubscriptionEntry>;
