import type { LinkLike } from '../link/link';
import { parseBaseUrl } from '../protocol/base-url';
import { isUserCloseCode } from '../protocol/codes';
import type { TransportName } from '../transports/types';
import { InvalidAccessError } from '../util/errors';
import { utf8Length } from '../util/utf8';
import type { ResockCloseEvent } from '../util/events';

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

type Handler = ((event: Event) => unknown) | null;

/**
 * The W3C WebSocket surface that `SockJS` and `Resock` share: ready-state constants on the class
 * and the instance, `url`, `protocol`, `extensions`, `transport`, and `onopen`-style handlers,
 * each called through a listener added at construction so it runs before later listeners.
 */
export class SocketBase<M extends Record<string, Event>> extends EventTarget {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;
  readonly CONNECTING = CONNECTING;
  readonly OPEN = OPEN;
  readonly CLOSING = CLOSING;
  readonly CLOSED = CLOSED;

  /** The base URL, validated and normalised. */
  readonly url: string;
  readonly protocol = '';
  readonly extensions = '';
  /** The current link, if any; its transport is `transport`. */
  protected _link: LinkLike | null = null;

  onopen: ((event: Event) => unknown) | null = null;
  onmessage: ((event: MessageEvent<string>) => unknown) | null = null;
  onclose: ((event: ResockCloseEvent) => unknown) | null = null;
  onerror: ((event: Event) => unknown) | null = null;

  constructor(url: string, pageUrl: string | undefined) {
    super();
    this.url = parseBaseUrl(String(url), pageUrl);
    // `heartbeat`: SockJS's, whose `onheartbeat` sockjs-client calls (as every `on` + type).
    for (const type of ['open', 'message', 'close', 'error', 'heartbeat']) {
      this.addEventListener(type, (event) => {
        const handler = (this as unknown as Record<string, Handler>)['on' + type];
        if (typeof handler === 'function') handler.call(this, event);
      });
    }
  }

  /** The transport of the open link, else null. */
  get transport(): TransportName | null {
    return this._link ? this._link.transport : null;
  }
}

/** Typed listeners for the socket's own events (`M`), and any other type as EventTarget allows. */
export interface SocketBase<M extends Record<string, Event>> {
  addEventListener<K extends keyof M & string>(type: K, listener: (this: this, event: M[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof M & string>(type: K, listener: (this: this, event: M[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

/**
 * WebSocket's rules for `close(code, reason)`: 1000 or 3000–4999, a reason of at most 123 bytes
 * as text (WebSocket converts any value to a string; sockjs-client takes it too).
 */
export function checkCloseArguments(code?: number, reason?: string): void {
  if (code !== undefined && !isUserCloseCode(code)) throw new InvalidAccessError('InvalidAccessError: Invalid code');
  if (reason && utf8Length(String(reason)) > 123) throw new SyntaxError('reason argument has an invalid length');
}
