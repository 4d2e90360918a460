import type { Connector } from '../connector/connector';
import { openConnector } from '../connector/open';
import { resolveConnectionOptions, type ConnectionOptions, type ResolvedConnectionOptions } from '../connector/options';
import { detectEnv, type Env } from '../env/env';
import { CloseCode } from '../protocol/codes';
import type { Session } from '../protocol/session';
import type { TransportName } from '../transports/types';
import { InvalidStateError } from '../util/errors';
import { closeEvent, messageEvent, type ResockCloseEvent } from '../util/events';
import { checkCloseArguments, SocketBase } from '../util/socket-base';

export type SockJSOptions = ConnectionOptions;

export interface SockJSEventMap {
  open: Event;
  message: MessageEvent<string>;
  close: ResockCloseEvent;
  error: Event;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/**
 * A drop-in for sockjs-client's `SockJS`: one connection, no reconnection, the W3C WebSocket
 * surface and sockjs-client's observable behaviour (errors, close codes, event order).
 */
export class SockJS extends SocketBase {
  readyState: number = CONNECTING;

  private readonly _env: Env;
  private readonly _options: ResolvedConnectionOptions;
  private _connector: Connector | null;
  private _session: Session | null = null;

  constructor(url: string, protocols?: string | string[] | null, options: SockJSOptions = {}) {
    const env = detectEnv();
    if (arguments.length < 1) throw new TypeError("Failed to construct 'SockJS': 1 argument required, but only 0 present");
    super(url, env.location && env.location.href);
    this._env = env;
    const resolved = (this._options = resolveConnectionOptions(options || {}));
    checkProtocols(protocols);
    this._connector = openConnector(this.url, env, resolved, resolved.headers(), {
      open: (session, transport) => this._onOpen(session, transport),
      fail: (info) => this._close(info.code, info.reason, info.wasClean),
    });
  }

  /** Sends `String(data)`. Throws InvalidStateError while connecting; does nothing once closed. */
  send(data: unknown): void {
    const message = typeof data === 'string' ? data : String(data);
    if (this.readyState === CONNECTING) throw new InvalidStateError('InvalidStateError: The connection has not been established yet');
    if (this.readyState === OPEN) this._session!.send([message]);
  }

  /** Closes with 1000 or an application code 3000–4999 and a reason of at most 123 bytes. */
  close(code?: number, reason?: string): void {
    checkCloseArguments(code, reason);
    if (this.readyState === CLOSING || this.readyState === CLOSED) return;
    this._close(code || CloseCode.Normal, reason || 'Normal closure', true);
  }

  private _onOpen(session: Session, transport: TransportName): void {
    this._connector = null;
    this._session = session;
    this.transport = transport;
    this.readyState = OPEN;
    session.on('messages', (messages) => {
      for (const data of messages) {
        if (this.readyState !== OPEN) return;
        this.dispatchEvent(messageEvent(data));
      }
    });
    session.on('heartbeat', () => this.dispatchEvent(new Event('heartbeat')));
    session.on('close', (info) => this._close(info.code, info.reason, info.wasClean));
    this.dispatchEvent(new Event('open'));
  }

  /** As sockjs-client: CLOSING at once, then CLOSED and the events in a later task. */
  private _close(code: number, reason: string, wasClean: boolean): void {
    const failedEarly = !!this._connector && this._connector.infoPending;
    if (this._connector) this._connector.abort();
    if (this._session) this._session.close();
    this._connector = this._session = null;
    this.transport = null;
    this.readyState = CLOSING;
    this._options.debug('close', { code, reason });
    this._env.setTimeout(() => {
      this.readyState = CLOSED;
      if (failedEarly) this.dispatchEvent(new Event('error'));
      this.dispatchEvent(closeEvent(code, reason, wasClean));
      this.onmessage = this.onclose = this.onerror = null;
    }, 0);
  }
}

export interface SockJS {
  addEventListener<K extends keyof SockJSEventMap>(
    type: K,
    listener: (this: SockJS, event: SockJSEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof SockJSEventMap>(
    type: K,
    listener: (this: SockJS, event: SockJSEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

/** WebSocket steps 4–5: every protocol non-empty and none repeated (SockJS then ignores them). */
function checkProtocols(protocols: string | string[] | null | undefined): void {
  const list = !protocols ? [] : Array.isArray(protocols) ? protocols.slice().sort() : [protocols];
  list.forEach((protocol, i) => {
    if (!protocol) throw new SyntaxError(`The protocols entry '${protocol}' is invalid.`);
    if (protocol === list[i + 1]) throw new SyntaxError(`The protocols entry '${protocol}' is duplicated.`);
  });
}
